// Command podium serves a live picture of a Kubernetes cluster.
//
//	podium [serve] [flags]   watch the cluster of the current kubeconfig context
//	podium record --out FILE record what Podium sees to a file
//	podium replay FILE       serve a recording
//	podium demo              serve the built-in demo recording, no cluster needed
//	podium version
//
// Run "podium <command> --help" for each command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/a-h/templ"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/informers"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/server"
	"github.com/podiumhq/podium/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, errHelp) {
		fmt.Fprintln(os.Stderr, "podium:", err)
		os.Exit(2)
	}
}

const usage = `Podium draws a live picture of a Kubernetes cluster.

Usage:
  podium [serve] [flags]   serve the dashboard for the current kubeconfig context (the default;
                           a bare "podium" with no cluster plays the built-in demo)
  podium record --out FILE record what Podium sees (same connection flags as serve); Ctrl-C stops
  podium replay FILE       serve a recording: [--speed 2] [--loop] [--listen addr]
  podium demo              serve the built-in demo at http://127.0.0.1:8080, no cluster needed
  podium version           print the version

Run "podium <command> --help" for the flags.
`

// run dispatches a subcommand; the first argument may be a flag of serve.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, implicit := "serve", true
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args, implicit = args[0], args[1:], false
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stderr, implicit)
	case "record":
		return record(ctx, args, stderr)
	case "replay":
		return replayCmd(ctx, args, stderr)
	case "demo":
		return demo(ctx, args, stderr)
	case "version":
		fmt.Fprintln(stdout, "podium", version.String())
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
}

// serveFlags are serve's flags beyond the connection and log flags.
type serveFlags struct {
	listen         string
	allowedOrigins listFlag
	authTokenFile  string
	history        int
	flushInterval  time.Duration
}

func (s *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.listen, "listen", "127.0.0.1:8080", "address to serve HTTP on")
	fs.Var(&s.allowedOrigins, "allowed-origins", "extra origins (host patterns) allowed to open /ws, e.g. podium.example.com; the page's own origin always is")
	fs.StringVar(&s.authTokenFile, "auth-token-file", "", "require this file's token (Bearer header or login cookie) for the UI and API")
	fs.IntVar(&s.history, "history", 4096, "deltas kept for clients to resume from")
	fs.DurationVar(&s.flushInterval, "flush-interval", 50*time.Millisecond, "shortest time between two deltas during a burst")
}

func (s *serveFlags) validate() error {
	if _, _, err := net.SplitHostPort(s.listen); err != nil {
		return fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8080", s.listen)
	}
	if s.history < 1 {
		return fmt.Errorf("--history must be at least 1, got %d", s.history)
	}
	return positiveDuration("flush-interval", s.flushInterval)
}

// serve watches a cluster. With no cluster to watch, a bare "podium" (no
// subcommand) plays the built-in demo instead, so the first command anyone
// types shows something; an explicit "podium serve" fails with the reason.
func serve(ctx context.Context, args []string, stderr io.Writer, demoWithoutCluster bool) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var conn connFlags
	var logf logFlags
	var sf serveFlags
	conn.register(fs)
	logf.register(fs)
	sf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := sf.validate(); err != nil {
		return err
	}
	logger, err := logf.logger(stderr)
	if err != nil {
		return err
	}
	var token string
	if sf.authTokenFile != "" {
		if token, err = server.ReadTokenFile(sf.authTokenFile); err != nil {
			return err
		}
	}
	cfg, where, err := restConfig(&conn)
	if errors.Is(err, errNoCluster) && demoWithoutCluster {
		logger.Warn("no cluster to watch (no --kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster config): playing the built-in demo instead; point Podium at a cluster with --kubeconfig FILE")
		return demo(ctx, []string{"--listen", sf.listen, "--log-level", logf.level, "--log-format", logf.format}, stderr)
	}
	if err != nil {
		return err
	}
	cfg.UserAgent = "podium/" + version.String()
	log := graph.NewLog(graph.NewEpoch(), sf.history)
	metrics := server.NewMetrics()
	w, err := informers.NewForConfig(cfg, log, informers.Options{
		Namespaces:    conn.namespaces.listFlag,
		FlushInterval: sf.flushInterval,
		Logger:        logger,
		OnEvent:       func(r graph.Resource) { metrics.InformerEvent(string(r)) },
	})
	if err != nil {
		return fmt.Errorf("kubernetes client for %s: %w", where, err)
	}
	srv := server.New(withPage(server.Config{
		Log:            log,
		Status:         w.Status,
		AllowedOrigins: sf.allowedOrigins,
		AuthToken:      token,
		Logger:         logger,
		Metrics:        metrics,
	}, conn.namespaces.listFlag))
	ln, err := net.Listen("tcp", sf.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", sf.listen, err)
	}
	logger.Info("podium is serving", "url", "http://"+ln.Addr().String(), "cluster", cfg.Host, "via", where,
		"namespaces", conn.namespaces.String(), "version", version.String())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			logger.Error("watching the cluster stopped", "error", err)
		}
	}()
	err = srv.Serve(ctx, ln)
	cancel()
	<-done
	logger.Info("podium stopped")
	return err
}

// withPage adds the browser page to cfg: the shell (with the namespaces
// offered in the picker from the start), the login page, their assets, and
// the CSP source that lets the page's inline import map run.
func withPage(cfg server.Config, namespaces []string) server.Config {
	v := version.String()
	cfg.Page = func(lang string, selected []string) templ.Component {
		return web.Page(web.PageView{Version: v, Namespaces: namespaces, Selected: selected, Lang: lang})
	}
	cfg.Login = func(lang, problem string) templ.Component {
		return web.Login(web.LoginView{Version: v, Lang: lang, Error: problem})
	}
	cfg.LoginAssets = web.LoginAssets
	cfg.Static = web.Static
	cfg.SVG = svgFunc(web.NewSVGRenderer(web.SVGOptions{}))
	if h := web.ImportMapCSP(v); h != "" {
		cfg.ScriptSources = []string{h}
	}
	return cfg
}

// svgFunc draws /api/graph.svg with r: bounded, shared and cached per picture.
func svgFunc(r *web.SVGRenderer) server.SVGFunc {
	return func(ctx context.Context, w io.Writer, req server.SVGRequest) error {
		key := web.SVGKey{Epoch: req.Epoch, Seq: req.Seq, Filter: strings.Join(req.Namespaces, ","), Focus: req.Focus, Lang: req.Lang}
		err := r.Render(ctx, w, key, req.Graph, req.Namespaces, req.Focus, req.Lang)
		if errors.Is(err, web.ErrBusy) {
			return server.ErrBusy
		}
		return err
	}
}
