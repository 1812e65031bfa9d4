package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/informers/graph"
)

// maxClientFrame is the largest message a client may send. Clients only send
// small control messages; anything bigger closes the connection.
const maxClientFrame = 4 << 10

// Keepalive defaults: a ping well inside the 60 s after which common
// proxies (ingress-nginx) cut an idle connection.
const (
	DefaultPingInterval = 30 * time.Second
	DefaultPongTimeout  = 15 * time.Second
)

// clientMessage is what a browser may send.
type clientMessage struct {
	Type string `json:"type"` // "ping"
	// ID is echoed back in the pong, for the latency readout.
	ID json.RawMessage `json:"id,omitempty"`
}

// errorMessage tells a client that something it sent was rejected.
type errorMessage struct {
	Type    string `json:"type"` // "error"
	Message string `json:"message"`
}

// ws streams the graph to one client: a snapshot (or the missing deltas when
// it resumes), then a delta each time the log changes, coalesced to whatever
// happened since the client's cursor. The client has a one-slot wake-up
// channel, never a queue: a slow client simply gets a bigger delta later, or
// a fresh snapshot when its cursor fell out of the history.
func (s *Server) ws(c echo.Context) error {
	f, _, err := s.viewFilter(c)
	if err != nil {
		return err
	}
	res, err := parseResume(c)
	if err != nil {
		return err
	}
	if err := rejectUnknown(c, "namespace", "selector", "epoch", "since", "cluster"); err != nil {
		return err
	}
	hj := &deflateHijacker{ResponseWriter: c.Response()}
	conn, err := websocket.Accept(hj, c.Request(), &websocket.AcceptOptions{
		OriginPatterns:       s.cfg.AllowedOrigins,
		CompressionMode:      websocket.CompressionNoContextTakeover,
		CompressionThreshold: neverCompress, // sharedDeflate compresses
	})
	if err != nil {
		// Accept has written the response (403 for a foreign origin).
		s.log.Debug("websocket refused", "error", err, "origin", c.Request().Header.Get("Origin"))
		return nil
	}
	s.wg.Add(1)
	defer s.wg.Done()
	conn.SetReadLimit(maxClientFrame)
	s.cfg.Metrics.clients.Inc()
	defer s.cfg.Metrics.clients.Dec()

	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	go func() {
		select {
		case <-s.closing.Done():
			conn.Close(websocket.StatusGoingAway, "server shutting down")
			cancel()
		case <-ctx.Done():
		}
	}()

	cl := &client{s: s, cluster: s.cluster(c), conn: conn, frames: hj.conn, filter: f, out: make(chan any, 1)}
	cl.watch = time.AfterFunc(time.Hour, cl.overdue)
	cl.watch.Stop()
	defer cl.watch.Stop()
	go cl.read(ctx, cancel)
	if s.cfg.PingInterval > 0 {
		go cl.keepalive(ctx, cancel)
	}
	err = cl.run(ctx, res)
	var ce websocket.CloseError
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.As(err, &ce):
		conn.Close(websocket.StatusNormalClosure, "")
	case errors.Is(err, errTooSlow):
		s.log.Info("closed a client that cannot keep up", "error", err)
		conn.Close(websocket.StatusPolicyViolation, "client too slow")
	case errors.Is(err, errClientGone):
		// A close frame could not get through: drop the connection.
		s.log.Info("dropped a client that stopped reading", "error", err)
		conn.CloseNow()
	default:
		s.log.Debug("websocket closed", "error", err)
		conn.Close(websocket.StatusInternalError, "")
	}
	return nil
}

var (
	errTooSlow    = errors.New("client too slow")
	errClientGone = errors.New("client gone")
)

type client struct {
	s       *Server
	cluster *Cluster
	conn    *websocket.Conn
	frames  *sharedDeflate // conn's socket
	filter  graph.Filter
	// out carries replies to client messages (pong, error) to the writer,
	// which owns all writes. One slot: a client flooding pings loses pongs,
	// never grows memory.
	out chan any
	// writing is when the write in flight started (sinceStart), 0 when
	// none is, or writeGone once overdue closed the connection under it. watch
	// runs overdue while a write takes long: one timer for all of a
	// client's writes, since a context and a timer of their own for each
	// write were a tenth of the writer's CPU with 500 viewers.
	writing atomic.Int64
	watch   *time.Timer
}

const writeGone = -1

// processStart is what sinceStart counts from: the monotonic clock, which
// the wall clock's jumps do not move.
var processStart = time.Now()

// sinceStart is the time since processStart, at least 1 (0 is "none").
func sinceStart() int64 { return max(1, int64(time.Since(processStart))) }

// read handles what the client sends and notices when it goes away.
func (cl *client) read(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	for {
		typ, data, err := cl.conn.Read(ctx)
		if err != nil {
			return // closed, too big (the library closes with 1009), or ctx done
		}
		reply := replyTo(typ, data)
		select {
		case cl.out <- reply:
		default:
		}
	}
}

// keepalive pings the client every PingInterval, so the connection is
// never idle, and drops it when a pong does not come back within
// PongTimeout: the peer is dead or stopped reading. The pong is read by
// read, which always runs.
func (cl *client) keepalive(ctx context.Context, cancel context.CancelFunc) {
	t := time.NewTicker(cl.s.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, pcancel := context.WithTimeout(ctx, cl.s.cfg.PongTimeout)
		err := cl.conn.Ping(pctx)
		timedOut := pctx.Err() != nil && ctx.Err() == nil
		pcancel()
		if timedOut {
			cl.s.log.Info("dropped a client that did not answer a ping", "timeout", cl.s.cfg.PongTimeout)
			// No close frame: a peer that does not answer pings would not
			// take it either.
			cl.conn.CloseNow()
			cancel()
			return
		}
		if err != nil {
			return // the connection is closing anyway
		}
	}
}

// replyTo answers one client message: a pong, or an error naming what is
// wrong with it.
func replyTo(typ websocket.MessageType, data []byte) any {
	var m clientMessage
	switch {
	case typ != websocket.MessageText:
		return errorMessage{"error", "binary messages are not accepted; send JSON text"}
	case json.Unmarshal(data, &m) != nil:
		return errorMessage{"error", "message is not valid JSON"}
	case m.Type == "ping":
		return pong{"pong", m.ID, time.Now().UnixMilli()}
	default:
		return errorMessage{"error", fmt.Sprintf("unknown message type %q; the only one is \"ping\"", truncate(m.Type, 40))}
	}
}

type pong struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id,omitempty"`
	Time int64           `json:"time"`
}

// run is the client's writer loop: it sends what its cursor on the log
// says, then waits for the log's next wake-up or a reply to send.
func (cl *client) run(ctx context.Context, res resume) error {
	l := cl.cluster.Log
	wake, unsubscribe := l.Subscribe()
	defer unsubscribe()

	enc := l.Encoder()
	cur := graph.NewCursor(l, cl.filter, cl.cluster.Status)
	var pace pacer
	if !res.ok || !cur.Resume(res.epoch, res.since) {
		if err := cl.firstSnapshot(ctx, cur, enc); err != nil {
			return err
		}
		pace.sent(time.Now())
	}
	for {
		for {
			// Under real load, wait out the frame: the cursor then merges
			// what arrived meanwhile into the next delta.
			if d := pace.delay(time.Now()); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
			m, ok := cur.Next()
			if !ok {
				break
			}
			if m.Gap {
				cl.s.cfg.Metrics.forcedSnapshot.Inc()
			}
			if err := cl.deliver(ctx, enc, m, false); err != nil {
				return err
			}
			pace.sent(time.Now())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case reply := <-cl.out:
			b, err := json.Marshal(reply)
			if err != nil {
				return err
			}
			if err := cl.write(ctx, "reply", graph.NewEncoded(b), 0, false); err != nil {
				return err
			}
		}
	}
}

// firstSnapshot sends a new client its snapshot, which waits for its turn
// before it is even built: 500 viewers dialling a 5,000-pod graph while it
// changed each held a snapshot of their own (about 1 MB of edges each)
// while they waited to be written.
func (cl *client) firstSnapshot(ctx context.Context, cur *graph.Cursor, enc *graph.Encoder) error {
	release, err := cl.s.streamingTurn(ctx)
	if err != nil {
		return err
	}
	defer release()
	m, _ := cur.Next() // a cursor not resumed starts with a snapshot
	return cl.deliver(ctx, enc, m, true)
}

// deliver encodes m, shared with every client at the same point with the
// same filter (encoded once), and writes it; hasTurn says the caller holds
// a streaming turn already.
func (cl *client) deliver(ctx context.Context, enc *graph.Encoder, m graph.Message, hasTurn bool) error {
	var eventMillis int64
	if m.Delta != nil {
		eventMillis = m.Delta.Time
	}
	msg, err := enc.EncodeMessage(m, cl.filter)
	if err != nil {
		return err
	}
	return cl.write(ctx, m.Type(), msg, eventMillis, hasTurn)
}

// write sends one encoded JSON message, which may be shared: it is only
// read. eventMillis, when set, is the receive time of the oldest API event
// in the message, for the latency histogram.
//
// A message the client has not taken within WriteTimeout makes it too slow
// (errTooSlow), but the write is not cut short: a frame cut off halfway
// leaves no way to send the close frame that tells the client why. It gets
// as long again to finish; a client that has not taken it by then is gone,
// and is dropped without a close frame (overdue).
func (cl *client) write(ctx context.Context, kind string, msg *graph.Encoded, eventMillis int64, hasTurn bool) error {
	if msg.Len() > streamAbove && !hasTurn {
		release, err := cl.s.streamingTurn(ctx)
		if err != nil {
			return err
		}
		defer release()
	}
	timeout := cl.s.cfg.WriteTimeout
	started := sinceStart()
	cl.writing.Store(started)
	cl.watch.Reset(timeout)
	// coder/websocket ties each frame to a context that can end (a
	// context.AfterFunc per frame); this one cannot, so it skips that. The
	// watch bounds the write instead, and shutdown closes the connection.
	err := cl.frames.send(context.WithoutCancel(ctx), cl.conn, msg)
	cl.watch.Stop()
	// Not ctx.Err(): closing the connection ends the client's read, which
	// may cancel ctx before this line.
	if cl.writing.Swap(0) == writeGone {
		return fmt.Errorf("%w: a message not taken in %s", errClientGone, 2*timeout)
	}
	if err != nil {
		return err
	}
	m := cl.s.cfg.Metrics
	m.sent(kind)
	m.bytes.Add(float64(msg.Len()))
	if eventMillis > 0 {
		m.latency.Observe(time.Since(time.UnixMilli(eventMillis)).Seconds())
	}
	if took := time.Duration(sinceStart() - started); took > timeout {
		return fmt.Errorf("%w: a message took %s, more than %s", errTooSlow, took.Round(time.Millisecond), timeout)
	}
	return nil
}

// overdue runs when a write has taken WriteTimeout: it says the client is
// judged too slow, and when the write has taken twice that, closes the
// connection under it. A run left over from an earlier write (the timer
// fired as that write ended) finds the write it sees younger than the
// timeout, and does nothing.
func (cl *client) overdue() {
	timeout := cl.s.cfg.WriteTimeout
	started := cl.writing.Load()
	if started <= 0 {
		return
	}
	took := time.Duration(sinceStart() - started)
	switch {
	case took < timeout:
	case took < 2*timeout:
		cl.s.log.Info("closing a client that cannot keep up, once it takes the message in flight", "timeout", timeout)
		cl.watch.Reset(2*timeout - took)
	case cl.writing.CompareAndSwap(started, writeGone):
		cl.conn.CloseNow()
	}
}

// streamingTurn waits for one of the maxStreaming turns to write a big
// message (a snapshot), and returns its release.
func (s *Server) streamingTurn(ctx context.Context) (release func(), err error) {
	waiting := s.cfg.Metrics.waiting
	waiting.Inc()
	defer waiting.Dec()
	select {
	case s.streaming <- struct{}{}:
		return func() { <-s.streaming }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
