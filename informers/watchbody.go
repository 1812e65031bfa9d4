package informers

import (
	"io"
	"net/http"
	"sync"
)

// watchReads is how much a watch's body is read at once while its list
// streams in.
const watchReads = 64 << 10

// caughtUpBelow: a read of a list streaming in that brings less has caught
// up with the API server. While a list streams, a reader that waits gets at
// least a whole HTTP/2 DATA frame when it wakes (16 KiB, as the API server
// writes them); an event alone is a few KB (a pod's is about 3).
const caughtUpBelow = 8 << 10

// chunks are the read buffers of watch bodies with unread bytes.
var chunks = sync.Pool{New: func() any { b := make([]byte, watchReads); return &b }}

// readWatchesInChunks makes rt's watch-list responses (a watch that starts
// with the list) read in chunks of up to watchReads while their list
// streams in.
//
// Why: a watch's decoder reads one object at a time (a pod is about 3 KB
// of protobuf), and Go's HTTP/2 client sends the server a WINDOW_UPDATE, a
// write on the connection, each time 4 KB more have been read. An
// uncompressed 50,000-pod first list was about 30,000 of those writes: a
// tenth of Podium's CPU in its start (a profile of it), with as many reads
// and TLS records for the API server. Read in chunks, each read takes what
// has arrived, up to watchReads, and the update goes out for all of it at
// once. A read returns what is there and never waits to fill a chunk, so
// no event waits. Watch-lists come gzipped now (uncompressedWatch), and the
// gzip reader reads the body 4 KB of compressed data at a time whatever is
// asked of it: this matters for a list that comes uncompressed
// (--disable-compression, or an API server that does not compress).
//
// Only while the list streams: a read that waits for the next event holds
// its chunk meanwhile, and an idle watch would hold one for good (64 KiB
// for each of Podium's two dozen watches: 320 B a pod at 5,000 pods). So a
// body reads in chunks from its start until a chunk read brings less than
// caughtUpBelow (single events, not a list streaming in), and then as the
// decoder asks; a plain watch, which starts idle, never does. A list that
// ends in a bigger read holds one chunk until its first event, or until
// the watch-list is handed off (kube.ListThenWatch) and closed.
func readWatchesInChunks(rt http.RoundTripper) http.RoundTripper {
	return chunkedWatches{rt}
}

type chunkedWatches struct{ next http.RoundTripper }

func (c chunkedWatches) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	if watchKind(req) != watchList {
		return resp, err
	}
	resp.Body = &chunkedBody{ReadCloser: resp.Body}
	return resp, nil
}

// chunkedBody reads in chunks until caughtUp, holding a chunk only while
// it has unread bytes.
type chunkedBody struct {
	io.ReadCloser
	chunk    *[]byte
	r, w     int
	err      error // the error of the read that filled the chunk, for after it
	caughtUp bool  // a chunk read brought less than caughtUpBelow: read as asked from now on
}

func (b *chunkedBody) Read(p []byte) (int, error) {
	if b.chunk == nil {
		if b.err != nil {
			return 0, b.err
		}
		if b.caughtUp || len(p) >= watchReads {
			return b.ReadCloser.Read(p)
		}
		chunk := chunks.Get().(*[]byte)
		n, err := b.ReadCloser.Read(*chunk)
		if n == 0 {
			chunks.Put(chunk)
			return 0, err
		}
		b.chunk, b.r, b.w, b.err = chunk, 0, n, err
		b.caughtUp = n < caughtUpBelow
	}
	n := copy(p, (*b.chunk)[b.r:b.w])
	b.r += n
	if b.r == b.w {
		chunks.Put(b.chunk)
		b.chunk = nil
	}
	return n, nil
}
