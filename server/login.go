package server

import (
	"mime"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Access control: with Config.AuthToken set, every route but the probes,
// the login page and its assets needs the token, as a bearer header or as
// the cookie POST /login sets.

const tokenCookie = "podium_token"

// badToken is why a login failed; the login page translates it.
const badToken = "That token is not valid."

// tooManyTries is why a login was not even tried.
const tooManyTries = "Too many failed logins from this address; wait a few seconds."

// loginCSP is stricter than the app's: the login page has no script and
// no inline style (the app's admits /api/graph.svg's <style> by hash), only its
// stylesheets and icon.
const loginCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// loginRoutes serves the login page and the assets it loads, outside the
// token check.
func (s *Server) loginRoutes(e *echo.Echo) {
	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	if s.cfg.Static == nil {
		return
	}
	for _, name := range s.cfg.LoginAssets {
		// A route of its own outranks the token-checked /static/* one.
		serve := echo.StaticFileHandler(name, s.cfg.Static)
		e.GET("/static/"+name, func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "no-cache")
			return serve(c)
		})
	}
}

// token is the access token in force ("" when a token file turned bad).
func (s *Server) token() string {
	if s.cfg.TokenFile != nil {
		return s.cfg.TokenFile.Current()
	}
	return s.cfg.AuthToken
}

// authEnabled says whether a token is required at all.
func (s *Server) authEnabled() bool { return s.cfg.TokenFile != nil || s.cfg.AuthToken != "" }

// requireToken admits a request with the bearer token or a live session
// cookie.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := s.token()
		if tokenEqual(bearerToken(c.Request().Header.Get("Authorization")), tok) {
			return next(c)
		}
		if ck, err := c.Cookie(tokenCookie); err == nil {
			if _, _, err := s.sessions.check(tok, ck.Value); err == nil {
				return next(c)
			}
		}
		if c.Request().URL.Path == "/" {
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="podium"`)
		return echo.NewHTTPError(http.StatusUnauthorized, "a valid access token is required (Authorization: Bearer <token>, or log in at /login)")
	}
}

// showLogin answers with the login page, saying why when problem is set.
func (s *Server) showLogin(c echo.Context, status int, problem string) error {
	c.Response().Header().Set("Content-Security-Policy", loginCSP)
	if s.cfg.Login == nil {
		msg := "Podium: send the access token as Authorization: Bearer <token>, or POST it as the form field token to /login"
		if problem != "" {
			msg = problem + "\n" + msg
		}
		return c.String(status, msg+"\n")
	}
	return Render(c, status, s.cfg.Login(requestLanguage(c), problem))
}

func (s *Server) loginPage(c echo.Context) error {
	return s.showLogin(c, http.StatusOK, "")
}

// login takes the token from a small URL-encoded form (never multipart:
// nothing is parsed or written to disk before the token is checked), from
// this site only, at a limited rate of failures per address.
func (s *Server) login(c echo.Context) error {
	if site := c.Request().Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return echo.NewHTTPError(http.StatusForbidden, "a login from another site is refused")
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationForm {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the login as application/x-www-form-urlencoded")
	}
	addr := remoteHost(c.Request())
	now := time.Now()
	if !s.logins.allow(addr, now) {
		c.Response().Header().Set("Retry-After", "10")
		return s.showLogin(c, http.StatusTooManyRequests, tooManyTries)
	}
	if err := c.Request().ParseForm(); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "cannot read the login form")
	}
	tok := s.token()
	if !tokenEqual(c.Request().PostForm.Get("token"), tok) {
		s.logins.failed(addr, now)
		s.log.Info("failed login", "address", addr)
		return s.showLogin(c, http.StatusUnauthorized, badToken)
	}
	value, exp := s.sessions.issue(tok)
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: value, Path: "/", Expires: exp, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
	return c.Redirect(http.StatusSeeOther, "/")
}

// logout ends the session in the cookie, on this replica, until it would
// have expired, and clears the cookie.
func (s *Server) logout(c echo.Context) error {
	if site := c.Request().Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return echo.NewHTTPError(http.StatusForbidden, "a logout from another site is refused")
	}
	if ck, err := c.Cookie(tokenCookie); err == nil {
		if id, exp, err := s.sessions.check(s.token(), ck.Value); err == nil {
			s.sessions.revoke(id, exp)
		}
	}
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
	return c.Redirect(http.StatusSeeOther, "/login")
}

// remoteHost is the client's address without its port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
