package graph

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
)

// This file holds what issue #13 adds about the cluster itself: Namespaces
// with their ResourceQuotas and LimitRanges folded in, PodDisruptionBudgets,
// the fields of a Node beyond wave 1, and the cordoned and drained
// happenings.

// clusterState is what the model keeps for cluster.go besides its nodes.
// Its maps are made on first use: most models never see a quota.
type clusterState struct {
	// quotas and limits hold, by namespace then object name, the entries of
	// every ResourceQuota and LimitRange, whether the Namespace is known or
	// not: Podium may not be allowed to list namespaces, and a quota may
	// arrive before its namespace.
	quotas map[string]map[string][]Quota
	limits map[string]map[string][]LimitRangeItem
	// pdbs holds the PodDisruptionBudgets by namespace then name, for the
	// drains they hold back.
	pdbs map[string]map[string]*Node
	// drains holds, by Node id, the drain state of the cordoned Nodes only:
	// with no Node cordoned (the common case) a pod change costs one
	// length check here.
	drains map[string]*nodeDrain
}

// nodeDrain is what the model follows of one cordoned Node.
type nodeDrain struct {
	// pods are the pods on the Node that a drain must remove (neither
	// DaemonSet pods nor mirror pods), by id.
	pods map[string]drainPod
	// evicted are the pods that went away since the last Flush, to be
	// said in its drained happenings.
	evicted []Happening
	// held are the ids of the PodDisruptionBudgets said to hold the drain
	// back, so each is said once until it lets go.
	held map[string]bool
	// emptied: a pod went away while the Node was cordoned; done: the
	// drain was said done. Done is said once a drain has emptied the Node:
	// cordoning a Node that has no pods is no drain.
	emptied, done bool
}

type drainPod struct {
	node *Node // the pod's entity
	gone bool  // said evicted: being deleted, or evicted
}

// maxMessage bounds a Node condition's reason and message, in bytes.
const maxMessage = 256

// Happening params of the cordoned and drained kinds (every kind also has
// name, as in happen.go):
//
//	cordoned   state    "cordoned" | "uncordoned"     (ref: the Node)
//	drained    state    "evicted"                     (ref: the pod)
//	           node     the Node's name
//	           reason   "EvictionByEvictionAPI" when the eviction API
//	                    evicted the pod, else "Deleted"
//	drained    state    "held"                        (ref: the PodDisruptionBudget)
//	           node     the Node's name
//	           allowed  the budget's disruptionsAllowed ("0")
//	drained    state    "done"                        (ref: the Node)
const (
	ParamNode    = "node"
	ParamAllowed = "allowed"
)

// States of the cordoned and drained happenings.
const (
	StateCordoned   = "cordoned"
	StateUncordoned = "uncordoned"
	StateEvicted    = "evicted"
	StateHeld       = "held"
	StateDone       = "done"
)

// Reasons of an evicted drained happening.
const (
	ReasonEvictionAPI = "EvictionByEvictionAPI" // the pod condition's reason
	ReasonDeleted     = "Deleted"
)

// podSecurityPrefix prefixes the Pod Security admission labels.
const podSecurityPrefix = "pod-security.kubernetes.io/"

// podSecurityKeys are the Pod Security admission label keys, without the
// prefix; others under the prefix mean nothing to admission.
var podSecurityKeys = []string{"enforce", "enforce-version", "audit", "audit-version", "warn", "warn-version"}

// NamespaceNode derives a Namespace's entity, without its quotas and limit
// ranges (the model folds those in). Its labels are all of them,
// kubernetes.io/metadata.name included: NetworkPolicy namespace selectors
// match on it.
func NamespaceNode(o *corev1.Namespace) *Node {
	f := &NamespaceFields{Labels: o.Labels, Phase: string(o.Status.Phase)}
	for _, k := range podSecurityKeys {
		if v, ok := o.Labels[podSecurityPrefix+k]; ok {
			if f.PodSecurity == nil {
				f.PodSecurity = map[string]string{}
			}
			f.PodSecurity[k] = v
		}
	}
	return &Node{ID: ID(KindNamespace, "", o.Name), Kind: KindNamespace, Name: o.Name, UID: string(o.UID), More: f}
}

// QuotaEntries returns one entry per resource of a ResourceQuota, hard in
// its status or its spec, sorted by resource: used from the status, hard
// from the status (what the controller enforces) else the spec, as the API
// writes them. At most MaxQuotas.
func QuotaEntries(q *corev1.ResourceQuota) []Quota {
	names := map[corev1.ResourceName]bool{}
	for r := range q.Status.Hard {
		names[r] = true
	}
	for r := range q.Spec.Hard {
		names[r] = true
	}
	out := make([]Quota, 0, min(len(names), MaxQuotas))
	for _, r := range slices.Sorted(maps.Keys(names)) {
		if len(out) == MaxQuotas {
			break
		}
		hard, ok := q.Status.Hard[r]
		if !ok {
			hard = q.Spec.Hard[r]
		}
		e := Quota{Name: q.Name, Resource: string(r), Hard: hard.String()}
		if used, ok := q.Status.Used[r]; ok {
			e.Used = used.String()
		}
		out = append(out, e)
	}
	return out
}

// LimitRangeEntries returns one entry per item and resource of a
// LimitRange that has a default, default request, min or max (a
// maxLimitRequestRatio alone is left out), sorted by type then resource.
// At most MaxLimitRanges.
func LimitRangeEntries(l *corev1.LimitRange) []LimitRangeItem {
	var out []LimitRangeItem
	for _, it := range l.Spec.Limits {
		names := map[corev1.ResourceName]bool{}
		for _, rl := range []corev1.ResourceList{it.Default, it.DefaultRequest, it.Min, it.Max} {
			for r := range rl {
				names[r] = true
			}
		}
		for _, r := range slices.Sorted(maps.Keys(names)) {
			out = append(out, LimitRangeItem{Name: l.Name, Type: string(it.Type), Resource: string(r),
				Default: quantity(it.Default, r), DefaultRequest: quantity(it.DefaultRequest, r),
				Min: quantity(it.Min, r), Max: quantity(it.Max, r)})
		}
		if len(out) >= MaxLimitRanges {
			break
		}
	}
	sortLimits(out)
	return out[:min(len(out), MaxLimitRanges)]
}

func sortLimits(l []LimitRangeItem) {
	slices.SortStableFunc(l, func(a, b LimitRangeItem) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type), cmp.Compare(a.Resource, b.Resource))
	})
}

// quantity returns rl[r] as the API writes it, or "" when absent.
func quantity(rl corev1.ResourceList, r corev1.ResourceName) string {
	if q, ok := rl[r]; ok {
		return q.String()
	}
	return ""
}

// PDBNode derives a PodDisruptionBudget's entity.
func PDBNode(p *policyv1.PodDisruptionBudget) *Node {
	return &Node{ID: ID(KindPDB, p.Namespace, p.Name), Kind: KindPDB, Namespace: p.Namespace, Name: p.Name,
		UID: string(p.UID), More: &PDBFields{
			MinAvailable:       intOrString(p.Spec.MinAvailable, ""),
			MaxUnavailable:     intOrString(p.Spec.MaxUnavailable, ""),
			Selector:           SelectorFrom(p.Spec.Selector),
			CurrentHealthy:     int(p.Status.CurrentHealthy),
			DesiredHealthy:     int(p.Status.DesiredHealthy),
			DisruptionsAllowed: int(p.Status.DisruptionsAllowed),
			ExpectedPods:       int(p.Status.ExpectedPods),
		}}
}

// NodeResourceNames are the resources of a Node's capacity and allocatable
// that its entity carries.
var NodeResourceNames = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory,
	corev1.ResourcePods, corev1.ResourceEphemeralStorage}

func nodeResources(rl corev1.ResourceList) map[string]string {
	var out map[string]string
	for _, r := range NodeResourceNames {
		if q, ok := rl[r]; ok {
			if out == nil {
				out = make(map[string]string, len(NodeResourceNames))
			}
			out[string(r)] = q.String()
		}
	}
	return out
}

// NodeConditionTypes are the conditions a Node entity carries, in order.
var NodeConditionTypes = []corev1.NodeConditionType{corev1.NodeReady, corev1.NodeMemoryPressure,
	corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeNetworkUnavailable}

// nodeConditions keeps type, status, reason and message: the kubelet
// rewrites the heartbeat time every few seconds, and keeping it would make
// each of those writes a delta. The messages it writes are fixed phrases.
func nodeConditions(cs []corev1.NodeCondition) []Condition {
	var out []Condition
	for _, t := range NodeConditionTypes {
		for i := range cs {
			if c := &cs[i]; c.Type == t {
				out = append(out, Condition{Type: string(c.Type), Status: string(c.Status),
					Reason: capBytes(c.Reason, maxMessage), Message: capBytes(c.Message, maxMessage)})
				break
			}
		}
	}
	return out
}

func nodeTaints(ts []corev1.Taint) []Taint {
	if len(ts) == 0 {
		return nil
	}
	out := make([]Taint, 0, min(len(ts), MaxTaints))
	for _, t := range ts[:min(len(ts), MaxTaints)] {
		out = append(out, Taint{Key: t.Key, Value: t.Value, Effect: string(t.Effect)})
	}
	return out
}

// podDrainFlags returns what a drain needs of a pod besides its drawn
// fields: whether the eviction API evicted it, and whether it is the mirror
// of a static pod (the kubelet's annotation, or a Node owning it).
func podDrainFlags(p *corev1.Pod) (evicted, mirror bool) {
	if c := podCondition(&p.Status, corev1.DisruptionTarget); c != nil &&
		c.Status == corev1.ConditionTrue && c.Reason == ReasonEvictionAPI {
		evicted = true
	}
	if _, ok := p.Annotations[corev1.MirrorPodAnnotationKey]; ok {
		mirror = true
	}
	for _, r := range p.OwnerReferences {
		if r.Controller != nil && *r.Controller && r.Kind == KindNode {
			mirror = true
		}
	}
	return evicted, mirror
}

// --- Namespaces, quotas and limit ranges ---------------------------------

func (m *Model) setNamespace(o *corev1.Namespace, now time.Time) {
	if o.Name == "" {
		return
	}
	n := NamespaceNode(o)
	m.foldNamespace(n.More.(*NamespaceFields), o.Name)
	m.setNode(n, now)
}

// foldNamespace sets f's quotas and limit ranges from what the model holds
// for namespace ns.
func (m *Model) foldNamespace(f *NamespaceFields, ns string) {
	f.Quotas, f.LimitRanges = nil, nil
	for _, name := range slices.Sorted(maps.Keys(m.cluster.quotas[ns])) {
		f.Quotas = append(f.Quotas, m.cluster.quotas[ns][name]...)
		if len(f.Quotas) >= MaxQuotas {
			f.Quotas = f.Quotas[:MaxQuotas:MaxQuotas]
			break
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.cluster.limits[ns])) {
		f.LimitRanges = append(f.LimitRanges, m.cluster.limits[ns][name]...)
		if len(f.LimitRanges) >= MaxLimitRanges {
			f.LimitRanges = f.LimitRanges[:MaxLimitRanges:MaxLimitRanges]
			break
		}
	}
}

// refoldNamespace makes the Namespace entity of ns, if the model holds it,
// show the quotas and limit ranges held now.
func (m *Model) refoldNamespace(ns string, now time.Time) {
	old := m.nodes[ID(KindNamespace, "", ns)]
	if old == nil {
		return
	}
	n, f := *old, *old.NamespaceInfo()
	m.foldNamespace(&f, ns)
	n.More = &f
	m.setNode(&n, now)
}

func (m *Model) setResourceQuota(o *corev1.ResourceQuota, now time.Time) {
	if o.Namespace == "" || o.Name == "" {
		return
	}
	m.cluster.quotas = putEntries(m.cluster.quotas, o.Namespace, o.Name, QuotaEntries(o))
	m.refoldNamespace(o.Namespace, now)
}

func (m *Model) setLimitRange(o *corev1.LimitRange, now time.Time) {
	if o.Namespace == "" || o.Name == "" {
		return
	}
	m.cluster.limits = putEntries(m.cluster.limits, o.Namespace, o.Name, LimitRangeEntries(o))
	m.refoldNamespace(o.Namespace, now)
}

// putEntries sets byNS[ns][name] to v, making the maps as needed.
func putEntries[V any](byNS map[string]map[string]V, ns, name string, v V) map[string]map[string]V {
	if byNS == nil {
		byNS = map[string]map[string]V{}
	}
	if byNS[ns] == nil {
		byNS[ns] = map[string]V{}
	}
	byNS[ns][name] = v
	return byNS
}

// dropEntry deletes byNS[ns][name] and reports whether it was there.
func dropEntry[V any](byNS map[string]map[string]V, ns, name string) bool {
	if _, ok := byNS[ns][name]; !ok {
		return false
	}
	delete(byNS[ns], name)
	if len(byNS[ns]) == 0 {
		delete(byNS, ns)
	}
	return true
}

func (m *Model) deleteCluster(r Resource, namespace, name string, now time.Time) {
	switch r {
	case Namespaces:
		// Its quotas and limit ranges stay until their own deletions
		// come: a namespace re-created meanwhile still has them.
		m.removeNode(ID(KindNamespace, "", name), now)
	case ResourceQuotas:
		if dropEntry(m.cluster.quotas, namespace, name) {
			m.refoldNamespace(namespace, now)
		}
	case LimitRanges:
		if dropEntry(m.cluster.limits, namespace, name) {
			m.refoldNamespace(namespace, now)
		}
	case PodDisruptionBudgets:
		if m.removeNode(ID(KindPDB, namespace, name), now) != nil {
			dropEntry(m.cluster.pdbs, namespace, name)
			m.touchDrains(now)
		}
	}
}

// --- PodDisruptionBudgets and drains -------------------------------------

func (m *Model) setPDB(o *policyv1.PodDisruptionBudget, now time.Time) {
	if o.Namespace == "" || o.Name == "" {
		return
	}
	n := PDBNode(o)
	m.setNode(n, now)
	m.cluster.pdbs = putEntries(m.cluster.pdbs, o.Namespace, o.Name, n)
	m.touchDrains(now)
}

// touchDrains marks every cordoned Node changed, so that Flush looks again
// at what holds its drain back.
func (m *Model) touchDrains(now time.Time) {
	for id := range m.cluster.drains {
		m.touchDrain(id, now)
	}
}

// touchDrain marks the Node id changed without changing it: Flush then
// calls clusterHappenings for it, and sends nothing else for it.
func (m *Model) touchDrain(id string, now time.Time) {
	m.markNode(id, m.nodes[id], now) // keeps the value at the last Flush if it changed since
}

// drainable reports whether a drain must remove this pod: DaemonSet pods
// and mirror pods stay.
func drainable(p *PodFields) bool {
	return !p.Mirror && !strings.HasPrefix(p.Owner, KindDaemonSet+"/")
}

// goingAway reports whether a pod is leaving: being deleted, or evicted.
func goingAway(p *PodFields) bool { return p.Evicted || p.Status == "Terminating" }

// podCluster follows the pods of cordoned Nodes: a pod that goes away makes
// an evicted happening, and the drain's state is looked at again.
func (m *Model) podCluster(oldPod, newPod *CachedPod, now time.Time) {
	if len(m.cluster.drains) == 0 {
		return
	}
	var was, is *Node
	if oldPod != nil {
		was = oldPod.Node
	}
	if newPod != nil {
		is = newPod.Node
	}
	if was != nil {
		if d := m.cluster.drains[was.Pod.Node]; d != nil && (is == nil || is.Pod.Node != was.Pod.Node) {
			m.podLeft(was.Pod.Node, d, was, now)
		}
	}
	if is == nil {
		return
	}
	d := m.cluster.drains[is.Pod.Node]
	if d == nil {
		return
	}
	if !drainable(is.Pod) {
		return
	}
	p, ok := d.pods[is.ID]
	switch {
	case !ok:
		// New on the Node (bound to it while cordoned): a pod that
		// arrives already leaving was not seen to leave.
		p.gone = goingAway(is.Pod)
	case !p.gone && goingAway(is.Pod):
		p.gone = true
		d.evicted = append(d.evicted, m.evictedHappening(is, now))
	}
	p.node = is
	d.pods[is.ID] = p
	m.touchDrain(is.Pod.Node, now)
}

// podLeft follows a pod that left the cordoned Node nodeID (deleted, or no
// longer a pod a drain removes).
func (m *Model) podLeft(nodeID string, d *nodeDrain, pod *Node, now time.Time) {
	p, ok := d.pods[pod.ID]
	if !ok {
		return
	}
	delete(d.pods, pod.ID)
	if !p.gone {
		d.evicted = append(d.evicted, m.evictedHappening(p.node, now))
	}
	d.emptied = true
	m.touchDrain(nodeID, now)
}

func (m *Model) evictedHappening(pod *Node, at time.Time) Happening {
	node := strings.TrimPrefix(pod.Pod.Node, KindNode+"/")
	name := qualified(pod)
	p := map[string]string{ParamName: name, ParamState: StateEvicted, ParamNode: node, ParamReason: ReasonDeleted}
	text := fmt.Sprintf("Pod %s deleted from cordoned Node %s", name, node)
	if pod.Pod.Evicted {
		p[ParamReason] = ReasonEvictionAPI
		text = fmt.Sprintf("Pod %s evicted from Node %s", name, node)
	}
	return Happening{Time: at, Kind: HappeningDrained, Ref: pod.ID, Text: text, Params: p}
}

// startDrain begins following the cordoned Node id: one walk over the pods,
// once per cordon.
func (m *Model) startDrain(id string) *nodeDrain {
	d := &nodeDrain{pods: map[string]drainPod{}, held: map[string]bool{}}
	for _, x := range m.ns {
		for _, cp := range x.pods {
			if p := cp.Node; p.Pod.Node == id && drainable(p.Pod) {
				d.pods[p.ID] = drainPod{node: p, gone: goingAway(p.Pod)}
			}
		}
	}
	if m.cluster.drains == nil {
		m.cluster.drains = map[string]*nodeDrain{}
	}
	m.cluster.drains[id] = d
	return d
}

// clusterHappenings derives the happenings of a Node's change that #13
// adds: cordoned, and the drained happenings of a cordoned Node's pods and
// budgets. Other entities make none here. It also starts and ends
// following a Node's drain, which is why it runs for every Node in Flush.
func (m *Model) clusterHappenings(id string, prev, cur *Node, at time.Time) []Happening {
	if (cur == nil || cur.Kind != KindNode) && (prev == nil || prev.Kind != KindNode) {
		return nil
	}
	var out []Happening
	cordoned := cur != nil && cur.Node.Unschedulable
	if prev != nil && cur != nil && prev.UID == cur.UID && prev.Node.Unschedulable != cordoned {
		state := StateUncordoned
		if cordoned {
			state = StateCordoned
		}
		out = append(out, Happening{Time: at, Kind: HappeningCordoned, Ref: id, Text: fmt.Sprintf("Node %s %s", cur.Name, state),
			Params: map[string]string{ParamName: cur.Name, ParamState: state}})
	}
	d := m.cluster.drains[id]
	if d != nil {
		out = append(out, d.evicted...) // said even when the Node was uncordoned meanwhile
		d.evicted = nil
	}
	switch {
	case !cordoned:
		delete(m.cluster.drains, id)
		return out
	case d == nil || prev == nil || prev.UID != cur.UID:
		// A new cordon (or a Node re-created cordoned): what is on it
		// now is where the drain starts.
		d = m.startDrain(id)
	}
	return append(out, m.drainHappenings(cur, d, at)...)
}

// drainHappenings says what holds the drain of the cordoned Node n back,
// and when it is done.
func (m *Model) drainHappenings(n *Node, d *nodeDrain, at time.Time) []Happening {
	var out []Happening
	held := map[string]*Node{}
	for _, p := range d.pods {
		if p.gone {
			continue
		}
		for _, b := range m.cluster.pdbs[p.node.Namespace] {
			f := b.PodDisruptionBudget()
			if f != nil && f.DisruptionsAllowed <= 0 && f.Selector.Matches(p.node.Pod.Labels) {
				held[b.ID] = b
			}
		}
	}
	for id := range d.held {
		if held[id] == nil {
			delete(d.held, id) // it let go: say it again if it holds again
		}
	}
	for _, id := range slices.Sorted(maps.Keys(held)) {
		if d.held[id] {
			continue
		}
		d.held[id] = true
		b := held[id]
		name := qualified(b)
		allowed := fmt.Sprint(b.PodDisruptionBudget().DisruptionsAllowed)
		out = append(out, Happening{Time: at, Kind: HappeningDrained, Ref: id,
			Text:   fmt.Sprintf("drain of Node %s held back by PodDisruptionBudget %s (%s disruptions allowed)", n.Name, name, allowed),
			Params: map[string]string{ParamName: name, ParamState: StateHeld, ParamNode: n.Name, ParamAllowed: allowed}})
	}
	switch {
	case len(d.pods) > 0:
		d.done = false
	case d.emptied && !d.done:
		d.done = true
		out = append(out, Happening{Time: at, Kind: HappeningDrained, Ref: n.ID,
			Text:   fmt.Sprintf("Node %s drained: only DaemonSet pods left", n.Name),
			Params: map[string]string{ParamName: n.Name, ParamState: StateDone}})
	}
	return out
}
