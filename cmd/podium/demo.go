package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/podiumhq/podium/informers/replay"
	"github.com/podiumhq/podium/server/lesson"
	"github.com/podiumhq/podium/web"
)

// demoRecording is the tech-share of ../shared/TALK.md recorded from the lab
// control plane, and demoLesson the lesson that walks through it, step by
// step. Regenerate both with `make demo-record` (e2e/demo), which refuses a
// recording the lesson cannot follow.
var (
	//go:embed demo/talk.jsonl.gz
	demoRecording []byte
	//go:embed demo/talk.lesson.yaml
	demoLesson []byte
)

// demoName and demoLessonName name the embedded files in messages.
const (
	demoName       = "demo/talk.jsonl.gz (embedded)"
	demoLessonName = "demo/talk.lesson.yaml (embedded)"
)

// loadDemo parses the embedded recording.
func loadDemo() (*replay.Recording, error) {
	return replay.Read(demoName, bytes.NewReader(demoRecording))
}

// loadDemoLesson parses the embedded lesson.
func loadDemoLesson() (*lesson.Lesson, error) {
	return lesson.Parse(demoLessonName, demoLesson, lesson.Options{Layers: web.Layers()})
}

func newDemoCmd() *cobra.Command {
	var logf logFlags
	var pf playFlags
	var noLesson bool
	cmd := &cobra.Command{
		Use:   "demo [flags]",
		Short: "Serve the built-in demo, no cluster needed",
		Long: `Serve the built-in demo: a Kubernetes tech-share recorded against a real
control plane, with its lesson (captions in English and Chinese, one step per
point): a Pod and its containers, a Deployment scaled and rolled out and back,
a StatefulSet's identity, Services (ClusterIP, NodePort), an Ingress, a
ConfigMap and a Secret, a ServiceAccount and its ClusterRole, a quota filling
up, a NetworkPolicy, a Node drained, a Namespace deleted. It loops. No cluster
and no kubeconfig are needed.`,
		Example: `  # Open http://127.0.0.1:8080
  podium demo

  # At half speed, starting paused
  podium demo --speed 0.5 --paused

  # Your own lesson over the demo, or none
  podium demo --lesson talk.yaml
  podium demo --no-lesson`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo(cmd.Context(), logf, pf, noLesson, cmd.ErrOrStderr())
		},
	}
	pf.register(cmd, true)
	cmd.Flags().BoolVar(&noLesson, "no-lesson", false, "play the demo without its built-in lesson (the arrow keys step through the happenings)")
	logf.register(cmd)
	return cmd
}

// demo replays the embedded recording in a loop, with the embedded lesson
// unless --lesson gives another or --no-lesson none: Podium with no cluster
// and no flags.
func demo(ctx context.Context, logf logFlags, pf playFlags, noLesson bool, stderr io.Writer) error {
	if err := pf.validate(); err != nil {
		return err
	}
	if noLesson && pf.srv.lesson != "" {
		return errors.New("--lesson and --no-lesson: choose one")
	}
	logger, err := logf.logger(stderr)
	if err != nil {
		return err
	}
	rec, err := loadDemo()
	if err != nil {
		return err
	}
	if !noLesson && pf.srv.lesson == "" {
		if pf.builtinLesson, err = loadDemoLesson(); err != nil {
			return err
		}
	}
	return play(ctx, rec, pf, logger)
}
