package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// errNoCluster says there is nothing to connect to.
var errNoCluster = errors.New("no cluster to watch: no --kubeconfig, no $KUBECONFIG, no ~/.kube/config and not running in a pod.\n" +
	"  Point Podium at a cluster with --kubeconfig FILE (and --context NAME), or try it without one: podium demo")

// restConfig finds the one cluster the flags name (see targets for several).
func restConfig(c *connFlags) (*rest.Config, string, error) {
	if err := c.oneCluster(); err != nil {
		return nil, "", err
	}
	c.kube.kubeconfig, c.kube.context = first(c.kubeconfigs), first(c.contexts)
	return clusterConfig(c)
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// clusterConfig finds the cluster as kubectl does: an explicit kubeconfig, then
// the usual kubeconfig rules, each with the command line's overrides; with no
// kubeconfig at all, the in-cluster config read from --serviceaccount-dir.
// The kubeconfig and context are kubeFlags' own, as targets set them.
func clusterConfig(c *connFlags) (*rest.Config, string, error) {
	k := &c.kube
	// client-go would check it too, but only after the kubeconfig is found,
	// and in words that do not name the flag.
	if d, err := clientcmd.ParseTimeout(k.timeout); err != nil || d < 0 {
		return nil, "", fmt.Errorf("--request-timeout %q: want a duration such as 30s or 2m, or a whole number of seconds (0: none)", k.timeout)
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	explicit := k.kubeconfig
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return nil, "", fmt.Errorf("--kubeconfig %s: %w", explicit, err)
		}
	}
	haveFile := explicit != "" || defaultKubeconfigExists()
	// kubectl --server URL --token T needs no kubeconfig at all.
	if !haveFile && k.server == "" {
		if os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
			cfg, err := inCluster(c)
			return cfg, "in-cluster", err
		}
		return nil, "", errNoCluster
	}
	cc := k.loader()
	cfg, err := cc.ClientConfig()
	if clientcmd.IsEmptyConfig(err) {
		err = errEmptyConfig
	}
	if err != nil {
		where := explicit
		if where == "" {
			where = "the kubeconfig (" + strings.Join(rules.Precedence, ":") + ")"
		}
		return nil, "", fmt.Errorf("%s: %s", where, oneLine(err))
	}
	name := k.context
	if name == "" {
		raw, _ := cc.RawConfig()
		name = raw.CurrentContext
	}
	if name == "" {
		return cfg, "--server " + cfg.Host, nil
	}
	return cfg, "context " + name, nil
}

// oneLine folds client-go's multi-line errors (an empty kubeconfig explains
// itself over seven lines) into one.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// inCluster is rest.InClusterConfig with the service-account directory as a
// parameter, so a test can run the binary exactly as the pod would, plus the
// command line's overrides: --as in a pod impersonates as it does elsewhere.
func inCluster(c *connFlags) (*rest.Config, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, errors.New("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
	}
	k := &c.kube
	for flag, v := range map[string]string{"context": k.context, "cluster": k.cluster, "user": k.user} {
		if v != "" {
			return nil, fmt.Errorf("--%s %s: there is no kubeconfig to choose from (in-cluster config)", flag, v)
		}
	}
	tokenFile := filepath.Join(c.serviceAccountDir, "token")
	if _, err := os.Stat(tokenFile); err != nil && k.token == "" {
		return nil, fmt.Errorf("in-cluster: service account token: %w", err)
	}
	caFile := filepath.Join(c.serviceAccountDir, "ca.crt")
	if _, err := os.Stat(caFile); err != nil && k.caFile == "" && !k.insecure {
		return nil, fmt.Errorf("in-cluster: service account CA: %w", err)
	}
	const name = "in-cluster"
	// A token file, not the token: client-go re-reads it as it rotates. With
	// --token there is no file, or client-go would still prefer it.
	auth := &clientcmdapi.AuthInfo{TokenFile: tokenFile}
	if k.token != "" {
		auth = &clientcmdapi.AuthInfo{}
	}
	raw := clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{name: {
			Server:               "https://" + net.JoinHostPort(host, port),
			CertificateAuthority: caFile,
		}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{name: auth},
		Contexts:       map[string]*clientcmdapi.Context{name: {Cluster: name, AuthInfo: name}},
		CurrentContext: name,
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(raw, name, k.overrides(), nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("in-cluster: %s", oneLine(err))
	}
	return cfg, nil
}
