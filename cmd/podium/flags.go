package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/klog/v2"
)

// listFlag is a repeatable flag that also takes comma lists.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
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

// connFlags are the flags that say how to reach the cluster, shared by serve
// and record.
type connFlags struct {
	kubeconfig        string
	context           string
	namespaces        namespaceFlag
	serviceAccountDir string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.kubeconfig, "kubeconfig", "", "path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster config)")
	fs.StringVar(&c.context, "context", "", "kubeconfig context to use (default: the current context)")
	fs.Var(&c.namespaces, "namespace", "watch only these namespaces (repeatable or comma-separated; default: all)")
	fs.StringVar(&c.serviceAccountDir, "serviceaccount-dir", "/var/run/secrets/kubernetes.io/serviceaccount",
		"where the in-cluster config reads its token and ca.crt")
}

// logFlags configure log/slog, which klog is routed into.
type logFlags struct {
	level  string
	format string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.level, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&l.format, "log-format", "text", "log format: text or json")
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

// parse parses args into fs, turning flag's errors into one clear line.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(os.Stdout)
		fmt.Fprintf(os.Stdout, "Usage of podium %s:\n", fs.Name())
		fs.PrintDefaults()
		return errHelp
	}
	if err != nil {
		return fmt.Errorf("%s: %w (see podium %s --help)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 && fs.Name() != "replay" {
		return fmt.Errorf("%s: unexpected argument %q (see podium %s --help)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

var errHelp = errors.New("help shown")

func positiveDuration(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--%s must be positive, got %s", name, d)
	}
	return nil
}
