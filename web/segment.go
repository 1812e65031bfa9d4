package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"sync"
)

// SegmentView is what RenderSegment writes: one HTML file that plays a
// recorded segment with no server (docs/export.md).
type SegmentView struct {
	// Segment is a replay.Segment as JSON; the page's player reads it.
	Segment []byte
	Title   string // the <title>; default "Podium"
	Lang    string // the page's language, as for the live page
	Version string // shown in the header, as on the live page
}

// segmentEntry is the module the exported page starts: the app itself,
// which plays the embedded segment instead of opening /ws (conn.js).
const segmentEntry = "app.js"

// segmentCSS are the style sheets the page shell links, inlined in order:
// the page's own, and replay.css, whose bar the player reuses.
var segmentCSS = []string{"style.css", "replay.css"}

// segmentBundle is the page's code, read once from Static: every module
// app.js imports (directly or not), with relative imports rewritten to bare
// "podium/NAME" specifiers, and the files the modules load beside
// themselves (new URL('./x.css', import.meta.url)).
type segmentBundle struct {
	Modules map[string]string `json:"modules"`
	Assets  map[string]string `json:"assets"`
	Entry   string            `json:"entry"`
	css     string
	icon    string
}

var (
	segBundleOnce sync.Once
	segBundle     *segmentBundle
	segBundleErr  error
)

func loadBundle() (*segmentBundle, error) {
	segBundleOnce.Do(func() { segBundle, segBundleErr = buildBundle(Static, segmentEntry) })
	return segBundle, segBundleErr
}

var (
	// relImport matches a static or dynamic import (or re-export) of a
	// module beside this one.
	relImport = regexp.MustCompile(`((?:\bfrom|\bimport)\s*\(?\s*)(['"])\./([A-Za-z0-9_.-]+\.js)(['"])`)
	// besideURL is how a module names a file beside itself.
	besideURL = regexp.MustCompile(`new URL\(\s*(['"])\./([A-Za-z0-9_.-]+)(['"])\s*,\s*import\.meta\.url\s*\)`)
)

// buildBundle collects entry and what it imports from files. Module code
// loaded from a blob: URL cannot resolve './store.js' (a blob: URL is no
// base for a relative one), so imports become bare specifiers that the
// page's import map resolves, and a file named beside a module becomes a
// blob: URL the page makes from Assets. Any other use of import.meta, or an
// import of a file that is not there, is an error rather than a page that
// fails in the viewer's browser.
func buildBundle(files fs.FS, entry string) (*segmentBundle, error) {
	b := &segmentBundle{Modules: map[string]string{}, Assets: map[string]string{}, Entry: entry}
	todo := []string{entry}
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if _, done := b.Modules[name]; done {
			continue
		}
		src, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("segment page: module %s: %w", name, err)
		}
		code := relImport.ReplaceAllStringFunc(string(src), func(m string) string {
			p := relImport.FindStringSubmatch(m)
			if p[2] != p[4] {
				return m
			}
			todo = append(todo, p[3])
			return p[1] + p[2] + "podium/" + p[3] + p[4]
		})
		var missing error
		code = besideURL.ReplaceAllStringFunc(code, func(m string) string {
			p := besideURL.FindStringSubmatch(m)
			asset, err := fs.ReadFile(files, p[2])
			if err != nil {
				missing = fmt.Errorf("segment page: %s loads %s: %w", name, p[2], err)
				return m
			}
			b.Assets[p[2]] = string(asset)
			return fmt.Sprintf("new URL(globalThis.podiumAssets[%q])", p[2])
		})
		if missing != nil {
			return nil, missing
		}
		if strings.Contains(code, "import.meta") {
			return nil, fmt.Errorf("segment page: %s uses import.meta other than new URL('./file', import.meta.url), which a page with no server cannot resolve", name)
		}
		b.Modules[name] = code
	}
	var css strings.Builder
	for _, name := range segmentCSS {
		src, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("segment page: %w", err)
		}
		if bytes.Contains(bytes.ToLower(src), []byte("</style")) {
			return nil, fmt.Errorf("segment page: %s contains </style, which would end the inlined sheet", name)
		}
		css.Write(src)
		css.WriteByte('\n')
	}
	b.css = css.String()
	icon, err := fs.ReadFile(files, "favicon.svg")
	if err != nil {
		return nil, fmt.Errorf("segment page: %w", err)
	}
	b.icon = "data:image/svg+xml," + svgDataEscape(string(icon))
	return b, nil
}

// svgDataEscape percent-encodes what a data: URL of SVG text cannot hold
// as is.
func svgDataEscape(s string) string {
	return strings.NewReplacer("%", "%25", "#", "%23", "\"", "%22", "<", "%3C", ">", "%3E", "\n", "%0A", "\r", "").Replace(s)
}

// segmentBoot turns the bundle into blob: URLs, maps "podium/NAME" to them
// with an import map, and starts the entry module. It also makes sure the
// file never reaches a network: fetch answers 404 and WebSocket fails, so a
// feature that asks a server (reachability, a lesson, the audience link)
// finds none, as it would on a server that does not offer it. It runs at
// the end of <body>: the app reads the shell's elements when it starts.
//
// Should the code not start (a browser without import maps, a damaged
// file), the banner says so instead of "Connecting…" for ever. These two
// strings live here, not in i18n.js: they are shown when i18n.js could not
// run.
const segmentBoot = `(() => {
  const zh = /^zh/i.test(document.documentElement.lang);
  const fail = (detail) => {
    if (window.podium) return;
    const banner = document.querySelector('[data-testid=banner]');
    if (!banner) return;
    banner.dataset.state = 'error';
    banner.querySelector('.banner-text').textContent = (zh ? '此页面无法启动：' : 'This page could not start: ') + detail;
  };
  window.addEventListener('error', (ev) => fail(String(ev.message || ev.error || 'error')));
  if (!(window.HTMLScriptElement && HTMLScriptElement.supports && HTMLScriptElement.supports('importmap'))) {
    fail(zh ? '需要较新的浏览器（支持 import map）' : 'it needs a current browser (with import maps)');
    return;
  }
  const bundle = JSON.parse(document.getElementById('podium-bundle').textContent);
  const blob = (text, type) => URL.createObjectURL(new Blob([text], { type }));
  const realFetch = window.fetch.bind(window);
  const offline = () => Promise.resolve(new Response('{"error":"this is an offline segment: there is no server"}',
    { status: 404, headers: { 'Content-Type': 'application/json' } }));
  window.fetch = (u, o) => (/^(blob|data):/.test(String(u && u.url ? u.url : u)) ? realFetch(u, o) : offline());
  window.WebSocket = class { constructor() { throw new Error('this is an offline segment: there is no server'); } };
  window.EventSource = window.WebSocket;
  window.podiumAssets = {};
  for (const [name, text] of Object.entries(bundle.assets)) window.podiumAssets[name] = blob(text, 'text/css');
  const imports = {};
  for (const [name, text] of Object.entries(bundle.modules)) imports['podium/' + name] = blob(text, 'text/javascript');
  const map = document.createElement('script');
  map.type = 'importmap';
  map.textContent = JSON.stringify({ imports });
  document.head.appendChild(map);
  const main = document.createElement('script');
  main.type = 'module';
  main.textContent = 'import "podium/' + bundle.entry + '";';
  document.body.appendChild(main);
})();`

// RenderSegment writes the self-contained page for v: the live page's
// shell (Page's body, so the DOM contract and every element the app reads
// are the same), its style sheets inlined, its modules and the segment as
// JSON, and a small script that starts them from blob: URLs. Opened from a
// file, it plays the segment with no server and no network.
func RenderSegment(ctx context.Context, w io.Writer, v SegmentView) error {
	b, err := loadBundle()
	if err != nil {
		return err
	}
	if !json.Valid(v.Segment) {
		return errors.New("segment page: the segment is not valid JSON")
	}
	var page bytes.Buffer
	if err := Page(PageView{Version: v.Version, Lang: v.Lang}).Render(ctx, &page); err != nil {
		return err
	}
	body, err := shellBody(page.String())
	if err != nil {
		return err
	}
	code, err := json.Marshal(b) // escapes <, > and &: nothing in it can end the <script>
	if err != nil {
		return err
	}
	var seg bytes.Buffer
	json.HTMLEscape(&seg, v.Segment)
	title := v.Title
	if title == "" {
		title = "Podium"
	}
	lang := PageView{Lang: v.Lang}.lang()
	// Written in parts, straight to w: a writer that caps the size fails
	// at the first part past it.
	ew := &errWriter{w: w}
	ew.str("<!DOCTYPE html>\n<html lang=\"" + htmlAttr(lang) + "\" data-theme=\"dark\">\n<head>\n")
	ew.str("<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"dark light\">\n")
	ew.str("<meta name=\"generator\" content=\"podium export\">\n")
	ew.str("<title>" + htmlText(title) + "</title>\n")
	ew.str("<link rel=\"icon\" type=\"image/svg+xml\" href=\"" + htmlAttr(b.icon) + "\">\n")
	ew.str("<style>\n" + b.css + "</style>\n")
	ew.str("<script type=\"application/json\" id=\"podium-segment\">")
	ew.bytes(seg.Bytes())
	ew.str("</script>\n<script type=\"application/json\" id=\"podium-bundle\">")
	ew.bytes(code)
	ew.str("</script>\n</head>\n")
	ew.str(body)
	ew.str("\n<script>" + segmentBoot + "</script>\n</body>\n</html>\n")
	return ew.err
}

// errWriter keeps the first write error and skips the writes after it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *errWriter) str(s string) { e.bytes([]byte(s)) }

// shellBody cuts Page's <body> element, without its end tag, out of the
// rendered page. The shell must load nothing by itself: anything it links
// would be fetched from beside the file, which is not there.
func shellBody(page string) (string, error) {
	i := strings.Index(page, "<body")
	j := strings.LastIndex(page, "</body>")
	if i < 0 || j < i {
		return "", errors.New("segment page: the page shell has no <body>")
	}
	body := page[i:j]
	lower := strings.ToLower(body)
	for _, bad := range []string{"<script", "<link", "static/"} {
		if strings.Contains(lower, bad) {
			return "", fmt.Errorf("segment page: the page shell's body holds %q, which a page with no server cannot load", bad)
		}
	}
	return body, nil
}

var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "\"", "&quot;", "<", "&lt;", ">", "&gt;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
)

func htmlAttr(s string) string { return attrEscaper.Replace(s) }
func htmlText(s string) string { return textEscaper.Replace(s) }
