// Command demo records Podium's built-in demo: the tech-share the project
// was made for (../shared/TALK.md, the chapters of docs/lessons.md), run
// against the lab control plane while `podium record` watches, then checks
// that the built-in lesson (cmd/podium/demo/talk.lesson.yaml) finds every
// step's happening in it.
//
//	make demo-record             # or: go run ./e2e/demo [-out FILE] [-lesson FILE]
//
// It uses the lab `make lab-up` started (PODIUM_LAB_DIR names another), and
// touches nothing of anyone else's on it: its objects live in namespaces
// demo and demo-team, its pods on three KWOK nodes of its own (demo-node-1
// to 3, tainted so that no one else's pods land there), and its
// cluster-scoped objects are named demo-*; all of it is deleted at the end.
// The chapters are in talk.go.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
	"github.com/podiumhq/podium/server/lesson"
	"github.com/podiumhq/podium/web"
)

func main() {
	out := flag.String("out", "", "recording to write (default <repo>/cmd/podium/demo/talk.jsonl.gz)")
	lessonFile := flag.String("lesson", "", "lesson that must find every step's happening in the recording (default <repo>/cmd/podium/demo/talk.lesson.yaml)")
	pause := flag.Duration("pause", 2500*time.Millisecond, "time after each step, so each one reads on replay")
	fromRaw := flag.String("from-raw", "", "do not record: trim this raw recording of an earlier run (it keeps "+rawName+") and check the lesson against it")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *out, *lessonFile, *fromRaw, *pause)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

// rawName is where a run keeps the untrimmed recording, in the temporary
// directory: -from-raw takes it to try a lesson's change without recording.
const rawName = "podium-demo-raw.jsonl.gz"

// window is how close deltas must follow one another to be merged (coalesce).
const window = 300 * time.Millisecond

func run(ctx context.Context, out, lessonFile, fromRaw string, pause time.Duration) (err error) {
	root, err := labtest.RepoRoot()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "cmd", "podium", "demo", "talk.jsonl.gz")
	}
	if lessonFile == "" {
		lessonFile = filepath.Join(root, "cmd", "podium", "demo", "talk.lesson.yaml")
	}
	// Check the lesson before minutes of recording, not only after.
	les, err := lesson.ReadFile(lessonFile, lesson.Options{Layers: web.Layers()})
	if err != nil {
		return err
	}
	if fromRaw != "" {
		return finish(fromRaw, out, lessonFile, les)
	}
	lab, err := labtest.Shared(ctx)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	defer func() { err = errors.Join(err, labtest.Release(lab)) }()
	cs := lab.Client()

	// Everything of the talk's goes at the end, whatever happened; with a
	// fresh context, so Ctrl-C cleans up too.
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if cerr := cleanUp(cctx, cs); cerr != nil {
			err = errors.Join(err, fmt.Errorf("clean up: %w", cerr))
		}
	}()
	if err := cleanUp(ctx, cs); err != nil {
		return fmt.Errorf("what a previous run left: %w", err)
	}
	if err := setUp(ctx, cs); err != nil {
		return err
	}

	// Record with the real binary, as a user would.
	bin := filepath.Join(os.TempDir(), "podium-demo-record")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/podium")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build podium: %w", err)
	}
	raw := filepath.Join(os.TempDir(), rawName)
	_ = os.Remove(raw)
	rec := exec.Command(bin, "record", "--kubeconfig", lab.Kubeconfig(), "--namespace", nsMain+","+nsTeam, "--out", raw, "--log-level", "warn")
	rec.Stdout, rec.Stderr = os.Stderr, os.Stderr
	if err := rec.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- rec.Wait() }()
	defer func() {
		if rec.ProcessState == nil {
			_ = rec.Process.Kill()
		}
	}()
	if err := labtest.Poll(ctx, 60*time.Second, func(context.Context) error {
		select {
		case err := <-exited:
			return fmt.Errorf("podium record exited: %v", err)
		default:
		}
		r, err := replay.ReadFile(raw)
		if err != nil {
			return err
		}
		if len(r.Frames) == 0 {
			return errors.New("no snapshot yet")
		}
		return nil
	}); err != nil {
		return fmt.Errorf("waiting for the recorder's first snapshot: %w", err)
	}
	say("recording to %s", raw)
	sleep(ctx, pause)

	for _, st := range chapters(cs) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		say("%s", st.name)
		if err := st.do(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		if st.wait != nil {
			if err := labtest.Poll(ctx, 90*time.Second, st.wait); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
		}
		if !st.quick {
			sleep(ctx, pause)
		}
	}

	_ = rec.Process.Signal(os.Interrupt)
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("podium record: %w", err)
		}
	case <-time.After(20 * time.Second):
		return errors.New("podium record did not stop within 20s of Ctrl-C")
	}
	return finish(raw, out, lessonFile, les)
}

// finish trims the raw recording to the talk's scope, checks that the lesson
// finds each step's happening in it, and only then writes out.
func finish(raw, out, lessonFile string, les *lesson.Lesson) error {
	r, err := replay.ReadFile(raw)
	if err != nil {
		return err
	}
	sc := newScope([]string{nsMain, nsTeam}, nodeNames())
	sc.poolTaint = poolKey
	frames := coalesce(trim(r, sc), window)
	var buf bytes.Buffer
	if err := writeFrames(&buf, r.Header, frames, r.Duration); err != nil {
		return err
	}
	trimmed, err := replay.Read(out, bytes.NewReader(buf.Bytes()))
	if err != nil {
		return fmt.Errorf("the trimmed recording does not read back: %w", err)
	}
	markers := trimmed.Markers()
	say("%s: %s, %d messages (%d before trimming), %d bytes, %d happenings", out, trimmed.Duration.Round(time.Millisecond),
		len(trimmed.Frames), len(r.Frames), buf.Len(), len(markers))
	timeline := make([]graph.Happening, len(markers))
	for i, m := range markers {
		timeline[i] = graph.Happening{Kind: m.Kind, Ref: m.Ref, Params: m.Params}
	}
	steps, lerr := les.Markers(lessonFile, timeline)
	at := map[int]int{}
	for i, m := range steps {
		if m >= 0 {
			at[m] = i + 1
		}
	}
	for i, m := range markers {
		step := ""
		if s, ok := at[i]; ok {
			step = fmt.Sprintf("step %d", s)
		}
		say("  %3d %7.2fs %-8s %s", i, m.Time, step, m.Text)
	}
	if lerr != nil {
		keep := out + ".rejected.gz"
		_ = os.WriteFile(keep, buf.Bytes(), 0o644)
		return fmt.Errorf("the lesson does not follow the new recording (kept as %s): %w", keep, lerr)
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// step is one thing the speaker does: do it, then wait for the state the
// audience waits for.
type step struct {
	name  string
	do    func(ctx context.Context) error
	wait  func(ctx context.Context) error
	quick bool // no pause after: the next step belongs with it
}
