package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

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

// SegmentFunc writes happenings from through to of the recording being
// replayed as one offline HTML file in lang (docs/export.md). A range the
// recording does not have is a *replay.RangeError.
type SegmentFunc func(ctx context.Context, w io.Writer, from, to int, lang string) error

// Bounds of GET /api/replay/segment: a file is built whole in memory
// before it is sent, so at most MaxSegmentBuilds are built at once (more
// get 503 at once, never a queue) and one may be at most MaxSegmentBytes
// (413 past it: podium export has no such cap).
const (
	MaxSegmentBuilds = 2
	MaxSegmentBytes  = 32 << 20
)

// errSegmentTooLarge is capWriter's: the file went past its cap.
var errSegmentTooLarge = errors.New("segment over the size cap")

// capWriter collects at most left bytes.
type capWriter struct {
	buf  bytes.Buffer
	left int
}

func (w *capWriter) Write(b []byte) (int, error) {
	if len(b) > w.left {
		return 0, errSegmentTooLarge
	}
	w.left -= len(b)
	return w.buf.Write(b)
}

// replaySegment serves GET /api/replay/segment?from=N&to=M: the file that
// "Save segment" downloads. N and M are happening indexes as GET
// /api/replay lists them.
func (s *Server) replaySegment() echo.HandlerFunc {
	slots := make(chan struct{}, MaxSegmentBuilds)
	return func(c echo.Context) error {
		if s.cfg.Segment == nil {
			return echo.NewHTTPError(http.StatusNotImplemented, "this server does not export segments")
		}
		from, err := happeningParam(c, "from")
		if err != nil {
			return err
		}
		to, err := happeningParam(c, "to")
		if err != nil {
			return err
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			c.Response().Header().Set("Retry-After", "2")
			return echo.NewHTTPError(http.StatusServiceUnavailable,
				fmt.Sprintf("busy: %d segments are being built; try again in a moment", MaxSegmentBuilds))
		}
		w := &capWriter{left: MaxSegmentBytes}
		err = s.cfg.Segment(c.Request().Context(), w, from, to, requestLanguage(c))
		var re *replay.RangeError
		switch {
		case errors.As(err, &re):
			return echo.NewHTTPError(http.StatusBadRequest, re.Error())
		case errors.Is(err, errSegmentTooLarge):
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("happenings %d to %d make a file over %d MiB: save fewer, or run podium export", from, to, MaxSegmentBytes>>20))
		case err != nil:
			return err
		}
		h := c.Response().Header()
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="podium-segment-%d-%d.html"`, from, to))
		return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, w.buf.Bytes())
	}
}

// happeningParam reads a required happening index from the query.
func happeningParam(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("missing %s: want happening indexes, e.g. ?from=0&to=5", name))
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("%s %q: want a happening index (0, 1, …)", name, v))
	}
	return n, nil
}
