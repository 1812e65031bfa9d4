package server

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/informers/graph"
)

// gzipAbove is the size of /api/graph's JSON from which it is gzipped for
// a client that accepts it: the page's first picture comes from here
// (conn.js), 20 MB of JSON at 20,000 pods, which a port-forward or a
// conference network would take seconds to carry uncompressed.
const gzipAbove = 8 << 10

// gzipWriters are BestSpeed writers, each some 800 KB of compressor state:
// kept for the next response rather than made for each.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

func (s *Server) graphJSON(c echo.Context) error {
	f, _, err := s.viewFilter(c)
	if err != nil {
		return err
	}
	if err := rejectUnknown(c, "namespace", "selector", "cluster"); err != nil {
		return err
	}
	l := s.cluster(c).Log
	snap := l.Snapshot(f)
	// As /ws sends it (without "type"): encoded once per (seq, filter)
	// from the node JSON /ws shares, and streamed, never joined into one
	// buffer nor reflected over (50,000 pods took 16 s so).
	msg, err := l.Encoder().EncodeMessage(graph.Message{Snapshot: &snap}, f)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	var w io.Writer = c.Response()
	var zw *gzip.Writer
	if msg.Len() >= gzipAbove && acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
		// A compressor is held while a slow client reads: it takes one of
		// the turns the WebSocket snapshots take, so concurrent requests
		// cannot hold more than maxStreaming of them.
		release, err := s.streamingTurn(c.Request().Context())
		if err != nil {
			return nil // the client went away while waiting
		}
		defer release()
		h.Set(echo.HeaderContentEncoding, "gzip")
		zw = gzipWriters.Get().(*gzip.Writer)
		defer gzipWriters.Put(zw)
		zw.Reset(c.Response())
		w = zw
	} else {
		h.Set(echo.HeaderContentLength, strconv.Itoa(msg.Len()+1))
	}
	c.Response().WriteHeader(http.StatusOK)
	_, err = msg.WriteTo(w)
	if err == nil {
		_, err = w.Write([]byte{'\n'}) // as json.Encoder ends it
	}
	if err == nil && zw != nil {
		err = zw.Close()
	}
	if err != nil {
		s.log.Debug("GET /api/graph: the client went away", "error", err)
	}
	return nil // the status is sent: nothing else can be
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip: named
// with a quality above zero, or not named and * accepted.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		ok := true
		if v, found := strings.CutPrefix(strings.ReplaceAll(strings.ToLower(params), " ", ""), "q="); found {
			f, err := strconv.ParseFloat(v, 64)
			ok = err == nil && f > 0
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			return ok
		case "*":
			star = ok
		}
	}
	return star
}
