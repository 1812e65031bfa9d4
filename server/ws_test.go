package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	dto "github.com/prometheus/client_model/go"

	"github.com/podiumhq/podium/informers/graph"
)

// TestWSClientsShareOneSnapshotEncoding: clients of the same filter
// connecting at once cause one encoding of the snapshot, and each gets the
// bytes json.Marshal would write.
func TestWSClientsShareOneSnapshotEncoding(t *testing.T) {
	l := graph.NewLog("ep1", 16)
	var nodes []*graph.Node
	for i := range 300 {
		nodes = append(nodes, pod("a", fmt.Sprintf("p%03d", i), "Running"), pod("b", fmt.Sprintf("q%03d", i), "Pending"))
	}
	l.Append(upsert(nodes...))
	ts, _ := newTestServer(t, Config{Log: l, Status: func() graph.Status { return graph.Status{Synced: true} }})
	snap := l.Snapshot(graph.NewFilter("a"))
	snap.Type = "snapshot"
	want, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	before := l.Encoder().Encodings()

	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws?namespace=a", nil)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.CloseNow()
			conn.SetReadLimit(64 << 20)
			_, got, err := conn.Read(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(got, want) {
				t.Errorf("snapshot differs from json.Marshal:\n got %.300s\nwant %.300s", got, want)
			}
		}()
	}
	wg.Wait()
	if got := l.Encoder().Encodings() - before; got != 1 {
		t.Errorf("%d clients caused %d snapshot encodings, want 1", n, got)
	}
}

// TestWSDeltasMatchMarshal: deltas sent to clients of different filters,
// shared through the encoder, are the bytes json.Marshal writes.
func TestWSDeltasMatchMarshal(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	all, onlyA := dial(t, ts, ""), dial(t, ts, "?namespace=a")
	all.nextOf("snapshot")
	onlyA.nextOf("snapshot")
	l.Append(upsert(pod("a", "web", "Running<&>"), pod("b", "db", "Pending")))
	for _, tc := range []struct {
		c    *wsClient
		f    graph.Filter
		name string
	}{{all, graph.NewFilter(), "all"}, {onlyA, graph.NewFilter("a"), "a"}} {
		d, ok := l.Changes("ep1", 0, tc.f)
		if !ok {
			t.Fatal("no changes")
		}
		want, _ := json.Marshal(d)
		got := tc.c.rawOf("delta")
		if !bytes.Equal(got, want) {
			t.Errorf("%s: delta differs from json.Marshal:\n got %s\nwant %s", tc.name, got, want)
		}
	}
}

// rawOf returns the next message of type typ as sent, skipping statuses.
func (c *wsClient) rawOf(typ string) []byte {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, b, err := c.conn.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		var m struct{ Type string }
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("message is not JSON: %v: %s", err, b)
		}
		if m.Type == typ {
			return b
		}
		if m.Type != "status" {
			c.t.Fatalf("got %s message, want %s: %s", m.Type, typ, b)
		}
	}
}

func clientsGauge(t *testing.T, m *Metrics) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.clients.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetGauge().GetValue()
}

// TestWSKeepaliveHealthyClient: a client that reads is pinged every
// interval and stays connected across many of them.
func TestWSKeepaliveHealthyClient(t *testing.T) {
	ts, _ := newTestServer(t, Config{PingInterval: 20 * time.Millisecond, PongTimeout: 2 * time.Second})
	var pings atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", &websocket.DialOptions{
		OnPingReceived: func(context.Context, []byte) bool { pings.Add(1); return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	msgs := make(chan []byte, 16)
	readErr := make(chan error, 1)
	go func() {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				readErr <- err
				return
			}
			msgs <- b
		}
	}()
	for pings.Load() < 8 {
		select {
		case err := <-readErr:
			t.Fatalf("healthy client closed after %d pings: %v", pings.Load(), err)
		case <-ctx.Done():
			t.Fatalf("only %d pings in 10s at a 20ms interval", pings.Load())
		case <-msgs:
		case <-time.After(5 * time.Millisecond):
		}
	}
	// Still connected: the app-level ping is answered.
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"ping","id":7}`)); err != nil {
		t.Fatalf("write after %d pings: %v", pings.Load(), err)
	}
	for {
		select {
		case err := <-readErr:
			t.Fatalf("healthy client closed: %v", err)
		case b := <-msgs:
			if bytes.Contains(b, []byte(`"pong"`)) {
				return
			}
		case <-ctx.Done():
			t.Fatal("no pong")
		}
	}
}

// TestWSKeepaliveDropsDeadPeer: a client that stops reading never answers
// the ping, and is dropped within the pong timeout.
func TestWSKeepaliveDropsDeadPeer(t *testing.T) {
	metrics := NewMetrics()
	const interval, timeout = 20 * time.Millisecond, 200 * time.Millisecond
	ts, _ := newTestServer(t, Config{PingInterval: interval, PongTimeout: timeout, Metrics: metrics})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	// Never Read: the library answers pings only while reading.
	start := time.Now()
	for clientsGauge(t, metrics) != 1 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("client never counted as connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for clientsGauge(t, metrics) != 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("a peer that does not answer pings is still connected after %s (pong timeout %s)", time.Since(start), timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if took := time.Since(start); took > interval+timeout+time.Second {
		t.Errorf("dead peer dropped after %s, want within about %s", took, interval+timeout)
	}
	// The connection is gone, not just uncounted.
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatal("connection still open")
			}
			return
		}
	}
}

func TestWSKeepaliveDefaults(t *testing.T) {
	s := New(Config{Log: graph.NewLog("e", 1)})
	if s.cfg.PingInterval != 30*time.Second || s.cfg.PongTimeout != 15*time.Second {
		t.Errorf("defaults: ping every %s, pong timeout %s; want 30s, 15s", s.cfg.PingInterval, s.cfg.PongTimeout)
	}
}
