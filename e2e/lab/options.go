package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"
)

// options are podium-lab's flags. Ports are chosen (and persisted) by
// e2e/labtest so that a restarted lab keeps its address.
type options struct {
	dir string

	etcdPort, etcdPeerPort           int
	apiserverPort                    int
	controllerManagerPort            int
	schedulerPort                    int
	readyDelay, deleteDelay, restart time.Duration
	runDuration                      time.Duration

	printKwokConfig bool
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.dir, "dir", "", "lab directory holding pki/, the kubeconfig, etcd data and logs (required)")
	fs.IntVar(&o.etcdPort, "etcd-port", 0, "etcd client port on 127.0.0.1 (required)")
	fs.IntVar(&o.etcdPeerPort, "etcd-peer-port", 0, "etcd peer port on 127.0.0.1 (required)")
	fs.IntVar(&o.apiserverPort, "apiserver-port", 0, "kube-apiserver secure port on 127.0.0.1 (required)")
	fs.IntVar(&o.controllerManagerPort, "controller-manager-port", 0, "kube-controller-manager secure port on 127.0.0.1 (required)")
	fs.IntVar(&o.schedulerPort, "scheduler-port", 0, "kube-scheduler secure port on 127.0.0.1 (required)")
	fs.DurationVar(&o.readyDelay, "ready-delay", time.Second, "how long a new pod stays ContainerCreating before it runs and becomes Ready (per pod: annotation "+annReadyDelay+")")
	fs.DurationVar(&o.deleteDelay, "delete-delay", time.Second, "how long a terminating pod stays before it disappears (per pod: annotation "+annDeleteDelay+")")
	fs.DurationVar(&o.restart, "restart-interval", 5*time.Second, "how often a pod labelled "+labelRestart+"=true restarts its containers")
	fs.DurationVar(&o.runDuration, "run-duration", time.Second, "how long a pod with restartPolicy Never or OnFailure (a Job's) runs before it completes (per pod: annotation "+annRunDuration+")")
	fs.BoolVar(&o.printKwokConfig, "print-kwok-config", false, "print the generated KWOK configuration (with its stages) and exit")
}

func (o *options) validate() error {
	if o.printKwokConfig {
		if o.dir == "" {
			o.dir = "."
		}
		return o.validateDelays()
	}
	if o.dir == "" {
		return errors.New("--dir is required")
	}
	abs, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	o.dir = abs
	ports := map[string]int{
		"--etcd-port":               o.etcdPort,
		"--etcd-peer-port":          o.etcdPeerPort,
		"--apiserver-port":          o.apiserverPort,
		"--controller-manager-port": o.controllerManagerPort,
		"--scheduler-port":          o.schedulerPort,
	}
	seen := map[int]string{}
	for name, p := range ports {
		if p <= 0 || p > 65535 {
			return fmt.Errorf("%s must be a port in 1..65535, got %d", name, p)
		}
		if other, dup := seen[p]; dup {
			return fmt.Errorf("%s and %s both use port %d", name, other, p)
		}
		seen[p] = name
	}
	return o.validateDelays()
}

func (o *options) validateDelays() error {
	for name, d := range map[string]time.Duration{"--ready-delay": o.readyDelay, "--delete-delay": o.deleteDelay, "--run-duration": o.runDuration} {
		if d < 0 {
			return fmt.Errorf("%s must not be negative, got %s", name, d)
		}
	}
	if o.restart < 100*time.Millisecond {
		return fmt.Errorf("--restart-interval must be at least 100ms, got %s", o.restart)
	}
	return nil
}

func (o *options) layout() layout { return layout(o.dir) }

func (o *options) stages() stageParams {
	return stageParams{ReadyDelay: o.readyDelay, DeleteDelay: o.deleteDelay, RestartInterval: o.restart, RunDuration: o.runDuration}
}

// layout names the files inside a lab directory. e2e/labtest writes the same
// names (it lives in another module, so the table is repeated there).
type layout string

func (l layout) path(p ...string) string { return filepath.Join(append([]string{string(l)}, p...)...) }

func (l layout) caCert() string               { return l.path("pki", "ca.crt") }
func (l layout) servingCert() string          { return l.path("pki", "apiserver.crt") }
func (l layout) servingKey() string           { return l.path("pki", "apiserver.key") }
func (l layout) frontProxyCACert() string     { return l.path("pki", "front-proxy-ca.crt") }
func (l layout) frontProxyClientCert() string { return l.path("pki", "front-proxy-client.crt") }
func (l layout) frontProxyClientKey() string  { return l.path("pki", "front-proxy-client.key") }
func (l layout) saKey() string                { return l.path("pki", "sa.key") }
func (l layout) saPub() string                { return l.path("pki", "sa.pub") }
func (l layout) kubeconfig() string           { return l.path("kubeconfig") }
func (l layout) etcdDir() string              { return l.path("etcd") }
func (l layout) logDir() string               { return l.path("logs") }
func (l layout) logFile() string              { return l.path("logs", "podium-lab.log") }
func (l layout) kwokConfig() string           { return l.path("kwok.yaml") }
func (l layout) certDir(component string) string {
	return l.path("run", component)
}
func (l layout) flexVolumeDir() string { return l.path("run", "volume-plugins") }
