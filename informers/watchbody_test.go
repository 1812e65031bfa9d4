package informers

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the bytes its connections read: what the client
// sent the server.
type countingListener struct {
	net.Listener
	read *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return countingConn{c, l.read}, err
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// TestWatchBodiesReadInChunks streams 3.75 MB over HTTP/2 as a watch does
// (3 KB objects) and reads it as a watch decoder does, 3 KB at a time, once
// it has all arrived (as when the API server sends a first list faster than
// it is decoded): read in chunks, the client sends the server a small
// fraction of the flow control updates it sends without.
func TestWatchBodiesReadInChunks(t *testing.T) {
	// Within the 4 MB a Go client lets a stream send before it reads.
	const object, objects = 3 << 10, 1280
	payload := bytes.Repeat([]byte("0123456789abcdef"), object*objects/16)
	written := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(payload); i += object {
			if _, err := w.Write(payload[i : i+object]); err != nil {
				return
			}
		}
		w.(http.Flusher).Flush()
		written <- struct{}{}
	}))
	var read atomic.Int64
	srv.Listener = countingListener{srv.Listener, &read}
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	// sent is what the client sends the server while it reads the body of
	// a GET of path through rt.
	sent := func(rt http.RoundTripper, path string) int64 {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("the test server speaks %s, want HTTP/2", resp.Proto)
		}
		select {
		case <-written:
		case <-time.After(time.Minute):
			t.Fatal("the server did not write its body in a minute")
		}
		before := read.Load()
		var got bytes.Buffer
		buf := make([]byte, object)
		for {
			n, err := io.ReadFull(resp.Body, buf)
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got.Bytes(), payload) {
			t.Fatalf("%s: read %d bytes that differ from the %d sent", path, got.Len(), len(payload))
		}
		return read.Load() - before
	}
	plain := srv.Client().Transport
	direct := sent(plain, "/api/v1/pods?watch=true")
	chunked := sent(readWatchesInChunks(plain), "/api/v1/pods?watch=true")
	t.Logf("while reading 3.75 MB the client sent %d bytes read directly, %d read in chunks", direct, chunked)
	if chunked*4 > direct {
		t.Errorf("read in chunks, the client sent %d bytes of flow control; read directly, %d: want at most a quarter", chunked, direct)
	}
	// A list is read whole by client-go anyway, and is left alone.
	if listed := sent(readWatchesInChunks(plain), "/api/v1/pods"); listed*4 < direct {
		t.Errorf("a list sent %d bytes of flow control, want it read as before (%d)", listed, direct)
	}
}

// TestChunkedBodyHandsOnWhatArrived: a read returns what has arrived
// without waiting for a chunk's worth, an error comes after the bytes read
// with it, and a drained body holds no chunk.
func TestChunkedBodyHandsOnWhatArrived(t *testing.T) {
	pr, pw := io.Pipe()
	b := &chunkedBody{ReadCloser: pr}
	go func() { _, _ = pw.Write([]byte("event-1")) }()
	got := make(chan string, 1)
	go func() {
		p := make([]byte, 4)
		n, _ := b.Read(p)
		first := string(p[:n])
		m, _ := b.Read(p)
		got <- first + "|" + string(p[:m])
	}()
	select {
	case s := <-got:
		// "even" then "t-1": the second read comes from the chunk.
		if s != "even|t-1" {
			t.Errorf("read %q, want %q", s, "even|t-1")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a read waited for more than had arrived")
	}
	if b.chunk != nil {
		t.Error("a drained body still holds its chunk")
	}

	eb := &chunkedBody{ReadCloser: io.NopCloser(&lastRead{data: []byte("tail"), err: io.ErrUnexpectedEOF})}
	all, err := io.ReadAll(eb)
	if string(all) != "tail" || err != io.ErrUnexpectedEOF {
		t.Errorf("read %q, %v; want %q, %v", all, err, "tail", io.ErrUnexpectedEOF)
	}
}

// lastRead returns its data and its error in one read, as a body may.
type lastRead struct {
	data []byte
	err  error
}

func (r *lastRead) Read(p []byte) (int, error) {
	if r.data == nil {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = nil
	return n, r.err
}
