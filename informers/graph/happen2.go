package graph

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Happening kinds of wave 2.
const (
	HappeningWarning  = "warning"
	HappeningJob      = "job"
	HappeningReplaced = "replaced"
)

// Happening params of wave 2, by kind (every kind also has name, as in
// happen.go):
//
//	warning    kind          the object's kind
//	           reason, message, count   as in the object's warnings entry
//	           last          RFC3339, the entry's last time
//	job        state         "started" | "complete" | "failed"
//	           job           "ns/name" of the Job
//	           cronjob       "ns/name" of the CronJob that started it (started)
//	           duration      how long it ran, e.g. "1m30s" (complete)
//	           reason        why it failed (failed)
//	scaled     kind          "HorizontalPodAutoscaler" (besides the workloads)
//	           from, to      desired replicas before and after
//	           why           what caused it: "<metric> above target",
//	                         "All metrics below target", or the controller's
//	                         own words ("Current number of replicas below
//	                         Spec.MinReplicas", a condition's message)
//	           metric, current, target   the metric that caused it, if one did
//	replaced   uid, newUid   the deleted pod's uid and its successor's
//	           claims        the claims the new pod reuses, joined by ", "
const (
	ParamMessage  = "message"
	ParamCount    = "count"
	ParamLast     = "last"
	ParamJob      = "job"
	ParamCronJob  = "cronjob"
	ParamDuration = "duration"
	ParamWhy      = "why"
	ParamMetric   = "metric"
	ParamCurrent  = "current"
	ParamTarget   = "target"
	ParamUID      = "uid"
	ParamNewUID   = "newUid"
	ParamClaims   = "claims"
	ParamWas      = "was"   // replaced by a ReplicaSet: the deleted pod, "ns/name"
	ParamOwner    = "owner" // replaced by a ReplicaSet: its id
)

// Job happening states.
const (
	JobStarted = "started"
)

// jobStartWindow is how recently a Job must have started for its appearance
// to be announced as started by its CronJob; older Jobs appearing are the
// initial list after a start.
const jobStartWindow = 2 * time.Minute

// Bounds of the memory of deleted pods, for the replaced happening: a
// re-created pod counts as a replacement within replacedWindow of its
// predecessor's deletion, and at most maxDeletedPods deletions are kept.
const (
	replacedWindow = 5 * time.Minute
	maxDeletedPods = 1024
	// A ReplicaSet's deletions are kept per ReplicaSet, the newest
	// maxOwnedDeletions of at most maxDeletedPods ReplicaSets.
	maxOwnedDeletions = 16
)

// Happenings2 derives the wave-2 happenings of one entity's change from prev
// to cur at time at (prev or cur nil for an appearance or a removal):
// Jobs started by a CronJob, complete or failed; an HPA's desired replicas
// changing, and its metrics failing. A re-created object (a new uid) makes
// none here: pods replaced under the same name are the model's concern.
func Happenings2(prev, cur *Node, at time.Time) []Happening {
	if cur == nil || (prev != nil && (prev.UID != cur.UID || prev.Kind != cur.Kind)) {
		return nil
	}
	name := qualified(cur)
	h := func(kind, text string, params map[string]string) Happening {
		params[ParamName] = name
		return Happening{Time: at, Kind: kind, Ref: cur.ID, Text: text, Params: params}
	}
	switch {
	case cur.Job != nil:
		return jobHappenings(prev, cur, at, h)
	case cur.HorizontalPodAutoscaler != nil && prev != nil && prev.HorizontalPodAutoscaler != nil:
		return hpaHappenings(prev, cur, at, h)
	}
	return nil
}

type mkHappening func(kind, text string, params map[string]string) Happening

func jobHappenings(prev, cur *Node, at time.Time, h mkHappening) []Happening {
	j, name := cur.Job, qualified(cur)
	if prev == nil || prev.Job == nil {
		cron, ok := strings.CutPrefix(j.Owner, KindCronJob+"/")
		if !ok || (!j.Started.IsZero() && at.Sub(j.Started) > jobStartWindow) {
			return nil
		}
		return []Happening{h(HappeningJob, fmt.Sprintf("CronJob %s started Job %s", cron, name),
			map[string]string{ParamState: JobStarted, ParamJob: name, ParamCronJob: cron})}
	}
	if prev.Job.State == j.State {
		return nil
	}
	switch j.State {
	case JobComplete:
		p := map[string]string{ParamState: JobComplete, ParamJob: name}
		text := fmt.Sprintf("Job %s complete", name)
		if !j.Started.IsZero() && !j.Finished.IsZero() && !j.Finished.Before(j.Started) {
			d := j.Finished.Sub(j.Started).Round(time.Second).String()
			p[ParamDuration] = d
			text += " in " + d
		}
		return []Happening{h(HappeningJob, text, p)}
	case JobFailed:
		p := map[string]string{ParamState: JobFailed, ParamJob: name, ParamReason: j.Reason}
		text := fmt.Sprintf("Job %s failed", name)
		if j.Reason != "" {
			text += ": " + j.Reason
		}
		return []Happening{h(HappeningJob, text, p)}
	}
	return nil
}

func hpaHappenings(prev, cur *Node, at time.Time, h mkHappening) []Happening {
	a, b := prev.HorizontalPodAutoscaler, cur.HorizontalPodAutoscaler
	var out []Happening
	// Desired 0 is an HPA that has not computed yet: its first figure is
	// no scaling.
	if a.Desired != b.Desired && a.Desired != 0 {
		p := map[string]string{ParamKind: cur.Kind, ParamFrom: strconv.Itoa(a.Desired), ParamTo: strconv.Itoa(b.Desired)}
		text := fmt.Sprintf("%s %s scaled %d → %d", cur.Kind, qualified(cur), a.Desired, b.Desired)
		why, m := hpaWhy(b, a.Desired, b.Desired)
		if why != "" {
			p[ParamWhy] = why
			text += ": " + why
		}
		if m != nil {
			p[ParamMetric], p[ParamCurrent], p[ParamTarget] = m.Name, m.Current, m.Target
			text += fmt.Sprintf(" (%s/%s)", m.Current, m.Target)
		}
		out = append(out, h(HappeningScaled, text, p))
	}
	if _, was := hpaMetricsFailing(a); !was {
		if c, is := hpaMetricsFailing(b); is {
			w := Warning{Reason: capBytes(c.Reason, maxWarningReason), Message: capBytes(c.Message, maxWarningMessage),
				Count: 1, Last: time.Unix(at.Unix(), 0).UTC()}
			// The entry the model attached, so the happening says what
			// the node carries.
			for _, x := range cur.Warnings {
				if x.Reason == w.Reason {
					w = x
				}
			}
			out = append(out, warningHappening(cur, w, at))
		}
	}
	return out
}

// hpaWhy says why an HPA's desired replicas went from one figure to
// another, as its controller decides: the bounds first, then the metric
// furthest above its target for a scale up, else its conditions.
func hpaWhy(h *HPAFields, from, to int) (string, *Metric) {
	switch {
	case h.Current > 0 && h.Current < h.Min && to == h.Min:
		return "Current number of replicas below Spec.MinReplicas", nil
	case h.Current > h.Max && to == h.Max:
		return "Current number of replicas above Spec.MaxReplicas", nil
	}
	var worst *Metric
	ratio := 0.0
	known := 0
	for i := range h.Metrics {
		m := &h.Metrics[i]
		r, ok := metricRatio(m)
		if !ok {
			continue
		}
		known++
		if r > ratio {
			worst, ratio = m, r
		}
	}
	switch {
	case to > from && worst != nil && ratio > 1:
		return worst.Name + " above target", worst
	case to < from && known > 0 && ratio < 1:
		return "All metrics below target", nil
	}
	for _, t := range []string{"ScalingLimited", "AbleToScale", "ScalingActive"} {
		for _, c := range h.Conditions {
			if c.Type == t && c.Message != "" && (t != "ScalingLimited" || c.Status == "True") {
				return c.Message, nil
			}
		}
	}
	return "", nil
}

// metricRatio returns a metric's current value over its target, read as
// kubectl prints them ("42%", "500m", "1Gi"); ok is false while unknown.
func metricRatio(m *Metric) (float64, bool) {
	cur, ok1 := metricValue(m.Current)
	tgt, ok2 := metricValue(m.Target)
	if !ok1 || !ok2 || tgt <= 0 {
		return 0, false
	}
	return cur / tgt, true
}

func metricValue(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if s == "" || s == "<unknown>" {
		return 0, false
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return 0, false
	}
	v := q.AsApproximateFloat64()
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

// deletedPod is a pod the model saw deleted recently.
type deletedPod struct {
	uid    string
	at     time.Time
	claims []string
}

// replacedHappening returns the replaced happening when cur succeeds a pod
// of the same name under a new uid, deleted within replacedWindow (or
// replaced within one flush): a StatefulSet's ordinal coming back with the
// same name and the same claims. A Deployment's pods never match (they get
// new names).
func (m *Model) replacedHappening(id string, prev, cur *Node, at time.Time) []Happening {
	if cur == nil || cur.Kind != KindPod || (prev != nil && (prev.Kind != KindPod || prev.UID == cur.UID)) {
		return nil
	}
	old, ok := m.deletedPods[id]
	delete(m.deletedPods, id)
	switch {
	case prev != nil && (!ok || old.uid != prev.UID):
		// A new uid without a deletion seen (a relist): the old pod's
		// claims are unknown.
		old = deletedPod{uid: prev.UID, at: at}
	case prev == nil && (!ok || at.Sub(old.at) > replacedWindow):
		return m.rsReplacedHappening(cur, at)
	}
	if old.uid == "" || cur.UID == "" || old.uid == cur.UID {
		return nil
	}
	var claims []string
	if p := m.pod(id); p != nil {
		for _, c := range podClaims(p) {
			if slices.Contains(old.claims, c) {
				claims = append(claims, c)
			}
		}
	}
	name := qualified(cur)
	params := map[string]string{ParamName: name, ParamUID: old.uid, ParamNewUID: cur.UID}
	text := fmt.Sprintf("Pod %s replaced: same name, new uid %s", name, cur.UID)
	if len(claims) > 0 {
		params[ParamClaims] = strings.Join(claims, ", ")
		text += ", same claims " + params[ParamClaims]
	}
	return []Happening{{Time: at, Kind: HappeningReplaced, Ref: cur.ID, Text: text, Params: params}}
}

// ownedDeletion is a pod of a ReplicaSet the model saw deleted, with the
// ReplicaSet's desired replicas at that moment.
type ownedDeletion struct {
	name, uid string
	at        time.Time
	desired   int
}

// noteOwnedDeletion remembers a pod of a ReplicaSet going away (it began
// terminating, or was removed without), for rsReplacedHappening. A
// ReplicaSet with more pods than it wants is scaling down: its deletions
// are no loss to replace.
func (m *Model) noteOwnedDeletion(p *CachedPod, at time.Time) {
	if p == nil {
		return
	}
	rs := m.replicaSetOf(p.Node)
	if rs == nil || rs.ReplicaSet.Current > rs.ReplicaSet.Replicas {
		return
	}
	if m.ownedDeleted == nil {
		m.ownedDeleted = map[string][]ownedDeletion{}
	}
	if _, ok := m.ownedDeleted[rs.ID]; !ok && len(m.ownedDeleted) >= maxDeletedPods {
		m.forgetOldestOwner(at)
	}
	list := append(m.ownedDeleted[rs.ID], ownedDeletion{name: p.Node.Name, uid: p.Node.UID, at: at, desired: rs.ReplicaSet.Replicas})
	if len(list) > maxOwnedDeletions {
		list = list[len(list)-maxOwnedDeletions:]
	}
	m.ownedDeleted[rs.ID] = list
}

// forgetOwnedDeletions drops what a ReplicaSet lost before its desired
// count changed: a pod made after a scale answers the scale.
func (m *Model) forgetOwnedDeletions(rsID string) { delete(m.ownedDeleted, rsID) }

// forgetOldestOwner makes room in ownedDeleted: expired ReplicaSets first,
// else the one whose newest deletion is oldest.
func (m *Model) forgetOldestOwner(at time.Time) {
	oldest, when := "", time.Time{}
	for id, l := range m.ownedDeleted {
		last := l[len(l)-1].at
		if at.Sub(last) > replacedWindow {
			delete(m.ownedDeleted, id)
			continue
		}
		if oldest == "" || last.Before(when) {
			oldest, when = id, last
		}
	}
	if len(m.ownedDeleted) >= maxDeletedPods {
		delete(m.ownedDeleted, oldest)
	}
}

// replicaSetOf returns the ReplicaSet that controls pod n, or nil.
func (m *Model) replicaSetOf(n *Node) *Node {
	if n == nil || n.Pod == nil || !strings.HasPrefix(n.Pod.Owner, KindReplicaSet+"/") {
		return nil
	}
	rs := m.node(n.Pod.Owner)
	if rs == nil || rs.ReplicaSet == nil {
		return nil
	}
	return rs
}

// rsReplacedHappening says that a ReplicaSet replaced a deleted pod: the
// tutorial's `kubectl delete pod`, after which the Deployment's pod comes
// back under a new name. cur is a new pod; it replaces the newest pod of
// its ReplicaSet that went away within replacedWindow while the desired
// replicas were what they are now. A scale's deletions never match: a
// ReplicaSet with surplus pods is not losing one, and a change of the
// desired count forgets what went before (a rollback scales the old
// ReplicaSet back up). Nothing else makes a ReplicaSet create a pod.
func (m *Model) rsReplacedHappening(cur *Node, at time.Time) []Happening {
	rs := m.replicaSetOf(cur)
	if rs == nil {
		return nil
	}
	list := m.ownedDeleted[rs.ID]
	for i := len(list) - 1; i >= 0; i-- {
		d := list[i]
		if at.Sub(d.at) > replacedWindow || d.desired != rs.ReplicaSet.Replicas {
			continue
		}
		list = append(list[:i:i], list[i+1:]...)
		if len(list) == 0 {
			delete(m.ownedDeleted, rs.ID)
		} else {
			m.ownedDeleted[rs.ID] = list
		}
		was := cur.Namespace + "/" + d.name
		params := map[string]string{ParamName: qualified(cur), ParamUID: d.uid, ParamNewUID: cur.UID, ParamWas: was, ParamOwner: rs.ID}
		text := fmt.Sprintf("Pod %s deleted: ReplicaSet %s replaced it with %s", was, rs.Name, qualified(cur))
		return []Happening{{Time: at, Kind: HappeningReplaced, Ref: cur.ID, Text: text, Params: params}}
	}
	return nil
}

// noteDeletedPod remembers a deleted pod and its claims for replacedWindow,
// within maxDeletedPods (expired ones go first, then the oldest).
func (m *Model) noteDeletedPod(p *CachedPod, at time.Time) {
	if p == nil {
		return
	}
	if m.deletedPods == nil {
		m.deletedPods = map[string]deletedPod{}
	}
	if len(m.deletedPods) >= maxDeletedPods {
		oldest, when := "", time.Time{}
		for id, d := range m.deletedPods {
			if at.Sub(d.at) > replacedWindow {
				delete(m.deletedPods, id)
				continue
			}
			if oldest == "" || d.at.Before(when) {
				oldest, when = id, d.at
			}
		}
		if len(m.deletedPods) >= maxDeletedPods {
			delete(m.deletedPods, oldest)
		}
	}
	m.deletedPods[p.Node.ID] = deletedPod{uid: p.Node.UID, at: at, claims: podClaims(p)}
}

// podClaims returns the names of the PersistentVolumeClaims a pod
// references.
func podClaims(p *CachedPod) []string {
	var out []string
	for i := range p.refs {
		if rest, ok := strings.CutPrefix(p.refs[i].to, KindPVC+"/"); ok {
			_, name, _ := strings.Cut(rest, "/")
			out = append(out, name)
		}
	}
	return out
}
