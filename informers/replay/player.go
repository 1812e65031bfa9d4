package replay

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/podiumhq/podium/informers/graph"
)

// Speed limits: slower than a tenth is a still picture, faster than 64x
// skips whole rollouts between two browser frames.
const (
	MinSpeed = 0.1
	MaxSpeed = 64
)

// Player plays a Recording into a graph.Log at a chosen speed. It can pause,
// loop and seek; a seek or a new loop Resets the log with a new epoch, so
// every browser takes a fresh snapshot of exactly the recorded state.
type Player struct {
	rec     *Recording
	log     *graph.Log
	markers []Marker
	loop    bool
	now     func() time.Time
	epoch   func() string
	kick    chan struct{} // one slot: wakes Run after a control change

	mu sync.Mutex
	// Guarded by mu.
	speed   float64
	playing bool
	next    int           // index of the next frame to apply
	pos     time.Duration // position at anchor
	anchor  time.Time     // wall time at which pos held (while playing)
	status  graph.Status
	loops   int // completed loops
}

// Options configure a Player.
type Options struct {
	Speed  float64 // default 1
	Loop   bool    // start over at the end, with a new epoch
	Paused bool    // start paused
	// Now and Epoch replace the clock and the epoch generator in tests.
	Now   func() time.Time
	Epoch func() string
}

// NewPlayer returns a player for rec that drives log; it shows the state at
// the start of the recording at once. Call Run to play.
func NewPlayer(rec *Recording, log *graph.Log, o Options) (*Player, error) {
	if o.Speed == 0 {
		o.Speed = 1
	}
	if err := CheckSpeed(o.Speed); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Epoch == nil {
		o.Epoch = graph.NewEpoch
	}
	p := &Player{rec: rec, log: log, markers: rec.Markers(), loop: o.Loop, now: o.Now, epoch: o.Epoch,
		kick: make(chan struct{}, 1), speed: o.Speed, playing: !o.Paused}
	p.mu.Lock()
	p.seekLocked(p.rec.firstSnapshot())
	p.mu.Unlock()
	return p, nil
}

// firstSnapshot is the index of the first snapshot frame: the start of
// play, so a replay never shows an empty graph before it.
func (r *Recording) firstSnapshot() int {
	for i := range r.Frames {
		if r.Frames[i].Snapshot != nil {
			return i
		}
	}
	return 0
}

// CheckSpeed says whether s is a playback speed the player takes; the
// --speed flag and /api/replay both use it.
func CheckSpeed(s float64) error {
	if math.IsNaN(s) || s < MinSpeed || s > MaxSpeed {
		return fmt.Errorf("speed %v: want a number from %v to %v", s, MinSpeed, MaxSpeed)
	}
	return nil
}

// Recording returns the recording being played.
func (p *Player) Recording() *Recording { return p.rec }

// Markers returns the happenings on the timeline.
func (p *Player) Markers() []Marker { return p.markers }

// Status reports the source status recorded at the current position, for
// server.Config.Status. A replay is always synced: it has a whole graph.
func (p *Player) Status() graph.Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.status
	st.Synced = true
	return st
}

// seekLocked shows the state after frames[0..i] and sets the position to
// frame i's time.
func (p *Player) seekLocked(i int) {
	s := p.rec.StateAfter(i)
	snap := s.Snapshot(graph.Filter{})
	p.log.Reset(p.epoch(), s.Seq, snap.Nodes, snap.Edges, p.rec.RecentAt(i))
	p.next = i + 1
	if i >= 0 && i < len(p.rec.Frames) {
		p.pos = p.rec.Frames[i].At
	} else {
		p.pos = 0
	}
	p.anchor = p.now()
	p.status = p.rec.StatusAt(i)
}

// positionLocked is where play is now, never past the end.
func (p *Player) positionLocked() time.Duration {
	pos := p.pos
	if p.playing {
		pos += time.Duration(float64(p.now().Sub(p.anchor)) * p.speed)
	}
	return min(pos, p.rec.Duration)
}

// applyLocked publishes frame i.
func (p *Player) applyLocked(i int) {
	f := &p.rec.Frames[i]
	switch {
	case f.Snapshot != nil:
		// A recorder that fell behind took a fresh snapshot: so do the
		// browsers.
		p.log.Reset(p.epoch(), f.Snapshot.Seq, f.Snapshot.Nodes, f.Snapshot.Edges, p.rec.RecentAt(i))
	case f.Delta != nil:
		d := *f.Delta
		// The latency readout measures from now, not from the recording.
		d.Time = p.now().UnixMilli()
		p.log.Append(d)
	case f.Status != nil:
		p.status = p.rec.StatusAt(i)
		p.log.Wake()
	}
	p.next = i + 1
}

func (p *Player) poke() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run plays until ctx ends. Without Loop, play stops (paused) at the end.
func (p *Player) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := p.step()
		if wait < 0 {
			wait = time.Hour
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-p.kick:
		case <-timer.C:
		}
	}
}

// step applies every frame that is due and returns how long to wait for
// the next one (negative: until a control changes something).
func (p *Player) step() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.playing {
		return -1
	}
	pos := p.positionLocked()
	for p.next < len(p.rec.Frames) && p.rec.Frames[p.next].At <= pos {
		p.applyLocked(p.next)
	}
	if p.next < len(p.rec.Frames) {
		return p.wallLocked(p.rec.Frames[p.next].At - pos)
	}
	if pos < p.rec.Duration {
		return p.wallLocked(p.rec.Duration - pos)
	}
	// The end.
	if p.loop {
		p.loops++
		p.seekLocked(p.rec.firstSnapshot())
		return 0
	}
	p.pos, p.playing = p.rec.Duration, false
	return -1
}

// wallLocked converts recording time to wall time at the current speed.
func (p *Player) wallLocked(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(float64(d) / p.speed))
}

// Info is the player's state, as GET /api/replay reports it.
type Info struct {
	Duration   float64  `json:"duration"` // seconds
	Position   float64  `json:"position"` // seconds
	Speed      float64  `json:"speed"`
	Playing    bool     `json:"playing"`
	Loop       bool     `json:"loop"`
	Loops      int      `json:"loops"` // completed loops
	Epoch      string   `json:"epoch"`
	Frame      int      `json:"frame"` // frames applied so far
	Frames     int      `json:"frames"`
	Happenings []Marker `json:"happenings"`
	Recording  Header   `json:"recording"`
}

// Info returns the player's state.
func (p *Player) Info() Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.infoLocked()
}

func (p *Player) infoLocked() Info {
	ms := p.markers
	if ms == nil {
		ms = []Marker{}
	}
	return Info{
		Duration: p.rec.Duration.Seconds(), Position: p.positionLocked().Seconds(), Speed: p.speed,
		Playing: p.playing, Loop: p.loop, Loops: p.loops, Epoch: p.log.Epoch(), Frame: p.next, Frames: len(p.rec.Frames),
		Happenings: ms, Recording: p.rec.Header,
	}
}

// Play resumes play; at the end of a recording it starts over.
func (p *Player) Play() {
	p.mu.Lock()
	if !p.playing {
		if p.next >= len(p.rec.Frames) && p.pos >= p.rec.Duration {
			p.seekLocked(p.rec.firstSnapshot())
		}
		p.playing, p.anchor = true, p.now()
	}
	p.mu.Unlock()
	p.poke()
}

// Pause holds the current picture.
func (p *Player) Pause() {
	p.mu.Lock()
	if p.playing {
		p.pos = p.positionLocked()
		p.playing = false
	}
	p.mu.Unlock()
	p.poke()
}

// SetSpeed changes the speed from now on.
func (p *Player) SetSpeed(s float64) error {
	if err := CheckSpeed(s); err != nil {
		return err
	}
	p.mu.Lock()
	p.pos, p.anchor = p.positionLocked(), p.now()
	p.speed = s
	p.mu.Unlock()
	p.poke()
	return nil
}

// SeekTime shows exactly the recorded state at t (every frame at or before
// it applied) and continues from there if playing.
func (p *Player) SeekTime(t time.Duration) error {
	if t > p.rec.Duration && t <= p.rec.Duration+time.Millisecond {
		t = p.rec.Duration // a scrubber's float end
	}
	if t < 0 || t > p.rec.Duration {
		return fmt.Errorf("seek to %.3fs: outside the recording (0 to %.3fs)", t.Seconds(), p.rec.Duration.Seconds())
	}
	p.mu.Lock()
	i := max(p.rec.IndexAt(t), p.rec.firstSnapshot())
	p.seekLocked(i)
	p.pos = max(t, p.pos)
	p.mu.Unlock()
	p.poke()
	return nil
}

// SeekHappening shows the state right after happening i: its delta and
// everything before it applied, nothing after.
func (p *Player) SeekHappening(i int) error {
	if i < 0 || i >= len(p.markers) {
		return fmt.Errorf("happening %d: the recording has %d (0 to %d)", i, len(p.markers), len(p.markers)-1)
	}
	p.mu.Lock()
	p.seekLocked(p.markers[i].Frame)
	p.mu.Unlock()
	p.poke()
	return nil
}
