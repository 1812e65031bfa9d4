package server

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/podiumhq/podium/informers/graph"
)

// Messages are compressed (permessage-deflate, as browsers offer it, with
// no context takeover) from deflateAbove bytes of JSON on. Below
// deflateOnceBelow, the message is deflated once and the same bytes go to
// every viewer (graph.Encoded.Deflated); from there on, coder/websocket
// deflates it for each connection as it streams it, which only snapshots
// and the biggest deltas reach.
//
// With no context takeover, a message's compressed bytes are the same on
// every connection. coder/websocket has no API to send them (gorilla's
// PreparedMessage is one), so the server sends them as an uncompressed
// message and sets the frame's RSV1 bit, which says "compressed", on its
// way to the socket (sharedDeflate). Deflating each delta per connection
// was half the server's CPU with 500 viewers.
const (
	deflateAbove     = 512
	deflateOnceBelow = 32 << 10
)

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

// Write sends p; when a mark is set and p starts a text frame, it sets the
// frame's RSV1 bit. Every write starts at a frame boundary: coder/websocket
// writes frames one at a time under its lock and flushes each message's
// last frame, and a frame header is never split (bufio flushes it with the
// start of its payload). Only the writer loop sends text frames; pings,
// pongs and closes from other goroutines are control frames, left alone.
func (c *sharedDeflate) Write(p []byte) (int, error) {
	const finText = 0x81 // FIN, no RSV bits, opcode text
	if len(p) == 0 || p[0] != finText || !c.mark.CompareAndSwap(true, false) {
		return c.Conn.Write(p)
	}
	// io.Writer must not modify p: the header's first byte goes in a
	// buffer of its own, in the same system call (writev).
	bufs := net.Buffers{{finText | 0x40}, p[1:]}
	n, err := bufs.WriteTo(c.Conn)
	return int(n), err
}

// send writes msg as one message of up to deflateOnceBelow bytes:
// deflated once for every viewer when the client takes compression and it
// is worth it, else as it is (coder/websocket compresses nothing this
// small: its threshold is deflateOnceBelow).
func (c *sharedDeflate) send(ctx context.Context, conn *websocket.Conn, msg *graph.Encoded) error {
	if c.deflate && msg.Len() >= deflateAbove {
		// RFC 7692 §7.2.1: the sync flush's empty block (00 00 ff ff) is
		// left off; the client puts it back.
		if z := msg.Deflated(); len(z)-4 < msg.Len() {
			c.mark.Store(true)
			err := conn.Write(ctx, websocket.MessageText, z[:len(z)-4])
			c.mark.Store(false) // a write that failed may have left it set
			return err
		}
	}
	return conn.Write(ctx, websocket.MessageText, msg.Bytes())
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
