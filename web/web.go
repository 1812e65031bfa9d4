// Package web is Podium's browser UI: a templ page shell and the ES modules
// under static/ (store → layout → SVG render → animation), embedded so the
// binary serves them with no files on disk. It knows nothing about
// Kubernetes; the page speaks protocol v1 to /ws.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
)

//go:embed static
var static embed.FS

// Static holds the browser assets, to be served at /static/. It is rooted so
// that "app.js" is at the top.
var Static fs.FS = mustSub(static, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return s
}

// PageView is what the page shell needs; no Kubernetes types.
type PageView struct {
	Title   string // defaults to "Podium"
	Version string // shown in the header and appended to asset URLs as ?v= to bust caches
	// Namespaces are offered in the picker before the first snapshot arrives;
	// the page adds any it sees later.
	Namespaces []string
	// Selected are the namespaces in the viewer's filter (from ?namespace=),
	// pre-checked in the picker. Empty means all.
	Selected []string
	Lang     string // BCP 47 tag, e.g. "en" or "zh-CN"; defaults to "en"
	// Cluster is the cluster shown, among Clusters (every cluster served;
	// with more than one the header offers the others).
	Cluster  string
	Clusters []string
}

// allClusters is the picker's value for every cluster side by side.
func (v PageView) allClusters() string { return strings.Join(v.Clusters, ",") }

// SideBySideView is the page for several clusters at once: a frame each,
// at Src (the page of that one cluster, with the viewer's other settings).
type SideBySideView struct {
	Version string
	Lang    string
	Frames  []Frame
}

// Frame is one cluster's frame.
type Frame struct{ Cluster, Src string }

func (v SideBySideView) lang() string { return PageView{Lang: v.Lang}.lang() }

func (v PageView) title() string {
	if v.Title == "" {
		return "Podium"
	}
	return v.Title
}

func (v PageView) lang() string {
	if v.Lang == "" {
		return "en"
	}
	return v.Lang
}

func (v PageView) selected(ns string) bool { return slices.Contains(v.Selected, ns) }

// asset is the page-relative URL of a static file. Relative, so Podium also
// works behind a path prefix.
func (v PageView) asset(name string) string {
	return assetURL(name, v.Version)
}

func assetURL(name, version string) string {
	u := "static/" + name
	if version != "" {
		u += "?v=" + url.QueryEscape(version)
	}
	return u
}

// importMap maps every module under static/ to its versioned URL. The
// modules import each other by plain relative paths (so node --test can load
// them); the map makes the browser fetch the versioned ones, so a new
// release never runs against a stale cached module.
func importMap(version string) string {
	body := importMapJSON(version)
	if body == "" {
		return ""
	}
	return `<script type="importmap">` + body + `</script>`
}

// ImportMapCSP is the Content-Security-Policy script-src source that admits
// the page's inline import map for version (e.g. "'sha256-…'"), or "" when
// the page has none. A CSP of script-src 'self' alone makes the browser
// ignore the map: the page still works, but its modules are fetched without
// the version, so caches may serve an old one after an upgrade.
func ImportMapCSP(version string) string {
	body := importMapJSON(version)
	if body == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(body))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func importMapJSON(version string) string {
	if version == "" {
		return ""
	}
	imports := map[string]string{}
	_ = fs.WalkDir(Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".js" {
			imports["./static/"+p] = "./" + assetURL(p, version)
		}
		return nil
	})
	b, err := json.Marshal(map[string]any{"imports": imports})
	if err != nil {
		return ""
	}
	// JSON inside <script> must not close the element.
	return strings.ReplaceAll(string(b), "</", `<\/`)
}
