package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/klog/v2"

	"github.com/podiumhq/podium/informers"
)

// listFlag is a repeatable flag that also takes comma lists.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Type() string   { return "strings" }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// namespaceFlag is a listFlag of valid namespace names.
type namespaceFlag struct{ listFlag }

func (n *namespaceFlag) Set(v string) error {
	var l listFlag
	_ = l.Set(v)
	for _, ns := range l {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return fmt.Errorf("%q is not a valid namespace name: %s", ns, errs[0])
		}
	}
	n.listFlag = append(n.listFlag, l...)
	return nil
}

// readStatusFlag is the repeatable --read-status GROUP/RESOURCE.
type readStatusFlag struct {
	listFlag
	parsed []schema.GroupResource
}

func (r *readStatusFlag) Set(v string) error {
	var l listFlag
	_ = l.Set(v)
	for _, s := range l {
		gr, err := informers.ParseReadStatus(s)
		if err != nil {
			return err
		}
		r.parsed = append(r.parsed, gr)
	}
	r.listFlag = append(r.listFlag, l...)
	return nil
}

// connGroup annotates the flags that say how to reach the cluster, so that
// help lists them in a section of their own.
const connGroup = "podium/connection"

// connFlags are the flags that say how to reach the cluster, shared by serve
// and record: kubectl's own (kubeFlags, so --context, --as, --token, ...
// mean exactly what they mean to kubectl), Podium's several
// namespaces, and where the in-cluster config reads its credentials.
type connFlags struct {
	kube              kubeFlags
	namespaces        namespaceFlag
	readStatus        readStatusFlag
	serviceAccountDir string
	// Several clusters (targets): kubectl's --kubeconfig and --context, but
	// repeatable; every context of the kubeconfigs; the pod's own cluster
	// beside them.
	kubeconfigs listFlag
	contexts    listFlag
	allContexts bool
	inClusterAs string
}

func (c *connFlags) register(fs *pflag.FlagSet) {
	// kubectl's -n/--namespace takes one namespace; Podium's takes several,
	// so it is registered below instead. Podium keeps no discovery cache
	// (no --cache-dir). --kubeconfig and --context are Podium's,
	// repeatable (several clusters).
	conn := pflag.NewFlagSet("connection", pflag.ContinueOnError)
	c.kube.addFlags(conn)
	conn.Var(&c.kubeconfigs, "kubeconfig", "")
	conn.Var(&c.contexts, "context", "the kubeconfig `context` to use (repeatable: each is a cluster of its own, side by side)")
	conn.BoolVar(&c.allContexts, "all-contexts", false, "watch every context of the kubeconfig(s), each a cluster of its own")
	conn.StringVar(&c.inClusterAs, "in-cluster-as", "", "also watch the cluster Podium runs in (in-cluster config), under this `name`, beside the kubeconfigs' clusters")
	conn.StringVar(&c.serviceAccountDir, "serviceaccount-dir", "/var/run/secrets/kubernetes.io/serviceaccount",
		"where the in-cluster config reads its token and ca.crt (used when there is no kubeconfig and $KUBERNETES_SERVICE_HOST is set)")
	conn.Lookup("kubeconfig").Usage = "path to a kubeconfig `file` (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster config); repeatable: each file's current context is a cluster of its own"
	conn.VisitAll(func(f *pflag.Flag) { _ = conn.SetAnnotation(f.Name, connGroup, []string{"true"}) })
	fs.AddFlagSet(conn)
	fs.VarP(&c.namespaces, "namespace", "n", "watch only these `namespaces` (repeatable or comma-separated, e.g. -n web,api; default: all)")
	fs.Var(&c.readStatus, "read-status", "read the status conditions of these custom owner resources, `GROUP/RESOURCE` (repeatable, e.g. argoproj.io/rollouts; default: custom owners are read as metadata only)")
}

// completeConn offers completions for the flags that name kubeconfig entries
// and fixed values, as kubectl does.
func (c *connFlags) completeConn(cmd *cobra.Command) {
	names := func(pick func(raw kubeconfigNames) []string) cobra.CompletionFunc {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			c.kube.kubeconfig = first(c.kubeconfigs)
			raw, err := c.kube.loader().RawConfig()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var n kubeconfigNames
			for k := range raw.Contexts {
				n.contexts = append(n.contexts, k)
			}
			for k := range raw.Clusters {
				n.clusters = append(n.clusters, k)
			}
			for k := range raw.AuthInfos {
				n.users = append(n.users, k)
			}
			return pick(n), cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("context", names(func(n kubeconfigNames) []string { return n.contexts }))
	_ = cmd.RegisterFlagCompletionFunc("cluster", names(func(n kubeconfigNames) []string { return n.clusters }))
	_ = cmd.RegisterFlagCompletionFunc("user", names(func(n kubeconfigNames) []string { return n.users }))
}

type kubeconfigNames struct{ contexts, clusters, users []string }

// logFlags configure log/slog, which klog is routed into.
type logFlags struct {
	level  string
	format string
}

func (l *logFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&l.level, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&l.format, "log-format", "text", "log format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions([]string{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("log-format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
}

func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", l.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch l.format {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", l.format)
	}
	logger := slog.New(h)
	slog.SetDefault(logger)
	klog.SetSlogLogger(logger)
	return logger, nil
}

func positiveDuration(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--%s must be positive, got %s", name, d)
	}
	return nil
}

func nonNegativeDuration(name string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("--%s must not be negative, got %s", name, d)
	}
	return nil
}

// oldSpellings rewrites Go-flag spellings of long flags (-kubeconfig,
// -listen=:8080), which Podium took before it moved to kubectl's command
// line, into --kubeconfig and --listen=:8080, and says so once per flag on
// stderr. Only names of long flags that some command defines are rewritten,
// and only before "--", so -n (a shorthand) and values are left alone.
func oldSpellings(root *cobra.Command, args []string, stderr io.Writer) []string {
	long := map[string]bool{"help": true}
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
	out := make([]string, len(args))
	copy(out, args)
	warned := map[string]bool{}
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if len(name) < 2 || !long[name] {
			continue
		}
		out[i] = "-" + a
		if !warned[name] {
			warned[name] = true
			fmt.Fprintf(stderr, "podium: -%s is the old single-dash spelling; use --%s\n", name, name)
		}
	}
	return out
}
