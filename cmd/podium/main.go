// Command podium serves a live picture of a Kubernetes cluster.
//
//	podium [serve] [flags]   watch the cluster of the current kubeconfig context
//	podium record --out FILE record what Podium sees to a file
//	podium replay FILE       serve a recording
//	podium demo              serve the built-in demo recording, no cluster needed
//	podium version
//	podium completion SHELL  print a shell completion script
//
// Run "podium <command> --help" for each command's flags. The connection
// flags are kubectl's (k8s.io/cli-runtime), on spf13/cobra.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/a-h/templ"
	"github.com/podiumhq/podium/informers/kube"
	"github.com/spf13/cobra"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/informers"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/server"
	"github.com/podiumhq/podium/web"
)

func main() {
	defaultGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "podium:", err)
		os.Exit(2)
	}
}

// defaultGCPercent is Podium's GOGC unless the environment sets one. Its
// live heap is small (about 12 MiB with 5,000 pods) and its allocation rate
// low, so a collection costs little, while Go's default of 100 lets the heap
// grow to twice the live heap before collecting: at 50 it is 1.5 times, which
// took 5 MiB off the idle RSS with 5,000 pods (docs/benchmarks.md).
const defaultGCPercent = 50

// defaultGC sets the collector's target to defaultGCPercent when the
// environment has no GOGC of its own.
func defaultGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}

// startGCPercent is the collector's target while the first lists arrive,
// when the environment has no GOGC of its own. Each pod decodes into
// several times the garbage of what is kept of it while the live heap grows
// from nothing, so at defaultGCPercent a 50,000-pod start collected over
// and over: a quarter of its CPU in a profile, on cores the API server
// needs to send the list. At 200 the process peaked at about 190 MiB
// instead of 150 in that start (docs/benchmarks.md).
const startGCPercent = 200

// startGCFor bounds the start's target, for a cluster whose first graph
// never comes (an API server that cannot be reached).
const startGCFor = 2 * time.Minute

// collectLessUntil sets startGCPercent when the environment has no GOGC,
// until each of firsts is closed (every cluster's first graph published),
// limit has passed, or ctx ends. Then defaultGCPercent applies again and,
// unless ctx ended, the start's garbage is collected and its memory
// returned to the OS, so the idle process is as small as before. The
// returned channel is closed once that is done.
func collectLessUntil(ctx context.Context, getenv func(string) string, firsts []<-chan struct{}, limit time.Duration) <-chan struct{} {
	done := make(chan struct{})
	if getenv("GOGC") != "" {
		close(done)
		return done
	}
	debug.SetGCPercent(startGCPercent)
	go func() {
		defer close(done)
		defer debug.SetGCPercent(defaultGCPercent)
		timeout := time.NewTimer(limit)
		defer timeout.Stop()
	wait:
		for _, first := range firsts {
			select {
			case <-first:
			case <-timeout.C:
				break wait
			case <-ctx.Done():
				return
			}
		}
		debug.FreeOSMemory()
	}()
	return done
}

// run runs the command line args; help goes to stdout, logs to stderr, and
// the error is returned for main to print once.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := newRootCmd()
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(oldSpellings(root, args, stderr))
	return root.ExecuteContext(ctx)
}

// serveOptions are serve's flags: the connection, the logs, and the server.
type serveOptions struct {
	conn          connFlags
	log           logFlags
	srv           servingFlags
	history       int
	flushInterval time.Duration
}

// register adds serve's flags to cmd, which is "podium serve" or the bare
// "podium" that stands for it.
func (s *serveOptions) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	s.srv.register(cmd)
	fs.IntVar(&s.history, "history", 4096, "deltas kept for clients to resume from")
	fs.DurationVar(&s.flushInterval, "flush-interval", 0, "shortest time between two deltas; 0 publishes each change at once, and what arrives meanwhile right after it")
	s.log.register(cmd)
	s.conn.register(fs)
	s.conn.completeConn(cmd)
}

func (s *serveOptions) validate() error {
	if s.history < 1 {
		return fmt.Errorf("--history must be at least 1, got %d", s.history)
	}
	return nonNegativeDuration("flush-interval", s.flushInterval)
}

const serveExample = `  # The current kubeconfig context, every namespace, at http://127.0.0.1:8080
  podium serve

  # Another kubeconfig and context, two namespaces
  podium serve --kubeconfig ~/.kube/other --context prod -n web,api

  # Two clusters, side by side at http://127.0.0.1:8080/?cluster=prod,staging
  podium serve --context prod --context staging

  # What a service account may see: impersonate it, as kubectl --as does
  podium serve --as system:serviceaccount:team-a:viewer -n team-a

  # In a pod, behind a Service, with a token for the page
  podium serve --listen :8080 --auth-token-file /etc/podium/auth/token`

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Serve the dashboard for a cluster (the default command)",
		Long: `Serve the dashboard for the cluster of the current kubeconfig context.

The cluster is found as kubectl finds it: --kubeconfig, then $KUBECONFIG, then
~/.kube/config, with the same overrides (--context, --as, --token, ...). With
no kubeconfig at all, in a pod, Podium uses the in-cluster config. Several
--context (or --kubeconfig) flags, or --all-contexts, watch several clusters,
each a graph of its own; the page shows one, or all side by side. With no
cluster to watch, "podium serve" fails with the reason; a bare "podium" plays
the built-in demo instead.`,
		Example: serveExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), &o, cmd.ErrOrStderr(), false)
		},
	}
	o.register(cmd)
	return cmd
}

// serve watches a cluster. With no cluster to watch, a bare "podium" (no
// subcommand) plays the built-in demo instead, so the first command anyone
// types shows something; an explicit "podium serve" fails with the reason.
func serve(ctx context.Context, o *serveOptions, stderr io.Writer, demoWithoutCluster bool) error {
	if err := o.validate(); err != nil {
		return err
	}
	logger, err := o.log.logger(stderr)
	if err != nil {
		return err
	}
	scfg, err := o.srv.config(logger)
	if err != nil {
		return err
	}
	if scfg.Lesson, err = o.srv.lessonSource(logger, nil); err != nil {
		return err
	}
	tgs, err := targets(&o.conn)
	if errors.Is(err, errNoCluster) && demoWithoutCluster {
		if o.srv.perUserViews {
			return fmt.Errorf("--per-user-views needs a cluster to ask: %w", err)
		}
		logger.Warn("no cluster to watch (no --kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster config): playing the built-in demo instead; point Podium at a cluster with --kubeconfig FILE")
		rec, err := loadDemo()
		if err != nil {
			return err
		}
		// The same serving flags: a token or proxy given holds for the demo
		// too. The demo is the talk: its lesson comes with it unless
		// --lesson gives another.
		pf := playFlags{srv: o.srv, speed: 1, loop: true}
		if o.srv.lesson == "" {
			if pf.builtinLesson, err = loadDemoLesson(); err != nil {
				return err
			}
		}
		return play(ctx, rec, pf, logger)
	}
	if err != nil {
		return err
	}
	metrics := server.NewMetrics()
	// Each cluster is a graph of its own, with its own epoch and watchers.
	var watchers []*informers.Watcher
	for _, tg := range tgs {
		tg.cfg.UserAgent = "podium/" + version.String()
		log := graph.NewLog(graph.NewEpoch(), o.history)
		wlog := logger
		if len(tgs) > 1 {
			wlog = logger.With("cluster", tg.name)
		}
		w, err := informers.NewForConfig(tg.cfg, log, informers.Options{
			Namespaces:    o.conn.namespaces.listFlag,
			ReadStatus:    o.conn.readStatus.parsed,
			FlushInterval: o.flushInterval,
			Logger:        wlog,
			OnEvent:       func(r graph.Resource) { metrics.InformerEvent(string(r)) },
		})
		if err != nil {
			return fmt.Errorf("kubernetes client for %s: %w", tg.where, err)
		}
		cl := server.Cluster{Name: tg.name, Log: log, Status: w.Status}
		if o.srv.perUserViews {
			kc, err := kube.New(tg.cfg)
			if err != nil {
				return fmt.Errorf("kubernetes client for %s: %w", tg.where, err)
			}
			cl.Access = accessFunc(informers.NewAccessReviewer(kc, 30*time.Second))
		}
		scfg.Clusters = append(scfg.Clusters, cl)
		watchers = append(watchers, w)
	}
	scfg.Metrics = metrics
	srv := server.New(withPage(scfg, o.conn.namespaces.listFlag, o.srv.svgConcurrency))
	ln, err := net.Listen("tcp", o.srv.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", o.srv.listen, err)
	}
	logger.Info("podium is serving", "url", "http://"+ln.Addr().String(), "presenter", presenterURL("http://"+ln.Addr().String(), scfg),
		"namespaces", o.conn.namespaces.String(), "version", version.String())
	for _, tg := range tgs {
		logger.Info("watching", "cluster", tg.name, "server", tg.cfg.Host, "via", tg.where)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	firsts := make([]<-chan struct{}, len(watchers))
	for i, w := range watchers {
		firsts[i] = w.FirstGraph()
	}
	collectLessUntil(ctx, os.Getenv, firsts, startGCFor)
	var wg sync.WaitGroup
	for i, w := range watchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A cluster that stops holds back no other.
			if err := w.Run(ctx); err != nil {
				logger.Error("watching the cluster stopped", "cluster", tgs[i].name, "error", err)
			}
		}()
	}
	err = srv.Serve(ctx, ln)
	cancel()
	wg.Wait()
	logger.Info("podium stopped")
	return err
}

// withPage adds the browser page to cfg: the shell (with the namespaces
// offered in the picker from the start), the login page, their assets, and
// the CSP source that lets the page's inline import map run.
func withPage(cfg server.Config, namespaces []string, svgConcurrency int) server.Config {
	v := version.String()
	cfg.Page = func(r server.PageRequest) templ.Component {
		return web.Page(web.PageView{Version: v, Namespaces: namespaces, Selected: r.Namespaces, Lang: r.Lang, Cluster: r.Cluster, Clusters: r.Clusters})
	}
	cfg.SideBySide = func(lang string, frames []server.Frame) templ.Component {
		v := web.SideBySideView{Version: v, Lang: lang}
		for _, f := range frames {
			v.Frames = append(v.Frames, web.Frame{Cluster: f.Cluster, Src: f.Src})
		}
		return web.SideBySide(v)
	}
	cfg.Login = func(lang, problem string) templ.Component {
		return web.Login(web.LoginView{Version: v, Lang: lang, Error: problem})
	}
	cfg.LoginAssets = web.LoginAssets
	cfg.Static = web.Static
	cfg.SVG = svgFunc(web.NewSVGRenderer(web.SVGOptions{MaxConcurrent: svgConcurrency}))
	if h := web.ImportMapCSP(v); h != "" {
		cfg.ScriptSources = []string{h}
	}
	// Without the hash only an opened SVG file's palette is lost; its render
	// fails on the same error anyway.
	if h, err := web.SVGStyleCSP(); err == nil {
		cfg.StyleSources = []string{h}
	}
	return cfg
}

// svgFunc draws /api/graph.svg with r: bounded, shared and cached per picture.
func svgFunc(r *web.SVGRenderer) server.SVGFunc {
	return func(ctx context.Context, w io.Writer, req server.SVGRequest) error {
		key := web.SVGKey{Epoch: req.Epoch, Seq: req.Seq, Filter: strings.Join(req.Namespaces, ",") + "|" + req.Selector, Focus: req.Focus, Lang: req.Lang, Layers: req.Layers}
		err := r.Render(ctx, w, key, req.Graph, req.Namespaces, req.Focus, req.Lang)
		if errors.Is(err, web.ErrBusy) {
			return server.ErrBusy
		}
		return err
	}
}

// accessFunc decides per-user views with a, for the server.
func accessFunc(a *informers.AccessReviewer) server.AccessFunc {
	return func(ctx context.Context, id server.Identity, candidates []string) (server.Access, error) {
		all, ns, err := a.Namespaces(ctx, id.User, id.Groups, candidates)
		return server.Access{All: all, Namespaces: ns}, err
	}
}
