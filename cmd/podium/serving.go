package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podiumhq/podium/server"
	"github.com/podiumhq/podium/server/lesson"
	"github.com/podiumhq/podium/web"
)

// servingFlags are the flags of every command that serves the page (serve,
// replay, demo): where it listens, who may connect, and the limits. One set,
// so a security flag given holds in every mode.
type servingFlags struct {
	listen         string
	allowedOrigins listFlag
	allowAnyOrigin bool
	allowedHosts   listFlag
	authTokenFile  string
	sessionTTL     time.Duration

	authProxyHeader       string
	authProxyGroupsHeader string
	authProxyCIDRs        listFlag
	perUserViews          bool

	maxClients        int
	maxClientsPerAddr int
	svgConcurrency    int

	lesson           string
	ingressNamespace string
}

func (f *servingFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "`address` to serve HTTP on (host:port)")
	fs.Var(&f.allowedOrigins, "allowed-origins", "extra `origins` (host patterns) allowed to open /ws, e.g. podium.example.com; the page's own origin always is")
	fs.BoolVar(&f.allowAnyOrigin, "allow-any-origin", false, "let pages of any site open /ws (turns off the check against cross-site WebSocket hijacking)")
	fs.Var(&f.allowedHosts, "allowed-hosts", "extra `hosts` a loopback listener answers to, e.g. podium.local or *.example.com (localhost, 127.0.0.1 and [::1] always; others get 421, against DNS rebinding)")
	fs.StringVar(&f.authTokenFile, "auth-token-file", "", "require this `file`'s token (at least 16 bytes; Bearer header or a login session) for the UI and API; re-read when it changes")
	fs.DurationVar(&f.sessionTTL, "session-ttl", server.DefaultSessionTTL, "how long a login lasts")
	fs.StringVar(&f.authProxyHeader, "auth-proxy-header", "", "trust the user name an auth proxy puts in this `header` (e.g. X-Forwarded-User), from --auth-proxy-cidrs only")
	fs.StringVar(&f.authProxyGroupsHeader, "auth-proxy-groups-header", "", "the auth proxy's `header` with the user's groups, comma-separated (e.g. X-Forwarded-Groups)")
	fs.Var(&f.authProxyCIDRs, "auth-proxy-cidrs", "the auth proxy's address `ranges`, e.g. 10.0.0.0/8")
	fs.BoolVar(&f.perUserViews, "per-user-views", false, "show each viewer only the namespaces its identity (from the auth proxy) may list pods in, decided by SubjectAccessReviews")
	fs.IntVar(&f.maxClients, "max-clients", server.DefaultMaxClients, "most WebSocket viewers at once; beyond it 503")
	fs.IntVar(&f.maxClientsPerAddr, "max-clients-per-address", server.DefaultMaxClientsPerAddr, "most WebSocket viewers from one address (raise it behind an ingress, where every viewer has its address)")
	fs.IntVar(&f.svgConcurrency, "svg-concurrency", web.DefaultSVGConcurrency(), "most /api/graph.svg pictures drawn at once; beyond it 503")
	fs.StringVar(&f.lesson, "lesson", "", "a guided lesson `file` (YAML, docs/lessons.md) to give with the picture; re-read when it changes")
	fs.StringVar(&f.ingressNamespace, "ingress-namespace", "", "the `namespace` the Ingress controller runs in: /api/reachability?service= reaches a Service's pods from it by default")
}

// presenterURL is the link that opens the page as the presenter, who leads
// the followers of the audience link.
func presenterURL(base string, cfg server.Config) string {
	if cfg.Follow == nil {
		return base
	}
	return base + "/?lead=" + cfg.Follow.Secret()
}

// lessonSource reads --lesson. A file that is not there is a flag error; a
// lesson that is wrong is logged and shown on the page with its line, and
// the picture is served all the same. markers ties steps to a replay's
// timeline (nil when live).
func (f *servingFlags) lessonSource(logger *slog.Logger, markers func(*lesson.Lesson) ([]int, error)) (*server.LessonSource, error) {
	if f.lesson == "" {
		return nil, nil
	}
	if _, err := os.Stat(f.lesson); err != nil {
		return nil, fmt.Errorf("--lesson: %w", err)
	}
	src, err := server.NewLessonSource(f.lesson, lesson.Options{Layers: web.Layers()}, markers)
	if err != nil {
		logger.Error("the lesson has a problem; the page shows it until the file is fixed", "error", err)
	}
	return src, nil
}

// config checks the flags and returns the server configuration they make.
// Per-user views need a cluster to ask; the caller sets Access.
func (f *servingFlags) config(logger *slog.Logger) (server.Config, error) {
	var cfg server.Config
	if _, _, err := net.SplitHostPort(f.listen); err != nil {
		return cfg, fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8080", f.listen)
	}
	if err := server.ValidateOriginPatterns(f.allowedOrigins); err != nil {
		return cfg, err
	}
	if err := server.ValidateHostPatterns(f.allowedHosts); err != nil {
		return cfg, err
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"max-clients", f.maxClients}, {"max-clients-per-address", f.maxClientsPerAddr}, {"svg-concurrency", f.svgConcurrency}} {
		if c.v < 1 {
			return cfg, fmt.Errorf("--%s must be at least 1, got %d", c.name, c.v)
		}
	}
	if err := positiveDuration("session-ttl", f.sessionTTL); err != nil {
		return cfg, err
	}
	if f.ingressNamespace != "" {
		if errs := validation.IsDNS1123Label(f.ingressNamespace); len(errs) > 0 {
			return cfg, fmt.Errorf("--ingress-namespace %q is not a valid namespace name: %s", f.ingressNamespace, errs[0])
		}
		cfg.IngressNamespace = f.ingressNamespace
	}
	cfg.AllowedOrigins = f.allowedOrigins
	// The audience link's lead secret is new at every start: the presenter
	// takes the ?lead= link from the log (presenterURL).
	follow, err := server.NewFollow(server.NewLeadSecret())
	if err != nil {
		return cfg, err
	}
	cfg.Follow = follow
	if f.allowAnyOrigin {
		logger.Warn("--allow-any-origin: pages of any site may open /ws")
		cfg.AllowedOrigins = []string{"*"}
	}
	cfg.AllowedHosts = f.allowedHosts
	cfg.MaxClients, cfg.MaxClientsPerAddr = f.maxClients, f.maxClientsPerAddr
	cfg.SessionTTL = f.sessionTTL
	cfg.Logger = logger

	proxy := f.authProxyHeader != "" || f.authProxyGroupsHeader != "" || len(f.authProxyCIDRs) > 0
	switch {
	case proxy && f.authTokenFile != "":
		return cfg, errors.New("--auth-token-file and --auth-proxy-header are two ways to log in: choose one")
	case proxy && (f.authProxyHeader == "" || len(f.authProxyCIDRs) == 0):
		return cfg, errors.New("--auth-proxy-header needs --auth-proxy-cidrs (the proxy's addresses), and the other way round")
	case f.perUserViews && !proxy:
		return cfg, errors.New("--per-user-views needs an identity: give --auth-proxy-header and --auth-proxy-cidrs")
	}
	if proxy {
		cidrs, err := server.ParseCIDRs(f.authProxyCIDRs)
		if err != nil {
			return cfg, err
		}
		cfg.AuthProxy = &server.AuthProxy{UserHeader: f.authProxyHeader, GroupsHeader: f.authProxyGroupsHeader, CIDRs: cidrs}
	}
	if f.authTokenFile != "" {
		tf, err := server.NewTokenFile(f.authTokenFile)
		if err != nil {
			return cfg, err
		}
		cfg.TokenFile = tf
	}
	return cfg, nil
}
