package server

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Access control: with Config.AuthToken set, every route but the probes,
// the login page and its assets needs the token, as a bearer header or as
// the cookie POST /login sets.

const tokenCookie = "podium_token"

// badToken is why a login failed; the login page translates it.
const badToken = "That token is not valid."

// loginCSP is stricter than the app's: the login page has no script and
// no inline style (the app's SVG needs 'unsafe-inline'), only its
// stylesheets and icon.
const loginCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// loginRoutes serves the login page and the assets it loads, outside the
// token check.
func (s *Server) loginRoutes(e *echo.Echo) {
	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
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

func (s *Server) tokenOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.AuthToken)) == 1
}

// requireToken admits a request with the bearer token or the login cookie.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if bearer, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer "); ok && s.tokenOK(bearer) {
			return next(c)
		}
		if ck, err := c.Cookie(tokenCookie); err == nil && s.tokenOK(ck.Value) {
			return next(c)
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

func (s *Server) login(c echo.Context) error {
	if !s.tokenOK(c.FormValue("token")) {
		return s.showLogin(c, http.StatusUnauthorized, badToken)
	}
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: s.cfg.AuthToken, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
	return c.Redirect(http.StatusSeeOther, "/")
}
