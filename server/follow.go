package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"
)

// The audience link: followers open a read-only page that follows the
// presenter's step, focus and layers (GET /api/follow, a long poll), each in
// their own language. Only the page holding the lead secret, which the
// presenter's URL carries (?lead=…, printed at start), may lead (POST
// /api/follow); a follower's page never sends. A follower that loses the
// connection asks again and gets the current state.

// FollowState is what followers follow.
type FollowState struct {
	Version   uint64   `json:"version"`          // bumped by every lead
	Step      int      `json:"step"`             // the lesson step shown, -1 without a lesson
	Focus     string   `json:"focus,omitempty"`  // the entity focused
	Layers    []string `json:"layers,omitempty"` // the layers on
	Presenter bool     `json:"presenter"`        // presenter mode on
	Marker    int      `json:"marker"`           // a replay's happening shown, -1 none
}

// Follow holds the presenter's state and wakes waiting followers.
type Follow struct {
	secret string

	mu      sync.Mutex
	wait    time.Duration // longest a follower's GET waits for a change
	st      FollowState
	changed chan struct{} // closed and replaced on every lead
	waiting int
}

// Bounds of the audience link.
const (
	DefaultFollowWait = 25 * time.Second // under the usual 30-60 s proxy idle timeouts
	maxFollowWaiting  = 2000             // followers waiting at once; beyond it 503
	maxFollowBody     = 4 << 10
	maxFollowLayers   = 32
	maxQRText         = 512
)

// NewFollow returns a Follow led by whoever holds secret (at least 16
// bytes).
func NewFollow(secret string) (*Follow, error) {
	if len(secret) < 16 {
		return nil, fmt.Errorf("the lead secret is %d bytes; at least 16", len(secret))
	}
	return &Follow{secret: secret, wait: DefaultFollowWait, st: FollowState{Step: -1, Marker: -1}, changed: make(chan struct{})}, nil
}

// NewLeadSecret returns a random lead secret, URL-safe.
func NewLeadSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on Linux
	return base64.RawURLEncoding.EncodeToString(b)
}

// Secret is the lead secret, for the presenter's link.
func (f *Follow) Secret() string { return f.secret }

// State returns the current state.
func (f *Follow) State() FollowState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

// await returns the state once its version passes since, or the current
// one when ctx ends or the wait runs out. ok is false when too many wait.
func (f *Follow) await(ctx context.Context, since uint64) (FollowState, bool) {
	f.mu.Lock()
	if f.st.Version > since {
		defer f.mu.Unlock()
		return f.st, true
	}
	if f.waiting >= maxFollowWaiting {
		f.mu.Unlock()
		return FollowState{}, false
	}
	f.waiting++
	ch, wait := f.changed, f.wait
	f.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waiting--
	return f.st, true
}

func (f *Follow) lead(st FollowState) FollowState {
	f.mu.Lock()
	defer f.mu.Unlock()
	st.Version = f.st.Version + 1
	f.st = st
	close(f.changed)
	f.changed = make(chan struct{})
	return st
}

// followGet serves GET /api/follow?since=V.
func (s *Server) followGet(c echo.Context) error {
	var since uint64
	if v := c.QueryParam("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "since "+strconv.Quote(truncate(v, 40))+" is not a version number")
		}
		since = n
	}
	st, ok := s.cfg.Follow.await(c.Request().Context(), since)
	if !ok {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "too many followers waiting; try again")
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, st)
}

// followLead serves POST /api/follow: the presenter's page, holding the
// lead secret in the X-Podium-Lead header, sends its state as JSON.
func (s *Server) followLead(c echo.Context) error {
	if err := sameOrigin(c.Request()); err != nil {
		return echo.NewHTTPError(http.StatusForbidden, err.Error())
	}
	got := c.Request().Header.Get("X-Podium-Lead")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Follow.secret)) != 1 {
		return echo.NewHTTPError(http.StatusForbidden, "only the presenter's page (opened with its ?lead= link) may lead")
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the state as Content-Type: application/json")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxFollowBody+1))
	if err != nil || len(body) > maxFollowBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the state is over %d bytes", maxFollowBody))
	}
	var st FollowState
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "the state is not valid: "+err.Error())
	}
	if err := checkFollow(st); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	return c.JSON(http.StatusOK, s.cfg.Follow.lead(st))
}

var (
	followID    = regexp.MustCompile(`^[A-Z][A-Za-z]{0,62}/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9]([-a-z0-9.:]{0,251}[a-z0-9])?$`)
	followLayer = regexp.MustCompile(`^[a-z][a-z-]{0,31}$`)
)

func checkFollow(st FollowState) error {
	switch {
	case st.Step < -1 || st.Step > 10000:
		return fmt.Errorf("step %d is out of range", st.Step)
	case st.Marker < -1:
		return fmt.Errorf("marker %d is out of range", st.Marker)
	case st.Focus != "" && !followID.MatchString(st.Focus):
		return fmt.Errorf("focus %q is not an entity id", truncate(st.Focus, 80))
	case len(st.Layers) > maxFollowLayers:
		return fmt.Errorf("%d layers, at most %d", len(st.Layers), maxFollowLayers)
	}
	for _, l := range st.Layers {
		if !followLayer.MatchString(l) {
			return fmt.Errorf("layer %q is not a layer name", truncate(l, 40))
		}
	}
	return nil
}

// followLink serves GET /f, the short audience link the presenter's page
// shows under its QR code: it redirects to the follower's view, keeping any
// other parameter (/f?lang=zh-CN). The target is relative, so it works
// behind a path prefix.
func (s *Server) followLink(c echo.Context) error {
	q := c.Request().URL.Query()
	q.Del("follow")
	target := "./?follow=1"
	if len(q) > 0 {
		target += "&" + q.Encode()
	}
	return c.Redirect(http.StatusFound, target)
}

// qrSVG serves GET /api/qr.svg?text=…: a QR code of the follower link the
// presenter's page shows on the projector.
func (s *Server) qrSVG(c echo.Context) error {
	text := c.QueryParam("text")
	if text == "" || len(text) > maxQRText {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("text must be 1 to %d bytes", maxQRText))
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "cannot make a QR code of it: "+err.Error())
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Blob(http.StatusOK, "image/svg+xml", QRSVG(q.Bitmap()))
}

// QRSVG draws a QR bitmap (quiet zone included) as an SVG of unit squares,
// one path, black on white.
func QRSVG(bits [][]bool) []byte {
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String())
}
