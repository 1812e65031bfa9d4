package web

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Layers returns the names of the page's layers, read from layout.js (their
// one home), for what must check a layer name server-side, such as a
// lesson's steps.
var Layers = sync.OnceValue(func() []string {
	js, err := static.ReadFile("static/layout.js")
	if err != nil {
		panic("web: layout.js is not embedded: " + err.Error())
	}
	m := layersDecl.FindSubmatch(js)
	if m == nil {
		panic("web: layout.js declares no LAYERS")
	}
	var out []string
	for _, q := range strings.Split(string(m[1]), ",") {
		name, err := strconv.Unquote(strings.ReplaceAll(strings.TrimSpace(q), "'", `"`))
		if err != nil {
			panic("web: layout.js LAYERS: " + err.Error())
		}
		out = append(out, name)
	}
	return out
})

var layersDecl = regexp.MustCompile(`export const LAYERS = Object\.freeze\(\[([^\]]*)\]\)`)
