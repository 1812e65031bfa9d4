package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// target is one cluster to watch: its name on the page and in ?cluster=,
// its client config, and how it was found (for logs and errors).
type target struct {
	name  string
	cfg   *rest.Config
	where string
}

// several reports whether the flags name more than one cluster.
func (c *connFlags) several() bool {
	return len(c.kubeconfigs) > 1 || len(c.contexts) > 1 || c.allContexts || c.inClusterAs != ""
}

// oneCluster refuses flags that name several clusters where one is watched.
func (c *connFlags) oneCluster() error {
	if c.several() {
		return errors.New("this command watches one cluster: give at most one --kubeconfig and one --context, and no --all-contexts or --in-cluster-as")
	}
	return nil
}

// targets finds every cluster the flags name: each --kubeconfig (or the
// usual kubeconfig rules) with each --context found in it, every context
// with --all-contexts, or its current context; and with --in-cluster-as,
// the cluster Podium runs in. With one cluster it is restConfig's, named
// by its context. Names are the contexts' (a name given twice gets "-2").
func targets(c *connFlags) ([]target, error) {
	if !c.several() {
		cfg, where, err := restConfig(c)
		if err != nil {
			return nil, err
		}
		return []target{{name: targetName(where), cfg: cfg, where: where}}, nil
	}
	var out []target
	seen := map[string]int{}
	add := func(name string, cfg *rest.Config, where string) {
		if seen[name]++; seen[name] > 1 {
			name += "-" + strconv.Itoa(seen[name])
		}
		out = append(out, target{name: name, cfg: cfg, where: where})
	}
	files := []string(c.kubeconfigs)
	// With no --kubeconfig, the usual rules ($KUBECONFIG, ~/.kube/config),
	// unless only the pod's own cluster is named and there is no such file.
	if len(files) == 0 && (len(c.contexts) > 0 || c.allContexts || c.inClusterAs == "" || defaultKubeconfigExists()) {
		files = []string{""}
	}
	found := map[string]bool{}
	for _, file := range files {
		raw, err := loadKubeconfig(file)
		if err != nil {
			return nil, err
		}
		var names []string
		switch {
		case c.allContexts:
			for name := range raw.Contexts {
				names = append(names, name)
			}
			slices.Sort(names)
		case len(c.contexts) > 0:
			for _, name := range c.contexts {
				if _, ok := raw.Contexts[name]; ok {
					names = append(names, name)
				}
			}
		default:
			if raw.CurrentContext == "" {
				return nil, fmt.Errorf("%s has no current context: name one with --context, or give --all-contexts", kubeconfigName(file))
			}
			names = []string{raw.CurrentContext}
		}
		for _, name := range names {
			found[name] = true
			c.kube.kubeconfig, c.kube.context = file, name
			cfg, where, err := clusterConfig(c)
			if err != nil {
				return nil, fmt.Errorf("context %s of %s: %w", name, kubeconfigName(file), err)
			}
			add(name, cfg, where)
		}
	}
	c.kube.kubeconfig, c.kube.context = "", ""
	for _, name := range c.contexts {
		if !found[name] {
			return nil, fmt.Errorf("--context %s: no such context in %s", name, strings.Join(describeKubeconfigs(files), " or "))
		}
	}
	if c.inClusterAs != "" {
		cfg, err := inCluster(c)
		if err != nil {
			return nil, fmt.Errorf("--in-cluster-as %s: %w", c.inClusterAs, err)
		}
		add(c.inClusterAs, cfg, "in-cluster")
	}
	if len(out) == 0 {
		return nil, errors.New("no cluster to watch: the kubeconfig has no contexts")
	}
	return out, nil
}

// defaultKubeconfigExists reports whether a file of the usual rules
// ($KUBECONFIG, ~/.kube/config) is there.
func defaultKubeconfigExists() bool {
	for _, p := range clientcmd.NewDefaultClientConfigLoadingRules().Precedence {
		if fileExists(p) {
			return true
		}
	}
	return false
}

// loadKubeconfig reads one kubeconfig file, or with "" the usual rules'
// merged files, for the names of its contexts.
func loadKubeconfig(file string) (*clientcmdapi.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = file
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("%s: %s", kubeconfigName(file), oneLine(err))
	}
	return raw, nil
}

func kubeconfigName(file string) string {
	if file == "" {
		return "the kubeconfig (" + strings.Join(clientcmd.NewDefaultClientConfigLoadingRules().Precedence, ":") + ")"
	}
	return file
}

func describeKubeconfigs(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = kubeconfigName(f)
	}
	return out
}

// targetName names the one cluster: its context, "in-cluster", or for a
// bare --server "default".
func targetName(where string) string {
	if name, ok := strings.CutPrefix(where, "context "); ok {
		return name
	}
	if where == "in-cluster" {
		return where
	}
	return "default"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
