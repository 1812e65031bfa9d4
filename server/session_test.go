package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func TestSessionCookies(t *testing.T) {
	clk := &testClock{time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := newSessions(time.Hour, clk.now)
	const tok = "0123456789abcdef-first"
	v, exp := s.issue(tok)
	if exp != clk.t.Add(time.Hour) {
		t.Errorf("expiry %v, want an hour on", exp)
	}
	if strings.Contains(v, tok) {
		t.Fatal("the cookie carries the token itself")
	}
	id, _, err := s.check(tok, v)
	if err != nil {
		t.Fatalf("fresh session refused: %v", err)
	}
	for name, bad := range map[string]string{
		"other token": "0123456789abcdef-rotated",
		"empty token": "",
	} {
		if _, _, err := s.check(bad, v); err == nil {
			t.Errorf("%s: the session was accepted", name)
		}
	}
	for name, val := range map[string]string{
		"tampered expiry": strings.Replace(v, ".", ".9", 1),
		"two parts":       v[:strings.LastIndex(v, ".")],
		"garbage":         "a.b.c",
		"huge":            strings.Repeat("a", 1000),
	} {
		if _, _, err := s.check(tok, val); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	clk.t = clk.t.Add(59 * time.Minute)
	if _, _, err := s.check(tok, v); err != nil {
		t.Errorf("session refused before its expiry: %v", err)
	}
	clk.t = clk.t.Add(time.Minute)
	if _, _, err := s.check(tok, v); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired session: %v, want expired", err)
	}
	v2, exp2 := s.issue(tok)
	id2, _, _ := s.check(tok, v2)
	s.revoke(id2, exp2)
	if _, _, err := s.check(tok, v2); err == nil {
		t.Error("a logged-out session still works")
	}
	if id == id2 {
		t.Error("two sessions share an id")
	}
}

func TestTokenFileRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("short\n")
	if _, err := NewTokenFile(path); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short token: %v, want refused", err)
	}
	write("0123456789abcdef-first\n")
	ts, err := NewTokenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	clk := &testClock{time.Now()}
	ts.now = clk.now
	write("0123456789abcdef-second")
	if got := ts.Current(); got != "0123456789abcdef-first" {
		t.Errorf("re-read within a second: %q", got)
	}
	clk.t = clk.t.Add(2 * time.Second)
	if got := ts.Current(); got != "0123456789abcdef-second" {
		t.Errorf("after rotation: %q, want the new token", got)
	}
	os.Remove(path)
	clk.t = clk.t.Add(2 * time.Second)
	if got := ts.Current(); got != "" {
		t.Errorf("token file gone: %q, want no token (fail closed)", got)
	}
}

func TestBearerScheme(t *testing.T) {
	for in, want := range map[string]string{
		"Bearer abc":   "abc",
		"bearer abc":   "abc",
		"BEARER  abc ": "abc",
		"Basic abc":    "",
		"Bearerabc":    "",
		"":             "",
	} {
		if got := bearerToken(in); got != want {
			t.Errorf("bearerToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginLimiter(t *testing.T) {
	l := newLoginLimiter()
	now := time.Now()
	for i := 0; i < 5; i++ {
		if !l.allow("10.0.0.1", now) {
			t.Fatalf("try %d refused", i+1)
		}
		l.failed("10.0.0.1", now)
	}
	if l.allow("10.0.0.1", now) {
		t.Error("a sixth failed try within the burst was allowed")
	}
	if !l.allow("10.0.0.2", now) {
		t.Error("another address was limited")
	}
	if !l.allow("10.0.0.1", now.Add(11*time.Second)) {
		t.Error("the limit never recovers")
	}
}
