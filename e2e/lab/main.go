// Command podium-lab runs a whole Kubernetes control plane in one process:
// embedded etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
// KWOK (fake nodes), plus the kubelet's ConfigMap and Secret check that KWOK
// lacks (configcheck.go). It is Podium's test and demo lab; e2e/labtest builds it,
// writes its certificates and kubeconfig, and starts it detached.
//
// Everything lives in one lab directory (see layout.go); nothing is written
// outside it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	logsapi "k8s.io/component-base/logs/api/v1"
)

func main() {
	var o options
	fs := flag.NewFlagSet("podium-lab", flag.ContinueOnError)
	o.register(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if err := o.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "podium-lab:", err)
		os.Exit(2)
	}
	if o.printKwokConfig {
		cfg, err := kwokConfig(o.stages(), o.layout())
		if err != nil {
			fmt.Fprintln(os.Stderr, "podium-lab:", err)
			os.Exit(1)
		}
		os.Stdout.WriteString(cfg)
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "podium-lab:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	l := o.layout()
	for _, d := range []string{l.logDir(), l.certDir("apiserver"), l.certDir("controller-manager"), l.certDir("scheduler"), l.flexVolumeDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := redirectOutput(l.logFile()); err != nil {
		return err
	}
	for _, f := range []string{l.caCert(), l.servingCert(), l.servingKey(), l.frontProxyCACert(), l.frontProxyClientCert(), l.saKey(), l.saPub(), l.kubeconfig()} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("lab directory is not prepared (run it through e2e/labtest): %w", err)
		}
	}
	fmt.Fprintf(os.Stderr, "podium-lab: starting in %s (pid %d)\n", o.dir, os.Getpid())

	// KWOK reads its configuration through os.Args; do that now, before any
	// other component runs, so no goroutine sees the swapped os.Args.
	kwokCtx, err := loadKwokConfig(o)
	if err != nil {
		return fmt.Errorf("kwok config: %w", err)
	}

	// The apiserver and controller-manager commands each apply the logging
	// configuration; in one process the second would be refused.
	logsapi.ReapplyHandling = logsapi.ReapplyHandlingIgnoreUnchanged

	etcd, err := startEtcd(o)
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}

	// The apiserver's command installs the process's one and only signal
	// handler (SetupSignalContext panics when called twice); its context ends
	// on SIGTERM/SIGINT and the apiserver then shuts down gracefully.
	apiserver := newAPIServer(o)
	ctx := apiserver.Context()

	errc := make(chan error, 5)
	launch := func(name string, f func() error) {
		go func() {
			err := f()
			if err == nil {
				err = errors.New("exited")
			}
			errc <- fmt.Errorf("%s: %w", name, err)
		}()
	}
	launch("kube-apiserver", apiserver.Execute)
	if err := waitAPIServer(ctx, o, 90*time.Second); err != nil {
		stopEtcd(etcd)
		return err
	}
	if err := releaseNodeLeases(ctx, o); err != nil {
		// Not fatal: KWOK takes the leases over once they expire.
		fmt.Fprintln(os.Stderr, "podium-lab: releasing old node leases:", err)
	}
	fmt.Fprintln(os.Stderr, "podium-lab: kube-apiserver ready; starting the other components")
	launch("kube-controller-manager", func() error { return runControllerManager(ctx, o) })
	launch("kube-scheduler", func() error { return runScheduler(ctx, o) })
	launch("kwok", func() error { return runKwok(kwokCtx, ctx, o) })
	launch("config-check", func() error { return runConfigCheck(ctx, o) })

	select {
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "podium-lab: signal received, shutting down")
	case err := <-errc:
		// Any component dying leaves a half-working cluster, which is worse
		// for tests than no cluster: exit so the failure is visible.
		fmt.Fprintln(os.Stderr, "podium-lab: component failed:", err)
		stopEtcd(etcd)
		return err
	}
	// No graceful apiserver drain: a lab is stopped to be restarted or
	// thrown away, and clients must cope with a vanished apiserver anyway.
	// Closing etcd cleanly is what keeps the data.
	stopEtcd(etcd)
	fmt.Fprintln(os.Stderr, "podium-lab: stopped")
	return nil
}

// redirectOutput points this process's stdout and stderr (and so klog, etcd's
// zap logger and KWOK's slog) at the lab's log file.
func redirectOutput(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if err := syscall.Dup3(int(f.Fd()), 1, 0); err != nil {
		return err
	}
	if err := syscall.Dup3(int(f.Fd()), 2, 0); err != nil {
		return err
	}
	return f.Close()
}

// ignoreSIGHUP keeps the lab alive when the terminal that started
// `make lab-up` goes away.
func init() { signal.Ignore(syscall.SIGHUP) }
