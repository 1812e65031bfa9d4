package graph

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// inflate reads a message's permessage-deflate form as a client does:
// with the sync flush's tail put back.
func inflate(t *testing.T, z []byte) []byte {
	t.Helper()
	got, err := io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(z), bytes.NewReader(syncTail))))
	if !errors.Is(err, io.ErrUnexpectedEOF) { // flushed, not closed: no final block
		t.Fatalf("inflating: %v, want the unexpected EOF of a stream flushed but not closed", err)
	}
	return got
}

// TestEncodedDeflated: a message's permessage-deflate form inflates to the
// message, of one part or many, small or streamed in chunks, and is
// compressed once however many readers take it, at once or later.
func TestEncodedDeflated(t *testing.T) {
	l := NewLog("e1", 4)
	var d Delta
	for i := range 20000 {
		n := pod("a", fmt.Sprintf("web-%05d", i), "Running")
		n.UID = fmt.Sprintf("%08x-2fa8-4870-ab46-%012d", i*7919, i*104729)
		d.Upsert.Nodes = append(d.Upsert.Nodes, n)
	}
	l.Append(d)
	m, _ := NewCursor(l, NewFilter(), nil).Next()
	snap, err := l.Encoder().EncodeMessage(m, NewFilter())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Len() < 4*deflateChunk || snap.Len() < deflateAside {
		t.Fatalf("setup: a %d-byte snapshot is too small to be streamed in chunks", snap.Len())
	}
	for _, enc := range []*Encoded{snap, NewEncoded([]byte(`{"type":"delta","from":1,"seq":2,"upsert":{"nodes":[]}}`))} {
		before := Deflations()
		const readers = 4
		var wg sync.WaitGroup
		got := make([]*chunkWriter, readers)
		for r := range readers {
			got[r] = &chunkWriter{}
			wg.Go(func() {
				if _, err := enc.WriteDeflatedTo(got[r]); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		whole := enc.Deflated()
		if !bytes.Equal(inflate(t, whole), enc.Bytes()) {
			t.Fatalf("Deflated inflates to something else than the %d-byte message", enc.Len())
		}
		for r, w := range got {
			if !bytes.Equal(w.buf.Bytes(), whole) {
				t.Errorf("reader %d wrote %d bytes, Deflated has %d", r, w.buf.Len(), len(whole))
			}
		}
		if n := Deflations() - before; n != 1 {
			t.Errorf("%d readers and Deflated compressed a %d-byte message %d times, want once", readers, enc.Len(), n)
		}
		if enc == snap && got[0].writes < 2 {
			t.Errorf("a %d-byte snapshot (%d compressed) was written in %d write(s), want chunks of %d", enc.Len(), len(whole), got[0].writes, deflateChunk)
		}
	}
	boom := errors.New("boom")
	if _, err := snap.WriteDeflatedTo(&failingWriter{after: 1, err: boom}); !errors.Is(err, boom) {
		t.Errorf("WriteDeflatedTo a writer that fails: %v, want boom", err)
	}
}

// TestBigDeflationsTakeTurns: big messages are compressed two at a time,
// however many there are at once (each runs to its end even when its
// readers have gone): with both turns taken, a third waits, and its reader
// with it.
func TestBigDeflationsTakeTurns(t *testing.T) {
	big := NewEncoded(bytes.Repeat([]byte(`{"id":"Pod/a/web-7d9c5b8f4-00001"},`), deflateAside/32))
	for range cap(asideTurns) {
		asideTurns <- struct{}{}
	}
	done := make(chan []byte)
	go func() { done <- big.Deflated() }()
	for deadline := time.Now().Add(5 * time.Second); asideWaiting.Load() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no compression waits for a turn")
		}
	}
	select {
	case <-done:
		t.Fatal("a big message was compressed while every turn was taken")
	default:
	}
	for range cap(asideTurns) {
		<-asideTurns
	}
	if got := inflate(t, <-done); !bytes.Equal(got, big.Bytes()) {
		t.Error("the message compressed after its turn inflates to something else")
	}
}
