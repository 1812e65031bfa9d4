package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// errNoCluster says there is nothing to connect to.
var errNoCluster = errors.New("no cluster to watch: no --kubeconfig, no $KUBECONFIG, no ~/.kube/config and not running in a pod.\n" +
	"  Point Podium at a cluster with --kubeconfig FILE (and --context NAME), or try it without one: podium demo")

// restConfig finds the cluster: an explicit kubeconfig, then the usual
// kubeconfig rules, then the in-cluster config.
func restConfig(c *connFlags) (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if c.kubeconfig != "" {
		if _, err := os.Stat(c.kubeconfig); err != nil {
			return nil, "", fmt.Errorf("--kubeconfig %s: %w", c.kubeconfig, err)
		}
		rules.ExplicitPath = c.kubeconfig
	}
	haveFile := c.kubeconfig != ""
	for _, p := range rules.Precedence {
		if _, err := os.Stat(p); err == nil {
			haveFile = true
		}
	}
	if !haveFile {
		if os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
			cfg, err := inCluster(c.serviceAccountDir)
			return cfg, "in-cluster", err
		}
		return nil, "", errNoCluster
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: c.context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		where := c.kubeconfig
		if where == "" {
			where = "the kubeconfig (" + fmt.Sprint(rules.Precedence) + ")"
		}
		return nil, "", fmt.Errorf("%s: %w", where, err)
	}
	raw, _ := cc.RawConfig()
	name := c.context
	if name == "" {
		name = raw.CurrentContext
	}
	return cfg, "context " + name, nil
}

// inCluster is rest.InClusterConfig with the service-account directory as a
// parameter, so a test can run the binary exactly as the pod would.
func inCluster(dir string) (*rest.Config, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, errors.New("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
	}
	tokenFile := filepath.Join(dir, "token")
	if _, err := os.Stat(tokenFile); err != nil {
		return nil, fmt.Errorf("in-cluster: service account token: %w", err)
	}
	caFile := filepath.Join(dir, "ca.crt")
	if _, err := os.Stat(caFile); err != nil {
		return nil, fmt.Errorf("in-cluster: service account CA: %w", err)
	}
	return &rest.Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		BearerTokenFile: tokenFile, // re-read as the token rotates
		TLSClientConfig: rest.TLSClientConfig{CAFile: caFile},
	}, nil
}
