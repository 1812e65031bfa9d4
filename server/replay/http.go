package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
)

// maxControlBody bounds a control request; they are a few dozen bytes.
const maxControlBody = 4 << 10

// Control is the body of POST /api/replay.
type Control struct {
	Action string `json:"action"` // play | pause | seek | speed
	// Time is the seek target in seconds since the start (action seek).
	Time *float64 `json:"time,omitempty"`
	// Happening is the index of a happening to seek to (action seek).
	Happening *int `json:"happening,omitempty"`
	// Speed is the new speed (action speed).
	Speed *float64 `json:"speed,omitempty"`
}

// Routes mounts GET and POST /api/replay on e (server.Config.Routes).
func (p *Player) Routes(e *echo.Echo) {
	e.GET("/api/replay", func(c echo.Context) error {
		return c.JSON(http.StatusOK, p.Info())
	})
	e.POST("/api/replay", p.control)
}

// control applies one Control. Only the page itself may call it: a
// cross-site form or fetch is refused (see sameOrigin), and the body must be
// JSON, which a form cannot send without a CORS preflight we never answer.
func (p *Player) control(c echo.Context) error {
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
	var ctl Control
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ctl); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "body: "+jsonProblem(err))
	}
	if err := p.Apply(ctl); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	return c.JSON(http.StatusOK, p.Info())
}

// Apply carries out one control.
func (p *Player) Apply(ctl Control) error {
	switch ctl.Action {
	case "play":
		p.Play()
	case "pause":
		p.Pause()
	case "speed":
		if ctl.Speed == nil {
			return errors.New(`action "speed" needs "speed", e.g. {"action":"speed","speed":2}`)
		}
		return p.SetSpeed(*ctl.Speed)
	case "seek":
		switch {
		case ctl.Happening != nil && ctl.Time != nil:
			return errors.New(`action "seek" takes "time" or "happening", not both`)
		case ctl.Happening != nil:
			return p.SeekHappening(*ctl.Happening)
		case ctl.Time != nil:
			t := *ctl.Time
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return errors.New("seek: time must be a number of seconds")
			}
			return p.SeekTime(time.Duration(math.Round(t * float64(time.Second))))
		default:
			return errors.New(`action "seek" needs "time" (seconds) or "happening" (index)`)
		}
	case "":
		return errors.New(`missing "action": play, pause, seek or speed`)
	default:
		return fmt.Errorf("unknown action %q: want play, pause, seek or speed", ctl.Action)
	}
	return nil
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
