package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

// AuthProxy trusts the identity an authenticating proxy (oauth2-proxy, an
// ingress's OIDC) puts in a header, from the proxy's addresses only.
type AuthProxy struct {
	UserHeader   string // e.g. X-Forwarded-User
	GroupsHeader string // e.g. X-Forwarded-Groups (comma-separated); optional
	CIDRs        []*net.IPNet
}

// ParseCIDRs reads --auth-proxy-cidrs values.
func ParseCIDRs(vals []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, v := range vals {
		_, n, err := net.ParseCIDR(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("--auth-proxy-cidrs %q: want an address range such as 10.0.0.0/8", v)
		}
		out = append(out, n)
	}
	return out, nil
}

// Identity is who a request is for, as the auth proxy says.
type Identity struct {
	User   string
	Groups []string
}

// Access is what an identity may see: every namespace, or these.
type Access struct {
	All        bool
	Namespaces []string
}

// AccessFunc decides what id may see among the candidate namespaces (the
// ones in the graph); informers.AccessReviewer answers it with
// SubjectAccessReviews.
type AccessFunc func(ctx context.Context, id Identity, candidates []string) (Access, error)

const identityKey = "podium.identity"

// maxIdentityHeader bounds the proxy's headers; real ones are short.
const maxIdentityHeader = 1024

// readIdentity returns the proxy's identity on r, or why there is none.
func (p *AuthProxy) readIdentity(r *http.Request) (Identity, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	trusted := false
	for _, n := range p.CIDRs {
		trusted = trusted || ip != nil && n.Contains(ip)
	}
	if !trusted {
		return Identity{}, fmt.Errorf("requests must come through the auth proxy (%s is not in --auth-proxy-cidrs)", host)
	}
	user := strings.TrimSpace(r.Header.Get(p.UserHeader))
	if user == "" {
		return Identity{}, fmt.Errorf("the auth proxy sent no %s header", p.UserHeader)
	}
	if len(user) > maxIdentityHeader || strings.ContainsFunc(user, isControl) {
		return Identity{}, fmt.Errorf("the %s header is not a user name", p.UserHeader)
	}
	id := Identity{User: user}
	if p.GroupsHeader != "" {
		raw := strings.Join(r.Header.Values(p.GroupsHeader), ",")
		if len(raw) > 16*maxIdentityHeader || strings.ContainsFunc(raw, isControl) {
			return Identity{}, fmt.Errorf("the %s header is not a list of groups", p.GroupsHeader)
		}
		for _, g := range strings.Split(raw, ",") {
			if g = strings.TrimSpace(g); g != "" {
				id.Groups = append(id.Groups, g)
			}
		}
	}
	return id, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// requireProxy admits only requests that carry the proxy's identity.
func (s *Server) requireProxy(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := s.cfg.AuthProxy.readIdentity(c.Request())
		if err != nil {
			return echo.NewHTTPError(http.StatusUnauthorized, err.Error())
		}
		c.Set(identityKey, id)
		return next(c)
	}
}

// viewNamespaces is the namespace filter a request is served with: what it
// asked for, narrowed to what its identity may list pods in when per-user
// views are on. An identity that may see nothing asked for is refused.
func (s *Server) viewNamespaces(c echo.Context) ([]string, error) {
	asked, err := queryNamespaces(c)
	access := s.cluster(c).Access
	if err != nil || access == nil {
		return asked, err
	}
	id, ok := c.Get(identityKey).(Identity)
	if !ok {
		return nil, echo.NewHTTPError(http.StatusUnauthorized, "per-user views need an identity from the auth proxy")
	}
	candidates := asked
	if len(candidates) == 0 {
		candidates = s.cluster(c).Log.Namespaces()
	}
	acc, err := access(c.Request().Context(), id, candidates)
	if err != nil {
		s.log.Warn("access review failed", "user", id.User, "error", err)
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "cannot check what "+id.User+" may see right now")
	}
	if acc.All {
		return asked, nil
	}
	allowed := map[string]bool{}
	for _, ns := range acc.Namespaces {
		allowed[ns] = true
	}
	var out []string
	for _, ns := range candidates {
		if allowed[ns] {
			out = append(out, ns)
		}
	}
	if len(out) == 0 {
		return nil, echo.NewHTTPError(http.StatusForbidden, id.User+" may not list pods in any namespace shown here")
	}
	sort.Strings(out)
	return out, nil
}
