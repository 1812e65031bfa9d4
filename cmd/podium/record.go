package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/informers"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

// record watches the cluster like serve does and writes the protocol
// stream to --out until ctx ends (Ctrl-C), then closes the file cleanly.
func record(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	var conn connFlags
	var logf logFlags
	var out string
	var flushInterval time.Duration
	conn.register(fs)
	logf.register(fs)
	fs.StringVar(&out, "out", "", "file to write the recording to; gzip-compressed when it ends in .gz (required)")
	fs.DurationVar(&flushInterval, "flush-interval", 50*time.Millisecond, "shortest time between two deltas during a burst")
	if err := parse(fs, args); err != nil {
		return err
	}
	if out == "" {
		return fmt.Errorf("record: --out FILE is required, e.g. --out demo.jsonl.gz")
	}
	if err := positiveDuration("flush-interval", flushInterval); err != nil {
		return err
	}
	logger, err := logf.logger(stderr)
	if err != nil {
		return err
	}
	cfg, where, err := restConfig(&conn)
	if err != nil {
		return err
	}
	cfg.UserAgent = "podium/" + version.String()
	// Only for the header's cluster version: bounded, so an unreachable
	// cluster does not hold up the recorder, whose informers keep retrying.
	vcfg := rest.CopyConfig(cfg)
	vcfg.Timeout = 5 * time.Second
	client, err := kubernetes.NewForConfig(vcfg)
	if err != nil {
		return fmt.Errorf("kubernetes client for %s: %w", where, err)
	}
	clusterVersion := ""
	if v, err := client.Discovery().ServerVersion(); err == nil {
		clusterVersion = v.GitVersion
	} else {
		// Not fatal: the informers retry, and the header field is informative.
		logger.Warn("cannot read the cluster version", "error", err)
	}
	log := graph.NewLog(graph.NewEpoch(), 4096)
	// NewForConfig, as serve uses: its transport reports "reconnecting",
	// which the recording keeps as status lines.
	watcher, err := informers.NewForConfig(cfg, log, informers.Options{
		Namespaces:    conn.namespaces.listFlag,
		FlushInterval: flushInterval,
		Logger:        logger,
	})
	if err != nil {
		return fmt.Errorf("kubernetes client for %s: %w", where, err)
	}
	w, err := replay.Create(out, replay.Header{PodiumVersion: version.String(), ClusterVersion: clusterVersion,
		Namespaces: conn.namespaces.listFlag})
	if err != nil {
		return err
	}

	logger.Info("podium is recording", "out", out, "cluster", cfg.Host, "via", where, "namespaces", conn.namespaces.String())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := watcher.Run(ctx); err != nil {
			logger.Error("watching the cluster stopped", "error", err)
		}
	}()
	err = replay.Record(ctx, log, watcher.Status, w, time.Now)
	cancel()
	<-done
	if err != nil {
		return err
	}
	if w.Frames() == 0 {
		// An empty file is no recording; do not leave one behind.
		_ = os.Remove(out)
		return fmt.Errorf("record: nothing recorded: stopped before the first complete graph from %s", where)
	}
	size := int64(0)
	if st, err := os.Stat(out); err == nil {
		size = st.Size()
	}
	logger.Info("recording saved", "out", out, "messages", w.Frames(), "bytes", size)
	return nil
}
