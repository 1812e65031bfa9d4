package graph

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func wrn(reason string, sec int, count int) Warning {
	return Warning{Reason: reason, Message: "m-" + reason, Count: count, Last: t0.Add(time.Duration(sec) * time.Second)}
}

func reasons(ws []Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s@%d×%d", w.Reason, int(w.Last.Sub(t0).Seconds()), w.Count))
	}
	return out
}

func TestMergeWarning(t *testing.T) {
	full := []Warning{wrn("E", 50, 1), wrn("D", 40, 1), wrn("C", 30, 1), wrn("B", 20, 1), wrn("A", 10, 1)}
	tests := []struct {
		name string
		list []Warning
		w    Warning
		want []string
	}{
		{"into nothing", nil, wrn("A", 1, 1), []string{"A@1×1"}},
		{"newest first", []Warning{wrn("A", 1, 1)}, wrn("B", 2, 1), []string{"B@2×1", "A@1×1"}},
		{"older goes after", []Warning{wrn("B", 2, 1)}, wrn("A", 1, 1), []string{"B@2×1", "A@1×1"}},
		{"same time: by reason", []Warning{wrn("B", 2, 1)}, wrn("A", 2, 1), []string{"A@2×1", "B@2×1"}},
		{"replaces its reason", []Warning{wrn("B", 2, 1), wrn("A", 1, 1)}, wrn("A", 3, 4), []string{"A@3×4", "B@2×1"}},
		{"replacement may be older", []Warning{wrn("B", 2, 1), wrn("A", 3, 1)}, wrn("A", 1, 1), []string{"B@2×1", "A@1×1"}},
		{"full: the oldest falls out", full, wrn("F", 60, 1), []string{"F@60×1", "E@50×1", "D@40×1", "C@30×1", "B@20×1"}},
		{"full: an older one never enters", full, wrn("Z", 5, 1), []string{"E@50×1", "D@40×1", "C@30×1", "B@20×1", "A@10×1"}},
		{"full: a replacement drops nothing", full, wrn("A", 60, 2), []string{"A@60×2", "E@50×1", "D@40×1", "C@30×1", "B@20×1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := reasons(tt.list)
			got := MergeWarning(tt.list, tt.w)
			if diff := cmp.Diff(tt.want, reasons(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, reasons(tt.list)); diff != "" {
				t.Errorf("MergeWarning modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

// mkEvent returns a Warning Event about the object kind ns/name.
func mkEvent(name, kind, ns, obj, reason, msg string, count int32, last time.Time) *corev1.Event {
	evNs := ns
	if evNs == "" {
		evNs = "default"
	}
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: evNs, Name: name},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Namespace: ns, Name: obj, UID: uidOf("uid-" + obj)},
		Type:           corev1.EventTypeWarning, Reason: reason, Message: msg, Count: count,
		LastTimestamp: metav1.NewTime(last),
	}
}

func TestWarningOf(t *testing.T) {
	at := t0.Add(90 * time.Second)
	later := t0.Add(2 * time.Minute)
	long := "a" + strings.Repeat("é", 300) // 601 bytes; byte 512 is inside an é
	tests := []struct {
		name   string
		ev     *corev1.Event
		edit   func(*corev1.Event)
		wantID string
		want   Warning
	}{
		{"pod", mkEvent("e", "Pod", "default", "web", "FailedScheduling", "0/3 nodes are available", 2, at), nil,
			"Pod/default/web", Warning{"FailedScheduling", "0/3 nodes are available", 2, at}},
		{"normal events are not warnings", mkEvent("e", "Pod", "default", "web", "Pulled", "x", 1, at),
			func(e *corev1.Event) { e.Type = corev1.EventTypeNormal }, "", Warning{}},
		{"a kind the model does not draw", mkEvent("e", "Lease", "default", "x", "R", "x", 1, at), nil, "", Warning{}},
		{"no object name", mkEvent("e", "Pod", "default", "", "R", "x", 1, at), nil, "", Warning{}},
		{"no reason", mkEvent("e", "Pod", "default", "web", "", "x", 1, at), nil, "", Warning{}},
		{"a Node is cluster-scoped whatever the event says", mkEvent("e", "Node", "default", "worker-1", "Rebooted", "r", 1, at), nil,
			"Node/worker-1", Warning{"Rebooted", "r", 1, at}},
		{"the event's namespace when the object's is missing", mkEvent("e", "Pod", "", "web", "R", "x", 1, at),
			func(e *corev1.Event) { e.Namespace = "shop" }, "Pod/shop/web", Warning{"R", "x", 1, at}},
		{"count at least one", mkEvent("e", "Pod", "default", "web", "R", "x", 0, at), nil,
			"Pod/default/web", Warning{"R", "x", 1, at}},
		{"a series counts and times", mkEvent("e", "Pod", "default", "web", "R", "x", 1, at),
			func(e *corev1.Event) {
				e.Series = &corev1.EventSeries{Count: 7, LastObservedTime: metav1.NewMicroTime(later)}
			}, "Pod/default/web", Warning{"R", "x", 7, later}},
		{"eventTime when no lastTimestamp", mkEvent("e", "Pod", "default", "web", "R", "x", 1, time.Time{}),
			func(e *corev1.Event) {
				e.EventTime = metav1.NewMicroTime(later.Add(300 * time.Millisecond))
				e.FirstTimestamp = metav1.NewTime(at)
			}, "Pod/default/web", Warning{"R", "x", 1, later}},
		{"firstTimestamp last", mkEvent("e", "Pod", "default", "web", "R", "x", 1, time.Time{}),
			func(e *corev1.Event) { e.FirstTimestamp = metav1.NewTime(at) }, "Pod/default/web", Warning{"R", "x", 1, at}},
		{"a long message is cut on a rune boundary", mkEvent("e", "Pod", "default", "web", "R", long, 1, at), nil,
			"Pod/default/web", Warning{"R", "a" + strings.Repeat("é", 255), 1, at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.edit != nil {
				tt.edit(tt.ev)
			}
			id, _, w, ok := WarningOf(tt.ev)
			if ok != (tt.wantID != "") || id != tt.wantID {
				t.Fatalf("WarningOf = %q, %v; want %q", id, ok, tt.wantID)
			}
			if diff := cmp.Diff(tt.want, w); ok && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(w.Message) > maxWarningMessage || !strings.HasPrefix(tt.ev.Message, w.Message) {
				t.Errorf("message %d bytes, not a prefix of the event's within %d", len(w.Message), maxWarningMessage)
			}
		})
	}
}

// rebuilt applies every delta to a State, as a /ws client does, and checks
// after each that it equals the model's graph, warnings included.
type rebuilt struct {
	t  *testing.T
	m  *Model
	s  *State
	ds []Delta
}

func newRebuilt(t *testing.T) *rebuilt { return &rebuilt{t: t, m: NewModel(), s: NewState()} }

func (r *rebuilt) flush() Delta {
	r.t.Helper()
	d := r.m.Flush()
	// Through the wire, as a client gets it.
	b, err := json.Marshal(d)
	if err != nil {
		r.t.Fatal(err)
	}
	var wire Delta
	if err := json.Unmarshal(b, &wire); err != nil {
		r.t.Fatal(err)
	}
	r.s.Apply(&wire)
	r.ds = append(r.ds, d)
	if diff := graphDiff(r.m.Nodes(), r.s); diff != "" {
		r.t.Fatalf("graph rebuilt from deltas differs from the model (-model +rebuilt):\n%s", diff)
	}
	return d
}

func graphDiff(nodes []*Node, s *State) string {
	got := s.Snapshot(Filter{}).Nodes
	return cmp.Diff(nodeJSON(nodes), nodeJSON(got))
}

func nodeJSON(ns []*Node) []string {
	out := []string{}
	for _, n := range ns {
		b, _ := json.Marshal(n)
		out = append(out, string(b))
	}
	return out
}

func upsertIDs(d Delta) []string {
	out := []string{}
	for _, n := range d.Upsert.Nodes {
		out = append(out, n.ID)
	}
	return out
}

func happeningStrings(d Delta, kind string) []string {
	out := []string{}
	for _, h := range d.Happenings {
		if h.Kind == kind {
			out = append(out, h.Ref+" "+h.Params[ParamReason]+" "+h.Params[ParamCount]+" "+h.Params[ParamLast])
		}
	}
	return out
}

func TestWarningsOnTheWire(t *testing.T) {
	r := newRebuilt(t)
	pod := mkRunning("default", "web")
	r.m.Set(pod, t0)
	r.flush()
	at := t0.Add(time.Minute)

	// An event changes no upsert: the happening carries it.
	r.m.Set(mkEvent("e1", "Pod", "default", "web", "BackOff", "Back-off restarting", 3, at), at)
	d := r.flush()
	if got := upsertIDs(d); len(got) != 0 {
		t.Errorf("an event upserted %v; want nothing", got)
	}
	want := []string{"Pod/default/web BackOff 3 " + at.Format(time.RFC3339)}
	if diff := cmp.Diff(want, happeningStrings(d, HappeningWarning)); diff != "" {
		t.Errorf("warning happenings (-want +got):\n%s", diff)
	}
	if h := d.Happenings[0]; h.Text != "Pod default/web: BackOff: Back-off restarting (×3)" || h.Params[ParamMessage] != "Back-off restarting" {
		t.Errorf("happening %+v", h)
	}

	// The same event again (a resync) says nothing.
	r.m.Set(mkEvent("e1", "Pod", "default", "web", "BackOff", "Back-off restarting", 3, at), at)
	if d := r.flush(); !d.Empty() {
		t.Errorf("a resync of an event made %+v", d)
	}

	// The pod's next change carries its warnings, and the cached pod
	// object is not touched.
	cp := NewCachedPod(mkRunning("default", "web", restarts(1)))
	r.m.Set(cp, at)
	d = r.flush()
	if len(d.Upsert.Nodes) != 1 || len(d.Upsert.Nodes[0].Warnings) != 1 {
		t.Fatalf("pod change upserted %+v; want the pod with its warning", d.Upsert.Nodes)
	}
	if cp.Node.Warnings != nil {
		t.Errorf("the informer cache's node was modified: %+v", cp.Node.Warnings)
	}
	// A resync of that pod is no change.
	r.m.Set(cp, at)
	if d := r.flush(); !d.Empty() {
		t.Errorf("a resync of a pod with warnings made %+v", summarize(d))
	}

	// A second reason, then a count, both as happenings.
	r.m.Set(mkEvent("e2", "Pod", "default", "web", "Unhealthy", "Readiness probe failed", 1, at.Add(time.Second)), at)
	r.m.Set(mkEvent("e1", "Pod", "default", "web", "BackOff", "Back-off restarting", 4, at.Add(2*time.Second)), at)
	d = r.flush()
	if got := upsertIDs(d); len(got) != 0 {
		t.Errorf("events upserted %v", got)
	}
	if got := len(happeningStrings(d, HappeningWarning)); got != 2 {
		t.Errorf("%d warning happenings; want 2", got)
	}
	if diff := cmp.Diff([]string{"BackOff@62×4", "Unhealthy@61×1"}, reasons(r.m.node("Pod/default/web").Warnings)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	// An event deleted (its TTL) removes its entry: an upsert.
	r.m.Delete(Events, "default", "e2", at)
	d = r.flush()
	if diff := cmp.Diff([]string{"Pod/default/web"}, upsertIDs(d)); diff != "" {
		t.Errorf("deleting an event: upserts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"BackOff@62×4"}, reasons(d.Upsert.Nodes[0].Warnings)); diff != "" {
		t.Errorf("warnings after a delete (-want +got):\n%s", diff)
	}
	// Deleting what is not there is nothing.
	r.m.Delete(Events, "default", "e2", at)
	if d := r.flush(); !d.Empty() {
		t.Errorf("deleting an unknown event made %+v", d)
	}
}

func TestWarningsBeforeTheirObject(t *testing.T) {
	r := newRebuilt(t)
	at := t0.Add(time.Minute)
	r.m.Set(mkEvent("e1", "Pod", "default", "web", "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu", 1, at), at)
	r.m.Set(mkEvent("e2", "Deployment", "other", "x", "R", "x", 1, at), at)
	if d := r.flush(); !d.Empty() {
		t.Fatalf("events about absent objects made %+v; want nothing (no happening the client cannot place)", d)
	}
	r.m.Set(mkRunning("default", "web"), at)
	d := r.flush()
	if len(d.Upsert.Nodes) != 1 || len(d.Happenings) != 0 {
		t.Fatalf("the pod's appearance: %+v", summarize(d))
	}
	if diff := cmp.Diff([]string{"FailedScheduling@60×1"}, reasons(d.Upsert.Nodes[0].Warnings)); diff != "" {
		t.Errorf("first upsert's warnings (-want +got):\n%s", diff)
	}
	// Removed and re-created under a new uid: the old incarnation's events
	// stay with it.
	r.m.Delete(Pods, "default", "web", at)
	r.flush()
	r.m.Set(mkRunning("default", "web", uid("new")), at)
	d = r.flush()
	if n := d.Upsert.Nodes[0]; len(n.Warnings) != 0 {
		t.Errorf("a new incarnation inherited %v", reasons(n.Warnings))
	}
}

// The kubelet's events about its Node give the node's name as its uid.
func TestNodeWarningsByName(t *testing.T) {
	r := newRebuilt(t)
	r.m.Set(mkNode("worker-1", true), t0)
	r.flush()
	ev := mkEvent("worker-1.1", "Node", "", "worker-1", "NodeHasDiskPressure", "disk pressure", 1, t0)
	ev.InvolvedObject.UID = "worker-1"
	r.m.Set(ev, t0)
	r.flush()
	if n := r.m.node("Node/worker-1"); len(n.Warnings) != 1 {
		t.Errorf("Node warnings %+v; want the kubelet's", n.Warnings)
	}
}

func TestStaleWarningUpserts(t *testing.T) {
	r := newRebuilt(t)
	r.m.Set(mkRunning("default", "web"), t0)
	r.flush()
	now := t0.Add(time.Hour)
	r.m.Set(mkEvent("e1", "Pod", "default", "web", "BackOff", "x", 1, t0), now)
	d := r.flush()
	if len(d.Happenings) != 0 || len(d.Upsert.Nodes) != 1 {
		t.Errorf("an hour-old warning: %+v; want an upsert and no happening", summarize(d))
	}
}

func TestWarningChurnKeepsPodsClean(t *testing.T) {
	m := NewModel()
	m.Set(mkRunning("default", "web"), t0)
	m.Flush()
	for i := range 100 {
		at := t0.Add(time.Duration(i) * time.Second)
		m.Set(mkEvent(fmt.Sprintf("e%d", i%7), "Pod", "default", "web", fmt.Sprintf("R%d", i%7), "x", int32(i), at), at)
		m.Set(mkRunning("default", "web"), at) // an unchanged pod
		if d := m.Flush(); len(d.Upsert.Nodes) != 0 {
			t.Fatalf("event %d: upserted %v", i, upsertIDs(d))
		}
	}
}

func TestWarningBounds(t *testing.T) {
	t.Run("hundreds of events for one object", func(t *testing.T) {
		r := newRebuilt(t)
		r.m.Set(mkRunning("default", "web"), t0)
		r.flush()
		for i := range 500 {
			at := t0.Add(time.Duration(i) * time.Second)
			r.m.Set(mkEvent(fmt.Sprintf("e%d", i), "Pod", "default", "web", fmt.Sprintf("R%d", i%50), "x", 1, at), at)
			if i%50 == 0 {
				r.flush()
			}
		}
		r.flush()
		o := r.m.warn.objs["Pod/default/web"]
		if len(o.recs) > maxEventsPerObject || len(r.m.warn.events) > maxEventsPerObject {
			t.Errorf("%d events kept for one object, %d indexed; want at most %d", len(o.recs), len(r.m.warn.events), maxEventsPerObject)
		}
		want := []string{"R49@499×1", "R48@498×1", "R47@497×1", "R46@496×1", "R45@495×1"}
		if diff := cmp.Diff(want, reasons(r.m.node("Pod/default/web").Warnings)); diff != "" {
			t.Errorf("warnings (-want +got):\n%s", diff)
		}
	})
	t.Run("thousands of events", func(t *testing.T) {
		r := newRebuilt(t)
		// Fewer objects than their bound, more events than theirs.
		for i := range 2 * maxWarningEvents {
			at := t0.Add(time.Duration(i) * time.Second)
			r.m.Set(mkEvent(fmt.Sprintf("e%d", i), "Pod", "default", fmt.Sprintf("p%d", i%(maxWarningObjects/2)),
				fmt.Sprint("R", i%7), "x", 1, at), at)
		}
		r.flush()
		if e := len(r.m.warn.events); e > maxWarningEvents {
			t.Errorf("%d events kept; want at most %d", e, maxWarningEvents)
		}
		// The oldest went: the newest is kept.
		if _, ok := r.m.warn.events[eventKey{"default", fmt.Sprintf("e%d", 2*maxWarningEvents-1)}]; !ok {
			t.Error("the newest event was dropped")
		}
	})
	t.Run("thousands of objects", func(t *testing.T) {
		r := newRebuilt(t)
		// Some objects held, most not: those not held go first.
		for i := range 50 {
			r.m.Set(mkRunning("default", fmt.Sprintf("held-%d", i)), t0)
		}
		r.flush()
		for i := range 50 {
			at := t0.Add(time.Duration(i) * time.Millisecond)
			r.m.Set(mkEvent(fmt.Sprintf("h%d", i), "Pod", "default", fmt.Sprintf("held-%d", i), "R", "x", 1, at), at)
		}
		for i := range 3 * maxWarningEvents {
			at := t0.Add(time.Duration(i) * time.Second)
			r.m.Set(mkEvent(fmt.Sprintf("e%d", i), "Pod", "default", fmt.Sprintf("p%d", i%(3*maxWarningObjects)), "R", "x", 1, at), at)
			if i%1000 == 0 {
				r.flush()
			}
		}
		r.flush()
		if n, e := len(r.m.warn.objs), len(r.m.warn.events); n > maxWarningObjects || e > maxWarningEvents {
			t.Errorf("%d objects, %d events kept; want at most %d, %d", n, e, maxWarningObjects, maxWarningEvents)
		}
		for i := range 50 {
			if n := r.m.node(fmt.Sprintf("Pod/default/held-%d", i)); len(n.Warnings) != 1 {
				t.Fatalf("held pod %d lost its warning to newer ones about absent objects", i)
			}
		}
	})
}

func TestHPAConditionWarning(t *testing.T) {
	r := newRebuilt(t)
	hpa := func(uid string, conds ...Condition) *Node {
		return &Node{ID: "HorizontalPodAutoscaler/default/web", Kind: KindHPA, Namespace: "default", Name: "web", UID: uid,
			HorizontalPodAutoscaler: &HPAFields{Target: "Deployment/default/web", Min: 1, Max: 5, Current: 2, Desired: 2, Conditions: conds}}
	}
	active := Condition{Type: "ScalingActive", Status: "True", Reason: "ValidMetricFound"}
	failing := Condition{Type: "ScalingActive", Status: "False", Reason: "FailedGetResourceMetric",
		Message: "the HPA was unable to compute the replica count: failed to get cpu utilization"}
	r.m.setNode(hpa("u1", active), t0)
	r.flush()

	at := t0.Add(time.Minute)
	r.m.setNode(hpa("u1", failing), at)
	d := r.flush()
	want := []string{"HorizontalPodAutoscaler/default/web FailedGetResourceMetric 1 " + at.Format(time.RFC3339)}
	if diff := cmp.Diff(want, happeningStrings(d, HappeningWarning)); diff != "" {
		t.Errorf("turning to failing (-want +got):\n%s", diff)
	}
	if n := r.m.node("HorizontalPodAutoscaler/default/web"); len(n.Warnings) != 1 || n.Warnings[0].Message != failing.Message {
		t.Errorf("HPA warnings %+v", n.Warnings)
	}
	// Still failing: said once.
	r.m.setNode(hpa("u1", failing, Condition{Type: "AbleToScale", Status: "True"}), at.Add(time.Minute))
	if got := happeningStrings(r.flush(), HappeningWarning); len(got) != 0 {
		t.Errorf("still failing said again: %v", got)
	}
	// The controller's event of the same reason merges with it.
	ev := mkEvent("hpa-e", KindHPA, "default", "web", "FailedGetResourceMetric", "failed to get cpu", 9, at.Add(2*time.Minute))
	ev.InvolvedObject.UID = "u1"
	r.m.Set(ev, at.Add(2*time.Minute))
	r.flush()
	if n := r.m.node("HorizontalPodAutoscaler/default/web"); len(n.Warnings) != 1 || n.Warnings[0].Count != 9 {
		t.Errorf("event and condition of one reason: %+v", n.Warnings)
	}
	// Recovered: the condition's warning goes, the event's stays.
	r.m.setNode(hpa("u1", active), at.Add(3*time.Minute))
	r.flush()
	r.m.Delete(Events, "default", "hpa-e", at.Add(3*time.Minute))
	r.flush()
	if n := r.m.node("HorizontalPodAutoscaler/default/web"); len(n.Warnings) != 0 {
		t.Errorf("recovered HPA keeps %+v", n.Warnings)
	}
}

func TestNodeWarningsJSON(t *testing.T) {
	n := &Node{ID: "Pod/default/web", Kind: KindPod, Namespace: "default", Name: "web", UID: "u",
		Pod:      &PodFields{Status: "Pending", Images: []string{}, Containers: []Container{}},
		Warnings: []Warning{wrn("FailedScheduling", 60, 2)}}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"warnings":[{"reason":"FailedScheduling","message":"m-FailedScheduling","count":2,"last":"2026-11-25T12:01:00Z"}]`) {
		t.Errorf("JSON %s lacks its warnings", b)
	}
	var back Node
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !warningsEqual(back.Warnings, n.Warnings) {
		t.Errorf("decoded %+v; want %+v", back.Warnings, n.Warnings)
	}
	n.Warnings = nil
	if b, _ := json.Marshal(n); strings.Contains(string(b), "warnings") {
		t.Errorf("a node without warnings says %s", b)
	}
}

// TestWarningsRebuiltEqual is a property test: after any sequence of pod
// and event changes, a graph rebuilt by applying the deltas equals the
// model's (warnings included), and so does one rebuilt from the log's
// coalesced deltas from any point.
func TestWarningsRebuiltEqual(t *testing.T) {
	for seed := range int64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			r := newRebuilt(t)
			log := NewLog("e", 1000)
			states := []*State{NewState()} // a client that synced at seq 0
			now := t0
			pods := []string{"a", "b", "c"}
			for step := range 300 {
				now = now.Add(time.Duration(rng.Intn(20)) * time.Second)
				pod := pods[rng.Intn(len(pods))]
				switch k := rng.Intn(20); {
				case k < 2:
					r.m.Delete(Pods, "default", pod, now)
				case k < 5:
					r.m.Set(mkRunning("default", pod, restarts(int32(rng.Intn(2))), uid(fmt.Sprint(rng.Intn(2)))), now)
				case k < 6:
					r.m.Delete(Events, "default", fmt.Sprintf("e%d", rng.Intn(12)), now)
				case k < 7:
					// Another kind, also deleted and re-created.
					if rng.Intn(3) == 0 {
						r.m.Delete(Deployments, "default", "web", now)
					} else {
						r.m.Set(mkDeployment("default", "web", int32(rng.Intn(3)), "1", "web:v1"), now)
					}
					ev := mkEvent(fmt.Sprintf("d%d", rng.Intn(3)), KindDeployment, "default", "web",
						fmt.Sprintf("R%d", rng.Intn(8)), "x", int32(rng.Intn(5)), now)
					ev.InvolvedObject.UID = ""
					r.m.Set(ev, now)
				default:
					// Events old and new, of few reasons, some about an
					// older incarnation.
					last := now.Add(-time.Duration(rng.Intn(900)) * time.Second)
					ev := mkEvent(fmt.Sprintf("e%d", rng.Intn(12)), "Pod", "default", pod,
						fmt.Sprintf("R%d", rng.Intn(8)), fmt.Sprint("msg", rng.Intn(3)), int32(rng.Intn(5)), last)
					ev.InvolvedObject.UID = uidOf(fmt.Sprint(rng.Intn(2)))
					r.m.Set(ev, now)
				}
				if rng.Intn(3) == 0 {
					d := r.flush()
					log.Append(d)
					if step%25 == 0 {
						states = append(states, NewState())
						s := log.Snapshot(Filter{})
						states[len(states)-1].Load(s.Seq, s.Nodes, s.Edges)
					}
					if rng.Intn(4) == 0 {
						// A client catches up with one coalesced delta.
						s := states[rng.Intn(len(states))]
						cd, ok := log.Changes("e", s.Seq, Filter{})
						if !ok {
							t.Fatal("log history too short for the test")
						}
						s.Apply(&cd)
						if diff := graphDiff(r.m.Nodes(), s); diff != "" {
							t.Fatalf("step %d: graph rebuilt from coalesced deltas differs (-model +rebuilt):\n%s", step, diff)
						}
					}
				}
			}
			log.Append(r.flush())
			if diff := graphDiff(r.m.Nodes(), log.state); diff != "" {
				t.Fatalf("/api/graph differs from the model (-model +log):\n%s", diff)
			}
		})
	}
}

// churn makes the i-th Warning Event of a stream at 50 a second about
// pods web-0…web-(pods-1): about 20,000 event names (the later ones updates,
// count up), a handful of reasons per pod.
func churn(i, pods int) (*corev1.Event, time.Time) {
	at := t0.Add(time.Duration(i) * 20 * time.Millisecond)
	pod := fmt.Sprintf("web-%d", (i*7919)%pods)
	reason := []string{"BackOff", "Unhealthy", "FailedMount", "FailedScheduling", "FailedCreatePodSandBox"}[i%5]
	name := fmt.Sprintf("%s.%x", pod, i%20000) // about 20,000 event names
	ev := mkEvent(name, "Pod", "default", pod, reason,
		fmt.Sprintf(`Readiness probe failed: Get "http://10.0.%d.%d:8080/healthz": dial tcp: connect: connection refused`, i%256, i%200),
		int32(1+i/20000), at)
	return ev, at
}

func churnModel(pods int) *Model {
	m := NewModel()
	for i := range pods {
		m.Set(mkRunning("default", fmt.Sprintf("web-%d", i)), t0)
	}
	m.Flush()
	return m
}

// BenchmarkWarningEvents is the CPU of one Warning Event at 50 a second:
// folding it in, the flush that follows, and publishing the delta (the log
// merges its happening into the node), about 500 pods (every one keeps its
// warnings) or 5,000 (more than maxWarningObjects: the oldest are dropped).
func BenchmarkWarningEvents(b *testing.B) {
	for _, pods := range []int{500, 5000} {
		b.Run(fmt.Sprint(pods, "pods"), func(b *testing.B) {
			m := churnModel(pods)
			log := NewLog("e", 64)
			log.Append(m.Flush())
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				ev, at := churn(i, pods)
				m.Set(ev, at)
				log.Append(m.Flush())
			}
		})
	}
}

// TestWarningMemory measures what 50 Warning Events a second for 10 minutes
// (30,000 events) leave on the model's heap, and that it is bounded: ten
// minutes more add next to nothing. About 500 pods fill the bound of
// events, about 5,000 the bound of objects.
func TestWarningMemory(t *testing.T) {
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for _, pods := range []int{500, 5000} {
		t.Run(fmt.Sprint(pods, "pods"), func(t *testing.T) {
			m := churnModel(pods)
			base := heap()
			i := 0
			run := func(n int) {
				for end := i + n; i < end; i++ {
					ev, at := churn(i, pods)
					m.Set(ev, at)
					if i%10 == 0 {
						m.Flush()
					}
				}
				m.Flush()
			}
			run(30000)
			ten := heap()
			run(30000)
			twenty := heap()
			runtime.KeepAlive(m)
			grow := int64(ten) - int64(base)
			t.Logf("after 10 minutes: %d objects, %d events kept, +%d KB heap (%d B an event kept); after 20: +%d KB",
				len(m.warn.objs), len(m.warn.events), grow/1024, grow/int64(max(len(m.warn.events), 1)), (int64(twenty)-int64(base))/1024)
			if grow > 6<<20 {
				t.Errorf("10 minutes of events hold %d KB; want at most 6 MB", grow/1024)
			}
			// A quarter of the first ten minutes' growth, with 256 KB for the
			// measurement's own noise: the first ten minutes may even end
			// below the base (the heap is measured after the setup, whose
			// garbage a collection may only then return), and a run failed
			// on -12 KB more against -2,303 KB.
			if more := int64(twenty) - int64(ten); more > max(grow/4, 256<<10) {
				t.Errorf("10 minutes more grew the heap by %d KB more: not bounded", more/1024)
			}
		})
	}
}

// FuzzWarnings folds arbitrary sequences of pods, Warning Events (with
// arbitrary reasons, messages, counts and times) and flushes, and holds the
// rebuild invariant and the bounds: a graph rebuilt from the deltas equals
// the model's, and no node carries more than MaxWarnings or a message over
// maxWarningMessage bytes.
func FuzzWarnings(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte("\x05\x01\x07\x05\x02\x09\x06\x01\x01\x00\x01\x00\x05\x01\xff\x03\x01\x00"))
	f.Add([]byte(strings.Repeat("\x05\x00\x01\x06\x00\x02", 40)))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newRebuilt(t)
		now := t0
		text := func(i int) string { // a slice of the input: any bytes at all
			if len(data) == 0 {
				return ""
			}
			a := i % len(data)
			return string(data[a:min(len(data), a+int(data[a]))])
		}
		for i := 0; i+2 < len(data) && i < 3*400; i += 3 {
			op, obj, arg := data[i]%8, int(data[i+1]%4), int(data[i+2])
			now = now.Add(time.Duration(arg) * time.Second)
			pod := fmt.Sprint("p", obj)
			switch op {
			case 0:
				r.m.Set(mkRunning("default", pod, uid(fmt.Sprint(arg%2))), now)
			case 1:
				r.m.Delete(Pods, "default", pod, now)
			case 2:
				r.m.Delete(Events, "default", fmt.Sprint("e", arg%16), now)
			case 3:
				r.flush()
			default:
				ev := mkEvent(fmt.Sprint("e", arg%16), "Pod", "default", pod, text(i+arg), text(i+2*arg+1),
					int32(arg)-10, now.Add(-time.Duration(arg*arg)*time.Second))
				ev.InvolvedObject.UID = uidOf(fmt.Sprint(arg % 2))
				if op == 7 {
					ev.Series = &corev1.EventSeries{Count: int32(arg), LastObservedTime: metav1.NewMicroTime(now)}
				}
				r.m.Set(ev, now)
			}
		}
		r.flush()
		for _, n := range r.m.Nodes() {
			if len(n.Warnings) > MaxWarnings {
				t.Fatalf("%s carries %d warnings", n.ID, len(n.Warnings))
			}
			for _, w := range n.Warnings {
				if len(w.Message) > maxWarningMessage || len(w.Reason) > maxWarningReason || w.Count < 1 {
					t.Fatalf("%s: warning out of bounds: %d-byte message, %d-byte reason, count %d", n.ID, len(w.Message), len(w.Reason), w.Count)
				}
			}
		}
	})
}
