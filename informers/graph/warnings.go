package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
)

// Fields of a core v1 Event the model reads (an informer's transform may
// strip the rest): metadata.namespace and name; type; involvedObject.kind,
// namespace, name and uid; reason; message (only its first
// maxWarningMessage bytes); count; series.count and lastObservedTime;
// lastTimestamp; eventTime; firstTimestamp.

// Bounds of what the model keeps of Warning Events. Events are high-churn
// and a cluster may hold thousands, so everything is bounded; what falls out
// of a bound is the oldest (by last time) and costs at most an upsert of the
// object it was about.
//
// Worst case: maxWarningEvents records of some 200 bytes plus their messages
// (at most maxWarningMessage bytes, shared with the informer cache where
// possible) and maxWarningObjects object entries: under 4 MB.
const (
	// maxWarningObjects bounds the objects that have warnings, whether the
	// model holds the object or not (yet). Objects the model does not hold
	// are dropped first, then those whose newest warning is oldest.
	maxWarningObjects = 2000
	// maxWarningEvents bounds the Warning Events indexed by name (the
	// Event's namespace/name), which Delete needs to remove a contribution.
	maxWarningEvents = 5000
	// maxEventsPerObject bounds the events kept per object: the newest
	// ones, enough to fill MaxWarnings reasons in all but odd cases.
	maxEventsPerObject = 16
	// maxWarningMessage bounds a warning's message, in bytes, cut on a rune
	// boundary; maxWarningReason bounds its reason.
	maxWarningMessage = 512
	maxWarningReason  = 128
	// warningFresh is how old a warning may be and still make a happening:
	// an older one (the initial list of events after a start) updates its
	// object quietly, with an upsert, rather than flooding the ticker.
	warningFresh = 10 * time.Minute
)

// conditionEvent is the namespace of the pseudo Event names that stand for
// an object's own failing condition (an HPA that cannot read metrics); no
// real Event namespace can contain a '/'.
const conditionEvent = "condition/"

// MergeWarning returns list with w merged in, the one rule every holder of
// a graph applies to a "warning" happening: the entry with w's reason is
// replaced (or w is inserted), entries are sorted newest first (by Last,
// then by Reason), and at most MaxWarnings are kept. list is not modified.
func MergeWarning(list []Warning, w Warning) []Warning {
	out := make([]Warning, 0, len(list)+1)
	for _, x := range list {
		if x.Reason != w.Reason {
			out = append(out, x)
		}
	}
	out = append(out, w)
	sortWarnings(out)
	if len(out) > MaxWarnings {
		out = out[:MaxWarnings]
	}
	return out
}

func sortWarnings(ws []Warning) {
	slices.SortFunc(ws, func(a, b Warning) int {
		return cmp.Or(b.Last.Compare(a.Last), cmp.Compare(a.Reason, b.Reason))
	})
}

func warningsEqual(a, b []Warning) bool {
	return slices.EqualFunc(a, b, func(x, y Warning) bool {
		return x.Reason == y.Reason && x.Message == y.Message && x.Count == y.Count && x.Last.Equal(y.Last)
	})
}

// WarningFromHappening reads the warning a "warning" happening carries; ok
// is false when h is not one or its params are malformed.
func WarningFromHappening(h *Happening) (w Warning, ok bool) {
	if h.Kind != HappeningWarning || h.Params == nil {
		return Warning{}, false
	}
	reason := h.Params[ParamReason]
	count, err := strconv.Atoi(h.Params[ParamCount])
	if reason == "" || err != nil {
		return Warning{}, false
	}
	last, err := time.Parse(time.RFC3339, h.Params[ParamLast])
	if err != nil {
		return Warning{}, false
	}
	return Warning{Reason: reason, Message: h.Params[ParamMessage], Count: count, Last: last.UTC()}, true
}

// warningHappening is the happening that says w about n.
func warningHappening(n *Node, w Warning, at time.Time) Happening {
	name := qualified(n)
	text := fmt.Sprintf("%s %s: %s: %s", n.Kind, name, w.Reason, w.Message)
	if w.Count > 1 {
		text += fmt.Sprintf(" (×%d)", w.Count)
	}
	return Happening{Time: at, Kind: HappeningWarning, Ref: n.ID, Text: text, Params: map[string]string{
		ParamName: name, ParamKind: n.Kind, ParamReason: w.Reason, ParamMessage: w.Message,
		ParamCount: strconv.Itoa(w.Count), ParamLast: w.Last.Format(time.RFC3339),
	}}
}

// warningKinds are the involvedObject kinds whose events attach to a node,
// and whether the kind is cluster-scoped (its id has no namespace, whatever
// namespace the Event itself lives in).
var warningKinds = map[string]bool{
	KindIngress: false, KindService: false, KindDeployment: false, KindReplicaSet: false,
	KindStatefulSet: false, KindDaemonSet: false, KindPod: false, KindNode: true,
	KindJob: false, KindCronJob: false, KindHPA: false, KindPVC: false, KindPV: true,
	KindStorageClass: true, KindConfigMap: false, KindSecret: false,
	KindPDB: false, KindNamespace: true, // #13: the disruption controller warns about budgets
}

// WarningOf returns what a Warning Event says and the id of the object it is
// about; ok is false for another type of event, an object of a kind the
// model does not draw, or an event without an object name or reason.
func WarningOf(ev *corev1.Event) (id, uid string, w Warning, ok bool) {
	if ev.Type != corev1.EventTypeWarning {
		return "", "", Warning{}, false
	}
	o := ev.InvolvedObject
	cluster, drawn := warningKinds[o.Kind]
	if !drawn || o.Name == "" || ev.Reason == "" {
		return "", "", Warning{}, false
	}
	ns := o.Namespace
	if cluster {
		ns = ""
	} else if ns == "" {
		ns = ev.Namespace // an event lives in its object's namespace
		if ns == "" {
			return "", "", Warning{}, false
		}
	}
	count := int(ev.Count)
	if ev.Series != nil && ev.Series.Count > 0 {
		count = int(ev.Series.Count)
	}
	var last time.Time
	switch {
	case ev.Series != nil && !ev.Series.LastObservedTime.IsZero():
		last = ev.Series.LastObservedTime.Time
	case !ev.LastTimestamp.IsZero():
		last = ev.LastTimestamp.Time
	case !ev.EventTime.IsZero():
		last = ev.EventTime.Time
	default:
		last = ev.FirstTimestamp.Time
	}
	w = Warning{
		Reason:  capBytes(ev.Reason, maxWarningReason),
		Message: capBytes(ev.Message, maxWarningMessage),
		Count:   max(count, 1),
		// Whole seconds in UTC: the wire carries RFC3339, and a graph
		// rebuilt from happenings must equal the model's.
		Last: time.Unix(last.Unix(), 0).UTC(),
	}
	uid = string(o.UID)
	if o.Kind == KindNode {
		uid = "" // the kubelet names its Node by name, not by uid
	}
	return ID(o.Kind, ns, o.Name), uid, w, true
}

// capBytes cuts s to at most n bytes on a rune boundary, after replacing
// invalid UTF-8 as the wire's JSON would: a graph rebuilt from the wire
// must equal the model's.
func capBytes(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

type eventKey struct{ ns, name string }

// warnRec is one event's contribution to its object's warnings.
type warnRec struct {
	key eventKey
	obj *warnObj
	uid string // the object's uid the event names, or ""
	w   Warning
	seq uint64 // order of arrival, to break ties of Last
}

// warnObj is one object's events, whether the model holds the object or not.
type warnObj struct {
	id   string
	recs []*warnRec // at most maxEventsPerObject
}

// newest returns the newest Last among o's events.
func (o *warnObj) newest() time.Time {
	var t time.Time
	for _, r := range o.recs {
		if r.w.Last.After(t) {
			t = r.w.Last
		}
	}
	return t
}

// matches reports whether r is about the incarnation of its object whose
// uid is uid: an event names the uid of the object it is about, and a pod
// re-created under the same name must not inherit its predecessor's.
func (r *warnRec) matches(uid string) bool {
	return r.uid == "" || uid == "" || r.uid == uid
}

// better reports whether a is the newer of two events of one reason.
func better(a, b *warnRec) bool {
	if c := a.w.Last.Compare(b.w.Last); c != 0 {
		return c > 0
	}
	return a.seq > b.seq
}

// entry returns the warning for reason among o's events about uid: that of
// the newest such event.
func (o *warnObj) entry(reason, uid string) (Warning, bool) {
	var best *warnRec
	for _, r := range o.recs {
		if r.w.Reason == reason && r.matches(uid) && (best == nil || better(r, best)) {
			best = r
		}
	}
	if best == nil {
		return Warning{}, false
	}
	return best.w, true
}

// list derives the warnings of o's object whose uid is uid: an entry per
// reason from its newest event, newest first, at most MaxWarnings.
func (o *warnObj) list(uid string) []Warning {
	var out []Warning
	for _, r := range o.recs {
		if !r.matches(uid) || slices.ContainsFunc(out, func(w Warning) bool { return w.Reason == r.w.Reason }) {
			continue
		}
		w, _ := o.entry(r.w.Reason, uid)
		out = append(out, w)
	}
	sortWarnings(out)
	if len(out) > MaxWarnings {
		out = out[:MaxWarnings]
	}
	return out
}

// warnState is the model's memory of Warning Events.
type warnState struct {
	objs   map[string]*warnObj
	events map[eventKey]*warnRec
	seq    uint64
	// haps are the warning happenings since the last Flush, in order.
	haps []Happening
	// said are the ids that haps are about. A node that also changed
	// otherwise (or whose warnings changed in a way no happening can say)
	// is upserted whole, and its happenings then only inform.
	said map[string]bool
}

func newWarnState() warnState {
	return warnState{objs: map[string]*warnObj{}, events: map[eventKey]*warnRec{}, said: map[string]bool{}}
}

// setEvent folds in a Warning Event (a change of any other type removes
// what the event said before, if anything).
func (m *Model) setEvent(ev *corev1.Event, now time.Time) {
	key := eventKey{ev.Namespace, ev.Name}
	id, uid, w, ok := WarningOf(ev)
	if !ok {
		m.deleteEvent(key.ns, key.name, now)
		return
	}
	s := &m.warn
	if r := s.events[key]; r != nil {
		if r.obj.id == id && r.uid == uid && warningsEqual([]Warning{r.w}, []Warning{w}) {
			return // a resync
		}
		if r.obj.id != id {
			m.deleteEvent(key.ns, key.name, now)
		}
	}
	m.putWarning(key, id, uid, w, now)
}

// putWarning makes w the contribution of the event key to object id.
func (m *Model) putWarning(key eventKey, id, uid string, w Warning, now time.Time) {
	o := m.warn.put(key, id, uid, w)
	if len(o.recs) > maxEventsPerObject {
		m.dropRecs(oldestRecs(o.recs, len(o.recs)-maxEventsPerObject), now)
	}
	m.refresh(o, w.Reason, now)
	m.boundWarnings(now)
}

// put records w as what the event key says about object id, and returns
// the object's entry.
func (s *warnState) put(key eventKey, id, uid string, w Warning) *warnObj {
	s.seq++
	r := s.events[key]
	if r == nil {
		o := s.objs[id]
		if o == nil {
			o = &warnObj{id: id}
			s.objs[id] = o
		}
		r = &warnRec{key: key, obj: o}
		s.events[key] = r
		o.recs = append(o.recs, r)
	}
	r.uid, r.w, r.seq = uid, w, s.seq
	return r.obj
}

// remove forgets r, and its object's entry once it has no events left.
func (s *warnState) remove(r *warnRec) {
	delete(s.events, r.key)
	r.obj.recs = slices.DeleteFunc(r.obj.recs, func(x *warnRec) bool { return x == r })
	if len(r.obj.recs) == 0 {
		delete(s.objs, r.obj.id)
	}
}

// deleteEvent removes what the Event ns/name contributed.
func (m *Model) deleteEvent(ns, name string, now time.Time) {
	r := m.warn.events[eventKey{ns, name}]
	if r == nil {
		return
	}
	m.dropRecs([]*warnRec{r}, now)
}

// dropRecs forgets events and refreshes their objects.
func (m *Model) dropRecs(rs []*warnRec, now time.Time) {
	touched := map[*warnObj]bool{}
	for _, r := range rs {
		m.warn.remove(r)
		touched[r.obj] = true
	}
	for o := range touched {
		m.refresh(o, "", now)
	}
}

// oldestRecs returns the n oldest of rs.
func oldestRecs(rs []*warnRec, n int) []*warnRec {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b *warnRec) int {
		if better(a, b) {
			return 1
		}
		return -1
	})
	return s[:n]
}

// boundWarnings keeps the totals within their bounds, dropping a
// sixteenth at a time so the sorting is paid rarely.
func (m *Model) boundWarnings(now time.Time) {
	s := &m.warn
	if len(s.events) > maxWarningEvents {
		all := make([]*warnRec, 0, len(s.events))
		for _, r := range s.events {
			all = append(all, r)
		}
		m.dropRecs(oldestRecs(all, len(all)-maxWarningEvents+maxWarningEvents/16), now)
	}
	if len(s.objs) > maxWarningObjects {
		type victim struct {
			o      *warnObj
			held   bool
			newest time.Time
		}
		vs := make([]victim, 0, len(s.objs))
		for _, o := range s.objs {
			vs = append(vs, victim{o, m.node(o.id) != nil, o.newest()})
		}
		slices.SortFunc(vs, func(a, b victim) int {
			if a.held != b.held {
				if a.held {
					return 1
				}
				return -1
			}
			return cmp.Or(a.newest.Compare(b.newest), cmp.Compare(a.o.id, b.o.id))
		})
		var rs []*warnRec
		for _, v := range vs[:len(vs)-maxWarningObjects+maxWarningObjects/16] {
			rs = append(rs, v.o.recs...)
		}
		m.dropRecs(rs, now)
	}
}

// refresh brings the warnings of o's node, if the model holds it, up to date
// after its events changed (reason names the event's reason for a set, ""
// for a removal). A change that the "warning" happening of that reason
// reproduces, merged by MergeWarning into what clients hold, is sent as
// that happening and the node is not upserted: events are high-churn, and a
// pod's upsert must stay within its wire budget. Any other change (a
// removal, a warning too old to announce) marks the node changed, and Flush
// upserts a changed node whose warnings differ (nodeEqual ignores them).
func (m *Model) refresh(o *warnObj, reason string, now time.Time) {
	cur := m.node(o.id)
	if cur == nil {
		return // attached when the object appears
	}
	next := o.list(cur.UID)
	if warningsEqual(cur.Warnings, next) {
		return
	}
	m.replaceNode(withWarnings(cur, next))
	if reason != "" {
		if w, ok := o.entry(reason, cur.UID); ok && now.Sub(w.Last) <= warningFresh &&
			warningsEqual(MergeWarning(cur.Warnings, w), next) {
			at := now
			// Clients apply a delta's happenings in order: keep those of
			// one object in the order they were made.
			for i := len(m.warn.haps) - 1; i >= 0; i-- {
				if h := m.warn.haps[i]; h.Ref == cur.ID {
					if h.Time.After(at) {
						at = h.Time
					}
					break
				}
			}
			m.warn.haps = append(m.warn.haps, warningHappening(cur, w, at))
			m.warn.said[cur.ID] = true
			return
		}
	}
	m.markNode(cur.ID, cur, now)
}

// withWarnings returns n with ws as its warnings: n itself when it has them
// already, else a shallow copy, since n may be shared (a pod's node is the
// informer cache's).
func withWarnings(n *Node, ws []Warning) *Node {
	if warningsEqual(n.Warnings, ws) {
		return n
	}
	c := *n
	c.Warnings = ws
	return &c
}

// replaceNode stores n as the current value of its id, which the model
// holds, without marking it changed.
func (m *Model) replaceNode(n *Node) {
	if n.Kind != KindPod {
		m.nodes[n.ID] = n
		return
	}
	x := m.ns[n.Namespace]
	c := *x.pods[n.Name] // the informer cache's: never modified
	c.Node = n
	x.pods[n.Name] = &c
}

// attachPodWarnings is attachWarnings for a pod, which the model holds as
// its CachedPod: a copy when the node gets warnings.
func (m *Model) attachPodWarnings(p *CachedPod, now time.Time) *CachedPod {
	n := m.attachWarnings(p.Node, now)
	if n == p.Node {
		return p
	}
	c := *p
	c.Node = n
	return &c
}

// attachWarnings returns n as the model stores it: with the warnings of its
// object's events (and of its own failing conditions). setNode calls it
// with every new value, so a change of the object keeps its warnings.
func (m *Model) attachWarnings(n *Node, now time.Time) *Node {
	m.conditionWarning(n, now)
	o := m.warn.objs[n.ID]
	if o == nil {
		return withWarnings(n, nil)
	}
	return withWarnings(n, o.list(n.UID))
}

// conditionWarning keeps the warning an HPA's own ScalingActive condition
// makes while it says the HPA cannot read its metrics; it merges by reason
// with the HPA controller's Warning Events of the same reason.
func (m *Model) conditionWarning(n *Node, now time.Time) {
	if n.Kind != KindHPA || n.HorizontalPodAutoscaler == nil {
		return
	}
	key := eventKey{conditionEvent + n.Namespace, n.Name}
	c, failing := hpaMetricsFailing(n.HorizontalPodAutoscaler)
	r := m.warn.events[key]
	if !failing {
		if r != nil {
			m.warn.remove(r) // setNode is storing the HPA's new value
		}
		return
	}
	w := Warning{Reason: capBytes(c.Reason, maxWarningReason), Message: capBytes(c.Message, maxWarningMessage),
		Count: 1, Last: time.Unix(now.Unix(), 0).UTC()}
	if r != nil && r.obj.id == n.ID && r.uid == n.UID && r.w.Reason == w.Reason && r.w.Message == w.Message {
		return // still failing the same way: keep when it began
	}
	m.warn.put(key, n.ID, n.UID, w)
}

// hpaMetricsFailing returns the HPA's ScalingActive condition when it says
// the HPA cannot compute a scale from its metrics (False for any reason but
// ScalingDisabled, which is a target scaled to zero on purpose).
func hpaMetricsFailing(h *HPAFields) (Condition, bool) {
	for _, c := range h.Conditions {
		if c.Type == "ScalingActive" {
			return c, c.Status == string(corev1.ConditionFalse) && c.Reason != "ScalingDisabled" && c.Reason != ""
		}
	}
	return Condition{}, false
}

// flushWarnings returns the warning happenings since the last Flush about
// objects the model still holds, and forgets them.
func (m *Model) flushWarnings() []Happening {
	var out []Happening
	for _, h := range m.warn.haps {
		if m.node(h.Ref) != nil {
			out = append(out, h)
		}
	}
	m.warn.haps = m.warn.haps[:0]
	clear(m.warn.said)
	return out
}
