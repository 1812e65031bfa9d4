package main

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeconfigOf writes a kubeconfig with a context per server (name →
// address) and current context current.
func kubeconfigOf(t *testing.T, current string, servers map[string]string) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	for name, addr := range servers {
		kc.Clusters[name] = &clientcmdapi.Cluster{Server: addr}
		kc.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: "t-" + name}
		kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	kc.CurrentContext = current
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func targetsFrom(t *testing.T, args ...string) ([]target, error) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	return targets(connFrom(t, args...))
}

// seen is "name=host" for each target, in order.
func seen(tgs []target) string {
	var out []string
	for _, tg := range tgs {
		out = append(out, tg.name+"="+tg.cfg.Host)
	}
	return strings.Join(out, " ")
}

func TestTargets(t *testing.T) {
	three := map[string]string{"east": "https://east:6443", "west": "https://west:6443", "north": "https://north:6443"}
	kc := kubeconfigOf(t, "west", three)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"the current context alone, as today", []string{"--kubeconfig", kc}, "west=https://west:6443"},
		{"one context", []string{"--kubeconfig", kc, "--context", "north"}, "north=https://north:6443"},
		{"contexts in the order given", []string{"--kubeconfig", kc, "--context", "north", "--context", "east"}, "north=https://north:6443 east=https://east:6443"},
		{"a comma list", []string{"--kubeconfig", kc, "--context", "north,east"}, "north=https://north:6443 east=https://east:6443"},
		{"every context, by name", []string{"--kubeconfig", kc, "--all-contexts"}, "east=https://east:6443 north=https://north:6443 west=https://west:6443"},
		// Two labs' kubeconfigs name their context alike: the second is -2.
		{"two kubeconfigs, their current contexts", []string{"--kubeconfig", kubeconfigOf(t, "lab", map[string]string{"lab": "https://a:1"}),
			"--kubeconfig", kubeconfigOf(t, "lab", map[string]string{"lab": "https://b:2"})}, "lab=https://a:1 lab-2=https://b:2"},
		{"a context from either kubeconfig", []string{"--kubeconfig", kc, "--kubeconfig", kubeconfigOf(t, "south", map[string]string{"south": "https://south:1"}),
			"--context", "south", "--context", "east"}, "east=https://east:6443 south=https://south:1"},
		{"overrides hold for each", []string{"--kubeconfig", kc, "--context", "east,west", "--server", "https://proxy:8443"}, "east=https://proxy:8443 west=https://proxy:8443"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tgs, err := targetsFrom(t, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := seen(tgs); got != c.want {
				t.Errorf("targets = %s, want %s", got, c.want)
			}
			for _, tg := range tgs {
				if want := "t-" + strings.TrimSuffix(tg.name, "-2"); tg.cfg.BearerToken != want && !strings.HasPrefix(tg.name, "lab") {
					t.Errorf("%s: token %q, want its own context's %q", tg.name, tg.cfg.BearerToken, want)
				}
			}
		})
	}
}

func TestTargetsBadFlags(t *testing.T) {
	kc := kubeconfigOf(t, "", map[string]string{"east": "https://east:6443"})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--kubeconfig", kc, "--context", "east", "--context", "nowhere"}, "--context nowhere: no such context in " + kc},
		{[]string{"--kubeconfig", kc + ".missing", "--kubeconfig", kc}, kc + ".missing"},
		{[]string{"--kubeconfig", kc, "--kubeconfig", kc}, "has no current context: name one with --context, or give --all-contexts"},
		{[]string{"--kubeconfig", kc, "--all-contexts", "--in-cluster-as", "home"}, "--in-cluster-as home: in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set"},
	} {
		_, err := targetsFrom(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to say %q", c.args, err, c.want)
		}
	}
	// Recording takes one cluster.
	if _, _, err := restConfig(connFrom(t, "--kubeconfig", kc, "--all-contexts")); err == nil || !strings.Contains(err.Error(), "watches one cluster") {
		t.Errorf("restConfig with --all-contexts: %v", err)
	}
}

// In a pod, the chart adds clusters from kubeconfig Secrets beside the pod's
// own: --in-cluster-as names it.
func TestTargetsInClusterBeside(t *testing.T) {
	s := newAPIServer(t)
	dir := inPod(t, s)
	other := kubeconfigOf(t, "far", map[string]string{"far": "https://far:6443"})
	tgs, err := targets(connFrom(t, "--serviceaccount-dir", dir, "--kubeconfig", other, "--in-cluster-as", "home"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := seen(tgs), "far=https://far:6443 home="+s.URL; got != want {
		t.Fatalf("targets = %s, want %s", got, want)
	}
	if tgs[1].cfg.BearerTokenFile != filepath.Join(dir, "token") || tgs[0].cfg.BearerToken != "t-far" {
		t.Errorf("credentials mixed up: home's token file %q, far's token %q", tgs[1].cfg.BearerTokenFile, tgs[0].cfg.BearerToken)
	}
	// The pod's cluster alone, named.
	tgs, err = targets(connFrom(t, "--serviceaccount-dir", dir, "--in-cluster-as", "home"))
	if err != nil || seen(tgs) != "home="+s.URL {
		t.Fatalf("in-cluster alone: %s, %v", seen(tgs), err)
	}
}
