package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/informers/replay"
)

// maxControlBody bounds a replay control request; they are a few dozen bytes.
const maxControlBody = 4 << 10

// ReplayControls is what GET and POST /api/replay drive: a replay.Player.
type ReplayControls interface {
	Info() replay.Info
	Apply(replay.Control) error
}

// replayInfo serves GET /api/replay.
func (s *Server) replayInfo(c echo.Context) error {
	return c.JSON(http.StatusOK, s.cfg.Replay.Info())
}

// replayControl serves POST /api/replay. Only the page itself may call it: a
// cross-site form or fetch is refused (see sameOrigin), and the body must be
// JSON, which a form cannot send without a CORS preflight we never answer.
func (s *Server) replayControl(c echo.Context) error {
	if err := sameOrigin(c.Request()); err != nil {
		return echo.NewHTTPError(http.StatusForbidden, err.Error())
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the control as Content-Type: application/json")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxControlBody+1))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "cannot read the body")
	}
	if len(body) > maxControlBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("control body over %d bytes", maxControlBody))
	}
	ctl, err := replay.DecodeControl(body)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	if err := s.cfg.Replay.Apply(ctl); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	return c.JSON(http.StatusOK, s.cfg.Replay.Info())
}

// sameOrigin refuses requests a browser marks as coming from another site,
// and any whose Origin is not this host.
func sameOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return errors.New("cross-site request refused")
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errors.New("cross-origin request refused")
		}
	}
	return nil
}
