package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/web"
)

// maxFocus bounds ?focus=: Kind/namespace/name fits well inside it.
const maxFocus = 320

// graphSVG serves GET /api/graph.svg[?namespace=a,b][&focus=Kind/ns/name][&lang=zh-CN]:
// the picture the page draws, as a standalone SVG file, for curl and slides.
// The layout is the page's own (web.RenderSVG runs static/layout.js), so the
// two agree by construction.
func (s *Server) graphSVG(c echo.Context) error {
	ns, err := s.viewNamespaces(c)
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
	if err := web.RenderSVG(c.Request().Context(), &buf, raw, ns, focus, lang); err != nil {
		var fe *web.FocusError
		if errors.As(err, &fe) {
			code := http.StatusBadRequest
			if fe.NotFound {
				code = http.StatusNotFound
			}
			return echo.NewHTTPError(code, fe.Msg)
		}
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Podium-Seq", strconv.FormatUint(snap.Seq, 10))
	h.Set("X-Podium-Epoch", snap.Epoch)
	return c.Blob(http.StatusOK, "image/svg+xml; charset=utf-8", buf.Bytes())
}
