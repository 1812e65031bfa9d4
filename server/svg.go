package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/informers/graph"
)

// SVGFunc draws graphJSON (a /api/graph snapshot, as JSON) to w as a
// standalone SVG file: namespaces are the viewer's filter, focus a ?focus=
// id whose chain the picture is cut to ("" for none), lang the labels'
// language ("en" or "zh-CN"). A focus it cannot draw is a FocusError.
type SVGFunc func(ctx context.Context, w io.Writer, graphJSON []byte, namespaces []string, focus, lang string) error

// FocusError is how an SVGFunc reports a ?focus= it cannot draw. The
// server answers with the error's message: 404 when FocusNotFound (a
// well-formed id that is not in the graph), 400 otherwise (a malformed one).
type FocusError interface {
	error
	FocusNotFound() bool
}

// maxFocus bounds ?focus=: Kind/namespace/name fits well inside it.
const maxFocus = 320

// graphSVG serves GET /api/graph.svg[?namespace=a,b][&focus=Kind/ns/name][&lang=zh-CN]:
// the picture the page draws, as a standalone SVG file, for curl and slides.
// Config.SVG draws it; the one Podium wires in is the page's own layout, so
// the two agree by construction.
func (s *Server) graphSVG(c echo.Context) error {
	if s.cfg.SVG == nil {
		return echo.NewHTTPError(http.StatusNotImplemented, "SVG export is not configured on this server")
	}
	ns, err := parseNamespaces(c.QueryParam("namespace"))
	if err != nil {
		return err
	}
	if err := rejectUnknown(c, "namespace", "focus", "lang"); err != nil {
		return err
	}
	focus := c.QueryParam("focus")
	if len(focus) > maxFocus {
		return echo.NewHTTPError(http.StatusBadRequest, "focus is too long: at most "+strconv.Itoa(maxFocus)+" bytes")
	}
	lang := requestLanguage(c) // the labels speak the page's languages
	snap := s.cfg.Log.Snapshot(graph.NewFilter(ns...))
	raw, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	// Rendered to a buffer first, so an error still gets a proper status.
	var buf bytes.Buffer
	if err := s.cfg.SVG(c.Request().Context(), &buf, raw, ns, focus, lang); err != nil {
		var fe FocusError
		if errors.As(err, &fe) {
			code := http.StatusBadRequest
			if fe.FocusNotFound() {
				code = http.StatusNotFound
			}
			return echo.NewHTTPError(code, fe.Error())
		}
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Podium-Seq", strconv.FormatUint(snap.Seq, 10))
	h.Set("X-Podium-Epoch", snap.Epoch)
	return c.Blob(http.StatusOK, "image/svg+xml; charset=utf-8", buf.Bytes())
}
