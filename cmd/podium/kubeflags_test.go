package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// restView is what a rest.Config says about the connection, for comparing
// two bindings of the same flags.
type restView struct {
	Host, Token, TokenFile, CAFile, CertFile, KeyFile, ServerName string
	Insecure, DisableCompression, Proxy                           bool
	Impersonate                                                   rest.ImpersonationConfig
	Timeout                                                       time.Duration
}

func connView(c *rest.Config) restView {
	return restView{c.Host, c.BearerToken, c.BearerTokenFile, c.CAFile, c.CertFile, c.KeyFile, c.ServerName,
		c.Insecure, c.DisableCompression, c.Proxy != nil, c.Impersonate, c.Timeout}
}

// kubectlFlags returns cli-runtime's ConfigFlags as Podium would have used
// them (no --namespace, --cache-dir, --kubeconfig or --context of their
// own), registered on a flag set of their own.
func kubectlFlags() (*genericclioptions.ConfigFlags, *pflag.FlagSet) {
	k := genericclioptions.NewConfigFlags(false)
	k.Namespace, k.CacheDir, k.KubeConfig, k.Context = nil, nil, nil, nil
	fs := pflag.NewFlagSet("kubectl", pflag.ContinueOnError)
	k.AddFlags(fs)
	return k, fs
}

// TestKubeFlagsMatchKubectl: Podium's connection flags are kubectl's, with
// the same names, shorthands, types, defaults and help, and they bind to a
// kubeconfig as cli-runtime's ConfigFlags does.
func TestKubeFlagsMatchKubectl(t *testing.T) {
	type flag struct{ Short, Type, Default, Usage string }
	flags := func(fs *pflag.FlagSet) map[string]flag {
		out := map[string]flag{}
		fs.VisitAll(func(f *pflag.Flag) { out[f.Name] = flag{f.Shorthand, f.Value.Type(), f.DefValue, f.Usage} })
		return out
	}
	_, want := kubectlFlags()
	var k kubeFlags
	got := pflag.NewFlagSet("podium", pflag.ContinueOnError)
	k.addFlags(got)
	if d := cmp.Diff(flags(want), flags(got)); d != "" {
		t.Errorf("the connection flags differ from kubectl's (-kubectl +podium):\n%s", d)
	}

	dir := t.TempDir()
	kc := clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{
			"c": {Server: "https://c.example:6443", CertificateAuthority: filepath.Join(dir, "ca.crt")},
			"d": {Server: "https://d.example:6443"},
		},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{"u": {Token: "u-token"}, "v": {TokenFile: filepath.Join(dir, "v-token")}},
		Contexts: map[string]*clientcmdapi.Context{
			"c": {Cluster: "c", AuthInfo: "u"},
			"d": {Cluster: "d", AuthInfo: "v"},
		},
		CurrentContext: "c",
	}
	for _, f := range []string{"ca.crt", "v-token", "c.crt", "c.key", "ca2.crt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("not checked here"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(kc, path); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		context string
		args    []string
	}{
		{"", nil},
		{"d", nil},
		{"", []string{"--cluster", "d", "--user", "v"}},
		{"", []string{"--as", "u", "--as-group", "g1", "--as-group", "g2", "--as-uid", "7", "--as-user-extra", "k=v", "--as-user-extra", "k=w", "--as-user-extra", "bad"}},
		{"", []string{"--request-timeout", "7s", "--tls-server-name", "api.internal", "--disable-compression", "--proxy-url", "http://proxy:3128"}},
		{"d", []string{"--token", "t", "-s", "https://other.example", "--certificate-authority", filepath.Join(dir, "ca2.crt"),
			"--client-certificate", filepath.Join(dir, "c.crt"), "--client-key", filepath.Join(dir, "c.key")}},
		{"d", []string{"--insecure-skip-tls-verify", "--server", "https://other.example"}},
	} {
		kubectl, fs := kubectlFlags()
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		kubectl.KubeConfig, kubectl.Context = &path, &c.context
		wantCfg, err := kubectl.ToRESTConfig()
		if err != nil {
			t.Fatalf("kubectl %q: %v", c.args, err)
		}
		var k kubeFlags
		fs = pflag.NewFlagSet("podium", pflag.ContinueOnError)
		k.addFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		k.kubeconfig, k.context = path, c.context
		gotCfg, err := k.loader().ClientConfig()
		if err != nil {
			t.Fatalf("podium %q: %v", c.args, err)
		}
		if d := cmp.Diff(connView(wantCfg), connView(gotCfg)); d != "" {
			t.Errorf("context %q %q: Podium binds the kubeconfig differently from kubectl (-kubectl +podium):\n%s", c.context, c.args, d)
		}
	}
}
