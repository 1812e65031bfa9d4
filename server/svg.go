package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/informers/graph"
)

// SVGRequest is one picture for an SVGFunc to draw.
type SVGRequest struct {
	// Epoch and Seq say which graph it is; with Namespaces (sorted),
	// Selector, Focus and Lang they identify the picture, so a renderer
	// may cache it.
	Epoch string
	Seq   uint64
	// Namespaces and Selector (canonical, "" for none) are the viewer's
	// filter, Focus a ?focus= id whose chain the picture is cut to ("" for
	// none), Lang the labels' language ("en" or "zh-CN").
	Namespaces  []string
	Selector    string
	Focus, Lang string
	// Layers is the viewer's ?layers= exactly as given, for the renderer to
	// read (the page's export link passes the page's layers on); "*" when
	// the request has none. The server does not interpret it.
	Layers string
	// Graph returns the snapshot as /api/graph's JSON. It is called only
	// when a render really starts: a cached or shared picture costs no
	// encoding.
	Graph func() ([]byte, error)
}

// SVGFunc draws req to w as a standalone SVG file. A focus it cannot draw
// is a FocusError; ErrBusy says it is drawing all it may at once. w is the
// response: the first write sends the status, 200, so an SVGFunc returns
// its errors before it writes (one after can only cut the file short).
type SVGFunc func(ctx context.Context, w io.Writer, req SVGRequest) error

// ErrBusy is what an SVGFunc returns when it is at its limit; the request
// is answered 503 with Retry-After.
var ErrBusy = errors.New("busy drawing other pictures")

// FocusError is how an SVGFunc reports a ?focus= it cannot draw. The
// server answers with the error's message: 404 when FocusNotFound (a
// well-formed id that is not in the graph), 400 otherwise (a malformed one).
type FocusError interface {
	error
	FocusNotFound() bool
}

// maxFocus bounds ?focus=: Kind/namespace/name fits well inside it.
const maxFocus = 320

// graphSVG serves GET /api/graph.svg[?namespace=a,b][&selector=app=web][&focus=Kind/ns/name][&lang=zh-CN]:
// the picture the page draws, as a standalone SVG file, for curl and slides.
// Config.SVG draws it; the one Podium wires in is the page's own layout, so
// the two agree by construction.
func (s *Server) graphSVG(c echo.Context) error {
	if s.cfg.SVG == nil {
		return echo.NewHTTPError(http.StatusNotImplemented, "SVG export is not configured on this server")
	}
	f, ns, err := s.viewFilter(c)
	if err != nil {
		return err
	}
	if err := rejectUnknown(c, "namespace", "selector", "focus", "lang", "layers", "cluster"); err != nil {
		return err
	}
	focus := c.QueryParam("focus")
	if len(focus) > maxFocus {
		return echo.NewHTTPError(http.StatusBadRequest, "focus is too long: at most "+strconv.Itoa(maxFocus)+" bytes")
	}
	layers := "*"
	if _, ok := c.QueryParams()["layers"]; ok {
		layers = c.QueryParam("layers")
		if len(layers) > maxFocus {
			return echo.NewHTTPError(http.StatusBadRequest, "layers is too long: at most "+strconv.Itoa(maxFocus)+" bytes")
		}
	}
	snap := s.cluster(c).Log.Snapshot(f)
	req := SVGRequest{
		Epoch: snap.Epoch, Seq: snap.Seq, Namespaces: sortedCopy(ns), Selector: f.Selector(), Focus: focus,
		Lang:   requestLanguage(c), // the labels speak the page's languages
		Layers: layers,
		// The picture reads only part of each pod (graph.PictureSnapshot).
		Graph: func() ([]byte, error) { return json.Marshal(graph.PictureSnapshot(snap)) },
	}
	// Written to the response as it comes, not copied into a buffer of its
	// own first (a 5,000-pod file is 1.4 MB a request, issue #15): an error
	// before the first write still gets its status.
	w := &svgResponse{c: c, seq: strconv.FormatUint(snap.Seq, 10), epoch: snap.Epoch}
	if err := s.cfg.SVG(c.Request().Context(), w, req); err != nil {
		if w.started {
			return err // the status is sent: echo can only log it
		}
		var fe FocusError
		switch {
		case errors.As(err, &fe):
			code := http.StatusBadRequest
			if fe.FocusNotFound() {
				code = http.StatusNotFound
			}
			return echo.NewHTTPError(code, fe.Error())
		case errors.Is(err, ErrBusy):
			c.Response().Header().Set("Retry-After", "1")
			return echo.NewHTTPError(http.StatusServiceUnavailable, "the server is drawing as many pictures as it may at once; try again in a second")
		}
		return err
	}
	if !w.started {
		w.start() // an empty file: the SVGFunc wrote nothing
	}
	return nil
}

// svgResponse sends the status and headers of an SVG file with its first
// write.
type svgResponse struct {
	c          echo.Context
	seq, epoch string
	started    bool
}

func (w *svgResponse) start() {
	w.started = true
	h := w.c.Response().Header()
	h.Set("X-Podium-Seq", w.seq)
	h.Set("X-Podium-Epoch", w.epoch)
	h.Set(echo.HeaderContentType, "image/svg+xml; charset=utf-8")
	w.c.Response().WriteHeader(http.StatusOK)
}

func (w *svgResponse) Write(p []byte) (int, error) {
	if !w.started {
		w.start()
	}
	return w.c.Response().Write(p)
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
