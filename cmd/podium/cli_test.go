package main

// Tests of the command line as kubectl users know it: cobra's commands and
// help, cli-runtime's connection flags, and the old Go-flag spellings.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podiumhq/podium/informers/replay"
)

var commands = []string{"serve", "record", "replay", "demo", "version", "completion"}

func help(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), append(args, "--help"), &stdout, &stderr); err != nil {
		t.Fatalf("podium %s --help: %v", strings.Join(args, " "), err)
	}
	if stderr.Len() > 0 {
		t.Errorf("podium %s --help wrote to stderr: %s", strings.Join(args, " "), stderr.String())
	}
	return stdout.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	out := help(t)
	for _, c := range commands {
		if !regexp.MustCompile(`(?m)^  ` + c + ` +\S`).MatchString(out) {
			t.Errorf("podium --help does not list %q with a description:\n%s", c, out)
		}
	}
	// A bare podium is serve: its help shows serve's flags.
	for _, f := range []string{"--listen", "--kubeconfig", "--as "} {
		if !strings.Contains(out, f) {
			t.Errorf("podium --help lacks %s", f)
		}
	}
	// "podium help" says the same.
	var same bytes.Buffer
	if err := run(context.Background(), []string{"help"}, &same, &same); err != nil || same.String() != out {
		t.Errorf("podium help (%v) differs from podium --help:\n%s", err, same.String())
	}
}

func TestServeHelpListsKubeconfigOverrides(t *testing.T) {
	out := help(t, "serve")
	for _, f := range []string{"--kubeconfig", "--context", "--cluster", "--user", "--token", "--as ", "--as-group", "--as-uid",
		"--request-timeout", "--server", "--certificate-authority", "--insecure-skip-tls-verify", "--serviceaccount-dir",
		"-n, --namespace", "--listen", "--allowed-origins", "--auth-token-file", "--history", "--flush-interval", "--log-level", "--log-format"} {
		if !strings.Contains(out, f) {
			t.Errorf("podium serve --help lacks %q", f)
		}
	}
	// The connection flags have a section of their own, after Podium's.
	flags, conn := strings.Index(out, "\nFlags:\n"), strings.Index(out, "\nCluster connection flags (as in kubectl):\n")
	if flags < 0 || conn < flags || strings.Contains(out[flags:conn], "--kubeconfig") || strings.Contains(out[conn:], "--listen") {
		t.Errorf("podium serve --help does not keep the connection flags apart:\n%s", out)
	}
	// Podium's -n takes several namespaces; kubectl's single one is not there.
	if strings.Count(out, "--namespace") != 1 || strings.Contains(out, "namespace scope for this CLI request") {
		t.Errorf("podium serve --help has kubectl's --namespace:\n%s", out)
	}
	if strings.Contains(out, "--cache-dir") {
		t.Error("podium serve --help offers --cache-dir, which Podium does not use")
	}
}

func TestEveryCommandHasAnExample(t *testing.T) {
	for _, c := range append([]string{""}, commands...) {
		args := strings.Fields(c)
		out := help(t, args...)
		ex := strings.Index(out, "\nExamples:\n")
		if ex < 0 || !strings.Contains(out[ex:], "podium "+c) {
			t.Errorf("podium %s --help has no example of itself:\n%s", c, out)
		}
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "complete -o default -F __start_podium podium",
		"zsh":        "#compdef podium",
		"fish":       "complete -c podium",
		"powershell": "Register-ArgumentCompleter",
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"completion", shell}, &stdout, &stderr); err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("podium completion %s does not print a %s completion script (no %q):\n%.300s", shell, shell, want, stdout.String())
		}
	}
	// The script calls back "podium __complete"; it must offer the commands,
	// and kubeconfig contexts for --context.
	kc := writeKubeconfig(t, "https://127.0.0.1:1", "")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", ""}, commands},
		{[]string{"__complete", "serve", "--kubeconfig", kc, "--context", ""}, []string{"lab", "other"}},
		{[]string{"__complete", "record", "--log-level", ""}, []string{"debug", "info", "warn", "error"}},
		{[]string{"__complete", "completion", ""}, []string{"bash", "zsh", "fish", "powershell"}},
	} {
		var stdout bytes.Buffer
		if err := run(context.Background(), tc.args, &stdout, &bytes.Buffer{}); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !regexp.MustCompile(`(?m)^` + w + `(\t|$)`).MatchString(stdout.String()) {
				t.Errorf("%q does not offer %q:\n%s", tc.args, w, stdout.String())
			}
		}
	}
}

// Go's flag package took -listen and -listen=x; scripts and manifests
// written for it keep working, with a note on stderr.
func TestOldFlagSpellingsParse(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	for _, tc := range []struct {
		args []string
		want string // the error that shows the value reached its flag
	}{
		{[]string{"-listen", "8080"}, `--listen "8080"`},
		{[]string{"-listen=8080"}, `--listen "8080"`},
		{[]string{"serve", "-history=0"}, "--history must be at least 1"},
		{[]string{"-namespace", "Not_Valid"}, `"Not_Valid" is not a valid namespace name`},
		{[]string{"-n", "Not_Valid"}, `"Not_Valid" is not a valid namespace name`},
		{[]string{"-n=Not_Valid"}, `"Not_Valid" is not a valid namespace name`},
		{[]string{"--namespace=ok", "--namespace", "Not_Valid"}, `"Not_Valid" is not a valid namespace name`},
		{[]string{"record", "-out", "x.jsonl", "-kubeconfig", "/nope"}, "--kubeconfig /nope: stat"},
		{[]string{"replay", "-speed", "0", "x.jsonl"}, "--speed 0"},
		{[]string{"demo", "-log-format=xml"}, `--log-format "xml"`},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, &bytes.Buffer{}, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
		for _, a := range tc.args {
			name, _, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
			if len(name) > 1 && a[0] == '-' && a[1] != '-' && !strings.Contains(stderr.String(), "use --"+name+"\n") {
				t.Errorf("run(%q) did not point from %s at --%s: %q", tc.args, a, name, stderr.String())
			}
		}
	}

	// The same spellings play the demo with the values given.
	base, stop := startCmd(t, "demo", "-listen", "127.0.0.1:0", "-paused", "-speed=2", "-loop=false")
	var info replay.Info
	getJSON(t, base+"/api/replay", &info)
	if info.Playing || info.Speed != 2 || info.Loop {
		t.Errorf("demo -paused -speed=2 -loop=false: %+v", info)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// Values and what follows "--" are left alone.
	root := newRootCmd()
	got := oldSpellings(root, []string{"-n", "web", "--as", "-listen", "--", "-history"}, &bytes.Buffer{})
	if want := []string{"-n", "web", "--as", "--listen", "--", "-history"}; !cmp.Equal(got, want) {
		// "--as -listen" is the one ambiguity: no user is named -listen.
		t.Errorf("oldSpellings = %q, want %q", got, want)
	}
}

// writeKubeconfig writes a kubeconfig with context "lab" (current, user
// "me" with token t0) and context "other", and returns its path.
func writeKubeconfig(t *testing.T, server, caFile string) string {
	t.Helper()
	cfg := clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{"lab": {Server: server, CertificateAuthority: caFile}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"me": {Token: "t0"}, "you": {Token: "t1"}},
		Contexts:       map[string]*clientcmdapi.Context{"lab": {Cluster: "lab", AuthInfo: "me"}, "other": {Cluster: "lab", AuthInfo: "you"}},
		CurrentContext: "lab",
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// connFrom parses args as serve's connection flags.
func connFrom(t *testing.T, args ...string) *connFlags {
	t.Helper()
	var c connFlags
	cmd := &cobra.Command{Use: "x"}
	c.register(cmd.Flags())
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return &c
}

// apiServer is a TLS server that answers /version and keeps the headers of
// what it was asked.
type apiServer struct {
	*httptest.Server
	caFile string
	mu     sync.Mutex
	seen   []http.Header
}

func newAPIServer(t *testing.T) *apiServer {
	s := &apiServer{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.Header.Clone())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"gitVersion": "v1.37.0-test"})
	}))
	t.Cleanup(s.Close)
	s.caFile = filepath.Join(t.TempDir(), "ca.crt")
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(s.caFile, pemCert, 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// ask sends one request with cfg and returns the headers the server saw.
func (s *apiServer) ask(t *testing.T, cfg *rest.Config) http.Header {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Discovery().ServerVersion(); err != nil {
		t.Fatalf("GET /version: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[len(s.seen)-1]
}

// inPod sets the environment of a pod whose API server is s, with a
// service-account directory holding token and ca.crt, and returns it.
func inPod(t *testing.T, s *apiServer) string {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "https://"))
	t.Setenv("KUBERNETES_SERVICE_HOST", host)
	t.Setenv("KUBERNETES_SERVICE_PORT", port)
	dir := t.TempDir()
	ca, _ := os.ReadFile(s.caFile)
	os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o600)
	os.WriteFile(filepath.Join(dir, "token"), []byte("sa-token"), 0o600)
	return dir
}

// --as impersonates, with a kubeconfig and in a pod alike: the headers reach
// the API server.
func TestImpersonation(t *testing.T) {
	s := newAPIServer(t)
	as := []string{"--as", "system:serviceaccount:team-a:viewer", "--as-group", "team-a", "--as-group", "auditors", "--as-uid", "42", "--as-user-extra", "reason=demo"}
	check := func(t *testing.T, cfg *rest.Config, token string) {
		t.Helper()
		want := rest.ImpersonationConfig{UserName: "system:serviceaccount:team-a:viewer", Groups: []string{"team-a", "auditors"}, UID: "42",
			Extra: map[string][]string{"reason": {"demo"}}}
		if d := cmp.Diff(want, cfg.Impersonate); d != "" {
			t.Errorf("rest.Config.Impersonate (-want +got):\n%s", d)
		}
		h := s.ask(t, cfg)
		if h.Get("Impersonate-User") != want.UserName || !cmp.Equal(h.Values("Impersonate-Group"), want.Groups) ||
			h.Get("Impersonate-Uid") != "42" || h.Get("Impersonate-Extra-Reason") != "demo" {
			t.Errorf("the API server saw %v, want the impersonation headers", h)
		}
		if h.Get("Authorization") != "Bearer "+token {
			t.Errorf("Authorization %q, want Bearer %s", h.Get("Authorization"), token)
		}
	}
	t.Run("kubeconfig", func(t *testing.T) {
		kc := writeKubeconfig(t, s.URL, s.caFile)
		cfg, where, err := restConfig(connFrom(t, append([]string{"--kubeconfig", kc}, as...)...))
		if err != nil {
			t.Fatal(err)
		}
		if where != "context lab" {
			t.Errorf("via %q, want context lab", where)
		}
		check(t, cfg, "t0")
	})
	t.Run("in-cluster", func(t *testing.T) {
		dir := inPod(t, s)
		cfg, where, err := restConfig(connFrom(t, append([]string{"--serviceaccount-dir", dir}, as...)...))
		if err != nil {
			t.Fatal(err)
		}
		if where != "in-cluster" || cfg.BearerTokenFile != filepath.Join(dir, "token") {
			t.Errorf("via %q with token file %q, want in-cluster with the rotating token file", where, cfg.BearerTokenFile)
		}
		check(t, cfg, "sa-token")
	})
	t.Run("in-cluster --token", func(t *testing.T) {
		dir := inPod(t, s)
		cfg, _, err := restConfig(connFrom(t, append([]string{"--serviceaccount-dir", dir, "--token", "given"}, as...)...))
		if err != nil {
			t.Fatal(err)
		}
		check(t, cfg, "given")
	})
	t.Run("--server and --token, no kubeconfig", func(t *testing.T) {
		t.Setenv("HOME", t.TempDir())
		t.Setenv("KUBECONFIG", "")
		t.Setenv("KUBERNETES_SERVICE_HOST", "")
		cfg, _, err := restConfig(connFrom(t, append([]string{"--server", s.URL, "--certificate-authority", s.caFile, "--token", "given"}, as...)...))
		if err != nil {
			t.Fatal(err)
		}
		check(t, cfg, "given")
	})
}

// Podium binds the overrides for the in-cluster config itself (cli-runtime
// keeps its binding private); both must give the same rest.Config as a
// kubeconfig that says what the in-cluster config says.
func TestInClusterOverridesMatchKubectl(t *testing.T) {
	s := newAPIServer(t)
	files := t.TempDir()
	for _, f := range []string{"c.crt", "c.key"} {
		os.WriteFile(filepath.Join(files, f), []byte("not checked here"), 0o600)
	}
	for _, flags := range [][]string{
		nil,
		{"--as", "u", "--as-group", "g1", "--as-group", "g2", "--as-uid", "7", "--as-user-extra", "k=v", "--as-user-extra", "k=w"},
		{"--request-timeout", "7s", "--tls-server-name", "api.internal", "--disable-compression"},
		{"--proxy-url", "http://proxy:3128"},
		{"--certificate-authority", s.caFile, "--client-certificate", filepath.Join(files, "c.crt"), "--client-key", filepath.Join(files, "c.key")},
		{"--insecure-skip-tls-verify"},
	} {
		dir := inPod(t, s)
		pod, _, err := restConfig(connFrom(t, append([]string{"--serviceaccount-dir", dir}, flags...)...))
		if err != nil {
			t.Fatalf("in-cluster %q: %v", flags, err)
		}
		kc := clientcmdapi.Config{
			Clusters:       map[string]*clientcmdapi.Cluster{"c": {Server: pod.Host, CertificateAuthority: filepath.Join(dir, "ca.crt")}},
			AuthInfos:      map[string]*clientcmdapi.AuthInfo{"u": {TokenFile: filepath.Join(dir, "token")}},
			Contexts:       map[string]*clientcmdapi.Context{"c": {Cluster: "c", AuthInfo: "u"}},
			CurrentContext: "c",
		}
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := clientcmd.WriteToFile(kc, path); err != nil {
			t.Fatal(err)
		}
		kubectl, _, err := restConfig(connFrom(t, append([]string{"--kubeconfig", path}, flags...)...))
		if err != nil {
			t.Fatalf("kubeconfig %q: %v", flags, err)
		}
		if d := cmp.Diff(connView(kubectl), connView(pod)); d != "" {
			t.Errorf("%q: in-cluster differs from kubectl's binding (-kubectl +podium):\n%s", flags, d)
		}
	}
}
