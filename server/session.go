package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// MinTokenLength is the shortest access token Podium accepts: shorter ones
// can be guessed over a venue's network.
const MinTokenLength = 16

// DefaultSessionTTL is how long a login lasts (--session-ttl).
const DefaultSessionTTL = 12 * time.Hour

// TokenSource is the access token. One read from a file is re-read when the
// file changes (a rotated Secret), at most once a second, on use.
type TokenSource struct {
	path string
	now  func() time.Time

	mu      sync.Mutex // guards token, checked and err
	token   string
	checked time.Time
	err     error
}

// StaticToken is a TokenSource that never changes (tests, flags).
func StaticToken(tok string) *TokenSource { return &TokenSource{token: tok, now: time.Now} }

// NewTokenFile reads the token at path. A missing, empty or short token is
// an error naming the file.
func NewTokenFile(path string) (*TokenSource, error) {
	tok, err := ReadTokenFile(path)
	if err != nil {
		return nil, err
	}
	return &TokenSource{path: path, token: tok, now: time.Now, checked: time.Now()}, nil
}

// Current returns the token in force, or "" when the file has turned bad
// (then nobody gets in: failing closed beats keeping a revoked token).
func (t *TokenSource) Current() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.path == "" || t.now().Sub(t.checked) < time.Second {
		return t.token
	}
	t.checked = t.now()
	tok, err := ReadTokenFile(t.path)
	if err != nil {
		t.token, t.err = "", err
		return ""
	}
	t.token, t.err = tok, nil
	return tok
}

// ReadTokenFile reads an access token file, trimming surrounding space. It
// refuses an empty token and one shorter than MinTokenLength.
func ReadTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("auth token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("auth token file %s is empty", path)
	}
	if len(tok) < MinTokenLength {
		return "", fmt.Errorf("auth token file %s: the token has %d bytes, want at least %d (e.g. head -c 24 /dev/urandom | base64)", path, len(tok), MinTokenLength)
	}
	return tok, nil
}

// sessions issues and checks login cookies. A cookie is
// id.expiry.mac, signed with a key derived from the access token: every
// replica with the same token accepts it, and rotating the token ends
// every session made with the old one.
type sessions struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex           // guards revoked
	revoked map[string]time.Time // logged-out ids until they expire
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	if now == nil {
		now = time.Now
	}
	return &sessions{ttl: ttl, now: now, revoked: map[string]time.Time{}}
}

var b64 = base64.RawURLEncoding

func sessionMAC(token, payload string) []byte {
	key := hmac.New(sha256.New, []byte(token))
	key.Write([]byte("podium session v1"))
	m := hmac.New(sha256.New, key.Sum(nil))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// issue returns a new session cookie value for token and when it expires.
func (s *sessions) issue(token string) (string, time.Time) {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	exp := s.now().Add(s.ttl).Truncate(time.Second)
	payload := b64.EncodeToString(id) + "." + strconv.FormatInt(exp.Unix(), 10)
	return payload + "." + b64.EncodeToString(sessionMAC(token, payload)), exp
}

var errSession = errors.New("not a valid session")

// check verifies a cookie value against token and returns its id and expiry.
func (s *sessions) check(token, value string) (id string, exp time.Time, err error) {
	if token == "" || len(value) > 200 {
		return "", time.Time{}, errSession
	}
	parts := strings.Split(value, ".")
	if len(parts) != 3 {
		return "", time.Time{}, errSession
	}
	mac, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(mac, sessionMAC(token, parts[0]+"."+parts[1])) {
		return "", time.Time{}, errSession
	}
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", time.Time{}, errSession
	}
	exp = time.Unix(unix, 0)
	if !s.now().Before(exp) {
		return "", time.Time{}, errors.New("session expired")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, gone := s.revoked[parts[0]]; gone {
		return "", time.Time{}, errors.New("logged out")
	}
	return parts[0], exp, nil
}

// revoke ends session id (logout) until it would have expired anyway.
func (s *sessions) revoke(id string, exp time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, e := range s.revoked { // keep the list to live sessions
		if !now.Before(e) {
			delete(s.revoked, k)
		}
	}
	s.revoked[id] = exp
}

// tokenEqual compares in constant time; an empty token matches nothing.
func tokenEqual(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// bearerToken reads "Authorization: Bearer <token>"; the scheme is
// case-insensitive (RFC 9110 §11.1).
func bearerToken(header string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// loginLimiter rate-limits failed logins per remote address.
type loginLimiter struct {
	mu     sync.Mutex // guards byAddr
	byAddr map[string]*rate.Limiter
	every  time.Duration
	burst  int
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{byAddr: map[string]*rate.Limiter{}, every: 10 * time.Second, burst: 5}
}

// allow says whether addr may try a token now; each failure spends a try.
func (l *loginLimiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.byAddr[addr]
	if !ok {
		if len(l.byAddr) > 10000 { // a flood of addresses: start over rather than grow
			l.byAddr = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.byAddr[addr] = lim
	}
	return lim.TokensAt(now) >= 1
}

// failed spends one try of addr.
func (l *loginLimiter) failed(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.byAddr[addr]; ok {
		lim.AllowN(now, 1)
	}
}
