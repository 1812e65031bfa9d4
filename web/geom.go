package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// Geom is the part of static/layout.js's GEOM the export template draws
// with itself (everything else it gets from the layout's output). It is
// read from the script, so layout.js stays GEOM's one home.
type Geom struct {
	Top float64 `json:"top"` // the first band; column headings sit above it
	Col map[string]struct {
		X float64 `json:"x"`
		W float64 `json:"w"`
	} `json:"col"`
}

// colHeadAbove is how far above GEOM.top the column headings stand: a
// drawing offset of render.js's drawHeadings (GEOM.top - 22), not part of
// GEOM, so TestExportOffsetsMatchRenderJS holds the two together.
const colHeadAbove = 22

// bandX is the left edge of a namespace band, as render.js draws it.
const bandX = 20

// geom is layout.js's GEOM, read once from the compiled layout script.
var geom = sync.OnceValues(func() (Geom, error) {
	prog, err := layoutProgram()
	if err != nil {
		return Geom{}, fmt.Errorf("layout script: %w", err)
	}
	return readGeom(prog)
})

// readGeom runs the bundled layout script and reads its GEOM.
func readGeom(prog *goja.Program) (Geom, error) {
	vm := goja.New()
	if _, err := vm.RunProgram(prog); err != nil {
		return Geom{}, fmt.Errorf("layout script: %w", err)
	}
	v, err := vm.RunString(`JSON.stringify(__mods.layout.GEOM)`)
	if err != nil {
		return Geom{}, fmt.Errorf("layout.js GEOM: %w", err)
	}
	var g Geom
	if err := json.Unmarshal([]byte(v.String()), &g); err != nil {
		return Geom{}, fmt.Errorf("layout.js GEOM: %w", err)
	}
	if g.Top <= 0 {
		return Geom{}, errors.New("layout.js GEOM has no positive top")
	}
	if w, ok := g.Col["work"]; !ok || w.W <= 0 {
		return Geom{}, errors.New("layout.js GEOM has no col.work with a width")
	}
	return g, nil
}

// headY is the baseline of the column headings.
func (g Geom) headY() float64 { return g.Top - colHeadAbove }

// bandW is a band's width, as render.js draws it: bands span the first
// three columns (four with the references column; the layout says).
func (g Geom) bandW() float64 { w := g.Col["work"]; return w.X + w.W }

// bandW is the layout's band width, or GEOM's for a layout without one.
func (v SVGPage) bandW() float64 {
	if v.L != nil && v.L.BandW > 0 {
		return v.L.BandW
	}
	return v.G.bandW()
}
