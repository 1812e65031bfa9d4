package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/podiumhq/podium/informers/graph"
)

// recordingConn keeps every byte read from the connection.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.got.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

// wsFrame is the header of one frame the server sent.
type wsFrame struct {
	fin, rsv1 bool
	opcode    byte
	length    int
}

// serverFrames parses the frames in what a client read after the
// handshake's response (server frames are not masked).
func serverFrames(t *testing.T, raw []byte) []wsFrame {
	t.Helper()
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatal("no handshake response")
	}
	raw = raw[i+4:]
	var out []wsFrame
	for len(raw) >= 2 {
		f := wsFrame{fin: raw[0]&0x80 != 0, rsv1: raw[0]&0x40 != 0, opcode: raw[0] & 0x0f}
		n, h := int(raw[1]&0x7f), 2
		switch n {
		case 126:
			n, h = int(binary.BigEndian.Uint16(raw[2:])), 4
		case 127:
			n, h = int(binary.BigEndian.Uint64(raw[2:])), 10
		}
		if len(raw) < h+n {
			break
		}
		f.length = n
		out = append(out, f)
		raw = raw[h+n:]
	}
	return out
}

// TestWSStreamsBigSnapshot: a snapshot over streamAbove leaves as it is
// compressed, in several frames, the first one compressed (RSV1), so the
// client inflates its start while the rest is compressed; the message read
// whole is the snapshot exactly as json.Marshal writes it, and /api/graph
// is the same without "type".
func TestWSStreamsBigSnapshot(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	var nodes []*graph.Node
	for i := range 3000 {
		n := pod("a", fmt.Sprintf("web-7d9c5b8f4-%05d", i), "Running")
		n.UID = fmt.Sprintf("baaefb71-2fa8-4870-ab46-%012d", i)
		nodes = append(nodes, n)
	}
	l.Append(upsert(nodes...))

	c := dialRecorded(t, ts.URL, websocket.CompressionNoContextTakeover)
	c.conn.SetReadLimit(64 << 20)
	msg := c.next(t)

	want := bigSnapshotJSON(t, l)
	if !bytes.Equal(msg, want) {
		t.Fatalf("streamed snapshot differs from json.Marshal:\n got %.300s\nwant %.300s", msg, want)
	}

	var first []wsFrame // the first message's frames
	for _, f := range c.frames(t) {
		first = append(first, f)
		if f.fin {
			break
		}
	}
	if len(first) < 2 || !first[len(first)-1].fin {
		t.Fatalf("snapshot of %d bytes came in %d frame(s) %+v, want several (streamed as compressed)", len(want), len(first), first)
	}
	if f := first[0]; f.opcode != 1 || !f.rsv1 {
		t.Errorf("first frame %+v, want a text frame marked compressed (RSV1)", f)
	}
	wire := 0
	for _, f := range first {
		wire += f.length
	}
	if wire > len(want)/4 {
		t.Errorf("%d bytes of JSON took %d on the wire: not compressed", len(want), wire)
	}

	// Uncompressed, as a client that does not offer gzip gets it
	// (graphjson_test.go has the gzipped one).
	resp, body := rawGraph(t, context.Background(), ts.URL, "")
	api := l.Snapshot(graph.NewFilter())
	wantAPI, _ := json.Marshal(api)
	if got := string(body); got != string(wantAPI)+"\n" || resp.Header.Get("Content-Length") != fmt.Sprint(len(body)) ||
		resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("/api/graph: %d bytes (Content-Length %s, %s), want json.Marshal's %d and a newline",
			len(body), resp.Header.Get("Content-Length"), resp.Header.Get("Content-Type"), len(wantAPI))
	}
}

// TestWSSnapshotsTakeTurns: at most maxStreaming snapshots are built and
// written at once (each holds its edges' JSON, and a compressor while its
// client reads megabytes); a client beyond them waits for a turn before
// its snapshot is built, and then gets it whole.
func TestWSSnapshotsTakeTurns(t *testing.T) {
	l, nodes := podLog(3000)
	m := NewMetrics()
	s := New(Config{Log: l, Metrics: m})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	takeEveryTurn(s)
	c := dial(t, ts, "")
	waitForWaiting(t, m, 1)
	if n := l.Encoder().Encodings(); n != 0 {
		t.Errorf("a client waiting for its turn had its snapshot encoded already (%d encodings): each waiting client would hold one", n)
	}
	<-s.streaming // one turn free
	if got := c.nextOf("snapshot"); len(nodeIDs(got["nodes"])) != len(nodes) {
		t.Errorf("the snapshot after the wait has %d nodes, want %d", len(nodeIDs(got["nodes"])), len(nodes))
	}
	if w := testutil.ToFloat64(m.waiting); w != 0 {
		t.Errorf("%v clients still wait", w)
	}
}

// bigSnapshotJSON is the /ws snapshot of all of l as json.Marshal writes
// it, which must be over streamAbove.
func bigSnapshotJSON(t *testing.T, l *graph.Log) []byte {
	t.Helper()
	m, _ := graph.NewCursor(l, graph.NewFilter(), nil).Next()
	want, err := json.Marshal(m.Value())
	if err != nil {
		t.Fatal(err)
	}
	if len(want) <= streamAbove {
		t.Fatalf("setup: a %d-byte snapshot is not over streamAbove (%d)", len(want), streamAbove)
	}
	return want
}

// podLog is a log holding n Running pods in namespace a, and the pods.
func podLog(n int) (*graph.Log, []*graph.Node) {
	l := graph.NewLog("ep1", 16)
	var nodes []*graph.Node
	for i := range n {
		nodes = append(nodes, pod("a", fmt.Sprintf("web-7d9c5b8f4-%05d", i), "Running"))
	}
	l.Append(upsert(nodes...))
	return l, nodes
}

// takeEveryTurn takes all of s's streaming turns; the test frees them by
// receiving from s.streaming.
func takeEveryTurn(s *Server) {
	for range maxStreaming {
		s.streaming <- struct{}{}
	}
}

// waitForWaiting polls the gauge of requests waiting for a streaming turn
// until it reads n, for at most 10 seconds.
func waitForWaiting(t *testing.T, m *Metrics, n float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(m.waiting) != n {
		if time.Now().After(deadline) {
			t.Fatalf("with every turn taken, %v wait for theirs, want %v", testutil.ToFloat64(m.waiting), n)
		}
		time.Sleep(5 * time.Millisecond) // polling the gauge, with a deadline
	}
}
