package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/podiumhq/podium/informers/graph"
)

// recordedClient is a /ws client whose connection keeps what it read.
type recordedClient struct {
	conn *websocket.Conn
	rec  *recordingConn
}

func dialRecorded(t *testing.T, base string, mode websocket.CompressionMode) recordedClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var rec *recordingConn
	dialer := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		rec = &recordingConn{Conn: c}
		return rec, err
	}}}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws",
		&websocket.DialOptions{HTTPClient: hc, CompressionMode: mode})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return recordedClient{conn, rec}
}

// next reads the next message that is not a status.
func (c recordedClient) next(t *testing.T) []byte {
	t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, b, err := c.conn.Read(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(`{"type":"status"`)) {
			return b
		}
	}
}

// frames is every frame the client has read so far, but statuses'.
func (c recordedClient) frames(t *testing.T) []wsFrame {
	c.rec.mu.Lock()
	defer c.rec.mu.Unlock()
	return serverFrames(t, c.rec.got.Bytes())
}

// TestWSDeltasDeflatedOnceForAllViewers: a delta worth compressing is
// deflated once, however many viewers take compression, and each of them
// gets it as one compressed frame (RSV1) that inflates to exactly the JSON
// json.Marshal writes; a viewer without compression gets the JSON as it is,
// and a delta under deflateAbove is sent as it is to all.
func TestWSDeltasDeflatedOnceForAllViewers(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	const n = 8
	var deflating []recordedClient
	for range n {
		deflating = append(deflating, dialRecorded(t, ts.URL, websocket.CompressionNoContextTakeover))
	}
	plain := dialRecorded(t, ts.URL, websocket.CompressionDisabled)
	all := append(deflating[:n:n], plain)
	for _, c := range all {
		if got := c.next(t); !bytes.HasPrefix(got, []byte(`{"type":"snapshot"`)) {
			t.Fatalf("first message is not a snapshot: %.100s", got)
		}
	}

	before := graph.Deflations()
	var big []*graph.Node
	for i := range 6 {
		big = append(big, pod("a", fmt.Sprintf("web-7d9c5b8f4-%05d", i), "Running"))
	}
	for _, d := range []graph.Delta{upsert(big...), upsert(pod("a", "db", "Pending"))} {
		seq := l.Append(d)
		want, ok := l.Changes("ep1", seq-1, graph.NewFilter())
		if !ok {
			t.Fatal("no changes")
		}
		wantJSON, _ := json.Marshal(want)
		compressed := len(wantJSON) >= deflateAbove
		for i, c := range all {
			if got := c.next(t); !bytes.Equal(got, wantJSON) {
				t.Fatalf("viewer %d: delta differs from json.Marshal:\n got %s\nwant %s", i, got, wantJSON)
			}
			frames := c.frames(t)
			f := frames[len(frames)-1] // statuses come before their delta, if at all
			wantRSV1 := compressed && i < n
			if !f.fin || f.opcode != 1 || f.rsv1 != wantRSV1 {
				t.Errorf("viewer %d: a %d-byte delta came as frame %+v, want one text frame with RSV1 %v", i, len(wantJSON), f, wantRSV1)
			}
			if wantRSV1 && f.length >= len(wantJSON) {
				t.Errorf("viewer %d: a %d-byte delta took %d bytes compressed", i, len(wantJSON), f.length)
			}
		}
		if !compressed {
			continue
		}
		if got := graph.Deflations() - before; got != 1 {
			t.Errorf("a %d-byte delta to %d viewers taking compression was deflated %d times, want once", len(wantJSON), n, got)
		}
	}
}

// TestWSSnapshotDeflatedOnceForAllViewers: viewers dialling a big graph
// at once share one compression of its snapshot, streamed to each in
// several frames, the first compressed (RSV1), that inflate to exactly
// what json.Marshal writes; a viewer without compression gets it as it is.
func TestWSSnapshotDeflatedOnceForAllViewers(t *testing.T) {
	l, _ := podLog(3000)
	ts, _ := newTestServer(t, Config{Log: l})
	want := bigSnapshotJSON(t, l)
	before := graph.Deflations()
	const n = 6
	clients := make([]recordedClient, n+1)
	var wg sync.WaitGroup
	for i := range clients {
		mode := websocket.CompressionNoContextTakeover
		if i == n {
			mode = websocket.CompressionDisabled
		}
		clients[i] = dialRecorded(t, ts.URL, mode)
		clients[i].conn.SetReadLimit(64 << 20)
		wg.Go(func() {
			if got := clients[i].next(t); !bytes.Equal(got, want) {
				t.Errorf("viewer %d: snapshot differs from json.Marshal:\n got %.200s\nwant %.200s", i, got, want)
			}
		})
	}
	wg.Wait()
	if got := graph.Deflations() - before; got != 1 {
		t.Errorf("%d viewers taking compression had the snapshot deflated %d times, want once", n, got)
	}
	for i, c := range clients {
		frames := c.frames(t)
		wire := 0
		for _, f := range frames {
			wire += f.length
		}
		compressed := i < n
		if len(frames) < 2 || frames[0].opcode != 1 || frames[0].rsv1 != compressed || !frames[len(frames)-1].fin {
			t.Errorf("viewer %d: snapshot came in frames %+v…, want several, the first a text frame with RSV1 %v", i, frames[:min(len(frames), 3)], compressed)
		}
		if compressed && wire > len(want)/4 {
			t.Errorf("viewer %d: %d bytes of JSON took %d on the wire: not compressed", i, len(want), wire)
		}
	}
}
