package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
	"github.com/podiumhq/podium/server"
)

// playFlags are the flags of replay and demo.
type playFlags struct {
	listen string
	speed  float64
	loop   bool
	paused bool
}

func (p *playFlags) register(fs *flag.FlagSet, loop bool) {
	fs.StringVar(&p.listen, "listen", "127.0.0.1:8080", "address to serve HTTP on")
	fs.Float64Var(&p.speed, "speed", 1, fmt.Sprintf("playback speed, e.g. 0.5 or 2 (%v to %v)", replay.MinSpeed, replay.MaxSpeed))
	fs.BoolVar(&p.loop, "loop", loop, "start over at the end")
	fs.BoolVar(&p.paused, "paused", false, "start paused (play from the page)")
}

func (p *playFlags) validate() error {
	if _, _, err := net.SplitHostPort(p.listen); err != nil {
		return fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8080", p.listen)
	}
	if err := replay.CheckSpeed(p.speed); err != nil {
		return fmt.Errorf("--%w", err)
	}
	return nil
}

// replayCmd serves a recording through the same page, /ws and /api/graph as
// a live cluster, plus the replay controls at /api/replay.
func replayCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	var logf logFlags
	var pf playFlags
	logf.register(fs)
	pf.register(fs, false)
	// The file may come before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if file == "" && len(rest) > 0 {
		file, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return fmt.Errorf("replay: unexpected argument %q (see podium replay --help)", rest[0])
	}
	if file == "" {
		return fmt.Errorf("replay: which recording? usage: podium replay FILE [--speed 2] [--loop] [--listen addr]")
	}
	if err := pf.validate(); err != nil {
		return err
	}
	logger, err := logf.logger(stderr)
	if err != nil {
		return err
	}
	rec, err := replay.ReadFile(file)
	if err != nil {
		return err
	}
	return play(ctx, rec, pf, logger)
}

// play serves rec until ctx ends.
func play(ctx context.Context, rec *replay.Recording, pf playFlags, logger *slog.Logger) error {
	if rec.Truncated != "" {
		logger.Warn("the recording was cut short; playing what is whole", "file", rec.Name, "detail", rec.Truncated)
	}
	log := graph.NewLog(graph.NewEpoch(), 4096)
	p, err := replay.NewPlayer(rec, log, replay.Options{Speed: pf.speed, Loop: pf.loop, Paused: pf.paused})
	if err != nil {
		return err
	}
	srv := server.New(withPage(server.Config{
		Log:    log,
		Status: p.Status,
		Replay: p,
		Logger: logger,
	}, rec.Header.Namespaces))
	ln, err := net.Listen("tcp", pf.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", pf.listen, err)
	}
	logger.Info("podium is replaying", "url", "http://"+ln.Addr().String(), "recording", rec.Name,
		"duration", rec.Duration.String(), "happenings", len(p.Markers()), "speed", pf.speed, "loop", pf.loop,
		"recorded", rec.Header.Start.Format("2006-01-02 15:04"), "cluster", rec.Header.ClusterVersion, "version", version.String())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Run(ctx)
	}()
	err = srv.Serve(ctx, ln)
	cancel()
	<-done
	logger.Info("podium stopped")
	return err
}
