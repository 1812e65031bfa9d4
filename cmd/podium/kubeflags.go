package main

import (
	"errors"
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/client-go/tools/clientcmd"
)

// kubeFlags are kubectl's connection flags, spelled, explained and bound to
// the kubeconfig exactly as cli-runtime's genericclioptions.ConfigFlags does
// (TestKubeFlagsMatchKubectl holds the two together), without cli-runtime:
// its ConfigFlags links kubectl's resource builder, kustomize and the
// OpenAPI models (1.9 MB of code) for a dozen strings. --kubeconfig and
// --context are Podium's own, repeatable (several clusters); targets sets
// kubeconfig and context here to one of each in turn.
type kubeFlags struct {
	kubeconfig, context string

	certFile, keyFile, token             string
	impersonate, impersonateUID          string
	impersonateGroups, impersonateExtras []string
	cluster, user                        string
	server, tlsServerName, caFile, proxy string
	insecure, disableCompression         bool
	timeout                              string
}

func (k *kubeFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&k.certFile, "client-certificate", "", "Path to a client certificate file for TLS")
	fs.StringVar(&k.keyFile, "client-key", "", "Path to a client key file for TLS")
	fs.StringVar(&k.token, "token", "", "Bearer token for authentication to the API server")
	fs.StringVar(&k.impersonate, "as", "", "Username to impersonate for the operation. User could be a regular user or a service account in a namespace.")
	fs.StringVar(&k.impersonateUID, "as-uid", "", "UID to impersonate for the operation.")
	fs.StringArrayVar(&k.impersonateGroups, "as-group", []string{}, "Group to impersonate for the operation, this flag can be repeated to specify multiple groups.")
	fs.StringArrayVar(&k.impersonateExtras, "as-user-extra", []string{}, "User extras to impersonate for the operation, this flag can be repeated to specify multiple values for the same key.")
	fs.StringVar(&k.cluster, "cluster", "", "The name of the kubeconfig cluster to use")
	fs.StringVar(&k.user, "user", "", "The name of the kubeconfig user to use")
	fs.StringVarP(&k.server, "server", "s", "", "The address and port of the Kubernetes API server")
	fs.StringVar(&k.tlsServerName, "tls-server-name", "", "Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used")
	fs.BoolVar(&k.insecure, "insecure-skip-tls-verify", false, "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure")
	fs.StringVar(&k.caFile, "certificate-authority", "", "Path to a cert file for the certificate authority")
	fs.StringVar(&k.timeout, "request-timeout", "0", "The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.")
	fs.BoolVar(&k.disableCompression, "disable-compression", false, "If true, opt-out of response compression for all requests to the server")
	fs.StringVar(&k.proxy, "proxy-url", "", "Proxy URL to use for requests to the API server")
}

// overrides are the command line's kubeconfig overrides, as ConfigFlags
// binds them.
func (k *kubeFlags) overrides() *clientcmd.ConfigOverrides {
	o := &clientcmd.ConfigOverrides{ClusterDefaults: clientcmd.ClusterDefaults}
	o.AuthInfo.ClientCertificate = k.certFile
	o.AuthInfo.ClientKey = k.keyFile
	o.AuthInfo.Token = k.token
	o.AuthInfo.Impersonate = k.impersonate
	o.AuthInfo.ImpersonateUID = k.impersonateUID
	o.AuthInfo.ImpersonateGroups = k.impersonateGroups
	for _, extra := range k.impersonateExtras {
		if key, value, ok := strings.Cut(extra, "="); ok {
			if o.AuthInfo.ImpersonateUserExtra == nil {
				o.AuthInfo.ImpersonateUserExtra = map[string][]string{}
			}
			o.AuthInfo.ImpersonateUserExtra[key] = append(o.AuthInfo.ImpersonateUserExtra[key], value)
		}
	}
	o.ClusterInfo.Server = k.server
	o.ClusterInfo.TLSServerName = k.tlsServerName
	o.ClusterInfo.CertificateAuthority = k.caFile
	o.ClusterInfo.InsecureSkipTLSVerify = k.insecure
	o.ClusterInfo.DisableCompression = k.disableCompression
	o.ClusterInfo.ProxyURL = k.proxy
	o.CurrentContext = k.context
	o.Context.Cluster = k.cluster
	o.Context.AuthInfo = k.user
	o.Timeout = k.timeout
	return o
}

// loader reads the kubeconfig as kubectl does: --kubeconfig, else
// $KUBECONFIG, else ~/.kube/config, with the command line's overrides.
func (k *kubeFlags) loader() clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.DefaultClientConfig = &clientcmd.DefaultClientConfig
	rules.ExplicitPath = k.kubeconfig
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, k.overrides())
}

// errEmptyConfig names the places a kubeconfig is looked for when none
// holds a cluster, as kubectl does, instead of client-go's bare "invalid
// configuration: no configuration has been provided".
var errEmptyConfig = errors.New("missing or incomplete configuration info: point to an existing, complete kubeconfig with --kubeconfig or $KUBECONFIG, or in ~/.kube/config")
