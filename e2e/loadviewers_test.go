//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A benchmark's load viewers run in a process of their own, the test
// binary started again with envLoadViewers set ("N URL"): they stand in
// for browsers on machines of their own. In the benchmark's process, the
// measured viewer's reads queued on the same Go scheduler behind 500 load
// viewers' reads, which put the benchmark's own scheduling into Podium's
// figure. (Run at the idle scheduling priority as well, they gave the same
// figures, 2026-12-03.)
const envLoadViewers = "PODIUM_LOAD_VIEWERS"

// loadViewers is the parent's handle on a load-viewer process. It talks to
// the process by lines: the process writes "ready SECONDS DROPPED" once
// every viewer has its snapshot; the parent writes "stats" and reads
// "stats MESSAGES DROPPED"; closing the process's stdin stops it, and it
// exits non-zero, saying why on stderr, when a viewer failed.
type loadViewers struct {
	n                int
	cmd              *exec.Cmd
	in               io.WriteCloser
	out              *bufio.Scanner
	stderr           bytes.Buffer
	ready            time.Duration
	droppedWhenReady int64
}

// startViewers starts n load viewers of base's /ws?query and returns once
// each has its first message (the snapshot).
func startViewers(b *testing.B, base, query string, n int) *loadViewers {
	b.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws?" + query
	v := &loadViewers{n: n}
	v.cmd = exec.Command(os.Args[0], "-test.run=^$")
	v.cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s", envLoadViewers, n, u))
	v.cmd.Stderr = &v.stderr
	in, err := v.cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := v.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	v.in, v.out = in, bufio.NewScanner(out)
	if err := v.cmd.Start(); err != nil {
		b.Fatalf("starting the load viewers: %v", err)
	}
	f := v.line(b, "ready")
	secs, err1 := strconv.ParseFloat(f[0], 64)
	dropped, err2 := strconv.ParseInt(f[1], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		v.stop(b)
		b.Fatalf("the load viewers' ready line: %v", err)
	}
	v.ready, v.droppedWhenReady = time.Duration(secs*float64(time.Second)), dropped
	return v
}

// line reads the process's next line, which must start with word, and
// returns its two fields after it.
func (v *loadViewers) line(b *testing.B, word string) []string {
	b.Helper()
	if !v.out.Scan() {
		v.stop(b)
		b.Fatalf("the load viewers ended before %q: %v", word, v.out.Err())
	}
	f := strings.Fields(v.out.Text())
	if len(f) != 3 || f[0] != word {
		v.stop(b)
		b.Fatalf("the load viewers said %q, want %q and two numbers", v.out.Text(), word)
	}
	return f[1:]
}

// stats says how the viewers fared, for the log of each benchmark that
// runs with them (a parent benchmark's log is not printed).
func (v *loadViewers) stats(b *testing.B) string {
	b.Helper()
	if _, err := io.WriteString(v.in, "stats\n"); err != nil {
		b.Fatalf("asking the load viewers: %v", err)
	}
	f := v.line(b, "stats")
	dropped, _ := strconv.ParseInt(f[1], 10, 64)
	return fmt.Sprintf("%d viewers (a process of their own) had their snapshot %s after the first dialled (%d closed as too slow meanwhile); since: %s messages read, %d closed as too slow",
		v.n, v.ready.Round(time.Millisecond), v.droppedWhenReady, f[0], dropped-v.droppedWhenReady)
}

// stop ends the process and fails b if one of its viewers failed.
func (v *loadViewers) stop(b *testing.B) {
	b.Helper()
	v.in.Close()
	done := make(chan error, 1)
	go func() { done <- v.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			b.Errorf("the load viewers: %v: %s", err, v.stderr.Bytes())
		}
	case <-time.After(time.Minute):
		v.cmd.Process.Kill()
		<-done
		b.Errorf("the load viewers did not stop within a minute of being told to: %s", v.stderr.Bytes())
	}
}

// loadViewersMain is the load-viewer process: spec is envLoadViewers's
// value. It returns the exit code.
func loadViewersMain(spec string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "load viewers:", err)
		return 1
	}
	count, u, ok := strings.Cut(spec, " ")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 1 {
		return fail(fmt.Errorf("%s=%q: want a number of viewers, a space and a URL", envLoadViewers, spec))
	}
	v, err := runViewers(u, n)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("ready %f %d\n", v.ready.Seconds(), v.dropped.Load())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "stats" {
			fmt.Printf("stats %d %d\n", v.msgs.Load(), v.dropped.Load())
		}
	}
	// stdin closed: the benchmark is done with them, or has gone.
	if err := v.halt(); err != nil {
		return fail(err)
	}
	return 0
}

// viewerSet is n WebSocket viewers that take everything they are sent off
// the socket and throw it away: rawViewers, which leave inflating and
// decoding to the measured viewer, as browsers on a wall do theirs on
// machines of their own.
type viewerSet struct {
	cancel        context.CancelFunc
	wg            sync.WaitGroup
	msgs, dropped atomic.Int64
	errs          chan error
	ready         time.Duration
}

// runViewers connects n viewers to u, 20 dialling at a time, and returns
// once each has its first message (the snapshot), or the first failure. A
// viewer the server closes as too slow reconnects, as the page does, and
// is counted as dropped.
func runViewers(u string, n int) (*viewerSet, error) {
	ctx, cancel := context.WithCancel(context.Background())
	v := &viewerSet{cancel: cancel, errs: make(chan error, n)}
	sem := make(chan struct{}, 20)
	ready := make(chan struct{}, n)
	start := time.Now()
	view := func(first bool) (bool, error) {
		sem <- struct{}{}
		conn, err := dialRawViewer(ctx, u)
		<-sem
		if err != nil {
			return first, err
		}
		defer conn.Close()
		// read before first is returned: in one return statement Go does
		// not order reading first against the call that changes it.
		err = conn.read(func() {
			v.msgs.Add(1)
			if first {
				first = false
				ready <- struct{}{}
			}
		})
		return first, err
	}
	for i := range n {
		v.wg.Add(1)
		go func() {
			defer v.wg.Done()
			first := true
			for {
				var err error
				first, err = view(first)
				if ctx.Err() != nil {
					return
				}
				if err != wsClosed(websocket.StatusPolicyViolation) {
					v.errs <- fmt.Errorf("viewer %d: %w", i, err)
					return
				}
				v.dropped.Add(1)
			}
		}()
	}
	deadline := time.After(5 * time.Minute)
	for range n {
		select {
		case <-ready:
		case err := <-v.errs:
			v.halt()
			return nil, err
		case <-deadline:
			v.halt()
			return nil, fmt.Errorf("only some of %d viewers got their snapshot in 5 minutes", n)
		}
	}
	v.ready = time.Since(start)
	return v, nil
}

// halt disconnects the viewers and returns the first failure of one.
func (v *viewerSet) halt() error {
	v.cancel()
	v.wg.Wait()
	select {
	case err := <-v.errs:
		return err
	default:
		return nil
	}
}
