package replay

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podiumhq/podium/informers/graph"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func pod(name, status string, ready bool) *graph.Node {
	return &graph.Node{ID: graph.ID(graph.KindPod, "demo", name), Kind: graph.KindPod, Namespace: "demo", Name: name, UID: "u-" + name,
		Pod: &graph.PodFields{Status: status, Ready: ready, Containers: []graph.Container{{Name: "web", Image: "hellok8s:v1", State: "running", Ready: ready}}, Images: []string{"hellok8s:v1"}, Node: "Node/n1"}}
}

func deployment(replicas, revision int) *graph.Node {
	return &graph.Node{ID: "Deployment/demo/web", Kind: graph.KindDeployment, Namespace: "demo", Name: "web", UID: "u-web",
		Deployment: &graph.DeploymentFields{Replicas: replicas, Revision: revision, Images: []string{"hellok8s:v1"},
			Strategy: graph.Strategy{Type: "RollingUpdate", MaxSurge: "1", MaxUnavailable: "1"}, Rollout: "complete"}}
}

func service() *graph.Node {
	return &graph.Node{ID: "Service/demo/web", Kind: graph.KindService, Namespace: "demo", Name: "web", UID: "u-svc",
		Service: &graph.ServiceFields{Type: "NodePort", ClusterIP: "10.96.0.10", Selector: map[string]string{"app": "web"},
			Ports: []graph.ServicePort{{Port: 80, TargetPort: "3000", NodePort: 30080, Protocol: "TCP"}}}}
}

func selects(p string, state string) *graph.Edge {
	from, to := "Service/demo/web", graph.ID(graph.KindPod, "demo", p)
	return &graph.Edge{ID: graph.EdgeID(graph.EdgeSelects, from, to), Kind: graph.EdgeSelects, From: from, To: to, State: state}
}

// script is a small recording: a snapshot with a Deployment and one pod,
// then a scale to 2 with a happening, a Service, a status change, and a
// pod removal.
type step struct {
	at  time.Duration
	msg any
}

func script() []step {
	return []step{
		{0, graph.Snapshot{Type: "snapshot", Epoch: "e1", Seq: 5, Nodes: []*graph.Node{deployment(1, 1), pod("a", "Running", true)}, Edges: []*graph.Edge{}}},
		{0, graph.Status{Type: "status", APIServer: "connected", Synced: true, Denied: []string{}}},
		{1 * time.Second, graph.Delta{Type: "delta", From: 5, Seq: 6, Upsert: graph.Items{Nodes: []*graph.Node{deployment(2, 1), pod("b", "Pending", false)}},
			Happenings: []graph.Happening{{Time: t0.Add(time.Second), Kind: "scaled", Ref: "Deployment/demo/web", Text: "Deployment demo/web scaled 1 → 2"}}}},
		{2 * time.Second, graph.Delta{Type: "delta", From: 6, Seq: 8, Upsert: graph.Items{Nodes: []*graph.Node{service(), pod("b", "Running", true)},
			Edges: []*graph.Edge{selects("a", "ready"), selects("b", "ready")}}}},
		{2500 * time.Millisecond, graph.Status{Type: "status", APIServer: "reconnecting", Synced: true, Denied: []string{}}},
		{3 * time.Second, graph.Delta{Type: "delta", From: 8, Seq: 9, Remove: graph.Removals{Nodes: []string{"Pod/demo/a"}, Edges: []string{selects("a", "").ID}}}},
	}
}

// writeScript writes script() to path (gzip for .gz) and ends it at 4s
// unless noEnd.
func writeScript(t *testing.T, path string, noEnd bool) {
	t.Helper()
	w, err := Create(path, Header{PodiumVersion: "test", ClusterVersion: "v1.37.2", Start: t0, Namespaces: []string{"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range script() {
		if err := w.Write(t0.Add(s.at), s.msg); err != nil {
			t.Fatal(err)
		}
	}
	if noEnd {
		// Leave the file as a crash would: flushed lines, no end line.
		if w.gz != nil {
			_ = w.gz.Flush()
		}
		_ = w.f.Close()
		return
	}
	if err := w.Close(t0.Add(4 * time.Second)); err != nil {
		t.Fatal(err)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	for _, name := range []string{"rec.jsonl", "rec.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			writeScript(t, path, false)
			raw, _ := os.ReadFile(path)
			if gz := bytes.HasPrefix(raw, []byte{0x1f, 0x8b}); gz != strings.HasSuffix(name, ".gz") {
				t.Fatalf("gzip = %v for %s", gz, name)
			}
			rec, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Truncated != "" {
				t.Errorf("whole file reported truncated: %s", rec.Truncated)
			}
			if rec.Header.Format != FormatName || rec.Header.Version != FormatVersion || rec.Header.ClusterVersion != "v1.37.2" ||
				!rec.Header.Start.Equal(t0) || !cmp.Equal(rec.Header.Namespaces, []string{"demo"}) {
				t.Errorf("header = %+v", rec.Header)
			}
			if rec.Duration != 4*time.Second {
				t.Errorf("duration = %v, want 4s (the end line)", rec.Duration)
			}
			if len(rec.Frames) != len(script()) {
				t.Fatalf("%d frames, want %d", len(rec.Frames), len(script()))
			}
			for i, s := range script() {
				if rec.Frames[i].At != s.at {
					t.Errorf("frame %d at %v, want %v", i, rec.Frames[i].At, s.at)
				}
				if rec.Frames[i].Line != i+2 {
					t.Errorf("frame %d on line %d, want %d", i, rec.Frames[i].Line, i+2)
				}
			}
			got := rec.StateAfter(len(rec.Frames) - 1).Snapshot(graph.Filter{})
			want := graph.Snapshot{Seq: 9, Nodes: []*graph.Node{deployment(2, 1), pod("b", "Running", true), service()},
				Edges: []*graph.Edge{selects("b", "ready")}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("final state (-want +got):\n%s", d)
			}
		})
	}
}

func TestCrashCutFileStaysReadable(t *testing.T) {
	for _, name := range []string{"rec.jsonl", "rec.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			writeScript(t, path, true)
			rec, err := ReadFile(path)
			if err != nil {
				t.Fatalf("a file without its end line must read: %v", err)
			}
			if len(rec.Frames) != len(script()) || rec.Duration != 3*time.Second {
				t.Errorf("%d frames, duration %v; want %d, 3s (the last frame)", len(rec.Frames), rec.Duration, len(script()))
			}
		})
	}
	t.Run("half a line", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rec.jsonl")
		writeScript(t, path, false)
		b, _ := os.ReadFile(path)
		lines := bytes.SplitAfter(b, []byte("\n"))
		// Keep 4 whole lines (header + 3 frames) and half of the 5th.
		cut := append(bytes.Join(lines[:4], nil), lines[4][:len(lines[4])/2]...)
		rec, err := Read("cut.jsonl", bytes.NewReader(cut))
		if err != nil {
			t.Fatalf("cut file: %v", err)
		}
		if len(rec.Frames) != 3 || !strings.Contains(rec.Truncated, "line 5") {
			t.Errorf("%d frames, truncated %q; want 3 frames and a note about line 5", len(rec.Frames), rec.Truncated)
		}
	})
	t.Run("gzip cut mid-stream", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rec.jsonl.gz")
		writeScript(t, path, false)
		b, _ := os.ReadFile(path)
		rec, err := Read("cut.jsonl.gz", bytes.NewReader(b[:len(b)*3/4]))
		if err != nil {
			t.Fatalf("cut gzip: %v", err)
		}
		if len(rec.Frames) == 0 || rec.Truncated == "" {
			t.Errorf("%d frames, truncated %q; want some frames and a note", len(rec.Frames), rec.Truncated)
		}
	})
}

const okHeader = `{"format":"podium-recording","version":1,"podiumVersion":"t","clusterVersion":"v","start":"2026-11-25T12:00:00Z","namespaces":[]}`
const okSnap = `{"t":0,"msg":{"type":"snapshot","epoch":"e","seq":3,"nodes":[],"edges":[]}}`

// TestMalformed holds each malformed-file case to a clear error that names
// the file, the line and the problem.
func TestMalformed(t *testing.T) {
	lines := func(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
	cases := []struct {
		name     string
		file     string
		gz       bool
		want     error
		wantLine int
		wantText string
	}{
		{"empty file", "", false, ErrNotRecording, 0, "empty file"},
		{"plain text", "hello world\n", false, ErrNotRecording, 1, "not a Podium recording"},
		{"other JSON", lines(`{"kind":"Pod"}`), false, ErrNotRecording, 1, "not a Podium recording"},
		{"a snapshot, no header", lines(okSnap), false, ErrNotRecording, 1, "not a Podium recording"},
		{"binary", "\x00\x01\x02\xff\xfe", false, ErrNotRecording, 1, "not a Podium recording"},
		{"gzip of text", "not json at all\n", true, ErrNotRecording, 1, "not a Podium recording"},
		{"newer version", lines(`{"format":"podium-recording","version":2}`, okSnap), false, ErrNewerFormat, 1, "format version 2 is newer"},
		{"version zero", lines(`{"format":"podium-recording","version":0}`), false, ErrNotRecording, 1, "version 0"},
		{"corrupt line", lines(okHeader, okSnap, `{"t":5,"msg":{"type":"delta","from":3,`, `{"t":6,"end":true}`), false, ErrCorrupt, 3, "corrupt line"},
		{"truncated line in the middle", lines(okHeader, `{"t":0,"msg":{"type":"snapsh`, okSnap), false, ErrCorrupt, 2, "corrupt line"},
		{"empty line", lines(okHeader, okSnap, ``, `{"t":6,"end":true}`), false, ErrCorrupt, 3, "empty line"},
		{"seq gap", lines(okHeader, okSnap,
			`{"t":1,"msg":{"type":"delta","from":3,"seq":4,"upsert":{"nodes":[],"edges":[]},"remove":{"nodes":["Pod/a/b"],"edges":[]}}}`,
			`{"t":2,"msg":{"type":"delta","from":6,"seq":7,"upsert":{"nodes":[],"edges":[]},"remove":{"nodes":["Pod/a/c"],"edges":[]}}}`),
			false, ErrSeqGap, 4, "does not follow seq 4"},
		{"seq does not advance", lines(okHeader, okSnap,
			`{"t":1,"msg":{"type":"delta","from":3,"seq":3,"upsert":{"nodes":[],"edges":[]},"remove":{"nodes":[],"edges":[]}}}`),
			false, ErrSeqGap, 3, "does not advance"},
		{"delta before any snapshot", lines(okHeader,
			`{"t":1,"msg":{"type":"delta","from":0,"seq":1,"upsert":{"nodes":[],"edges":[]},"remove":{"nodes":[],"edges":[]}}}`),
			false, ErrNoSnapshot, 2, "delta (seq 1) before any snapshot"},
		{"no snapshot at all", lines(okHeader, `{"t":1,"end":true}`), false, ErrNoSnapshot, 0, "no snapshot"},
		{"time goes backwards", lines(okHeader, `{"t":10,"msg":{"type":"snapshot","epoch":"e","seq":3,"nodes":[],"edges":[]}}`,
			`{"t":5,"msg":{"type":"status","apiserver":"connected","synced":true,"denied":[]}}`), false, ErrCorrupt, 3, "time goes backwards"},
		{"negative time", lines(okHeader, `{"t":-1,"msg":{"type":"snapshot","epoch":"e","seq":3,"nodes":[],"edges":[]}}`), false, ErrCorrupt, 2, "negative"},
		{"unknown message type", lines(okHeader, okSnap, `{"t":1,"msg":{"type":"hello"}}`), false, ErrCorrupt, 3, `unknown message type "hello"`},
		{"message without type", lines(okHeader, okSnap, `{"t":1,"msg":{}}`), false, ErrCorrupt, 3, `no "type"`},
		{"neither msg nor end", lines(okHeader, okSnap, `{"t":1}`), false, ErrCorrupt, 3, `neither "msg" nor "end"`},
		{"node of unknown kind", lines(okHeader, `{"t":0,"msg":{"type":"snapshot","epoch":"e","seq":3,"nodes":[{"id":"X/a","kind":"Widget"}],"edges":[]}}`),
			false, ErrCorrupt, 2, "unknown kind"},
		{"edge without id", lines(okHeader, `{"t":0,"msg":{"type":"snapshot","epoch":"e","seq":3,"nodes":[],"edges":[{"kind":"owns"}]}}`),
			false, ErrCorrupt, 2, "edge without id"},
		{"line after the end", lines(okHeader, okSnap, `{"t":1,"end":true}`, `{"t":2,"end":true}`), false, ErrCorrupt, 4, "after the end"},
		{"trailing garbage", lines(okHeader, okSnap+` {}`), false, ErrCorrupt, 2, "trailing data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(c.file)
			name := "bad.jsonl"
			if c.gz {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(data)
				zw.Close()
				data, name = buf.Bytes(), "bad.jsonl.gz"
			}
			rec, err := Read(name, bytes.NewReader(data))
			if err == nil {
				t.Fatalf("no error; read %d frames", len(rec.Frames))
			}
			if !errors.Is(err, c.want) {
				t.Errorf("error %q is not %v", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.Line != c.wantLine {
				t.Errorf("line %d, want %d (%v)", pe.Line, c.wantLine, err)
			}
			prefix := name + ":"
			if c.wantLine > 0 {
				prefix = fmt.Sprintf("%s:%d:", name, c.wantLine)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, c.wantText) {
				t.Errorf("error %q: want prefix %q and %q", msg, prefix, c.wantText)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "nope.jsonl") {
		t.Fatalf("err = %v, want one naming the file", err)
	}
}

func TestMarkers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	writeScript(t, path, false)
	rec, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range rec.Markers() {
		got = append(got, fmt.Sprintf("%d %.1fs frame %d %s: %s", m.Index, m.Time, m.Frame, m.Kind, m.Text))
	}
	want := []string{
		"0 1.0s frame 2 scaled: Deployment demo/web scaled 1 → 2",
		"1 2.0s frame 3 created: Service demo/web created (NodePort)",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("markers (-want +got):\n%s", d)
	}
}

// FuzzRead feeds the parser arbitrary bytes: it must return a recording or
// a *ParseError, never panic, and a recording it returns must replay.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, false, Header{Start: t0})
	for _, s := range script() {
		_ = w.Write(t0.Add(s.at), s.msg)
	}
	_ = w.Close(t0.Add(4 * time.Second))
	f.Add(buf.Bytes())
	f.Add([]byte(okHeader + "\n" + okSnap + "\n"))
	f.Add([]byte(okHeader + "\n" + okSnap))
	f.Add([]byte(okHeader + "\n" + `{"t":1,"msg":{"type":"delta","from":3,"seq":4,"upsert":{"nodes":[{"id":"Pod/a/b","kind":"Pod"}],"edges":[]}}}` + "\n"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(buf.Bytes())
	zw.Close()
	f.Add(gz.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Read("fuzz.jsonl", bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T (%v) is not a *ParseError", err, err)
			}
			return
		}
		if len(rec.Frames) == 0 || rec.Duration < rec.Frames[len(rec.Frames)-1].At {
			t.Fatalf("accepted a recording with %d frames and duration %v", len(rec.Frames), rec.Duration)
		}
		st := rec.StateAfter(len(rec.Frames) - 1)
		_ = st.Snapshot(graph.Filter{})
		_ = rec.Markers()
		log := graph.NewLog("e", 16)
		p, err := NewPlayer(rec, log, Options{Paused: true})
		if err != nil {
			t.Fatal(err)
		}
		if ms := p.Markers(); len(ms) > 0 {
			if err := p.SeekHappening(len(ms) - 1); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.SeekTime(rec.Duration); err != nil {
			t.Fatal(err)
		}
	})
}

const statusLine = `{"t":0,"msg":{"type":"status","apiserver":"connected","synced":true,"denied":[]}}` + "\n"

// bomb is a gzip recording: a header, a snapshot, then body repeated n
// times. Repetition compresses hundreds- to a thousandfold, which is the
// attack: a small file that decompresses to hundreds of MB.
func bomb(t testing.TB, body string, n int) []byte {
	t.Helper()
	return append(gzMember(t, okHeader+"\n"+okSnap+"\n"), gzRepeat(t, body, n)...)
}

// gzMember compresses s as one gzip member. Members concatenated are one
// valid gzip file (which readers must accept), so a bomb is built cheaply by
// compressing about 1 MiB once and repeating that member.
func gzMember(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gzRepeat is body n times, as gzip members.
func gzRepeat(t testing.TB, body string, n int) []byte {
	t.Helper()
	per := max(1, (1<<20)/len(body))
	chunk := gzMember(t, strings.Repeat(body, per))
	var out []byte
	for ; n >= per; n -= per {
		out = append(out, chunk...)
	}
	return append(out, gzMember(t, strings.Repeat(body, n))...)
}

// allocated reads data within lim and returns the error and the bytes the
// read allocated in all (runtime.MemStats.TotalAlloc). Everything allocated
// counts, garbage included, so this bounds the read's peak heap from above
// whatever the collector did meanwhile.
func allocated(t *testing.T, lim Limits, data []byte) (error, uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := lim.Read("talk.jsonl.gz", bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	return err, after.TotalAlloc - before.TotalAlloc
}

func wantLimitError(t *testing.T, err error, prefix, text string) {
	t.Helper()
	if err == nil {
		t.Fatal("the bomb was read; want a limit error")
	}
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("error %q is not ErrTooLarge", err)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T is not a *ParseError", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, text) {
		t.Errorf("error %q: want prefix %q and %q", msg, prefix, text)
	}
}

// A gzip of status lines that decompresses to 160 MB: the frame limit
// stops it at the first line past the limit, having allocated a bounded
// amount. (Before the limits, a 557 KB file like it took 566 MB.)
func TestStatusLineBombHitsTheFrameLimit(t *testing.T) {
	data := bomb(t, statusLine, 2_000_000)
	t.Logf("bomb: %d KB of gzip, %d MB of status lines", len(data)>>10, 2_000_000*len(statusLine)>>20)
	lim := Limits{MaxFrames: 10_000}
	err, alloc := allocated(t, lim, data)
	// Line 1 is the header, line 2 the snapshot (frame 1): frame 10,001 is
	// on line 10,002.
	wantLimitError(t, err, "talk.jsonl.gz:10002: ", "more than 10000 messages (--max-frames)")
	// Decoding a tiny message costs about 1.2 KB, garbage included (three
	// json.Unmarshal calls); 2 KiB each is the budget. The whole bomb would
	// take gigabytes.
	budget := uint64(lim.MaxFrames) * 2 << 10
	t.Logf("allocated %.1f MiB reading (budget %.1f MiB)", float64(alloc)/(1<<20), float64(budget)/(1<<20))
	if alloc > budget {
		t.Errorf("reading allocated %d bytes; want under %d", alloc, budget)
	}
}

// Bombs against the size limit: of small lines, the message names it; of
// 4 KB lines, reading allocates less than four times the limit.
func TestBombHitsTheSizeLimit(t *testing.T) {
	t.Run("status lines", func(t *testing.T) {
		data := bomb(t, statusLine, 2_000_000)
		lim := Limits{MaxBytes: 1 << 20}
		err, _ := allocated(t, lim, data)
		// 1 MiB holds the header, the snapshot and 12,9xx status lines.
		head := len(okHeader) + len(okSnap) + 2
		line := 2 + (1<<20-head)/len(statusLine) + 1
		wantLimitError(t, err, fmt.Sprintf("talk.jsonl.gz:%d: ", line), "recording over 1 MiB decompressed (--max-size)")
	})
	t.Run("4 KB lines", func(t *testing.T) {
		body := `{"t":0,"msg":{"type":"status","apiserver":"connected","synced":true,"denied":["` + strings.Repeat("a", 4000) + `"]}}` + "\n"
		data := bomb(t, body, 100_000)
		t.Logf("bomb: %d KB of gzip, %d MB of lines", len(data)>>10, 100_000*len(body)>>20)
		lim := Limits{MaxBytes: 8 << 20}
		err, alloc := allocated(t, lim, data)
		wantLimitError(t, err, "talk.jsonl.gz:", "recording over 8 MiB decompressed (--max-size)")
		t.Logf("allocated %.1f MiB reading (limit %.1f MiB)", float64(alloc)/(1<<20), float64(lim.MaxBytes)/(1<<20))
		if alloc > uint64(4*lim.MaxBytes) {
			t.Errorf("reading allocated %d bytes; want under 4x the %d-byte limit", alloc, lim.MaxBytes)
		}
	})
}

// Six 50 MB lines in a 300 KB gzip: the line limit stops the first one
// after reading the limit and allocating no more than it for the line.
func TestHugeLineBombHitsTheLineLimit(t *testing.T) {
	head := `{"t":0,"msg":{"type":"status","apiserver":"connected","synced":true,"denied":["`
	tail := `"]}}` + "\n"
	// Each line holds 50 MiB of "a", in 1 MiB members.
	data := gzMember(t, okHeader+"\n"+okSnap+"\n")
	fifty := gzRepeat(t, strings.Repeat("a", 1<<20), 50)
	for range 6 {
		data = append(data, gzMember(t, head)...)
		data = append(data, fifty...)
		data = append(data, gzMember(t, tail)...)
	}
	t.Logf("bomb: %d KB of gzip, 6 lines of 50 MiB", len(data)>>10)
	for _, c := range []struct {
		name string
		lim  Limits
		want string
	}{
		{"line limit", Limits{MaxLine: 1 << 20}, "line over 1 MiB (--max-line)"},
		{"odd line limit", Limits{MaxLine: 1000}, "line over 1000 bytes (--max-line)"},
		// The default line limit (64 MiB) would take the 50 MiB lines.
		{"size limit first", Limits{MaxBytes: 2 << 20}, "recording over 2 MiB decompressed (--max-size)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err, alloc := allocated(t, c.lim, data)
			wantLimitError(t, err, "talk.jsonl.gz:3: ", c.want)
			l := c.lim.withDefaults()
			bound := uint64(4 * min(int64(l.MaxLine), l.MaxBytes))
			bound += 1 << 20 // the reader's fixed buffers (gzip window, bufio)
			t.Logf("allocated %.2f MiB reading (bound %.2f MiB)", float64(alloc)/(1<<20), float64(bound)/(1<<20))
			if alloc > bound {
				t.Errorf("reading allocated %d bytes; want under %d", alloc, bound)
			}
		})
	}
}

// A header line over the limit is refused as line 1, and a file exactly at
// each limit is read.
func TestLimitsAreInclusive(t *testing.T) {
	file := okHeader + "\n" + okSnap + "\n" + statusLine + `{"t":1,"end":true}` + "\n"
	longest := len(okSnap) // the snapshot line is the longest
	if len(okHeader) > longest {
		longest = len(okHeader)
	}
	exact := Limits{MaxBytes: int64(len(file)), MaxFrames: 2, MaxLine: longest}
	rec, err := exact.Read("exact.jsonl", strings.NewReader(file))
	if err != nil {
		t.Fatalf("a file exactly at every limit: %v", err)
	}
	if len(rec.Frames) != 2 {
		t.Errorf("%d frames, want 2", len(rec.Frames))
	}
	for _, c := range []struct {
		name   string
		lim    Limits
		prefix string
		want   string
	}{
		{"one byte over the size", Limits{MaxBytes: int64(len(file)) - 1}, "exact.jsonl:4: ", "recording over"},
		{"one frame over", Limits{MaxFrames: 1}, "exact.jsonl:3: ", "more than 1 messages"},
		{"a byte over one line", Limits{MaxLine: longest - 1}, "exact.jsonl:", "line over"},
		{"header over the line limit", Limits{MaxLine: 10}, "exact.jsonl:1: ", "line over 10 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.lim.Read("exact.jsonl", strings.NewReader(file))
			wantLimitError(t, err, c.prefix, c.want)
		})
	}
	// Without a newline at the end, the last line is measured the same way.
	noNL := strings.TrimSuffix(file, "\n")
	if _, err := (Limits{MaxBytes: int64(len(noNL))}).Read("exact.jsonl", strings.NewReader(noNL)); err != nil {
		t.Errorf("a file without its last newline, exactly at the size limit: %v", err)
	}
}

// Zero fields mean the defaults, which the embedded demo and a 5,000-pod
// snapshot fit in with room.
func TestDefaultLimits(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != DefaultLimits {
		t.Errorf("zero Limits = %+v, want the defaults %+v", got, DefaultLimits)
	}
	if got := (Limits{MaxFrames: 7}).withDefaults(); got.MaxFrames != 7 || got.MaxBytes != DefaultLimits.MaxBytes {
		t.Errorf("a set field was overridden: %+v", got)
	}
	const snapshot5k = 4_700_000 // bytes of JSON for 5,000 pods (issue #11's measurement)
	if DefaultLimits.MaxLine < 10*snapshot5k || DefaultLimits.MaxBytes < 40*snapshot5k {
		t.Errorf("defaults %+v leave too little room for a 5,000-pod talk", DefaultLimits)
	}
}
