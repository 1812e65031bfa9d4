package main

import (
	"bytes"
	"context"
	_ "embed"
	"io"

	"github.com/spf13/cobra"

	"github.com/podiumhq/podium/informers/replay"
)

// demoRecording is the tutorial's hellok8s sequence recorded from the lab
// control plane. Regenerate it with `make demo-record` (e2e/demo).
//
//go:embed demo/hellok8s.jsonl.gz
var demoRecording []byte

// demoName names the embedded recording in messages.
const demoName = "demo/hellok8s.jsonl.gz (embedded)"

// loadDemo parses the embedded recording.
func loadDemo() (*replay.Recording, error) {
	return replay.Read(demoName, bytes.NewReader(demoRecording))
}

func newDemoCmd() *cobra.Command {
	var logf logFlags
	var pf playFlags
	cmd := &cobra.Command{
		Use:   "demo [flags]",
		Short: "Serve the built-in demo, no cluster needed",
		Long: `Serve the built-in demo: a recording of the hellok8s tutorial (deploy, scale,
a Service, an Ingress, a rollout, a rollback and a stalled rollout), looping.
No cluster and no kubeconfig are needed.`,
		Example: `  # Open http://127.0.0.1:8080
  podium demo

  # At half speed, starting paused
  podium demo --speed 0.5 --paused`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo(cmd.Context(), logf, pf, cmd.ErrOrStderr())
		},
	}
	pf.register(cmd, true)
	logf.register(cmd)
	return cmd
}

// demo replays the embedded recording in a loop: Podium with no cluster and
// no flags.
func demo(ctx context.Context, logf logFlags, pf playFlags, stderr io.Writer) error {
	if err := pf.validate(); err != nil {
		return err
	}
	logger, err := logf.logger(stderr)
	if err != nil {
		return err
	}
	rec, err := loadDemo()
	if err != nil {
		return err
	}
	return play(ctx, rec, pf, logger)
}
