package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
	empty := filepath.Join(home, "empty-token")
	os.WriteFile(empty, []byte("\n"), 0o600)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--frobnicate"}, "flag provided but not defined: -frobnicate"},
		{"unknown command", []string{"frob"}, `unknown command "frob"`},
		{"stray argument", []string{"serve", "extra"}, `unexpected argument "extra"`},
		{"bad namespace", []string{"--namespace", "Not_Valid"}, `"Not_Valid" is not a valid namespace name`},
		{"bad listen", []string{"--listen", "8080"}, `--listen "8080": want host:port`},
		{"bad log level", []string{"--log-level", "loud"}, `--log-level "loud"`},
		{"bad log format", []string{"--log-format", "xml"}, `--log-format "xml"`},
		{"bad history", []string{"--history", "0"}, "--history must be at least 1"},
		{"bad duration", []string{"--flush-interval", "soon"}, "invalid value"},
		{"no cluster", []string{"serve"}, "podium demo"},
		{"missing kubeconfig", []string{"--kubeconfig", filepath.Join(home, "nope")}, "nope: stat"},
		{"garbage kubeconfig", []string{"--kubeconfig", garbage}, garbage},
		{"unknown context", []string{"--kubeconfig", garbage, "--context", "x"}, garbage},
		{"empty token file", []string{"--auth-token-file", empty}, "is empty"},
		{"in-cluster without token", []string{"--serviceaccount-dir", home}, "service account token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "in-cluster without token" {
				t.Setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
				t.Setenv("KUBERNETES_SERVICE_PORT", "1")
			}
			var stderr bytes.Buffer
			err := run(context.Background(), tc.args, &bytes.Buffer{}, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
			if strings.Count(strings.TrimSpace(err.Error()), "\n") > 2 && tc.name != "unknown command" {
				t.Errorf("error is not a short message: %q", err)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &out); err != nil || !strings.HasPrefix(out.String(), "podium ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"serve", "--help"}, &out, &out); err != errHelp {
		t.Fatalf("--help: %v", err)
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
	// The page's CSP admits its inline import map, and nothing else inline.
	resp, err := http.Get("http://" + addr + "/")
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
