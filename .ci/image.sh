#!/usr/bin/env bash
# Builds the binary that goes into the container image. The Dockerfile's build
# stage runs this very script, so `make image` and `docker build` share one set
# of flags: static (CGO off), -trimpath, stripped, version stamped with -X.
#
#   .ci/image.sh [OUTPUT]        default OUTPUT: bin/podium-image
#   VERSION=v1.2.3 .ci/image.sh  stamp this version (default: git describe, or dev)
set -euo pipefail

out=${1:-bin/podium-image}
case $out in /*) ;; *) out="$PWD/$out" ;; esac
cd "$(dirname "$0")/.."

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
# The version ends up inside -ldflags; refuse anything that would split it.
if [[ ! $version =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]]; then
	echo "image.sh: bad VERSION '$version' (want letters, digits and . _ + -)" >&2
	exit 2
fi

# -buildvcs=false: the image's build context has no .git, so a local build
# must not stamp VCS data either, or the two binaries would differ.
cmd=(go build -trimpath -buildvcs=false
	-ldflags "-s -w -X github.com/podiumhq/podium/cmd/podium/internal/version.Version=${version}"
	-o "$out" ./cmd/podium)
echo "CGO_ENABLED=0 ${cmd[*]}" >&2
CGO_ENABLED=0 "${cmd[@]}"
