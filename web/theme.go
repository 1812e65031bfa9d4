package web

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"
)

// The palette's one home is static/style.css: its custom properties for the
// dark theme (:root and [data-theme='dark']) and the light one
// ([data-theme='light']). The page uses them as CSS variables, the login
// page links the same stylesheet, and the SVG export, a file with no page
// around it, reads them from the embedded style.css here and writes the
// values in. So a colour changed in style.css changes all three, with
// nothing to regenerate.

// Theme is one of style.css's palettes: custom property name, without the
// leading "--", to its value as written ("#0f1520", "rgba(…)").
type Theme map[string]string

// Themes are style.css's two palettes.
type Themes struct {
	Dark, Light Theme
}

// themeCSS is the stylesheet that defines the palettes.
const themeCSS = "style.css"

var (
	commentRe = regexp.MustCompile(`(?s)/\*.*?\*/`)
	// ruleRe matches a rule with no nested braces; the blocks inside
	// @keyframes and @media match too, harmlessly, as rules of their own.
	ruleRe = regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)
)

// parseThemes reads the dark and light palettes from a stylesheet. A theme
// that is missing, or a property only one theme defines, is an error: the
// page would show the other theme's colour, or none, when switched.
func parseThemes(css string) (Themes, error) {
	var th Themes
	for _, m := range ruleRe.FindAllStringSubmatch(commentRe.ReplaceAllString(css, ""), -1) {
		var dst *Theme
		for _, sel := range strings.Split(m[1], ",") {
			switch strings.ReplaceAll(strings.TrimSpace(sel), `"`, "'") {
			case "[data-theme='dark']":
				dst = &th.Dark
			case "[data-theme='light']":
				dst = &th.Light
			}
		}
		if dst == nil {
			continue
		}
		if *dst != nil {
			return Themes{}, fmt.Errorf("%s: %s is defined twice", themeCSS, strings.TrimSpace(m[1]))
		}
		*dst = Theme{}
		for _, decl := range strings.Split(m[2], ";") {
			name, value, ok := strings.Cut(decl, ":")
			name = strings.TrimSpace(name)
			if !ok || !strings.HasPrefix(name, "--") {
				continue
			}
			(*dst)[strings.TrimPrefix(name, "--")] = strings.TrimSpace(value)
		}
	}
	if th.Dark == nil || th.Light == nil {
		return Themes{}, fmt.Errorf("%s: no [data-theme='dark'] or [data-theme='light'] rule of custom properties", themeCSS)
	}
	var errs []error
	for name := range th.Dark {
		if _, ok := th.Light[name]; !ok {
			errs = append(errs, fmt.Errorf("%s: --%s is in the dark theme but not the light one", themeCSS, name))
		}
	}
	for name := range th.Light {
		if _, ok := th.Dark[name]; !ok {
			errs = append(errs, fmt.Errorf("%s: --%s is in the light theme but not the dark one", themeCSS, name))
		}
	}
	return th, errors.Join(errs...)
}

func loadThemes(fsys fs.FS) (Themes, error) {
	b, err := fs.ReadFile(fsys, themeCSS)
	if err != nil {
		return Themes{}, err
	}
	return parseThemes(string(b))
}

var varRe = regexp.MustCompile(`var\(--([\w-]+)\)`)

// resolve writes theme's values in for css's var(--name) references. The
// names in keep stay variables: the file defines them itself (a pod's state
// colour, a node's colour) from values that are resolved.
func (th Theme) resolve(css string, keep ...string) (string, error) {
	var missing []string
	out := varRe.ReplaceAllStringFunc(css, func(m string) string {
		name := varRe.FindStringSubmatch(m)[1]
		for _, k := range keep {
			if name == k {
				return m
			}
		}
		v, ok := th[name]
		if !ok {
			missing = append(missing, "--"+name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%s defines no %s", themeCSS, strings.Join(missing, ", "))
	}
	return out, nil
}

// svgStyle is the export's stylesheet in the dark theme, resolved once.
var svgStyle = sync.OnceValues(func() (string, error) {
	return svgStyleFrom(Static)
})

func svgStyleFrom(fsys fs.FS) (string, error) {
	th, err := loadThemes(fsys)
	if err != nil {
		return "", err
	}
	return th.Dark.resolve(svgCSS, svgOwnVars...)
}
