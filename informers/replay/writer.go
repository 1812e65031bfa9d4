package replay

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/podiumhq/podium/informers/graph"
)

// Writer writes a recording. Each line is flushed through gzip and to the
// file as it is written, so a crash loses at most the line being written.
type Writer struct {
	f      *os.File // nil when writing to a caller's io.Writer
	gz     *gzip.Writer
	buf    *bufio.Writer
	header *Header // not yet written: waiting for the start time
	start  time.Time
	last   int64 // offset of the last line, ms: lines never go backwards
	frames int
}

// Create creates the recording file at path, gzip-compressed when the name
// ends in .gz, and writes the header. h.Format and h.Version are filled in.
// When h.Start is zero, the time of the first message becomes the start and
// the header is written with it, so the timeline begins with the first
// snapshot rather than with the wait for the cluster.
func Create(path string, h Header) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	w, err := NewWriter(f, strings.HasSuffix(path, ".gz"), h)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.f = f
	return w, nil
}

// NewWriter writes a recording to out and writes the header.
func NewWriter(out io.Writer, compress bool, h Header) (*Writer, error) {
	w := &Writer{start: h.Start}
	if compress {
		w.gz = gzip.NewWriter(out)
		out = w.gz
	}
	w.buf = bufio.NewWriterSize(out, 64<<10)
	h.Format, h.Version = FormatName, FormatVersion
	if h.Namespaces == nil {
		h.Namespaces = []string{}
	}
	if h.Start.IsZero() {
		w.header = &h
		return w, nil
	}
	if err := w.writeJSON(h); err != nil {
		return nil, err
	}
	return w, nil
}

// begin writes a header that waited for its start time.
func (w *Writer) begin(at time.Time) error {
	if w.header == nil {
		return nil
	}
	h := w.header
	w.header = nil
	h.Start, w.start = at, at
	return w.writeJSON(h)
}

// Frames returns how many messages have been written.
func (w *Writer) Frames() int { return w.frames }

// offset returns at as milliseconds since the start, never less than the
// previous line's.
func (w *Writer) offset(at time.Time) int64 {
	ms := at.Sub(w.start).Milliseconds()
	if ms < w.last {
		ms = w.last
	}
	w.last = ms
	return ms
}

// Write appends one protocol message (a graph.Snapshot, graph.Delta or
// graph.Status with its Type set) seen at time at.
func (w *Writer) Write(at time.Time, msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("recording: encode message: %w", err)
	}
	if err := w.begin(at); err != nil {
		return err
	}
	w.frames++
	return w.writeJSON(line{T: w.offset(at), Msg: b})
}

// Close writes the end line at time at and closes the file.
func (w *Writer) Close(at time.Time) error {
	var err error
	if w.header == nil {
		// A recorder stopped before anything arrived leaves an empty file
		// rather than a header-only one that no player could use.
		err = w.writeJSON(line{T: w.offset(at), End: true})
	}
	if w.gz != nil {
		err = errors.Join(err, w.gz.Close())
	}
	if w.f != nil {
		err = errors.Join(err, w.f.Close())
	}
	return err
}

func (w *Writer) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("recording: encode: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.buf.Write(b); err != nil {
		return fmt.Errorf("recording: write: %w", err)
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("recording: write: %w", err)
	}
	if w.gz != nil {
		// A sync flush ends the deflate block, so the bytes so far decode
		// on their own: a crash leaves a readable prefix.
		if err := w.gz.Flush(); err != nil {
			return fmt.Errorf("recording: write: %w", err)
		}
	}
	return nil
}

// Record writes what log publishes to w until ctx ends, then closes w. It
// waits until status reports the source synced, then writes what a
// graph.Cursor on the whole log gives: a snapshot, each change as a delta
// (coalesced when several arrived between two wake-ups), a fresh snapshot
// when the recorder fell out of the log's history, and each change of
// status. now is the clock (time.Now).
func Record(ctx context.Context, log *graph.Log, status func() graph.Status, w *Writer, now func() time.Time) (err error) {
	defer func() { err = errors.Join(err, w.Close(now())) }()
	wake, unsubscribe := log.Subscribe()
	defer unsubscribe()
	// Status changes do not always wake the log; poll them as well.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()

	for !status().Synced {
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
	}
	cur := graph.NewCursor(log, graph.Filter{}, status)
	for {
		for m, ok := cur.Next(); ok; m, ok = cur.Next() {
			if err := w.Write(now(), m.Value()); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
	}
}
