// Package version holds Podium's version, stamped at build time with
// -ldflags "-X github.com/podiumhq/podium/cmd/podium/internal/version.Version=v1.2.3".
package version

import "runtime/debug"

// Version is the release version; "dev" when not stamped.
var Version = "dev"

// String returns Version, or the module version when built with go install.
func String() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
