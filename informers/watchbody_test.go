package informers

import (
	"bytes"
	"cmp"
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
	direct := sent(plain, "/api/v1/pods?watch=true&sendInitialEvents=true")
	chunked := sent(readWatchesInChunks(plain), "/api/v1/pods?watch=true&sendInitialEvents=true")
	t.Logf("while reading 3.75 MB the client sent %d bytes read directly, %d read in chunks", direct, chunked)
	if chunked*4 > direct {
		t.Errorf("read in chunks, the client sent %d bytes of flow control; read directly, %d: want at most a quarter", chunked, direct)
	}
	// A list is read whole by client-go anyway, and a plain watch starts
	// idle: both are left alone.
	for _, path := range []string{"/api/v1/pods", "/api/v1/pods?watch=true&resourceVersion=1"} {
		if as := sent(readWatchesInChunks(plain), path); as*4 < direct {
			t.Errorf("%s sent %d bytes of flow control, want it read as before (%d)", path, as, direct)
		}
	}
}

// TestChunkedBodyReadsInChunksUntilCaughtUp: while a list streams in, the
// body asks for whole chunks and hands out what each brought; once a read
// brings a lone event, it reads as asked, so that an idle watch waits with
// no chunk held.
func TestChunkedBodyReadsInChunksUntilCaughtUp(t *testing.T) {
	list := bytes.Repeat([]byte("p"), 40<<10) // one read's worth of a list streaming in
	event := []byte("one event")
	r := &scriptedReads{reads: [][]byte{list, event}, asked: make(chan int, 8)}
	b := &chunkedBody{ReadCloser: io.NopCloser(r)}
	p := make([]byte, 3<<10)
	var got []byte
	for len(got) < len(list)+len(event) {
		n, err := b.Read(p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p[:n]...)
	}
	if want := append(append([]byte{}, list...), event...); !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes that differ from the %d sent", len(got), len(want))
	}
	if a1, a2 := <-r.asked, <-r.asked; a1 != watchReads || a2 != watchReads {
		t.Errorf("the list and the event were asked for with %d and %d bytes, want chunks of %d", a1, a2, watchReads)
	}
	if b.chunk != nil {
		t.Error("a drained body still holds its chunk")
	}
	// The next read waits for an event: it asks as the decoder asked.
	if _, err := b.Read(p); err != io.EOF {
		t.Fatalf("read after the script: %v, want EOF", err)
	}
	if a := <-r.asked; a != len(p) {
		t.Errorf("caught up, a read asked for %d bytes, want the decoder's %d", a, len(p))
	}
}

// TestChunkedBodyHandsOnWhatArrived: a read returns what has arrived
// without waiting for a chunk's worth, and an error comes after the bytes
// read with it.
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

	eb := &chunkedBody{ReadCloser: io.NopCloser(&scriptedReads{reads: [][]byte{[]byte("tail")}, last: io.ErrUnexpectedEOF})}
	all, err := io.ReadAll(eb)
	if string(all) != "tail" || err != io.ErrUnexpectedEOF {
		t.Errorf("read %q, %v; want %q, %v", all, err, "tail", io.ErrUnexpectedEOF)
	}
}

// scriptedReads returns its reads one per call, the last with last (EOF
// when nil), and tells asked how much each call asked for.
type scriptedReads struct {
	reads [][]byte
	last  error
	asked chan int
}

func (r *scriptedReads) Read(p []byte) (int, error) {
	if r.asked != nil {
		r.asked <- len(p)
	}
	if len(r.reads) == 0 {
		return 0, cmp.Or(r.last, io.EOF)
	}
	n := copy(p, r.reads[0])
	r.reads[0] = r.reads[0][n:]
	if len(r.reads[0]) > 0 {
		return n, nil
	}
	r.reads = r.reads[1:]
	if len(r.reads) == 0 && r.last != nil {
		return n, r.last
	}
	return n, nil
}
