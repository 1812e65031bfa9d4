package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/podiumhq/podium/informers/kube"
	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"github.com/podiumhq/podium/cmd/podium/internal/version"
	"github.com/podiumhq/podium/informers"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

type recordOptions struct {
	conn          connFlags
	log           logFlags
	out           string
	flushInterval time.Duration
}

func newRecordCmd() *cobra.Command {
	var o recordOptions
	cmd := &cobra.Command{
		Use:   "record --out FILE [flags]",
		Short: "Record what Podium sees to a file, until Ctrl-C",
		Long: `Record what Podium sees of the cluster to a file, until Ctrl-C, for
"podium replay" to play back through the same page. It reaches the cluster
as "podium serve" does, with the same flags.`,
		Example: `  # Record the default namespace for a talk; Ctrl-C stops
  podium record --out talk.jsonl.gz -n default

  # Record another context, uncompressed
  podium record --out prod.jsonl --context prod`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return record(cmd.Context(), &o, cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.out, "out", "", "`file` to write the recording to; gzip-compressed when it ends in .gz (required)")
	fs.DurationVar(&o.flushInterval, "flush-interval", 0, "shortest time between two deltas; 0 publishes each change at once, and what arrives meanwhile right after it")
	o.log.register(cmd)
	o.conn.register(fs)
	o.conn.completeConn(cmd)
	return cmd
}

// record watches the cluster like serve does and writes the protocol
// stream to --out until ctx ends (Ctrl-C), then closes the file cleanly.
func record(ctx context.Context, o *recordOptions, stderr io.Writer) error {
	out, conn, flushInterval := o.out, &o.conn, o.flushInterval
	if out == "" {
		return fmt.Errorf("record: --out FILE is required, e.g. --out demo.jsonl.gz")
	}
	if err := nonNegativeDuration("flush-interval", flushInterval); err != nil {
		return err
	}
	logger, err := o.log.logger(stderr)
	if err != nil {
		return err
	}
	cfg, where, err := restConfig(conn)
	if err != nil {
		return err
	}
	cfg.UserAgent = "podium/" + version.String()
	// Only for the header's cluster version: bounded, so an unreachable
	// cluster does not hold up the recorder, whose informers keep retrying.
	vcfg := rest.CopyConfig(cfg)
	vcfg.Timeout = 5 * time.Second
	client, err := kube.New(vcfg)
	if err != nil {
		return fmt.Errorf("kubernetes client for %s: %w", where, err)
	}
	clusterVersion := ""
	if v, err := client.ServerVersion(ctx); err == nil {
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
		ReadStatus:    conn.readStatus.parsed,
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
