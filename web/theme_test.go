package web

import (
	"context"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dop251/goja"
)

// staticWith is Static with one file's text edited, as a source change
// would edit it.
func staticWith(t *testing.T, name, old, repl string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static, p)
		if err != nil {
			return err
		}
		if p == name {
			if !strings.Contains(string(b), old) {
				t.Fatalf("%s has no %q to change", name, old)
			}
			b = []byte(strings.Replace(string(b), old, repl, 1))
		}
		m[p] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStyleCSSHasBothThemes(t *testing.T) {
	th, err := loadThemes(Static)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bg", "text", "failed", "node-7"} {
		if th.Dark[name] == "" || th.Light[name] == "" {
			t.Errorf("--%s: dark %q, light %q; want both set", name, th.Dark[name], th.Light[name])
		}
	}
	if th.Dark["bg"] == th.Light["bg"] {
		t.Errorf("dark and light --bg are both %q: the themes were not told apart", th.Dark["bg"])
	}
}

func TestParseThemesErrors(t *testing.T) {
	for name, tc := range map[string]struct{ css, want string }{
		"no light theme":  {`:root, [data-theme='dark'] { --bg: #000; }`, "no [data-theme='dark'] or [data-theme='light']"},
		"only in dark":    {`[data-theme='dark'] { --bg: #000; --x: red; } [data-theme='light'] { --bg: #fff; }`, "--x is in the dark theme but not the light one"},
		"only in light":   {`[data-theme='dark'] { --bg: #000; } [data-theme="light"] { --bg: #fff; --y: red }`, "--y is in the light theme but not the dark one"},
		"defined twice":   {`[data-theme='dark'] { --bg: #000; } [data-theme='dark'] { --bg: #111; } [data-theme='light'] { --bg: #fff; }`, "defined twice"},
		"commented block": {`/* [data-theme='light'] { --bg: #fff; } */ [data-theme='dark'] { --bg: #000; }`, "no [data-theme='dark'] or [data-theme='light']"},
	} {
		_, err := parseThemes(tc.css)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestResolveNamesWhatIsMissing(t *testing.T) {
	got, err := Theme{"a": "#111"}.resolve(".x{fill:var(--a);stroke:var(--c)}", "c")
	if err != nil || got != ".x{fill:#111;stroke:var(--c)}" {
		t.Errorf("resolve = %q, %v", got, err)
	}
	if _, err := (Theme{}).resolve(".x{fill:var(--gone)}"); err == nil || !strings.Contains(err.Error(), "--gone") {
		t.Errorf("resolve of an undefined variable: err = %v, want one naming --gone", err)
	}
}

// The export's colours are style.css's: every variable it uses is defined
// there, and changing one in style.css changes the file.
func TestSVGStyleFollowsStyleCSS(t *testing.T) {
	style, err := svgStyle()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range varRe.FindAllStringSubmatch(style, -1) {
		if m[1] != "c" && m[1] != "nc" {
			t.Errorf("the export still refers to var(--%s)", m[1])
		}
	}
	th, _ := loadThemes(Static)
	if want := ".bg{fill:" + th.Dark["bg"] + "}"; !strings.Contains(style, want) {
		t.Errorf("export style lacks %q", want)
	}

	edited := staticWith(t, "style.css", "--failed: #ff6b5a;", "--failed: #123456;")
	style, err = svgStyleFrom(edited)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".box-sub.bad{fill:#123456}", ".st-failed{--c:#123456}", "s-dangling path{stroke:#123456;"} {
		if !strings.Contains(style, want) {
			t.Errorf("after editing --failed in style.css the export style lacks %q", want)
		}
	}
	if strings.Contains(style, "#ff6b5a") {
		t.Errorf("the export style still has the old --failed colour")
	}
}

// The export draws headings and bands where layout.js's GEOM puts them:
// it reads GEOM, so an edit there moves the file's drawing too.
func TestExportReadsGEOM(t *testing.T) {
	g, err := geom()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("test/fixtures/rollout.json")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := RenderSVG(context.Background(), &b, raw, nil, "", "en"); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	work := g.Col["work"]
	for _, want := range []string{
		`class="col-head" x="` + num(work.X+4) + `" y="` + num(g.Top-colHeadAbove) + `"`,
		`class="band-bg" x="` + num(bandX) + `" y="` + num(g.Top) + `" width="` + num(work.X+work.W) + `"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("export lacks %s", want)
		}
	}

	src, err := bundle(staticWith(t, "layout.js", "top: "+num(g.Top)+",", "top: 100,"), layoutModules)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := goja.Compile("layout.js", intlShim+src, true)
	if err != nil {
		t.Fatal(err)
	}
	edited, err := readGeom(prog)
	if err != nil {
		t.Fatal(err)
	}
	if edited.Top != 100 || edited.headY() != 100-colHeadAbove || edited.bandW() != g.bandW() {
		t.Errorf("after GEOM.top %v → 100: top %v, headY %v, bandW %v", g.Top, edited.Top, edited.headY(), edited.bandW())
	}
}

// Two drawing offsets are render.js's, not GEOM's; the export keeps copies
// (colHeadAbove, bandX) and this holds them to the page's. (A tight
// presenter picture raises its headings less, GEOM.headRise; the file,
// never tight, uses the default.)
func TestExportOffsetsMatchRenderJS(t *testing.T) {
	var js strings.Builder
	files, _ := fs.Glob(Static, "*.js")
	for _, f := range files {
		b, _ := fs.ReadFile(Static, f)
		js.Write(b)
	}
	for _, tc := range []struct {
		what string
		re   *regexp.Regexp
		have int
	}{
		{"column headings' offset above GEOM.top (colHeadAbove)", regexp.MustCompile(`class: 'col-head'.*y: G(?:EOM)?\.top - (?:\(G(?:EOM)?\.headRise \?\? )?(\d+)`), colHeadAbove},
		{"band left edge (bandX)", regexp.MustCompile(`class="band-bg" x="(\d+)"`), bandX},
	} {
		m := tc.re.FindStringSubmatch(js.String())
		if m == nil {
			t.Errorf("%s: no %s in static/*.js; the export mirrors it, update both", tc.what, tc.re)
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n != tc.have {
			t.Errorf("%s: page draws %d, export %d", tc.what, n, tc.have)
		}
	}
}
