package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	apiserverapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	schedulerapp "k8s.io/kubernetes/cmd/kube-scheduler/app"
	scheduleroptions "k8s.io/kubernetes/cmd/kube-scheduler/app/options"
	kwokconfig "sigs.k8s.io/kwok/pkg/config"
	kwokcmd "sigs.k8s.io/kwok/pkg/kwok/cmd"
	kwoklog "sigs.k8s.io/kwok/pkg/log"
)

const loopback = "127.0.0.1"

func startEtcd(o options) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "podium-lab"
	cfg.Dir = o.layout().etcdDir()
	client := url.URL{Scheme: "http", Host: loopback + ":" + strconv.Itoa(o.etcdPort)}
	peer := url.URL{Scheme: "http", Host: loopback + ":" + strconv.Itoa(o.etcdPeerPort)}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "warn"
	cfg.LogOutputs = []string{"stderr"}
	// The lab's data only has to survive a killed process, not a power cut:
	// the page cache keeps it, and skipping fsync keeps the 2-core machine fast.
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("not ready after 60s")
	}
}

var etcdOnce sync.Once

// stopEtcd closes etcd once (a second Close panics), waiting at most 2s:
// Close drains the apiserver's open watches gracefully and can hang on them,
// and the data is safe without it (it even survives kill -9).
func stopEtcd(e *embed.Etcd) {
	done := make(chan struct{})
	go func() { etcdOnce.Do(e.Close); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

func newAPIServer(o options) *cobra.Command {
	l := o.layout()
	cmd := apiserverapp.NewAPIServerCommand()
	cmd.SetArgs([]string{
		"--etcd-servers=http://" + loopback + ":" + strconv.Itoa(o.etcdPort),
		"--bind-address=" + loopback,
		"--advertise-address=" + loopback,
		"--secure-port=" + strconv.Itoa(o.apiserverPort),
		"--cert-dir=" + l.certDir("apiserver"),
		"--tls-cert-file=" + l.servingCert(),
		"--tls-private-key-file=" + l.servingKey(),
		"--client-ca-file=" + l.caCert(),
		// Without the requestheader flags the controller-manager and scheduler
		// keep logging about a missing CA bundle.
		"--requestheader-client-ca-file=" + l.frontProxyCACert(),
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-username-headers=X-Remote-User",
		"--proxy-client-cert-file=" + l.frontProxyClientCert(),
		"--proxy-client-key-file=" + l.frontProxyClientKey(),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + l.saPub(),
		"--service-account-signing-key-file=" + l.saKey(),
		"--service-cluster-ip-range=10.96.0.0/16",
		// No kubelets or real endpoints here: don't reconcile the
		// kubernetes Service's endpoints to 127.0.0.1.
		"--endpoint-reconciler-type=none",
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		// /debug/pprof, for admins only: benchmarks collect the lab's
		// heap between samples through it (labtest.Lab.CollectGarbage).
		"--profiling=true",
	})
	return cmd
}

// waitAPIServer polls /readyz with the admin kubeconfig, so the other
// components start against a serving apiserver and never parse their flags
// (which touch process-global feature gates) while it is still parsing its.
func waitAPIServer(ctx context.Context, o options, timeout time.Duration) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", o.layout().kubeconfig())
	if err != nil {
		return err
	}
	cfg.Timeout = 2 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && string(body) == "ok" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("apiserver not ready after %s: %v", timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// releaseNodeLeases deletes the node Leases a previous KWOK left behind.
// Each KWOK run has a random holder identity and waits for a foreign lease
// to expire (~30-40 s) before it manages that node, so a restarted lab would
// leave its pods Pending that long. Only KWOK's fake nodes hold leases here.
func releaseNodeLeases(ctx context.Context, o options) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", o.layout().kubeconfig())
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	return cs.CoordinationV1().Leases("kube-node-lease").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
}

func componentArgs(o options, component string, port int) []string {
	l := o.layout()
	return []string{
		"--kubeconfig=" + l.kubeconfig(),
		"--authentication-kubeconfig=" + l.kubeconfig(),
		"--authorization-kubeconfig=" + l.kubeconfig(),
		"--bind-address=" + loopback,
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + l.certDir(component),
		"--leader-elect=false",
		// Client-side rate limits (20-50 QPS by default) would make the
		// ReplicaSet, namespace and scheduler loops take minutes for the
		// 10,000-pod benchmarks; the apiserver's own fairness still applies.
		"--kube-api-qps=1000",
		"--kube-api-burst=2000",
	}
}

func runControllerManager(ctx context.Context, o options) error {
	l := o.layout()
	cmd := kcmapp.NewControllerManagerCommand()
	cmd.SetArgs(append(componentArgs(o, "controller-manager", o.controllerManagerPort),
		// Controllers share the admin identity: the default ServiceAccount
		// then appears in ~3 s instead of ~8 s.
		"--use-service-account-credentials=false",
		"--service-account-private-key-file="+l.saKey(),
		"--root-ca-file="+l.caCert(),
		// Otherwise it creates /usr/libexec/kubernetes/...
		"--flex-volume-plugin-dir="+l.flexVolumeDir(),
	))
	// The controller-manager runs on context.Background() internally (its
	// signal handling is behind an alpha gate that is off); the process
	// exits on SIGTERM, which ends it.
	return cmd.ExecuteContext(ctx)
}

// runScheduler goes through app.Setup/app.Run instead of the cobra command,
// whose RunE installs a second signal handler and would panic.
func runScheduler(ctx context.Context, o options) error {
	opts := scheduleroptions.NewOptions()
	fs := pflag.NewFlagSet("kube-scheduler", pflag.ContinueOnError)
	for _, f := range opts.Flags.FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(componentArgs(o, "scheduler", o.schedulerPort)); err != nil {
		return err
	}
	if err := opts.ComponentGlobalsRegistry.Set(); err != nil {
		return err
	}
	if opts.InformerName == nil {
		name, err := cache.NewInformerName("kube-scheduler")
		if err != nil {
			return err
		}
		opts.InformerName = name
	}
	cc, sched, err := schedulerapp.Setup(ctx, opts)
	if err != nil {
		return err
	}
	return schedulerapp.Run(ctx, cc, sched)
}

// loadKwokConfig writes the KWOK configuration (options and stages) into the
// lab directory and loads it the only way KWOK offers: config.InitFlags,
// which parses os.Args.
func loadKwokConfig(o options) (context.Context, error) {
	l := o.layout()
	cfg, err := kwokConfig(o.stages(), l)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(l.kwokConfig(), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	ctx := kwoklog.NewContext(context.Background(), kwoklog.NewLogger(os.Stderr, kwoklog.LevelInfo))
	saved := os.Args
	os.Args = []string{"kwok", "--config=" + l.kwokConfig()}
	defer func() { os.Args = saved }()
	fs := pflag.NewFlagSet("kwok-config", pflag.ContinueOnError)
	fs.ParseErrorsAllowlist.UnknownFlags = true
	return kwokconfig.InitFlags(ctx, fs)
}

func runKwok(kwokCtx, stop context.Context, o options) error {
	ctx, cancel := context.WithCancel(kwokCtx)
	defer cancel()
	go func() {
		select {
		case <-stop.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	cmd := kwokcmd.NewCommand(ctx)
	// Kubernetes registers a global pflag "version" of its own type; cobra
	// merges the global flag set into KWOK's and then fails reading it as a
	// bool. A local bool flag of the same name shadows the global one.
	cmd.Flags().Bool("version", false, "print KWOK's version")
	cmd.SetArgs([]string{
		"--kubeconfig=" + o.layout().kubeconfig(),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--node-lease-duration-seconds=40",
		"--server-address=",
	})
	return cmd.ExecuteContext(ctx)
}
