// Package server serves Podium over HTTP: the page shell, its assets, the
// graph as JSON (/api/graph), the live stream (/ws), health and metrics.
//
// It knows HTTP and WebSockets but treats the model as opaque: it reads a
// graph.Log and a status function, whether they come from informers or from
// a replayed recording.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/podiumhq/podium/informers/graph"
)

// PageFunc renders the page shell for a request: its language, namespaces
// and cluster, and the names of every cluster served.
type PageFunc func(r PageRequest) templ.Component

// PageRequest is what the page shell is rendered for.
type PageRequest struct {
	Lang       string
	Namespaces []string
	Cluster    string
	Clusters   []string
}

// SideBySideFunc renders the page for several clusters side by side: a
// frame each, at src (the page for that one cluster).
type SideBySideFunc func(lang string, frames []Frame) templ.Component

// Frame is one cluster's frame of the side-by-side page.
type Frame struct{ Cluster, Src string }

// LoginFunc renders the login page for a request's language, with why the
// last attempt failed, in English ("" on a first visit).
type LoginFunc func(lang, problem string) templ.Component

// Config is what a Server needs.
type Config struct {
	// Clusters are the clusters served, each with its graph; requests name
	// one with ?cluster= (none: the first). When empty, Log, Status and
	// Access are the one cluster, named DefaultClusterName.
	Clusters []Cluster
	// Log is the graph and its change history.
	Log *graph.Log
	// Status reports the source's connection state; Synced gates /readyz.
	Status func() graph.Status
	// Page renders the HTML shell at /, and Static holds its assets served
	// at /static/. Either may be nil in tests. SideBySide renders / for
	// ?cluster=a,b: one frame of the page per cluster (nil: refused).
	Page       PageFunc
	SideBySide SideBySideFunc
	Static     fs.FS
	// Login renders the login page (GET and POST /login, when AuthToken is
	// set); nil serves a plain-text hint instead. LoginAssets are the files
	// of Static it loads: they are served without the token, since the page
	// is shown before it.
	Login       LoginFunc
	LoginAssets []string
	// SVG draws /api/graph.svg; nil answers it with 501 Not Implemented.
	SVG SVGFunc
	// ScriptSources are extra CSP script-src sources, such as the hash of an
	// inline script the page carries; scripts are otherwise only 'self'.
	ScriptSources []string
	// StyleSources are extra CSP style-src sources: the hash of the <style>
	// in /api/graph.svg's files, for when one is opened in a browser.
	StyleSources []string
	// AllowedOrigins are extra origins (host patterns, see coder/websocket's
	// OriginPatterns) allowed to open /ws; the page's own origin always is.
	AllowedOrigins []string
	// AuthToken, or the token in TokenFile (re-read when the file changes),
	// is required by every route except the probes and the login page, as
	// "Authorization: Bearer <token>" or a session cookie from POST /login
	// that lasts SessionTTL (default DefaultSessionTTL).
	AuthToken  string
	TokenFile  *TokenSource
	SessionTTL time.Duration
	// WriteTimeout bounds each WebSocket write; a client that cannot take a
	// message in time is closed. Default 5s.
	WriteTimeout time.Duration
	// PingInterval is how often a WebSocket client is pinged, so proxies
	// that cut idle connections never see one idle and a dead peer is
	// noticed; one that has not answered within PongTimeout is closed.
	// Defaults DefaultPingInterval and DefaultPongTimeout; a negative
	// PingInterval sends no pings.
	PingInterval, PongTimeout time.Duration
	// AllowedHosts are extra Host names served on a loopback listener (see
	// hostAllowed); localhost, 127.0.0.1 and [::1] always are.
	AllowedHosts []string
	// MaxClients and MaxClientsPerAddr cap WebSocket viewers in total and
	// per remote address; defaults DefaultMaxClients, DefaultMaxClientsPerAddr.
	MaxClients, MaxClientsPerAddr int
	// ReadTimeout bounds reading any request but the WebSocket; default
	// DefaultReadTimeout.
	ReadTimeout time.Duration
	// AuthProxy, when set, admits only requests with the proxy's identity
	// (it replaces AuthToken). Access, when also set, narrows each viewer's
	// namespaces to what that identity may list pods in.
	AuthProxy *AuthProxy
	Access    AccessFunc
	// Lesson, when set, is the speaker's lesson, at GET /api/lesson.
	Lesson *LessonSource
	// Follow, when set, is the audience link: GET /api/follow for the
	// followers, POST /api/follow for the presenter holding its secret.
	Follow *Follow
	// Replay, when set, is served at GET and POST /api/replay, behind the
	// same authentication as every other route.
	Replay ReplayControls
	// Segment, with Replay, serves GET /api/replay/segment: happenings of
	// the recording as one offline HTML file (docs/export.md).
	Segment SegmentFunc
	// IngressNamespace is where the Ingress controller runs, the default
	// "from" of /api/reachability?service= ("" for none); ReachConcurrency
	// caps reachability answers computed at once (default
	// DefaultReachConcurrency).
	IngressNamespace string
	ReachConcurrency int
	Logger           *slog.Logger
	// Metrics may be shared with the informers; nil makes a new one.
	Metrics *Metrics
}

// Server is Podium's HTTP server.
type Server struct {
	cfg  Config
	echo *echo.Echo
	log  *slog.Logger

	// closing ends every WebSocket loop on shutdown, since http.Server's
	// Shutdown does not wait for hijacked connections.
	closing context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup

	clusters []Cluster
	limits   *clientLimits
	sessions *sessions
	logins   *loginLimiter
	reach    chan struct{} // one slot per reachability answer in progress
	// streaming has one slot per big message (a snapshot) being written
	// to a WebSocket: each holds a compressor for as long as its client
	// takes to read megabytes, and 500 viewers dialling a 5,000-pod graph
	// at once held 1.1 GiB of them.
	streaming chan struct{}
}

// maxStreaming is how many snapshots are written at once; the other
// clients wait their turn, which their write timeout does not count.
const maxStreaming = 4

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.PongTimeout <= 0 {
		cfg.PongTimeout = DefaultPongTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = DefaultMaxClients
	}
	if cfg.MaxClientsPerAddr <= 0 {
		cfg.MaxClientsPerAddr = DefaultMaxClientsPerAddr
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.Status == nil {
		cfg.Status = func() graph.Status {
			return graph.Status{Type: "status", APIServer: "connected", Synced: true, Denied: []string{}}
		}
	}
	if cfg.ReachConcurrency <= 0 {
		cfg.ReachConcurrency = DefaultReachConcurrency
	}
	s := &Server{cfg: cfg, log: cfg.Logger, limits: newClientLimits(cfg.MaxClients, cfg.MaxClientsPerAddr),
		sessions: newSessions(cfg.SessionTTL, nil), logins: newLoginLimiter(), reach: make(chan struct{}, cfg.ReachConcurrency),
		streaming: make(chan struct{}, maxStreaming)}
	s.clusters = cfg.Clusters
	if len(s.clusters) == 0 {
		s.clusters = []Cluster{{Name: DefaultClusterName, Log: cfg.Log, Status: cfg.Status, Access: cfg.Access}}
	}
	s.closing, s.stop = context.WithCancel(context.Background())
	s.echo = s.routes()
	return s
}

// Metrics returns the server's metrics, for the informers to count events.
func (s *Server) Metrics() *Metrics { return s.cfg.Metrics }

// Handler returns the server as an http.Handler (for httptest).
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelDebug
			if v.Status >= 500 {
				level = slog.LevelWarn
			}
			attrs := []slog.Attr{slog.String("method", v.Method), slog.String("uri", v.URI),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency)}
			if v.Error != nil {
				attrs = append(attrs, slog.String("error", v.Error.Error()))
			}
			s.log.LogAttrs(context.Background(), level, "request", attrs...)
			return nil
		},
	}))
	e.Use(secureHeaders(s.cfg.ScriptSources, s.cfg.StyleSources))
	e.Use(guardHosts(s.cfg.AllowedHosts))
	e.Use(boundRequests(s.cfg.ReadTimeout))

	// Probes stay open so kubelet needs no token.
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", func(c echo.Context) error {
		if !s.ready() {
			return c.String(http.StatusServiceUnavailable, "caches not synced\n")
		}
		return c.String(http.StatusOK, "ok\n")
	})

	g := e.Group("")
	if s.cfg.AuthProxy != nil {
		g.Use(s.requireProxy)
	} else if s.authEnabled() {
		s.loginRoutes(e)
		g.Use(s.requireToken)
	}
	g.GET("/", s.page)
	g.GET("/api/graph", s.graphJSON, s.pickCluster)
	g.GET("/api/graph.svg", s.graphSVG, s.pickCluster)
	g.GET("/api/reachability", s.reachability, s.pickCluster)
	g.GET("/api/status", func(c echo.Context) error { return c.JSON(http.StatusOK, s.cluster(c).Status()) }, s.pickCluster)
	g.GET("/api/clusters", s.clusterList)
	g.GET("/api/lesson", s.lessonJSON)
	g.GET("/api/qr.svg", s.qrSVG)
	if s.cfg.Follow != nil {
		g.GET("/f", s.followLink)
		g.GET("/api/follow", s.followGet)
		g.POST("/api/follow", s.followLead)
	}
	g.GET("/ws", s.ws, s.pickCluster, s.limits.middleware)
	if s.cfg.Replay != nil {
		g.GET("/api/replay", s.replayInfo)
		g.POST("/api/replay", s.replayControl)
		g.GET("/api/replay/segment", s.replaySegment())
	}
	g.GET("/metrics", echo.WrapHandler(s.cfg.Metrics.Handler()))
	if s.cfg.Static != nil {
		static := g.Group("/static", func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				c.Response().Header().Set("Cache-Control", "no-cache")
				return next(c)
			}
		})
		static.StaticFS("/", s.cfg.Static)
	}
	return e
}

// apiError is the body of every error response.
type apiError struct {
	Error string `json:"error"`
}

// errorHandler answers errors as JSON for the API and text elsewhere, never
// echoing internals of unexpected errors.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		msg = fmt.Sprint(he.Message)
	} else {
		s.log.Error("request failed", "uri", c.Request().RequestURI, "error", err)
	}
	if strings.HasPrefix(c.Path(), "/api/") || strings.HasPrefix(c.Request().URL.Path, "/api/") || c.Path() == "/ws" {
		_ = c.JSON(code, apiError{msg})
		return
	}
	_ = c.String(code, msg+"\n")
}

// secureHeaders sets safe defaults on every response. Scripts are only
// ours ('self', plus the given inline-script hashes), and so are styles:
// the page's style sheets ('self'; its modules style through the CSSOM,
// which CSP does not govern) and the <style> of /api/graph.svg's files,
// admitted by its hash for when one is opened in a browser. No
// 'unsafe-inline': injected markup can neither restyle the page nor read
// it through CSS selectors.
func secureHeaders(scriptSources, styleSources []string) echo.MiddlewareFunc {
	styleSources = append([]string{"'self'"}, styleSources...)
	csp := "default-src 'self'; script-src " + strings.Join(append([]string{"'self'"}, scriptSources...), " ") +
		"; style-src " + strings.Join(styleSources, " ") + "; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; " +
		"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			h.Set("Content-Security-Policy", csp)
			// The page and every answer show the cluster as it is now, and
			// may be behind a login: no cache keeps them. (/static/ says
			// no-cache, so its assets revalidate instead.)
			h.Set("Cache-Control", "no-store")
			return next(c)
		}
	}
}

func (s *Server) page(c echo.Context) error {
	if s.cfg.Page == nil {
		return c.String(http.StatusOK, "Podium: no page configured\n")
	}
	cls, err := s.parseClusters(c)
	if err != nil {
		return err
	}
	if len(s.clusters) > 1 {
		// The side-by-side page frames this one, from this origin only.
		h := c.Response().Header()
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "frame-ancestors 'none'", "frame-ancestors 'self'", 1))
	}
	if len(cls) > 1 {
		return s.sideBySide(c, cls)
	}
	cl := s.firstOf(cls)
	c.Set(clusterKey, cl)
	// A bad filter is refused here as /ws would refuse it, so the viewer
	// reads why instead of a page that never connects.
	_, ns, err := s.viewFilter(c)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, s.cfg.Page(PageRequest{Lang: requestLanguage(c), Namespaces: ns, Cluster: cl.Name, Clusters: s.clusterNames()}))
}

// Render writes a templ component as the response.
func Render(c echo.Context, status int, t templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return t.Render(c.Request().Context(), c.Response().Writer)
}

// requestLanguage is the language to answer a request in: ?lang= (the page
// keeps it in the URL) wins over the browser's Accept-Language; either way
// one of the languages Podium speaks.
func requestLanguage(c echo.Context) string {
	if lang := c.QueryParam("lang"); lang != "" {
		return PreferredLanguage(lang)
	}
	return PreferredLanguage(c.Request().Header.Get("Accept-Language"))
}

// PreferredLanguage picks "zh-CN" or "en" from an Accept-Language header.
func PreferredLanguage(header string) string {
	for _, part := range strings.Split(header, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-CN"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

// Serve serves on ln until ctx ends, then shuts down gracefully: new
// requests stop, WebSockets are closed with "going away", and in-flight
// requests get up to 10 seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		s.stop()
		return err
	case <-ctx.Done():
	}
	s.stop()
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
