package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/web"
	"time"
)

func TestBadInvocationsFailClearly(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	garbage := filepath.Join(home, "garbage.yaml")
	os.WriteFile(garbage, []byte("this: [is not: a kubeconfig"), 0o600)
	good := writeKubeconfig(t, "https://127.0.0.1:1", "")
	empty := filepath.Join(home, "empty-token")
	os.WriteFile(empty, []byte("\n"), 0o600)
	short := filepath.Join(home, "short-token")
	os.WriteFile(short, []byte("hunter2\n"), 0o600)
	good16 := filepath.Join(home, "auth-token")
	os.WriteFile(good16, []byte("0123456789abcdef-token\n"), 0o600)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--frobnicate"}, "unknown flag: --frobnicate (see podium --help)"},
		{"unknown flag of a command", []string{"record", "--frobnicate"}, "record: unknown flag: --frobnicate (see podium record --help)"},
		{"unknown shorthand", []string{"serve", "-x"}, "unknown shorthand flag: 'x' in -x"},
		{"missing value", []string{"serve", "--listen"}, "flag needs an argument: --listen"},
		{"unknown command", []string{"frob"}, `unknown command "frob"`},
		{"mistyped command", []string{"serv"}, `unknown command "serv"; did you mean "serve"?`},
		{"stray argument", []string{"serve", "extra"}, `unexpected argument "extra"`},
		{"bad namespace", []string{"--namespace", "Not_Valid"}, `"Not_Valid" is not a valid namespace name`},
		{"bad read-status", []string{"--read-status", "rollouts"}, `--read-status "rollouts": want GROUP/RESOURCE`},
		{"read-status of a built-in group", []string{"record", "--out", "x.jsonl", "--read-status", "apps/deployments"}, `--read-status "apps/deployments": "apps" is not a custom resource group`},
		{"bad listen", []string{"--listen", "8080"}, `--listen "8080": want host:port`},
		{"bad log level", []string{"--log-level", "loud"}, `--log-level "loud"`},
		{"bad log format", []string{"--log-format", "xml"}, `--log-format "xml"`},
		{"bad history", []string{"--history", "0"}, "--history must be at least 1"},
		{"bad duration", []string{"--flush-interval", "soon"}, `invalid argument "soon" for "--flush-interval"`},
		{"bad request timeout", []string{"serve", "--kubeconfig", good, "--request-timeout", "soon"}, `--request-timeout "soon": want a duration`},
		{"negative request timeout", []string{"--request-timeout", "-1s"}, `--request-timeout "-1s"`},
		{"unknown context", []string{"serve", "--kubeconfig", good, "--context", "nope"}, `context "nope" does not exist`},
		{"unknown user", []string{"serve", "--kubeconfig", good, "--user", "nope"}, `auth info "nope" does not exist`},
		{"completion without a shell", []string{"completion"}, "completion: which shell?"},
		{"completion of an unknown shell", []string{"completion", "tcsh"}, `completion: unknown shell "tcsh"`},
		{"version with an argument", []string{"version", "now"}, `version: unexpected argument "now"`},
		{"no cluster", []string{"serve"}, "podium demo"},
		{"missing kubeconfig", []string{"--kubeconfig", filepath.Join(home, "nope")}, "nope: stat"},
		{"garbage kubeconfig", []string{"--kubeconfig", garbage}, garbage},
		{"unknown context in garbage", []string{"--kubeconfig", garbage, "--context", "x"}, garbage},
		{"context in-cluster", []string{"--serviceaccount-dir", home, "--context", "x"}, "--context x: there is no kubeconfig"},
		{"empty token file", []string{"--auth-token-file", empty}, "is empty"},
		{"short token", []string{"--auth-token-file", short}, "want at least 16"},
		{"short token for the demo", []string{"demo", "--auth-token-file", short}, "want at least 16"},
		{"any origin", []string{"--allowed-origins", "*"}, "matches any site"},
		{"any origin in a replay", []string{"demo", "--allowed-origins", "*"}, "--allow-any-origin"},
		{"malformed origin", []string{"--allowed-origins", "[a-"}, "malformed pattern"},
		{"any host", []string{"--allowed-hosts", "*"}, "DNS-rebinding"},
		{"no clients", []string{"demo", "--max-clients", "0"}, "--max-clients must be at least 1"},
		{"bad ingress namespace", []string{"demo", "--ingress-namespace", "Ingress_NS"}, `--ingress-namespace "Ingress_NS" is not a valid namespace name`},
		{"token and proxy", []string{"--auth-token-file", good16, "--auth-proxy-header", "X-User", "--auth-proxy-cidrs", "10.0.0.0/8"}, "choose one"},
		{"proxy without cidrs", []string{"--auth-proxy-header", "X-User"}, "needs --auth-proxy-cidrs"},
		{"bad cidr", []string{"--auth-proxy-header", "X-User", "--auth-proxy-cidrs", "10.0.0.1"}, "want an address range"},
		{"per-user views without proxy", []string{"--per-user-views"}, "needs an identity"},
		{"per-user views in a replay", []string{"demo", "--per-user-views", "--auth-proxy-header", "X-User", "--auth-proxy-cidrs", "10.0.0.0/8"}, "needs a cluster"},
		{"per-user views without a cluster", []string{"--per-user-views", "--auth-proxy-header", "X-User", "--auth-proxy-cidrs", "10.0.0.0/8"}, "needs a cluster"},
		{"in-cluster without token", []string{"--serviceaccount-dir", home}, "service account token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasSuffix(tc.name, "in-cluster") || strings.HasPrefix(tc.name, "in-cluster") {
				t.Setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
				t.Setenv("KUBERNETES_SERVICE_PORT", "1")
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
			// One line; errNoCluster alone adds a second with the way out.
			if n := strings.Count(strings.TrimSpace(err.Error()), "\n"); n > 0 && !errors.Is(err, errNoCluster) {
				t.Errorf("error is not one line: %q", err)
			}
			// main prints the error once; nothing else prints it or the usage.
			if out := stdout.String() + stderr.String(); strings.Contains(out, "Usage:") || strings.Contains(out, tc.want) {
				t.Errorf("run(%q) printed more than its error:\n%s", tc.args, out)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &out); err != nil || out.String() != "podium "+version.String()+"\n" {
		t.Fatalf("version: %v %q", err, out.String())
	}
}

// A bare "podium" with no cluster plays the built-in demo, and says why.
func TestBarePodiumFallsBackToDemo(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--listen", addr}, &bytes.Buffer{}, &stderr) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/graph")
		if err == nil {
			var snap struct{ Nodes []json.RawMessage }
			json.NewDecoder(resp.Body).Decode(&snap)
			resp.Body.Close()
			if len(snap.Nodes) > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not serve a graph: %v; log:\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The demo is the talk: its lesson comes with it, each step placed.
	resp, err := http.Get("http://" + addr + "/api/lesson")
	if err != nil {
		t.Fatal(err)
	}
	var les struct {
		Lesson  struct{ Steps []json.RawMessage }
		Markers []int
	}
	err = json.NewDecoder(resp.Body).Decode(&les)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(les.Lesson.Steps) == 0 || len(les.Markers) != len(les.Lesson.Steps) {
		t.Errorf("GET /api/lesson of the fallback demo: %d, %d steps, %d markers, %v; want the built-in lesson", resp.StatusCode, len(les.Lesson.Steps), len(les.Markers), err)
	}
	// The page's CSP admits its inline import map, and nothing else inline.
	resp, err = http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if h := web.ImportMapCSP(version.String()); h == "" || !strings.Contains(csp, "script-src 'self' "+h+";") {
		t.Errorf("CSP %q does not admit the import map %q", csp, h)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run = %v", err)
	}
	if !strings.Contains(stderr.String(), "playing the built-in demo") {
		t.Fatalf("no explanation in the log:\n%s", stderr.String())
	}
}

// TestSecurityFlagsHoldInEveryMode: a bare podium with no cluster plays the
// demo behind the token it was given (it used to drop it), and replay and
// demo take the same serving flags.
func TestSecurityFlagsHoldInEveryMode(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	tok := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tok, []byte("0123456789abcdef-token\n"), 0o600)
	for _, args := range [][]string{
		{"--listen", "127.0.0.1:0", "--auth-token-file", tok},
		{"demo", "--listen", "127.0.0.1:0", "--auth-token-file", tok, "--max-clients", "3"},
	} {
		base, stop := startCmd(t, args...)
		for _, path := range []string{"/api/graph", "/api/replay", "/api/graph.svg"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("podium %q: GET %s without the token = %d, want 401", args, path, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest("GET", base+"/api/graph", nil)
		req.Header.Set("Authorization", "Bearer 0123456789abcdef-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("podium %q: GET /api/graph with the token = %d", args, resp.StatusCode)
		}
		if err := stop(); err != nil {
			t.Errorf("podium %q stopped with %v", args, err)
		}
	}
}

// TestDefaultGC: Podium collects at GOGC=50 unless the environment says
// otherwise, and then leaves the runtime's setting alone.
func TestDefaultGC(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)
	defaultGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("without GOGC the GC percent is %d, want %d", got, defaultGCPercent)
	}
	debug.SetGCPercent(80) // as the runtime would have read GOGC=80
	defaultGC(func(k string) string { return map[string]string{"GOGC": "80"}[k] })
	if got := debug.SetGCPercent(100); got != 80 {
		t.Errorf("with GOGC=80 the GC percent is %d, want 80", got)
	}
}

// TestCollectLessUntil: without GOGC in the environment, Podium collects at
// startGCPercent until every cluster's first graph is published, then at
// defaultGCPercent; a first graph that never comes holds it no longer than
// the limit, and a GOGC of the environment's is left alone.
func TestCollectLessUntil(t *testing.T) {
	was := debug.SetGCPercent(defaultGCPercent)
	defer debug.SetGCPercent(was)
	percent := func() int {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	waitDone := func(what string, done <-chan struct{}) {
		t.Helper()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatalf("%s: not done in a minute", what)
		}
		if got := percent(); got != defaultGCPercent {
			t.Errorf("%s: the GC percent is %d after, want %d", what, got, defaultGCPercent)
		}
	}
	noGOGC := func(string) string { return "" }

	a, b := make(chan struct{}), make(chan struct{})
	done := collectLessUntil(context.Background(), noGOGC, []<-chan struct{}{a, b}, time.Hour)
	if got := percent(); got != startGCPercent {
		t.Errorf("while the first graphs come the GC percent is %d, want %d", got, startGCPercent)
	}
	close(a)
	select {
	case <-done:
		t.Fatal("done with one cluster's first graph of two")
	default:
	}
	close(b)
	waitDone("both first graphs", done)

	never := make(chan struct{})
	waitDone("past the limit", collectLessUntil(context.Background(), noGOGC, []<-chan struct{}{never}, time.Millisecond))

	ctx, cancel := context.WithCancel(context.Background())
	done = collectLessUntil(ctx, noGOGC, []<-chan struct{}{never}, time.Hour)
	cancel()
	waitDone("stopped", done)

	debug.SetGCPercent(80) // as the runtime would have read GOGC=80
	<-collectLessUntil(context.Background(), func(k string) string { return map[string]string{"GOGC": "80"}[k] }, []<-chan struct{}{never}, time.Hour)
	if got := percent(); got != 80 {
		t.Errorf("with GOGC=80 the GC percent is %d, want 80", got)
	}
}
