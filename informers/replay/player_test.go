package replay

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/podiumhq/podium/informers/graph"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func loadScript(t *testing.T) *Recording {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.jsonl.gz")
	writeScript(t, path, false)
	rec, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// newTestPlayer returns a player on a fake clock with counted epochs.
func newTestPlayer(t *testing.T, o Options) (*Player, *graph.Log, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	var n atomic.Int64
	o.Now = clock.now
	o.Epoch = func() string { return fmt.Sprintf("epoch-%d", n.Add(1)) }
	log := graph.NewLog("initial", 64)
	p, err := NewPlayer(loadScript(t), log, o)
	if err != nil {
		t.Fatal(err)
	}
	return p, log, clock
}

// wantState checks that the log holds exactly the recorded state after
// frame i.
func wantState(t *testing.T, log *graph.Log, rec *Recording, i int, what string) {
	t.Helper()
	want := rec.StateAfter(i).Snapshot(graph.Filter{})
	got := log.Snapshot(graph.Filter{})
	want.Epoch, want.Seq = got.Epoch, got.Seq
	// Played or sought, the log carries the happenings that led here.
	want.Happenings = rec.RecentAt(i)
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("%s: log differs from the recorded state after frame %d (-want +got):\n%s", what, i, d)
	}
}

func TestPlayerPlaysFramesOnTime(t *testing.T) {
	p, log, clock := newTestPlayer(t, Options{})
	rec := p.Recording()
	wantState(t, log, rec, 0, "start")
	if got := log.Epoch(); got != "epoch-1" {
		t.Errorf("epoch %q, want a fresh one at start", got)
	}
	// Frame 1 (status) is at 0s; the next frame is at 1s.
	if wait := p.step(); wait != time.Second {
		t.Errorf("wait %v, want 1s", wait)
	}
	clock.advance(999 * time.Millisecond)
	p.step()
	wantState(t, log, rec, 1, "at 0.999s")
	clock.advance(time.Millisecond)
	if wait := p.step(); wait != time.Second {
		t.Errorf("wait %v after the 1s frame, want 1s", wait)
	}
	wantState(t, log, rec, 2, "at 1s")
	clock.advance(1600 * time.Millisecond) // 2.6s: the delta at 2s and the status at 2.5s
	p.step()
	wantState(t, log, rec, 4, "at 2.6s")
	if st := p.Status(); st.APIServer != "reconnecting" || !st.Synced {
		t.Errorf("status %+v, want the recorded reconnecting (and synced)", st)
	}
	if got := log.Epoch(); got != "epoch-1" {
		t.Errorf("epoch changed to %q during plain play", got)
	}
	clock.advance(5 * time.Second)
	if wait := p.step(); wait >= 0 {
		t.Errorf("wait %v at the end without loop, want none", wait)
	}
	wantState(t, log, rec, 5, "end")
	if info := p.Info(); info.Playing || info.Position != 4 || info.Duration != 4 {
		t.Errorf("at the end: %+v, want paused at 4s of 4s", info)
	}
}

func TestPlayerSpeed(t *testing.T) {
	p, log, clock := newTestPlayer(t, Options{Speed: 2})
	p.step()
	if wait := p.step(); wait != 500*time.Millisecond {
		t.Errorf("wait %v at speed 2, want 0.5s", wait)
	}
	clock.advance(500 * time.Millisecond)
	p.step()
	wantState(t, log, p.Recording(), 2, "1s of recording in 0.5s")
	if err := p.SetSpeed(0.5); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Second) // 0.5s of recording: 1.5s
	p.step()
	wantState(t, log, p.Recording(), 2, "speed 0.5")
	if got := p.Info().Position; got != 1.5 {
		t.Errorf("position %v, want 1.5", got)
	}
	for _, bad := range []float64{0, -1, 0.01, 65, 1e9} {
		if err := p.SetSpeed(bad); err == nil {
			t.Errorf("speed %v accepted", bad)
		}
	}
}

func TestPlayerPauseAndPlay(t *testing.T) {
	p, log, clock := newTestPlayer(t, Options{})
	p.step()
	p.Pause()
	clock.advance(10 * time.Second)
	if wait := p.step(); wait >= 0 {
		t.Errorf("paused player waits %v", wait)
	}
	wantState(t, log, p.Recording(), 1, "paused")
	p.Play()
	clock.advance(time.Second)
	p.step()
	wantState(t, log, p.Recording(), 2, "played 1s after the pause")
}

func TestPlayerSeekIsExact(t *testing.T) {
	p, log, clock := newTestPlayer(t, Options{Paused: true})
	rec := p.Recording()
	for i, m := range p.Markers() {
		if err := p.SeekHappening(i); err != nil {
			t.Fatal(err)
		}
		wantState(t, log, rec, m.Frame, "seek to "+m.Text)
		// A page opened here sees what led here: the snapshot carries the
		// recorded happenings up to the seek (markers of creations are
		// the timeline's own, not recorded happenings).
		if m.Kind != HappeningCreated {
			recent := log.Snapshot(graph.Filter{}).Happenings
			if !slices.ContainsFunc(recent, func(h graph.Happening) bool { return h.Text == m.Text && h.Ref == m.Ref }) {
				t.Errorf("after seeking to %q the snapshot's happenings are %v: it is missing", m.Text, recent)
			}
		}
		if got := p.Info().Position; got != m.Time {
			t.Errorf("position %v after seeking to %q, want %v", got, m.Text, m.Time)
		}
	}
	// Back in time: the removed pod is there again.
	if err := p.SeekTime(2200 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	wantState(t, log, rec, 3, "seek to 2.2s")
	epoch := log.Epoch()
	if err := p.SeekTime(500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	wantState(t, log, rec, 1, "seek back to 0.5s")
	if log.Epoch() == epoch {
		t.Errorf("a seek kept epoch %q: browsers would not resnapshot", epoch)
	}
	// Seeking while paused stays paused; play continues from the seek.
	clock.advance(time.Minute)
	p.step()
	wantState(t, log, rec, 1, "paused after seek")
	p.Play()
	clock.advance(500 * time.Millisecond)
	p.step()
	wantState(t, log, rec, 2, "0.5s after playing from 0.5s")

	for _, bad := range []time.Duration{-time.Second, 5 * time.Second} {
		if err := p.SeekTime(bad); err == nil {
			t.Errorf("seek to %v accepted", bad)
		}
	}
	for _, bad := range []int{-1, len(p.Markers())} {
		if err := p.SeekHappening(bad); err == nil {
			t.Errorf("seek to happening %d accepted", bad)
		}
	}
}

func TestPlayerLoopsWithNewEpoch(t *testing.T) {
	p, log, clock := newTestPlayer(t, Options{Loop: true})
	p.step()
	clock.advance(4 * time.Second)
	if wait := p.step(); wait != 0 {
		t.Errorf("wait %v at the loop point, want 0 (go on at once)", wait)
	}
	info := p.Info()
	if info.Loops != 1 || !info.Playing || info.Position != 0 {
		t.Errorf("after one loop: %+v", info)
	}
	if log.Epoch() != "epoch-2" {
		t.Errorf("epoch %q after a loop, want epoch-2", log.Epoch())
	}
	wantState(t, log, p.Recording(), 0, "loop start")
}

// TestPlayerRunRealClock plays the whole script at top speed on the real
// clock and checks the final picture and the time it took.
func TestPlayerRunRealClock(t *testing.T) {
	rec := loadScript(t)
	log := graph.NewLog("x", 64)
	p, err := NewPlayer(rec, log, Options{Speed: 16})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for p.Info().Playing {
		if time.Now().After(deadline) {
			t.Fatalf("still playing after 10s: %+v", p.Info())
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(start)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wantState(t, log, rec, len(rec.Frames)-1, "end of run")
	// 4s at 16x is 250ms.
	if took < 240*time.Millisecond || took > 3*time.Second {
		t.Errorf("4s at speed 16 took %v, want about 250ms", took)
	}
	t.Logf("4s recording at speed 16 played in %v", took)
}

// TestControls drives the player through the controls /api/replay decodes
// and applies (the HTTP side is tested in server).
func TestControls(t *testing.T) {
	p, log, _ := newTestPlayer(t, Options{Paused: true})
	apply := func(body string) error {
		ctl, err := DecodeControl([]byte(body))
		if err != nil {
			return err
		}
		return p.Apply(ctl)
	}
	info := p.Info()
	if info.Duration != 4 || len(info.Happenings) != 2 || info.Happenings[0].Kind != "scaled" || info.Recording.ClusterVersion != "v1.37.2" {
		t.Errorf("Info() = %+v", info)
	}
	if err := apply(`{"action":"seek","happening":1}`); err != nil {
		t.Fatalf("seek: %v", err)
	}
	wantState(t, log, p.Recording(), info.Happenings[1].Frame, "seek happening 1")
	if err := apply(`{"action":"speed","speed":2}`); err != nil || p.Info().Speed != 2 {
		t.Errorf("speed: %v, info %+v", err, p.Info())
	}
	if err := apply(`{"action":"play"}`); err != nil || !p.Info().Playing {
		t.Errorf("play: %v, info %+v", err, p.Info())
	}
	if err := apply(`{"action":"pause"}`); err != nil || p.Info().Playing {
		t.Errorf("pause: %v, info %+v", err, p.Info())
	}
	if err := apply(`{"action":"seek","time":0.5}`); err != nil || p.Info().Position != 0.5 {
		t.Errorf("seek time: %v, info %+v", err, p.Info())
	}

	bad := []struct{ name, body, want string }{
		{"unknown action", `{"action":"rewind"}`, `unknown action "rewind"`},
		{"no action", `{}`, `missing "action"`},
		{"unknown field", `{"action":"play","volume":11}`, "unknown field"},
		{"not JSON", `{"action":`, "body"},
		{"seek without target", `{"action":"seek"}`, `needs "time"`},
		{"seek with both", `{"action":"seek","time":1,"happening":0}`, "not both"},
		{"seek past the end", `{"action":"seek","time":99}`, "outside the recording"},
		{"seek to a missing happening", `{"action":"seek","happening":7}`, "has 2"},
		{"speed without value", `{"action":"speed"}`, `needs "speed"`},
		{"speed too high", `{"action":"speed","speed":1000}`, "from 0.1 to 64"},
	}
	for _, c := range bad {
		err := apply(c.body)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
}

// TestPlayerMidStreamSnapshot plays a recording whose recorder fell out of
// the server's history and took a second snapshot: play and seek both land
// on exactly the recorded state, and the snapshot starts a new epoch.
func TestPlayerMidStreamSnapshot(t *testing.T) {
	lines := []string{okHeader,
		`{"t":0,"msg":{"type":"snapshot","epoch":"e","seq":3,"nodes":[{"id":"Node/n1","kind":"Node","name":"n1","uid":"1","ready":true,"roles":[],"internalIP":"","unschedulable":false}],"edges":[]}}`,
		`{"t":1000,"msg":{"type":"delta","from":3,"seq":4,"upsert":{"nodes":[{"id":"Node/n2","kind":"Node","name":"n2","uid":"2","ready":true,"roles":[],"internalIP":"","unschedulable":false}],"edges":[]},"remove":{"nodes":[],"edges":[]}}}`,
		`{"t":2000,"msg":{"type":"snapshot","epoch":"e","seq":90,"nodes":[{"id":"Node/n3","kind":"Node","name":"n3","uid":"3","ready":false,"roles":[],"internalIP":"","unschedulable":false}],"edges":[]}}`,
		`{"t":3000,"msg":{"type":"delta","from":90,"seq":91,"upsert":{"nodes":[],"edges":[]},"remove":{"nodes":["Node/n3"],"edges":[]}}}`,
		`{"t":4000,"end":true}`,
	}
	rec, err := Read("resnap.jsonl", strings.NewReader(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Unix(0, 0)}
	n := 0
	log := graph.NewLog("x", 8)
	p, err := NewPlayer(rec, log, Options{Now: clock.now, Epoch: func() string { n++; return fmt.Sprint("epoch-", n) }})
	if err != nil {
		t.Fatal(err)
	}
	ids := func() []string {
		var out []string
		for _, n := range log.Snapshot(graph.Filter{}).Nodes {
			out = append(out, n.ID)
		}
		return out
	}
	p.step()
	clock.advance(1500 * time.Millisecond)
	p.step()
	if got := ids(); !cmp.Equal(got, []string{"Node/n1", "Node/n2"}) {
		t.Errorf("at 1.5s: %v", got)
	}
	clock.advance(time.Second)
	p.step()
	if got := ids(); !cmp.Equal(got, []string{"Node/n3"}) || log.Epoch() != "epoch-2" {
		t.Errorf("at 2.5s: %v in %s; want only the second snapshot's node, in a new epoch", got, log.Epoch())
	}
	clock.advance(time.Second)
	p.step()
	if got := ids(); len(got) != 0 {
		t.Errorf("at 3.5s: %v, want the delta after the second snapshot applied", got)
	}
	if err := p.SeekTime(2500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := ids(); !cmp.Equal(got, []string{"Node/n3"}) {
		t.Errorf("seek to 2.5s: %v", got)
	}
}
