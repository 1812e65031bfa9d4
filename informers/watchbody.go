package informers

import (
	"io"
	"net/http"
	"sync"
)

// watchReads is how much a watch's body is read at once.
const watchReads = 64 << 10

// chunks are the read buffers of watch bodies with unread bytes.
var chunks = sync.Pool{New: func() any { b := make([]byte, watchReads); return &b }}

// readWatchesInChunks makes rt's watch responses read in chunks of up to
// watchReads.
//
// Why: a watch's decoder reads one object at a time (a pod is about 3 KB
// of protobuf), and Go's HTTP/2 client sends the server a WINDOW_UPDATE, a
// write on the connection, each time 4 KB more have been read. A 50,000-pod
// first list was about 30,000 of those writes: a tenth of Podium's CPU in
// its start (a profile of it), with as many reads and TLS records for the
// API server. Read in chunks, each read takes what has arrived, up to
// watchReads, and the update goes out for all of it at once. A lone event
// is handed on as soon as it arrives, as before: a read returns what is
// there and never waits to fill the chunk.
func readWatchesInChunks(rt http.RoundTripper) http.RoundTripper {
	return chunkedWatches{rt}
}

type chunkedWatches struct{ next http.RoundTripper }

func (c chunkedWatches) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || resp.Body == nil || req.URL.Query().Get("watch") != "true" {
		return resp, err
	}
	resp.Body = &chunkedBody{ReadCloser: resp.Body}
	return resp, nil
}

// chunkedBody holds a chunk only while it has unread bytes, so that the
// many watches that are idle hold none.
type chunkedBody struct {
	io.ReadCloser
	chunk *[]byte
	r, w  int
	err   error // the error of the read that filled the chunk, for after it
}

func (b *chunkedBody) Read(p []byte) (int, error) {
	if b.chunk == nil {
		if b.err != nil {
			return 0, b.err
		}
		if len(p) >= watchReads {
			return b.ReadCloser.Read(p)
		}
		chunk := chunks.Get().(*[]byte)
		n, err := b.ReadCloser.Read(*chunk)
		if n == 0 {
			chunks.Put(chunk)
			return 0, err
		}
		b.chunk, b.r, b.w, b.err = chunk, 0, n, err
	}
	n := copy(p, (*b.chunk)[b.r:b.w])
	b.r += n
	if b.r == b.w {
		chunks.Put(b.chunk)
		b.chunk = nil
	}
	return n, nil
}
