// Package replay records Podium's protocol stream to a file and plays it
// back into a graph.Log, so the same server, page and /ws serve a recording
// exactly as they serve a live cluster.
//
// A recording is JSON Lines (gzip-compressed when the file name ends in
// .gz): a header line, then one line per protocol message with its time
// offset, and, when the recorder stopped cleanly, an end line. Every line is
// flushed as it is written, so a file cut short by a crash stays readable up
// to its last whole line. docs/replay.md is the format's specification.
package replay

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/podiumhq/podium/informers/graph"
)

// FormatName is the header's "format" value.
const FormatName = "podium-recording"

// FormatVersion is the recording format this Podium writes and the newest it
// reads.
const FormatVersion = 1

// Limits bound what reading one recording may cost, so that a small file
// that decompresses to gigabytes, or holds millions of tiny messages, or one
// enormous line, fails fast with the limit named instead of exhausting
// memory. A field left zero takes its DefaultLimits value.
type Limits struct {
	// MaxBytes caps the decompressed size of the whole file.
	MaxBytes int64
	// MaxFrames caps the number of messages (snapshots, deltas, statuses).
	MaxFrames int
	// MaxLine caps one line, the header's included. No buffer for a line
	// is ever allocated larger than this.
	MaxLine int
}

// DefaultLimits hold a real talk with room to spare: the embedded demo is
// 72 KB in 55 messages, and a snapshot of 5,000 pods is about 4.7 MB (one
// of 65,000 pods still fits in a line). A loaded recording takes two to
// three times its decompressed size in memory (docs/replay.md).
var DefaultLimits = Limits{MaxBytes: 256 << 20, MaxFrames: 200_000, MaxLine: 64 << 20}

// The command-line flags that raise each limit, named in the errors so that
// the message says what to do about it.
const (
	FlagMaxBytes  = "--max-size"
	FlagMaxFrames = "--max-frames"
	FlagMaxLine   = "--max-line"
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxFrames <= 0 {
		l.MaxFrames = DefaultLimits.MaxFrames
	}
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultLimits.MaxLine
	}
	return l
}

// Header is a recording's first line.
type Header struct {
	Format         string    `json:"format"`  // FormatName
	Version        int       `json:"version"` // FormatVersion
	PodiumVersion  string    `json:"podiumVersion"`
	ClusterVersion string    `json:"clusterVersion"`
	Start          time.Time `json:"start"`      // wall time of offset 0
	Namespaces     []string  `json:"namespaces"` // what was watched; empty means all
}

// line is every line after the header: a protocol message at T
// milliseconds after Start, or the end marker.
type line struct {
	T   int64           `json:"t"`
	Msg json.RawMessage `json:"msg,omitempty"`
	End bool            `json:"end,omitempty"`
}

// Frame is one recorded protocol message. Exactly one of Snapshot, Delta and
// Status is set.
type Frame struct {
	At       time.Duration // since Header.Start
	Line     int           // line number in the file, for messages
	Snapshot *graph.Snapshot
	Delta    *graph.Delta
	Status   *graph.Status
}

// Message is the protocol message the frame holds, as a Writer writes it.
func (f Frame) Message() any {
	switch {
	case f.Snapshot != nil:
		return f.Snapshot
	case f.Delta != nil:
		return f.Delta
	default:
		return f.Status
	}
}

// Recording is a parsed recording file.
type Recording struct {
	Name   string // file name, for messages
	Header Header
	Frames []Frame
	// Duration runs to the end line, or to the last frame when the
	// recorder did not stop cleanly.
	Duration time.Duration
	// Truncated says why the tail was dropped when the file was cut short
	// (a crash mid-line); "" for a whole file.
	Truncated string
}

// ParseError is what is wrong with a recording, and where.
type ParseError struct {
	Name string // file name
	Line int    // 1-based; 0 when the problem is not one line's
	Msg  string
	Err  error // the cause, if any
}

func (e *ParseError) Error() string {
	where := e.Name
	if where == "" {
		where = "recording"
	}
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, e.Line)
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", where, e.Msg, e.Err)
	}
	return where + ": " + e.Msg
}

func (e *ParseError) Unwrap() error { return e.Err }

// Errors callers can test with errors.Is.
var (
	ErrNotRecording = errors.New("not a Podium recording")
	ErrNewerFormat  = errors.New("recording format is newer than this Podium reads")
	ErrCorrupt      = errors.New("corrupt line")
	ErrSeqGap       = errors.New("seq gap")
	ErrNoSnapshot   = errors.New("delta before any snapshot")
	ErrTooLarge     = errors.New("recording over a limit")
)

// ReadFile opens and parses the recording at path within DefaultLimits.
func ReadFile(path string) (*Recording, error) { return Limits{}.ReadFile(path) }

// Read parses a recording from r within DefaultLimits; name is used in
// messages. Gzip is recognised by its magic bytes, whatever the name says.
func Read(name string, r io.Reader) (*Recording, error) { return Limits{}.Read(name, r) }

// ReadFile opens and parses the recording at path within l.
func (l Limits) ReadFile(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	defer f.Close()
	return l.Read(path, f)
}

// Read parses a recording from r within l; name is used in messages. A
// limit reached is a *ParseError wrapping ErrTooLarge that names the line,
// the limit and the flag that raises it.
func (l Limits) Read(name string, r io.Reader) (*Recording, error) {
	l = l.withDefaults()
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &ParseError{Name: name, Msg: "gzip header", Err: ErrNotRecording}
		}
		defer zr.Close()
		src = zr
	}
	p := parser{rec: &Recording{Name: name}, lim: l}
	if err := p.run(&capReader{r: src, left: l.MaxBytes}); err != nil {
		return nil, err
	}
	return p.rec, nil
}

type parser struct {
	rec      *Recording
	lim      Limits
	buf      []byte // the line being read; reused
	n        int    // current line number
	haveSnap bool
	seq      uint64
	ended    bool
}

// errOverSize is capReader's: the decompressed stream went past MaxBytes.
var errOverSize = errors.New("over the size limit")

// capReader passes at most left bytes through, then fails with
// errOverSize: the decompressed size is bounded whatever the gzip ratio.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(b []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a file of exactly the limit from a longer one.
		var one [1]byte
		if n, err := c.r.Read(one[:]); n > 0 {
			return 0, errOverSize
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.r.Read(b)
	c.left -= int64(n)
	return n, err
}

// mib prints a limit in MiB when it is a whole number of them.
func mib(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (p *parser) fail(cause error, format string, args ...any) error {
	return &ParseError{Name: p.rec.Name, Line: p.n, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// run reads line by line. A last line without its newline that does not
// parse is a write the crash cut short: it is dropped, and noted.
func (p *parser) run(src io.Reader) error {
	r := bufio.NewReaderSize(src, 256<<10)
	for {
		b, err := p.readLine(r)
		switch {
		case errors.Is(err, errLineTooLong):
			return &ParseError{Name: p.rec.Name, Line: p.n + 1, Err: ErrTooLarge,
				Msg: fmt.Sprintf("line over %s (%s)", mib(int64(p.lim.MaxLine)), FlagMaxLine)}
		case errors.Is(err, errOverSize):
			return &ParseError{Name: p.rec.Name, Line: p.n + 1, Err: ErrTooLarge,
				Msg: fmt.Sprintf("recording over %s decompressed (%s)", mib(p.lim.MaxBytes), FlagMaxBytes)}
		}
		if len(b) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			if p.n == 0 {
				return &ParseError{Name: p.rec.Name, Msg: "cannot read", Err: err}
			}
			// A gzip stream cut short: keep what was whole.
			p.rec.Truncated = fmt.Sprintf("file cut short after line %d (%v)", p.n, err)
			break
		}
		p.n++
		whole := err == nil
		if perr := p.line(b); perr != nil {
			if !whole && p.n > 1 && !p.ended && errors.Is(perr, ErrCorrupt) {
				p.rec.Truncated = fmt.Sprintf("last line %d cut short and dropped", p.n)
				break
			}
			return perr
		}
		if !whole {
			if !errors.Is(err, io.EOF) {
				p.rec.Truncated = fmt.Sprintf("file cut short after line %d (%v)", p.n, err)
			}
			break
		}
	}
	if p.n == 0 {
		return &ParseError{Name: p.rec.Name, Msg: "empty file", Err: ErrNotRecording}
	}
	if !p.haveSnap {
		return &ParseError{Name: p.rec.Name, Msg: "no snapshot: the recording holds no graph", Err: ErrNoSnapshot}
	}
	if n := len(p.rec.Frames); n > 0 && p.rec.Frames[n-1].At > p.rec.Duration {
		p.rec.Duration = p.rec.Frames[n-1].At
	}
	return nil
}

var errLineTooLong = errors.New("line too long")

// keepLineBuf is the largest line buffer kept for the next line; a bigger
// one (a snapshot) is left to the collector.
const keepLineBuf = 1 << 20

// readLine returns one line without its newline, in a buffer valid until
// the next call. err is nil for a whole line, io.EOF (or a read error) with
// a partial last line, errLineTooLong as soon as the line passes MaxLine.
// The buffer grows by doubling but never past MaxLine (plus its newline),
// so one line never costs more than the limit, whatever the file claims.
func (p *parser) readLine(r *bufio.Reader) ([]byte, error) {
	if cap(p.buf) > keepLineBuf {
		p.buf = nil
	}
	buf := p.buf[:0]
	limit := p.lim.MaxLine + 1 // the newline does not count
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > limit || (len(buf)+len(chunk) == limit && chunk[len(chunk)-1] != '\n') {
			return nil, errLineTooLong
		}
		if need := len(buf) + len(chunk); need > cap(buf) {
			grown := make([]byte, len(buf), min(max(2*cap(buf), need, 4096), limit))
			copy(grown, buf)
			buf = grown
		}
		buf = append(buf, chunk...)
		p.buf = buf
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			return bytes.TrimRight(buf[:len(buf)-1], "\r"), nil
		}
		return buf, err
	}
}

func (p *parser) line(b []byte) error {
	if p.n == 1 {
		return p.header(b)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return p.fail(ErrCorrupt, "empty line")
	}
	if p.ended {
		return p.fail(ErrCorrupt, "line after the end line")
	}
	var l line
	if err := strictUnmarshal(b, &l); err != nil {
		return p.fail(ErrCorrupt, "corrupt line: %s", jsonProblem(err))
	}
	if l.T < 0 {
		return p.fail(ErrCorrupt, "negative time offset %d ms", l.T)
	}
	at := time.Duration(l.T) * time.Millisecond
	if n := len(p.rec.Frames); n > 0 && at < p.rec.Frames[n-1].At {
		return p.fail(ErrCorrupt, "time goes backwards: %d ms after %d ms", l.T, p.rec.Frames[n-1].At.Milliseconds())
	}
	if l.End {
		if l.Msg != nil {
			return p.fail(ErrCorrupt, "end line carries a message")
		}
		p.ended = true
		p.rec.Duration = at
		return nil
	}
	if l.Msg == nil {
		return p.fail(ErrCorrupt, `line has neither "msg" nor "end"`)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(l.Msg, &head); err != nil {
		return p.fail(ErrCorrupt, "message is not a JSON object: %s", jsonProblem(err))
	}
	f := Frame{At: at, Line: p.n}
	switch head.Type {
	case "snapshot":
		var s graph.Snapshot
		if err := json.Unmarshal(l.Msg, &s); err != nil {
			return p.fail(ErrCorrupt, "snapshot: %s", jsonProblem(err))
		}
		if err := checkItems(s.Nodes, s.Edges); err != nil {
			return p.fail(ErrCorrupt, "snapshot: %v", err)
		}
		p.haveSnap, p.seq = true, s.Seq
		f.Snapshot = &s
	case "delta":
		var d graph.Delta
		if err := json.Unmarshal(l.Msg, &d); err != nil {
			return p.fail(ErrCorrupt, "delta: %s", jsonProblem(err))
		}
		if !p.haveSnap {
			return p.fail(ErrNoSnapshot, "delta (seq %d) before any snapshot", d.Seq)
		}
		if d.From != p.seq {
			return p.fail(ErrSeqGap, "delta from seq %d to %d does not follow seq %d", d.From, d.Seq, p.seq)
		}
		if d.Seq <= d.From {
			return p.fail(ErrSeqGap, "delta seq %d does not advance past %d", d.Seq, d.From)
		}
		if err := checkItems(d.Upsert.Nodes, d.Upsert.Edges); err != nil {
			return p.fail(ErrCorrupt, "delta: %v", err)
		}
		p.seq = d.Seq
		f.Delta = &d
	case "status":
		var s graph.Status
		if err := json.Unmarshal(l.Msg, &s); err != nil {
			return p.fail(ErrCorrupt, "status: %s", jsonProblem(err))
		}
		f.Status = &s
	case "":
		return p.fail(ErrCorrupt, `message has no "type"`)
	default:
		return p.fail(ErrCorrupt, "unknown message type %q", head.Type)
	}
	if len(p.rec.Frames) >= p.lim.MaxFrames {
		return p.fail(ErrTooLarge, "more than %d messages (%s)", p.lim.MaxFrames, FlagMaxFrames)
	}
	p.rec.Frames = append(p.rec.Frames, f)
	return nil
}

func (p *parser) header(b []byte) error {
	var h Header
	if err := json.Unmarshal(b, &h); err != nil || h.Format != FormatName {
		return p.fail(ErrNotRecording, `not a Podium recording (the first line must be a header with "format":%q)`, FormatName)
	}
	if h.Version > FormatVersion {
		return p.fail(ErrNewerFormat, "format version %d is newer than this Podium reads (%d); upgrade Podium to play it", h.Version, FormatVersion)
	}
	if h.Version < 1 {
		return p.fail(ErrNotRecording, "format version %d is not valid", h.Version)
	}
	p.rec.Header = h
	return nil
}

// checkItems rejects entities and edges the server could not serve.
func checkItems(nodes []*graph.Node, edges []*graph.Edge) error {
	for _, n := range nodes {
		if n == nil {
			return errors.New("null node")
		}
	}
	for _, e := range edges {
		if e == nil || e.ID == "" {
			return errors.New("edge without id")
		}
	}
	return nil
}

// strictUnmarshal is json.Unmarshal, which already refuses anything after
// the value, with that case said plainly. It decodes b in place: a
// json.Decoder would first copy the line into a buffer of its own, which
// for a snapshot line is megabytes of garbage.
func strictUnmarshal(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	var se *json.SyntaxError
	if errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value") {
		return errors.New("trailing data after the JSON value")
	}
	return err
}

// jsonProblem shortens encoding/json's messages to what a user can act on.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "JSON ends early"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
