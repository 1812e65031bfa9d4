package graph

import "slices"

// Cursor is one subscriber's place in a Log: its filter, the epoch and seq
// it has read up to, and the status it was last given. Next turns that into
// the subscriber's next protocol message, so every subscriber (a WebSocket
// client, the recorder) follows the log the same way: a snapshot first, a
// fresh snapshot when it fell out of the history or the epoch changed,
// otherwise one delta coalescing everything since its cursor, and a status
// only when the status changed.
//
// A Cursor is not safe for concurrent use; the Log it reads is.
type Cursor struct {
	log    *Log
	filter Filter
	status func() Status

	started bool   // the first message (snapshot, or resumed deltas) is settled
	epoch   string // the epoch read
	seq     uint64 // the log seq read up to
	sent    uint64 // the seq the subscriber last got; with a filter it may trail seq
	phase   phase

	lastStatus Status
	statusSent bool
}

// phase is where a Cursor is in one turn: a turn is at most one delta
// (after any snapshots) then at most one status, then nothing until the
// caller waits for the log's next wake-up.
type phase uint8

const (
	phaseChanges phase = iota
	phaseStatus
	phaseIdle
)

// NewCursor returns a cursor on l for a subscriber that sees f, reporting
// status() when it changes. Its first message is a snapshot, unless Resume
// says otherwise.
func NewCursor(l *Log, f Filter, status func() Status) *Cursor {
	return &Cursor{log: l, filter: f, status: status}
}

// Resume starts the cursor after seq since of epoch, a point the subscriber
// already holds, so its first messages are only the deltas it missed. It
// reports false, leaving the cursor to start with a snapshot, when the log
// cannot: another epoch, a seq from the future, or one that fell out of the
// history. Call it before the first Next.
func (c *Cursor) Resume(epoch string, since uint64) bool {
	if c.started {
		return false
	}
	if _, ok := c.log.Changes(epoch, since, c.filter); !ok {
		return false
	}
	c.started = true
	c.epoch, c.seq, c.sent = epoch, since, since
	return true
}

// Message is one protocol message for a subscriber: exactly one of
// Snapshot, Delta and Status is set, with its Type filled in.
type Message struct {
	Snapshot *Snapshot
	Delta    *Delta
	Status   *Status
	// Gap marks a snapshot that replaces deltas because the subscriber fell
	// out of the history within the same epoch: it could not keep up.
	Gap bool

	// epoch and since say which log content a delta is (its From may trail
	// since under a filter), so an Encoder can share its bytes.
	epoch string
	since uint64
}

// Type is the message's protocol type: "snapshot", "delta" or "status".
func (m Message) Type() string {
	switch {
	case m.Snapshot != nil:
		return m.Snapshot.Type
	case m.Delta != nil:
		return m.Delta.Type
	case m.Status != nil:
		return m.Status.Type
	}
	return ""
}

// Value is the message to encode.
func (m Message) Value() any {
	switch {
	case m.Snapshot != nil:
		return m.Snapshot
	case m.Delta != nil:
		return m.Delta
	case m.Status != nil:
		return m.Status
	}
	return nil
}

// Next returns the subscriber's next message, or ok false when it is up to
// date: then wait for a wake-up from the Log's Subscribe channel before
// calling Next again. A delta's From is the seq the subscriber last got, so
// seqs skipped by the filter are not a gap to it.
func (c *Cursor) Next() (m Message, ok bool) {
	if !c.started {
		c.started = true
		return c.snapshot(false), true
	}
	switch c.phase {
	case phaseChanges:
		since := c.seq
		d, ok := c.log.Changes(c.epoch, since, c.filter)
		if !ok {
			// Stay in this phase: the next call reads what came after the
			// snapshot.
			return c.snapshot(c.epoch == c.log.Epoch()), true
		}
		c.seq = d.Seq
		c.phase = phaseStatus
		if !d.Empty() {
			d.From = c.sent
			c.sent = d.Seq
			return Message{Delta: &d, epoch: c.epoch, since: since}, true
		}
		fallthrough
	case phaseStatus:
		c.phase = phaseIdle
		if st := c.status(); !c.statusSent || !sameStatus(c.lastStatus, st) {
			c.lastStatus, c.statusSent = st, true
			st.Type = "status"
			return Message{Status: &st}, true
		}
		fallthrough
	default:
		c.phase = phaseChanges
		return Message{}, false
	}
}

func (c *Cursor) snapshot(gap bool) Message {
	s := c.log.Snapshot(c.filter)
	s.Type = "snapshot"
	c.epoch, c.seq, c.sent = s.Epoch, s.Seq, s.Seq
	return Message{Snapshot: &s, Gap: gap}
}

// sameStatus compares what a status message shows; a nil and an empty
// Denied list read the same to a client.
func sameStatus(a, b Status) bool {
	return a.APIServer == b.APIServer && a.Synced == b.Synced && slices.Equal(a.Denied, b.Denied)
}
