//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
)

// rawViewer is a WebSocket viewer that takes each frame off the socket and
// counts whole messages, without inflating or decoding them: what a remote
// browser's network stack does before its page sees anything. The load
// viewers of a benchmark are rawViewers so that, on this machine's two
// cores, the CPU measured beside Podium's is not 500 inflaters and JSON
// decoders, which on a wall run on the viewers' own machines. Podium's side
// is the same as for a browser: the viewer offers permessage-deflate, so
// it is sent the compressed frames a browser is sent.
type rawViewer struct {
	conn net.Conn
	br   *bufio.Reader
}

// wsClosed is the close frame's status code a server ended a connection
// with.
type wsClosed uint16

func (c wsClosed) Error() string {
	return fmt.Sprintf("closed by the server with status %d", uint16(c))
}

// dialRawViewer does the WebSocket handshake with rawURL (ws://host/path?q)
// as a browser would, offering permessage-deflate without context
// takeover. The connection closes when ctx ends.
func dialRawViewer(ctx context.Context, rawURL string) (*rawViewer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(err error) (*rawViewer, error) {
		stop()
		conn.Close()
		return nil, err
	}
	key := make([]byte, 16)
	rand.Read(key)
	u.Scheme = "http"
	req := &http.Request{Method: http.MethodGet, URL: u, Host: u.Host, Header: http.Header{
		"Upgrade":                  {"websocket"},
		"Connection":               {"Upgrade"},
		"Sec-Websocket-Key":        {base64.StdEncoding.EncodeToString(key)},
		"Sec-Websocket-Version":    {"13"},
		"Sec-Websocket-Extensions": {"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
	}}
	if err := req.Write(conn); err != nil {
		return fail(err)
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fail(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fail(fmt.Errorf("handshake: %s", resp.Status))
	}
	return &rawViewer{conn: conn, br: br}, nil
}

// read reads frames until the connection ends, calling onMessage after
// each whole data message and answering pings. It returns a wsClosed when
// the server closed with a status, or the read's error.
func (v *rawViewer) read(onMessage func()) error {
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(v.br, hdr[:2]); err != nil {
			return err
		}
		fin, op, masked := hdr[0]&0x80 != 0, hdr[0]&0x0f, hdr[1]&0x80 != 0
		n := uint64(hdr[1] & 0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(v.br, hdr[:2]); err != nil {
				return err
			}
			n = uint64(binary.BigEndian.Uint16(hdr[:2]))
		case 127:
			if _, err := io.ReadFull(v.br, hdr[:8]); err != nil {
				return err
			}
			n = binary.BigEndian.Uint64(hdr[:8])
		}
		if masked {
			return fmt.Errorf("a masked frame from the server")
		}
		if op < 0x8 { // text, binary or continuation: only counted
			if _, err := v.br.Discard(int(n)); err != nil {
				return err
			}
			if fin {
				onMessage()
			}
			continue
		}
		// A control frame's payload is at most 125 bytes.
		if n > 125 {
			return fmt.Errorf("a control frame of %d bytes", n)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(v.br, payload); err != nil {
			return err
		}
		switch op {
		case 0x8:
			if n < 2 {
				return wsClosed(1005) // no status received
			}
			return wsClosed(binary.BigEndian.Uint16(payload))
		case 0x9:
			if err := v.pong(payload); err != nil {
				return err
			}
		}
	}
}

// pong answers a ping with its payload, masked as a client's frames are.
func (v *rawViewer) pong(payload []byte) error {
	frame := make([]byte, 0, 6+len(payload))
	frame = append(frame, 0x80|0xA, 0x80|byte(len(payload)))
	var mask [4]byte
	rand.Read(mask[:])
	frame = append(frame, mask[:]...)
	for i, c := range payload {
		frame = append(frame, c^mask[i%4])
	}
	_, err := v.conn.Write(frame)
	return err
}

// Close closes the connection.
func (v *rawViewer) Close() error { return v.conn.Close() }
