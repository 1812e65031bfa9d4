package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
	"github.com/podiumhq/podium/server"
	"github.com/podiumhq/podium/server/lesson"
)

// playFlags are the flags of replay and demo.
type playFlags struct {
	srv    servingFlags
	speed  float64
	loop   bool
	paused bool

	// builtinLesson is given with the recording it follows (the demo's),
	// in place of --lesson.
	builtinLesson *lesson.Lesson
}

func (p *playFlags) register(cmd *cobra.Command, loop bool) {
	fs := cmd.Flags()
	p.srv.register(cmd)
	fs.Float64Var(&p.speed, "speed", 1, fmt.Sprintf("playback speed, e.g. 0.5 or 2 (%v to %v)", replay.MinSpeed, replay.MaxSpeed))
	fs.BoolVar(&p.loop, "loop", loop, "start over at the end")
	fs.BoolVar(&p.paused, "paused", false, "start paused (play from the page)")
}

func (p *playFlags) validate() error {
	if p.srv.perUserViews {
		return errors.New("--per-user-views needs a cluster to ask; a recording has none")
	}
	if _, _, err := net.SplitHostPort(p.srv.listen); err != nil {
		return fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8080", p.srv.listen)
	}
	if err := replay.CheckSpeed(p.speed); err != nil {
		return fmt.Errorf("--%w", err)
	}
	return nil
}

func newReplayCmd() *cobra.Command {
	var logf logFlags
	var pf playFlags
	var lim recordingLimits
	cmd := &cobra.Command{
		Use:   "replay FILE [flags]",
		Short: "Serve a recording made by podium record",
		Long: `Serve a recording made by "podium record" through the same page, /ws and
/api/graph as a live cluster, with play/pause, speed and a timeline of every
happening. No cluster is needed.`,
		Example: `  # Twice as fast, over and over
  podium replay talk.jsonl.gz --speed 2 --loop

  # Start paused, for everyone on the network
  podium replay talk.jsonl.gz --paused --listen 0.0.0.0:8080`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("replay: which recording? usage: podium replay FILE [--speed 2] [--loop] [--listen addr]")
			}
			return noArgs(c, args[1:])
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return []string{"jsonl", "gz"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return replayFile(cmd.Context(), args[0], logf, pf, lim, cmd.ErrOrStderr())
		},
	}
	pf.register(cmd, false)
	lim.register(cmd)
	logf.register(cmd)
	return cmd
}

// recordingLimits bound what reading a recording may cost: a small gzip
// file can hold gigabytes.
type recordingLimits struct {
	maxBytes  int64
	maxFrames int
	maxLine   int
}

func (l *recordingLimits) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	d := replay.DefaultLimits
	fs.Int64Var(&l.maxBytes, strings.TrimPrefix(replay.FlagMaxBytes, "--"), d.MaxBytes, "most `bytes` of the recording once decompressed")
	fs.IntVar(&l.maxFrames, strings.TrimPrefix(replay.FlagMaxFrames, "--"), d.MaxFrames, "most messages in the recording")
	fs.IntVar(&l.maxLine, strings.TrimPrefix(replay.FlagMaxLine, "--"), d.MaxLine, "most `bytes` in one line of the recording")
}

func (l recordingLimits) limits() (replay.Limits, error) {
	if l.maxBytes < 1 || l.maxFrames < 1 || l.maxLine < 1 {
		return replay.Limits{}, fmt.Errorf("%s, %s and %s must be positive", replay.FlagMaxBytes, replay.FlagMaxFrames, replay.FlagMaxLine)
	}
	return replay.Limits{MaxBytes: l.maxBytes, MaxFrames: l.maxFrames, MaxLine: l.maxLine}, nil
}

// replayFile serves a recording through the same page, /ws and /api/graph
// as a live cluster, plus the replay controls at /api/replay.
func replayFile(ctx context.Context, file string, logf logFlags, pf playFlags, lim recordingLimits, stderr io.Writer) error {
	if err := pf.validate(); err != nil {
		return err
	}
	limits, err := lim.limits()
	if err != nil {
		return err
	}
	logger, err := logf.logger(stderr)
	if err != nil {
		return err
	}
	rec, err := limits.ReadFile(file)
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
	cfg, err := pf.srv.config(logger)
	if err != nil {
		return err
	}
	log := graph.NewLog(graph.NewEpoch(), 4096)
	p, err := replay.NewPlayer(rec, log, replay.Options{Speed: pf.speed, Loop: pf.loop, Paused: pf.paused})
	if err != nil {
		return err
	}
	cfg.Log, cfg.Status, cfg.Replay = log, p.Status, p
	cfg.Segment = segmentFunc(rec)
	timeline := make([]graph.Happening, len(p.Markers()))
	for i, m := range p.Markers() {
		timeline[i] = graph.Happening{Kind: m.Kind, Ref: m.Ref, Params: m.Params}
	}
	if pf.builtinLesson != nil {
		marks, err := pf.builtinLesson.Markers(demoLessonName, timeline)
		if err != nil {
			return err
		}
		cfg.Lesson = server.NewFixedLessonSource(pf.builtinLesson, marks)
	} else {
		cfg.Lesson, err = pf.srv.lessonSource(logger, func(l *lesson.Lesson) ([]int, error) { return l.Markers(pf.srv.lesson, timeline) })
		if err != nil {
			return err
		}
	}
	srv := server.New(withPage(cfg, rec.Header.Namespaces, pf.srv.svgConcurrency))
	ln, err := net.Listen("tcp", pf.srv.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", pf.srv.listen, err)
	}
	logger.Info("podium is replaying", "url", "http://"+ln.Addr().String(), "presenter", presenterURL("http://"+ln.Addr().String(), cfg), "recording", rec.Name,
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
