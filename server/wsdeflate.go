package server

import (
	"bufio"
	"context"
	"math"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/podiumhq/podium/informers/graph"
)

// Messages are compressed (permessage-deflate, as browsers offer it, with
// no context takeover) from deflateAbove bytes of JSON on, each once for
// every viewer (graph.Encoded.Deflated and WriteDeflatedTo), never by
// coder/websocket: with no context takeover, a message's compressed bytes
// are the same on every connection, and compressing them per connection
// was half the server's CPU with 500 viewers, and 500 viewers dialling a
// 5,000-pod graph deflated its 3.9 MB snapshot 500 times.
//
// coder/websocket has no API to send bytes compressed already (gorilla's
// PreparedMessage is one), so the server sends them as an uncompressed
// message and sets its first frame's RSV1 bit, which says "compressed", on
// the way to the socket (sharedDeflate.Write).
const deflateAbove = 512

// neverCompress is coder/websocket's compression threshold: none of its own.
const neverCompress = math.MaxInt

// sharedDeflate is a WebSocket connection's socket, as Accept hijacks it
// from the HTTP server through deflateHijacker, that can mark the next text
// frame compressed.
type sharedDeflate struct {
	net.Conn
	// deflate says the client accepted permessage-deflate.
	deflate bool
	// mark asks for RSV1 on the next text frame's header.
	mark atomic.Bool
}

// Write sends p; when a mark is set and p starts a text message's first
// frame, it sets the frame's RSV1 bit. Every write starts at a frame
// boundary: coder/websocket writes frames one at a time under its lock and
// flushes each message's last frame, and a frame header is never split
// (bufio flushes it with the start of its payload). Only the writer loop
// sends text messages; pings, pongs and closes from other goroutines are
// control frames, left alone.
func (c *sharedDeflate) Write(p []byte) (int, error) {
	const text, fin, rsv1 = 0x1, 0x80, 0x40
	if len(p) == 0 || p[0]&^fin != text || !c.mark.CompareAndSwap(true, false) {
		return c.Conn.Write(p)
	}
	// io.Writer must not modify p: the header's first byte goes in a
	// buffer of its own, in the same system call (writev).
	bufs := net.Buffers{{p[0] | rsv1}, p[1:]}
	n, err := bufs.WriteTo(c.Conn)
	return int(n), err
}

// send writes msg as one WebSocket message: one longer than streamAbove
// (a snapshot, mostly) in several frames, as it is compressed.
func (c *sharedDeflate) send(ctx context.Context, conn *websocket.Conn, msg *graph.Encoded) error {
	if msg.Len() <= streamAbove {
		return c.write(ctx, conn, msg)
	}
	return c.stream(ctx, conn, msg)
}

const streamAbove = 64 << 10

// write sends msg, of up to streamAbove bytes, as one message: compressed
// once for all when the client takes compression and it is worth it.
func (c *sharedDeflate) write(ctx context.Context, conn *websocket.Conn, msg *graph.Encoded) error {
	if c.deflate && msg.Len() >= deflateAbove {
		if z := msg.Deflated(); len(z) < msg.Len() {
			c.mark.Store(true)
			defer c.mark.Store(false) // a write that failed may have left it set
			return conn.Write(ctx, websocket.MessageText, z)
		}
	}
	return conn.Write(ctx, websocket.MessageText, msg.Bytes())
}

// stream sends msg, longer than streamAbove, in several frames as it is
// compressed (once for all) or, for a client without compression, as it
// is: the client receives and inflates its start while the rest is being
// compressed, instead of waiting for the whole (at 50,000 pods, 62 MB of
// JSON), and no joined copy of it is ever made.
func (c *sharedDeflate) stream(ctx context.Context, conn *websocket.Conn, msg *graph.Encoded) error {
	w, err := conn.Writer(ctx, websocket.MessageText)
	if err != nil {
		return err
	}
	if c.deflate {
		c.mark.Store(true)
		defer c.mark.Store(false)
		_, err = msg.WriteDeflatedTo(w)
	} else {
		_, err = msg.WriteTo(w)
	}
	if err != nil {
		return err
	}
	return w.Close()
}

// deflateHijacker hands websocket.Accept the connection as a sharedDeflate.
type deflateHijacker struct {
	http.ResponseWriter
	conn *sharedDeflate
}

func (w *deflateHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Accept has set the handshake's response headers by now.
	// Shared bytes need no context takeover on the server's side: with
	// it, the client would read each message against the ones before.
	ext := w.Header().Get("Sec-WebSocket-Extensions")
	w.conn = &sharedDeflate{Conn: nc, deflate: strings.HasPrefix(ext, "permessage-deflate") && strings.Contains(ext, "server_no_context_takeover")}
	// The server's buffered writer is empty after the handshake; a new one
	// writes through the wrapper.
	return w.conn, bufio.NewReadWriter(rw.Reader, bufio.NewWriterSize(w.conn, rw.Writer.Size())), nil
}
