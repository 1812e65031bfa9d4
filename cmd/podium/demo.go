package main

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"io"

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

// demo replays the embedded recording in a loop: Podium with no cluster and
// no flags.
func demo(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var logf logFlags
	var pf playFlags
	logf.register(fs)
	pf.register(fs, true)
	if err := parse(fs, args); err != nil {
		return err
	}
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
