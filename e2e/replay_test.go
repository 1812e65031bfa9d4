//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

// runPodium starts the built binary with a subcommand (args) and env (when
// not nil, its whole environment); when listen is set, it waits for /readyz
// there. It is stopped with SIGINT, as Ctrl-C would, when t ends.
func runPodium(t *testing.T, env []string, listen string, args ...string) *podiumtest.Podium {
	t.Helper()
	return podiumtest.Start(t, podiumtest.Options{Command: args, Addr: listen, Env: env, ExactEnv: env != nil,
		Signal: syscall.SIGINT, NoWait: listen == ""})
}

func freeAddr(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", podiumtest.FreePort(t))
}

func replayInfo(ctx context.Context, base string) (replay.Info, error) {
	var info replay.Info
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/replay", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return info, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return info, fmt.Errorf("GET /api/replay: %s", resp.Status)
	}
	return info, json.NewDecoder(resp.Body).Decode(&info)
}

func replayControl(t *testing.T, base, body string) replay.Info {
	t.Helper()
	resp, err := http.Post(base+"/api/replay", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info replay.Info
	if resp.StatusCode != 200 {
		b := new(bytes.Buffer)
		b.ReadFrom(resp.Body)
		t.Fatalf("POST /api/replay %s: %s %s", body, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	return info
}

// fold rebuilds the recorded graph after frame i by applying the file's
// messages in order, as a /ws client does; independent of the player.
func fold(rec *replay.Recording, last int) graph.Snapshot {
	s := graph.NewState()
	for _, f := range rec.Frames[:last+1] {
		switch {
		case f.Snapshot != nil:
			s.Load(f.Snapshot.Seq, f.Snapshot.Nodes, f.Snapshot.Edges)
		case f.Delta != nil:
			s.Apply(f.Delta)
		}
	}
	snap := s.Snapshot(graph.Filter{})
	snap.Seq = 0
	return snap
}

// sameGraph compares nodes and edges only (epochs and seqs differ between
// a live server and a replay by design).
func sameGraph(want, got graph.Snapshot) string {
	want.Epoch, want.Seq, want.Type = "", 0, ""
	got.Epoch, got.Seq, got.Type = "", 0, ""
	// The graph only: a live snapshot also carries the happenings that led
	// to it, which a recording keeps as its timeline (compared there).
	want.Happenings, got.Happenings = nil, nil
	if len(want.Nodes) == 0 {
		want.Nodes = nil
	}
	if len(got.Nodes) == 0 {
		got.Nodes = nil
	}
	if len(want.Edges) == 0 {
		want.Edges = nil
	}
	if len(got.Edges) == 0 {
		got.Edges = nil
	}
	return cmp.Diff(want, got)
}

// TestReplayRoundTrip records the lab while a scripted scenario runs, with
// `podium serve` watching the same namespace as the witness, then replays
// the file: the graph over /ws at the end of the replay equals the live
// graph at the end of the recording, seeking to each happening shows the
// recorded state, and speed 2 takes about half the time of speed 1.
func TestReplayRoundTrip(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	live := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--namespace", ns}})
	ls := live.Dial(t, "namespace="+ns)
	file := filepath.Join(t.TempDir(), "roundtrip.jsonl.gz")
	rec := runPodium(t, os.Environ(), "", "record", "--kubeconfig", lab.Kubeconfig(), "--namespace", ns, "--out", file)
	// A second recorder, uncompressed, is killed at the end as a crash would.
	crashFile := filepath.Join(t.TempDir(), "crash.jsonl")
	crash := runPodium(t, os.Environ(), "", "record", "--kubeconfig", lab.Kubeconfig(), "--namespace", ns, "--out", crashFile)
	for _, f := range []string{file, crashFile} {
		labtest.Eventually(t, 60*time.Second, func(context.Context) error {
			r, err := replay.ReadFile(f)
			if err != nil {
				return err
			}
			if len(r.Frames) == 0 {
				return fmt.Errorf("no snapshot yet")
			}
			return nil
		})
	}

	createApp(t, cs, ns, "web", 2)
	settled(t, cs, ns, "web", false)
	converged(t, live, ls, cs, ns, "create")
	updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(4)) })
	settled(t, cs, ns, "web", false)
	converged(t, live, ls, cs, ns, "scale to 4")
	updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "hellok8s:v2" })
	settled(t, cs, ns, "web", false)
	converged(t, live, ls, cs, ns, "set image v2")
	rollbackDeployment(t, cs, ns, "web")
	settled(t, cs, ns, "web", false)
	final := converged(t, live, ls, cs, ns, "rollout undo")

	// The recorder has caught up when its file ends in the live graph.
	labtest.Eventually(t, 30*time.Second, func(context.Context) error {
		r, err := replay.ReadFile(file)
		if err != nil {
			return err
		}
		// The recording holds what a --namespace watch gets (every
		// Namespace among the cluster-scoped kinds); it plays as that
		// namespace's view, as the live page shows it.
		if d := sameGraph(final, filterNS(fold(r, len(r.Frames)-1), ns)); d != "" {
			return fmt.Errorf("the recording does not end in the live graph yet (-live +recorded):\n%s", d)
		}
		return nil
	})
	rec.Stop()

	// SIGKILL: no end line, maybe half a line; the file still plays and
	// ends in the same graph.
	labtest.Eventually(t, 30*time.Second, func(context.Context) error {
		r, err := replay.ReadFile(crashFile)
		if err != nil {
			return err
		}
		if d := sameGraph(final, filterNS(fold(r, len(r.Frames)-1), ns)); d != "" {
			return fmt.Errorf("the second recorder has not caught up (-live +recorded):\n%s", d)
		}
		return nil
	})
	crash.Kill()
	crashed, err := replay.ReadFile(crashFile)
	if err != nil {
		t.Fatalf("a recording cut short by SIGKILL does not read: %v", err)
	}
	if d := sameGraph(final, filterNS(fold(crashed, len(crashed.Frames)-1), ns)); d != "" {
		t.Errorf("the killed recorder's file ends elsewhere (-live +recorded):\n%s", d)
	}
	t.Logf("killed recorder's file: %d messages, %s, truncated %q", len(crashed.Frames), crashed.Duration.Round(time.Millisecond), crashed.Truncated)

	recording, err := replay.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if recording.Truncated != "" {
		t.Errorf("Ctrl-C left a cut-short file: %s", recording.Truncated)
	}
	markers := recording.Markers()
	t.Logf("recorded %s: %d messages, %d happenings", recording.Duration.Round(time.Millisecond), len(recording.Frames), len(markers))
	// Every scale and rollout the live server reported is in the recording.
	var recorded []string
	for _, m := range markers {
		recorded = append(recorded, m.Text)
	}
	for _, h := range ls.Happenings() {
		if h.Kind == graph.HappeningScaled || (h.Kind == graph.HappeningRollout && h.Params[graph.ParamState] == graph.RolloutStarted) {
			if !strings.Contains(strings.Join(recorded, "\n"), h.Text) {
				t.Errorf("live happening %q is not in the recording:\n%s", h.Text, strings.Join(recorded, "\n"))
			}
		}
	}

	t.Run("end of replay equals end of recording", func(t *testing.T) {
		addr := freeAddr(t)
		p := runPodium(t, os.Environ(), addr, "replay", file, "--speed", "4", "--listen", addr)
		s := p.Dial(t, "")
		labtest.Eventually(t, recording.Duration+30*time.Second, func(ctx context.Context) error {
			if err := s.Err(); err != nil {
				return fmt.Errorf("stream ended: %v", err)
			}
			info, err := replayInfo(ctx, p.URL)
			if err != nil {
				return err
			}
			if info.Playing {
				return fmt.Errorf("still playing at %.1fs of %.1fs", info.Position, info.Duration)
			}
			// The live witness filtered to ns; so does this comparison.
			got := s.Snapshot()
			if d := sameGraph(final, filterNS(got, ns)); d != "" {
				return fmt.Errorf("replayed graph differs from the live one (-live +replayed):\n%s", d)
			}
			return nil
		})
	})

	t.Run("seek to each happening shows the recorded state", func(t *testing.T) {
		addr := freeAddr(t)
		p := runPodium(t, os.Environ(), addr, "replay", file, "--paused", "--listen", addr)
		s := p.Dial(t, "")
		for i, m := range markers {
			info := replayControl(t, p.URL, fmt.Sprintf(`{"action":"seek","happening":%d}`, i))
			if info.Position != m.Time || info.Playing {
				t.Errorf("after seeking to %q: position %.3f playing %v; want %.3f, paused", m.Text, info.Position, info.Playing, m.Time)
			}
			want := fold(recording, m.Frame)
			labtest.Eventually(t, 15*time.Second, func(ctx context.Context) error {
				got := s.Snapshot()
				if got.Epoch != info.Epoch {
					return fmt.Errorf("stream at epoch %q, replay at %q", got.Epoch, info.Epoch)
				}
				if d := sameGraph(want, got); d != "" {
					return fmt.Errorf("at happening %d %q (-recorded +streamed):\n%s", i, m.Text, d)
				}
				api, err := p.Graph(ctx, "")
				if err != nil {
					return err
				}
				if d := sameGraph(want, api); d != "" {
					return fmt.Errorf("/api/graph at happening %d %q (-recorded +api):\n%s", i, m.Text, d)
				}
				return nil
			})
		}
		t.Logf("seeked to %d happenings, each exact over /ws and /api/graph", len(markers))
	})

	t.Run("speed 2 takes half the time of speed 1", func(t *testing.T) {
		took := map[float64]time.Duration{}
		for _, speed := range []float64{1, 2} {
			addr := freeAddr(t)
			p := runPodium(t, os.Environ(), addr, "replay", file, "--paused", "--speed", fmt.Sprint(speed), "--listen", addr)
			s := p.Dial(t, "")
			start := time.Now()
			replayControl(t, p.URL, `{"action":"play"}`)
			labtest.Eventually(t, recording.Duration*2+20*time.Second, func(ctx context.Context) error {
				info, err := replayInfo(ctx, p.URL)
				if err != nil {
					return err
				}
				if info.Playing {
					return fmt.Errorf("still playing")
				}
				return nil
			})
			took[speed] = time.Since(start)
			if d := sameGraph(final, filterNS(s.Snapshot(), ns)); d != "" {
				t.Errorf("speed %v ended in a different graph (-live +replayed):\n%s", speed, d)
			}
			p.Stop()
		}
		ratio := took[2].Seconds() / took[1].Seconds()
		t.Logf("recording %.2fs: speed 1 played in %.2fs, speed 2 in %.2fs (ratio %.3f)",
			recording.Duration.Seconds(), took[1].Seconds(), took[2].Seconds(), ratio)
		if ratio < 0.42 || ratio > 0.58 {
			t.Errorf("speed 2 took %.0f%% of speed 1's time, want about 50%%", ratio*100)
		}
		if d := took[1] - recording.Duration; d < -100*time.Millisecond || d > time.Second {
			t.Errorf("speed 1 took %v for a %v recording", took[1], recording.Duration)
		}
	})
}

// filterNS keeps what a ?namespace=ns view holds: ns and cluster scope.
func filterNS(s graph.Snapshot, ns string) graph.Snapshot {
	f := graph.NewFilter(ns)
	out := graph.Snapshot{Epoch: s.Epoch, Seq: s.Seq}
	for _, n := range s.Nodes {
		if f.Node(n.ID) {
			out.Nodes = append(out.Nodes, n)
		}
	}
	for _, e := range s.Edges {
		if f.Edge(e.ID) {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}

// TestDemoFreshMachine runs `podium demo` as a new user would: the built
// binary with no kubeconfig, no cluster, an empty home and no flags but the
// address, then fetches /api/graph.
func TestDemoFreshMachine(t *testing.T) {
	home := t.TempDir()
	addr := freeAddr(t)
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
	p := runPodium(t, env, addr, "demo", "--listen", addr)
	// The recording starts with the talk's Nodes and its first Pod; the
	// Deployment appears a few seconds later.
	var g graph.Snapshot
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		var err error
		if g, err = p.Graph(ctx, ""); err != nil {
			return err
		}
		kinds := map[string]int{}
		for _, n := range g.Nodes {
			kinds[n.Kind]++
		}
		if kinds["Deployment"] == 0 || kinds["Node"] == 0 || kinds["Pod"] == 0 {
			return fmt.Errorf("/api/graph of the demo has %v; want a Deployment, pods and Nodes", kinds)
		}
		return nil
	})
	info, err := replayInfo(context.Background(), p.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Loop || !info.Playing {
		t.Errorf("the demo is not looping and playing: %+v", info)
	}
	t.Logf("demo on a fresh machine: %d nodes, %d edges, %.0fs loop with %d happenings", len(g.Nodes), len(g.Edges), info.Duration, len(info.Happenings))
}

// TestDemoBrowser opens the demo in Chromium: the page animates, the
// scrubber moves, and jumping to the rollback ("revision 2 → 3") shows the
// old and the new ReplicaSet as two lanes with pods.
func TestDemoBrowser(t *testing.T) {
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr)
	br := newBrowser(t, false)
	br.open(p.URL + "/")
	br.waitJS(`document.querySelector('[data-testid=replay]') !== null && document.querySelectorAll('[data-testid=replay-marker]').length > 5`,
		15*time.Second, "the replay controls with their markers")
	br.waitJS(`document.querySelector('[data-testid=banner] .banner-text').textContent === 'Recorded — not live'`, 10*time.Second, "the banner saying a replay is not live")
	br.waitJS(`document.querySelectorAll('.pod[data-id^="Pod/"]').length > 0`, 30*time.Second, "pods on the stage")
	br.shot("demo")

	// Animates: the picture's seq grows as deltas arrive; the scrubber moves.
	seq0 := eval[float64](br, `window.podium.store.seq`)
	pos0 := eval[float64](br, `Number(document.querySelector('[data-testid=replay-scrubber]').dataset.position)`)
	br.waitJS(fmt.Sprintf(`window.podium.store.seq > %v && Number(document.querySelector('[data-testid=replay-scrubber]').dataset.position) > %v + 1`, seq0, pos0),
		30*time.Second, "new deltas and the scrubber moving")
	t.Logf("animating: seq %v → %v, scrubber %.1fs → %s", seq0, eval[float64](br, `window.podium.store.seq`), pos0,
		eval[string](br, `document.querySelector('[data-testid=replay-scrubber]').dataset.position`))

	// Pause, then jump to the rollback through its marker.
	br.waitJS(`(() => { const b = document.querySelector('[data-testid=replay-play]'); if (document.querySelector('[data-testid=replay]').dataset.playing === 'true') b.click(); return true; })()`,
		5*time.Second, "the pause button")
	br.waitJS(`document.querySelector('[data-testid=replay]').dataset.playing === 'false'`, 10*time.Second, "the replay to pause")
	idx := eval[float64](br, `window.podiumReplay.info.happenings.findIndex((h) => h.kind === 'rollout' && h.text.includes('revision 2 → 3'))`)
	if idx < 0 {
		t.Fatalf("the demo has no 'revision 2 → 3' happening")
	}
	epoch := eval[string](br, `window.podiumReplay.info.epoch`)
	if ok := eval[bool](br, fmt.Sprintf(`(() => { const m = document.querySelector('[data-testid=replay-marker][data-index="%d"]'); if (!m) return false; m.click(); return true; })()`, int(idx))); !ok {
		t.Fatalf("no marker %d on the timeline", int(idx))
	}
	at := eval[float64](br, fmt.Sprintf(`window.podiumReplay.info.happenings[%d].time`, int(idx)))
	br.waitJS(fmt.Sprintf(`window.podiumReplay.info.epoch !== %s && Math.abs(window.podiumReplay.info.position - %v) < 0.01`, jsString(epoch), at),
		10*time.Second, "the jump to the rollback")
	// The rolled-back Deployment's ReplicaSets: "ReplicaSet/<ns>/<name>-<hash>".
	rsPrefix := eval[string](br, fmt.Sprintf(`window.podiumReplay.info.happenings[%d].ref.replace(/^Deployment\//, 'ReplicaSet/') + '-'`, int(idx)))
	withPods := fmt.Sprintf(`[...document.querySelectorAll(%s)].filter((l) => l.dataset.pods !== '0')`, jsString(fmt.Sprintf(".lane[data-id^=%q]", rsPrefix)))
	br.waitJS(withPods+`.length === 2`, 20*time.Second, "two ReplicaSet lanes with pods")
	br.shot("rollback-two-lanes")
	revs := eval[[]string](br, withPods+`.map((l) => l.dataset.revision).sort()`)
	t.Logf("after the jump: lanes with pods at revisions %v", revs)
	if len(revs) != 2 || revs[0] == revs[1] {
		t.Errorf("lanes at revisions %v, want two different revisions", revs)
	}
	// Still paused: a jump does not resume play.
	if eval[string](br, `document.querySelector('[data-testid=replay]').dataset.playing`) != "false" {
		t.Errorf("the jump resumed play")
	}
}
