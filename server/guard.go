package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Defaults for the limits in Config; each has a flag.
const (
	DefaultMaxClients        = 512
	DefaultMaxClientsPerAddr = 64
	DefaultReadTimeout       = 30 * time.Second
	// defaultBodyLimit bounds every request body: the only bodies Podium
	// takes are the login form and the replay controls, both tiny.
	defaultBodyLimit = 16 << 10
)

// loopbackHosts are the names a browser uses for a server on loopback. A
// DNS-rebinding page reaches the same socket under its own name, so on
// loopback every other Host is refused (as kubectl proxy --accept-hosts does).
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// ValidateHostPatterns checks --allowed-hosts values: host names, or
// "*.example.com" for a domain's subdomains. No ports, schemes or a bare "*".
func ValidateHostPatterns(patterns []string) error {
	for _, p := range patterns {
		name := strings.TrimPrefix(p, "*.")
		switch {
		case p == "" || p == "*":
			return fmt.Errorf("--allowed-hosts %q: name the hosts; any host would let a DNS-rebinding page in", p)
		case strings.ContainsAny(name, "/:*?[] ") && net.ParseIP(strings.Trim(name, "[]")) == nil:
			return fmt.Errorf("--allowed-hosts %q: want a host name such as podium.example.com or *.example.com, without scheme or port", p)
		}
	}
	return nil
}

// ValidateOriginPatterns checks --allowed-origins values, which are
// coder/websocket origin patterns (path.Match syntax on the origin's host).
// "*" and patterns that match any host are refused: allowing every origin
// must be asked for by name (--allow-any-origin).
func ValidateOriginPatterns(patterns []string) error {
	for _, p := range patterns {
		if p == "" {
			return errors.New("--allowed-origins: an empty pattern")
		}
		if strings.Contains(p, "://") {
			return fmt.Errorf("--allowed-origins %q: give the host (and port), e.g. podium.example.com or *.example.com, not a URL", p)
		}
		if _, err := path.Match(p, "x"); err != nil {
			return fmt.Errorf("--allowed-origins %q: malformed pattern: %v", p, err)
		}
		if matched, _ := path.Match(p, "attacker.invalid"); matched {
			return fmt.Errorf("--allowed-origins %q matches any site, which re-opens cross-site WebSocket hijacking; use --allow-any-origin if that is really meant", p)
		}
	}
	return nil
}

// hostAllowed says whether a request's Host may be served. Only requests that
// arrived on a loopback address are checked: there the only legitimate names
// are loopback ones, and anything else is a rebinding attempt.
func hostAllowed(r *http.Request, extra []string) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true // not from a listener (in-process tests)
	}
	tcp, ok := local.(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	for _, h := range loopbackHosts {
		if host == h {
			return true
		}
	}
	for _, p := range extra {
		p = strings.ToLower(p)
		if host == p || strings.HasPrefix(p, "*.") && strings.HasSuffix(host, p[1:]) {
			return true
		}
	}
	return false
}

// guardHosts answers 421 Misdirected Request to a Host that a server on
// loopback does not go by.
func guardHosts(extra []string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !hostAllowed(c.Request(), extra) {
				return echo.NewHTTPError(http.StatusMisdirectedRequest,
					"host "+strconv.Quote(truncate(c.Request().Host, 80))+" is not served here; add it with --allowed-hosts")
			}
			return next(c)
		}
	}
}

// boundRequests sets a read deadline and a body limit on every request but
// the WebSocket (which reads for hours and bounds its own frames), so a body
// that never arrives cannot hold a connection open.
func boundRequests(readTimeout time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if c.Path() != "/ws" {
				// Not every ResponseWriter supports deadlines (httptest's recorder).
				_ = http.NewResponseController(c.Response().Writer).SetReadDeadline(time.Now().Add(readTimeout))
				if r.ContentLength > defaultBodyLimit {
					return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", defaultBodyLimit))
				}
				r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, defaultBodyLimit)
			}
			return next(c)
		}
	}
}

// clientLimits caps WebSocket clients in total and per remote address.
type clientLimits struct {
	max, perAddr int

	mu     sync.Mutex // guards total and byAddr
	total  int
	byAddr map[string]int
}

func newClientLimits(max, perAddr int) *clientLimits {
	return &clientLimits{max: max, perAddr: perAddr, byAddr: map[string]int{}}
}

// acquire takes a slot for addr, or says why there is none.
func (l *clientLimits) acquire(addr string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.max {
		return nil, fmt.Errorf("too many viewers: this server takes %d (--max-clients)", l.max)
	}
	if l.byAddr[addr] >= l.perAddr {
		return nil, fmt.Errorf("too many viewers from %s: at most %d (--max-clients-per-address)", addr, l.perAddr)
	}
	l.total++
	l.byAddr[addr]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.total--
			if l.byAddr[addr]--; l.byAddr[addr] == 0 {
				delete(l.byAddr, addr)
			}
		})
	}, nil
}

// limitClients refuses a WebSocket before the upgrade when the caps are
// reached, with 503 and Retry-After, so a browser's reconnect backs off.
func (l *clientLimits) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		addr, _, err := net.SplitHostPort(c.Request().RemoteAddr)
		if err != nil {
			addr = c.Request().RemoteAddr
		}
		release, err := l.acquire(addr)
		if err != nil {
			c.Response().Header().Set("Retry-After", "5")
			return echo.NewHTTPError(http.StatusServiceUnavailable, err.Error())
		}
		defer release()
		return next(c)
	}
}
