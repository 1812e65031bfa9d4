package graph

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Resource names an API resource the model folds.
type Resource string

// The resources the model folds.
const (
	Pods           Resource = "pods"
	Deployments    Resource = "deployments"
	ReplicaSets    Resource = "replicasets"
	StatefulSets   Resource = "statefulsets"
	DaemonSets     Resource = "daemonsets"
	Services       Resource = "services"
	EndpointSlices Resource = "endpointslices"
	Ingresses      Resource = "ingresses"
	Nodes          Resource = "nodes"

	// Wave 2.
	Jobs                   Resource = "jobs"
	CronJobs               Resource = "cronjobs"
	HPAs                   Resource = "horizontalpodautoscalers"
	PersistentVolumeClaims Resource = "persistentvolumeclaims"
	PersistentVolumes      Resource = "persistentvolumes"
	StorageClasses         Resource = "storageclasses"
	// Events draw no entity: Warning Events become warnings on the object
	// they are about, and warning happenings.
	Events Resource = "events"

	// Wave 2, identity and policy (#13). Bindings, quotas and limit
	// ranges draw no entity of their own: bindings become grants edges,
	// quotas and limit ranges fields of their Namespace.
	ServiceAccounts      Resource = "serviceaccounts"
	Roles                Resource = "roles"
	ClusterRoles         Resource = "clusterroles"
	RoleBindings         Resource = "rolebindings"
	ClusterRoleBindings  Resource = "clusterrolebindings"
	NetworkPolicies      Resource = "networkpolicies"
	Namespaces           Resource = "namespaces"
	ResourceQuotas       Resource = "resourcequotas"
	LimitRanges          Resource = "limitranges"
	PodDisruptionBudgets Resource = "poddisruptionbudgets"
)

// kindOf maps a resource to the entity kind it draws; EndpointSlices draw
// none (they only colour selects edges).
var kindOf = map[Resource]Kind{
	Pods: KindPod, Deployments: KindDeployment, ReplicaSets: KindReplicaSet,
	StatefulSets: KindStatefulSet, DaemonSets: KindDaemonSet, Services: KindService,
	Ingresses: KindIngress, Nodes: KindNode,
	Jobs: KindJob, CronJobs: KindCronJob, HPAs: KindHPA, PersistentVolumeClaims: KindPVC,
	PersistentVolumes: KindPV, StorageClasses: KindStorageClass,
	ServiceAccounts: KindServiceAccount, Roles: KindRole, ClusterRoles: KindClusterRole,
	NetworkPolicies: KindNetworkPolicy, Namespaces: KindNamespace, PodDisruptionBudgets: KindPDB,
}

// nsIndex holds one namespace's pods, Services and EndpointSlices, so that a
// pod change re-matches only its namespace's Services, and a Service or
// slice change only its namespace's pods.
type nsIndex struct {
	pods     map[string]*CachedPod // by name: the entity and its references
	services map[string]*Node      // by name
	slices   map[string]*sliceInfo
	bySvc    map[string][]*sliceInfo // Service name → its slices
}

func (x *nsIndex) empty() bool {
	return len(x.pods) == 0 && len(x.services) == 0 && len(x.slices) == 0
}

// dirtyNode is a node touched since the last Flush: its value then (nil if
// absent) and when it last changed.
type dirtyNode struct {
	prev     *Node
	prevFail string // the pod's PodFailure then
	at       time.Time
}

// Model folds API objects into entities, derived edges and happenings.
//
// Edges that come from one object's own fields (a pod's owner and node, an
// Ingress's backends, a ReplicaSet's Deployment) exist as long as that
// object does, even while the other end is absent: they are drawn as
// dangling references, and the other end usually appears a moment later.
// Selects edges need both the Service and the pod.
//
// A Model is NOT safe for concurrent use; one goroutine owns it. *Node and
// *Edge values it returns are immutable: a change makes new ones.
type Model struct {
	nodes map[string]*Node // by id, except pods, which only nsIndex holds
	edges map[string]*Edge // by id, except what a pod implies (owns, runs-on, mounts: see edge)
	ns    map[string]*nsIndex

	dirtyNodes map[string]dirtyNode
	dirtyEdges map[string]*Edge // id → value at the last Flush, nil if absent

	buf []byte // scratch for edge-id lookups without allocating

	// failed holds PodFailure of the pods that have one, by id: the
	// "failed" happening needs the phase, which PodFields does not carry,
	// and few pods fail, so this costs little.
	failed map[string]string

	// revImages holds, by Deployment id, the images its current revision
	// had when it became current. The controller bumps the revision after
	// the template changes, so the two can land in different flushes; the
	// rollout happening's "image a → b" must not depend on where a flush
	// fell.
	revImages map[string][]string

	recolor []recolor // setSlice's scratch

	// refCount counts, by ConfigMap or Secret id, the pods referencing it:
	// a reference-only node exists exactly while its count is positive.
	refCount map[string]int

	warn        warnState             // Warning Events (warnings.go)
	synced      bool                  // past the initial lists (created.go)
	ready       map[string]int        // ready endpoints by Service id, at the last Flush (created.go)
	now         time.Time             // the time of the latest Set or Delete
	rbac        *rbacState            // identity and RBAC (rbac.go), made on first use
	deletedPods map[string]deletedPod // recently deleted pods, by id (happen2.go)
	// recently deleted pods of each ReplicaSet, by its id (happen2.go)
	ownedDeleted map[string][]ownedDeletion
	cluster      clusterState                // quotas, limit ranges, budgets, drains (cluster.go)
	netpols      map[string]map[string]*Node // NetworkPolicies by namespace, then name (netpol.go)
	gw           *gatewayState               // Gateway API (gateway_model.go), made on first use
	customKinds  map[Resource]Kind           // custom owner kinds by resource (customowner.go)
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{
		nodes:      map[string]*Node{},
		edges:      map[string]*Edge{},
		ns:         map[string]*nsIndex{},
		dirtyNodes: map[string]dirtyNode{},
		dirtyEdges: map[string]*Edge{},
		failed:     map[string]string{},
		revImages:  map[string][]string{},
		refCount:   map[string]int{},
		ready:      map[string]int{},
		warn:       newWarnState(),
	}
}

// Expect says that about n objects are to be Set before the next Flush,
// as an initial list's are: the sets of what changed grow at once, not
// again and again while they are Set.
func (m *Model) Expect(n int) {
	if n < 1024 {
		return
	}
	if len(m.dirtyNodes) < n {
		m.dirtyNodes = grown(m.dirtyNodes, n)
	}
	// A pod changes two edges or more: its runs-on and its runs-as.
	if len(m.dirtyEdges) < 2*n {
		m.dirtyEdges = grown(m.dirtyEdges, 2*n)
	}
}

// grown returns a copy of x with room for n more entries.
func grown[K comparable, V any](x map[K]V, n int) map[K]V {
	out := make(map[K]V, len(x)+n)
	maps.Copy(out, x)
	return out
}

func (m *Model) index(ns string) *nsIndex {
	x := m.ns[ns]
	if x == nil {
		x = &nsIndex{pods: map[string]*CachedPod{}, services: map[string]*Node{},
			slices: map[string]*sliceInfo{}, bySvc: map[string][]*sliceInfo{}}
		m.ns[ns] = x
	}
	return x
}

func (m *Model) dropIndexIfEmpty(ns string) {
	if x := m.ns[ns]; x != nil && x.empty() {
		delete(m.ns, ns)
	}
}

// edgeKey builds an edge id in the scratch buffer, for lookups that must not
// allocate; the result is valid until the next call.
func (m *Model) edgeKey(kind, from, to string) []byte {
	m.buf = append(m.buf[:0], kind...)
	m.buf = append(m.buf, ':')
	m.buf = append(m.buf, from...)
	m.buf = append(m.buf, "->"...)
	m.buf = append(m.buf, to...)
	return m.buf
}

// setNode makes n the current value of its id, recording the value at the
// last Flush the first time the id changes. An equal value replaces the
// current one without marking it changed, so the model shares the newest
// object's maps and lets the old object go.
func (m *Model) setNode(n *Node, now time.Time) {
	old := m.node(n.ID)
	n = m.attachWarnings(n, now)
	m.nodes[n.ID] = n
	m.changed(old, n, now)
}

// changed marks n's id changed unless old, its value before, equals it.
func (m *Model) changed(old, n *Node, now time.Time) {
	if old != nil && nodeEqual(old, n) {
		if !warningsEqual(old.Warnings, n.Warnings) {
			m.markNode(n.ID, old, now)
		}
		return
	}
	m.markNode(n.ID, old, now)
}

func (m *Model) markNode(id string, old *Node, now time.Time) {
	d, ok := m.dirtyNodes[id]
	if !ok {
		d.prev, d.prevFail = old, m.failed[id]
	}
	d.at = now
	m.dirtyNodes[id] = d
}

// node returns the current entity with this id, or nil.
func (m *Model) node(id string) *Node {
	if strings.HasPrefix(id, KindPod+"/") {
		if p := m.pod(id); p != nil {
			return p.Node
		}
		return nil
	}
	return m.nodes[id]
}

// pod returns the pod with this id, or nil.
func (m *Model) pod(id string) *CachedPod {
	rest, ok := strings.CutPrefix(id, KindPod+"/")
	if !ok {
		return nil
	}
	ns, name, _ := strings.Cut(rest, "/")
	if x := m.ns[ns]; x != nil {
		return x.pods[name]
	}
	return nil
}

func (m *Model) removeNode(id string, now time.Time) *Node {
	old := m.node(id)
	if old == nil {
		return nil
	}
	if old.Kind == KindPod {
		delete(m.ns[old.Namespace].pods, old.Name)
	} else {
		delete(m.nodes, id)
	}
	m.markNode(id, old, now)
	return old
}

// putEdge makes e the current value of its id unless an equal edge is there.
func (m *Model) putEdge(e *Edge) {
	old := m.edges[e.ID]
	if old != nil && edgeEqual(old, e) {
		return
	}
	if _, ok := m.dirtyEdges[e.ID]; !ok {
		m.dirtyEdges[e.ID] = old
	}
	m.edges[e.ID] = e
}

// delEdge removes the edge with the id in key, if any.
func (m *Model) delEdge(key []byte) {
	old, ok := m.edges[string(key)]
	if !ok {
		return
	}
	delete(m.edges, old.ID)
	if _, ok := m.dirtyEdges[old.ID]; !ok {
		m.dirtyEdges[old.ID] = old
	}
}

func (m *Model) newEdge(kind, from, to, state string) *Edge {
	return &Edge{ID: EdgeID(kind, from, to), Kind: kind, From: from, To: to, State: state}
}

// Set folds an object's current state in: *corev1.Pod, *appsv1.Deployment,
// *appsv1.ReplicaSet, *appsv1.StatefulSet, *appsv1.DaemonSet,
// *corev1.Service, *discoveryv1.EndpointSlice, *networkingv1.Ingress or
// *corev1.Node, or the compact *CachedPod and *CachedSlice the informer
// transforms make of pods and slices. A *corev1.Event of type Warning
// becomes a warning on the object it is about (warnings.go); other events
// and other types are ignored. The object is shared with the
// informer cache: Set never modifies it, and keeps references to its maps
// and strings.
func (m *Model) Set(obj any, now time.Time) {
	m.now = now
	switch o := obj.(type) {
	case *corev1.Pod:
		if o != nil {
			m.setPod(NewCachedPod(o), now)
		}
	case *appsv1.Deployment:
		if o != nil {
			m.setNode(DeploymentNode(o), now)
		}
	case *appsv1.ReplicaSet:
		if o != nil {
			m.setReplicaSet(ReplicaSetNode(o), now)
		}
	case *appsv1.StatefulSet:
		if o != nil {
			m.setWithEdge(StatefulSetNode(o), now)
		}
	case *appsv1.DaemonSet:
		if o != nil {
			m.setWithEdge(DaemonSetNode(o), now)
		}
	case *corev1.Service:
		if o != nil {
			m.setService(ServiceNode(o), now)
		}
	case *CachedPod:
		if o != nil && o.Node != nil && o.Node.Pod != nil {
			m.setPod(o, now)
		}
	case *discoveryv1.EndpointSlice:
		if o != nil {
			svc, pods := SliceStates(o)
			m.setSlice(o.Namespace, o.Name, &sliceInfo{service: svc, pods: pods})
		}
	case *CachedSlice:
		if o != nil {
			m.setSlice(o.Namespace, o.Name, &sliceInfo{service: o.Service, pods: o.Pods})
		}
	case *networkingv1.Ingress:
		if o != nil {
			m.setIngress(IngressNode(o), now)
		}
	case *corev1.Node:
		if o != nil {
			m.setNode(NodeNode(o), now)
		}
	case *corev1.Event:
		if o != nil {
			m.setEvent(o, now)
		}
	case *CustomObject:
		m.setCustom(o, now)
	default:
		if !m.setPolicy(obj, now) && !m.setGateway(obj, now) {
			m.setWave2(obj, now)
		}
	}
}

// Delete folds a deletion in. Deleting what the model does not hold is a
// no-op.
func (m *Model) Delete(r Resource, namespace, name string, now time.Time) {
	m.now = now
	if r == EndpointSlices {
		m.setSlice(namespace, name, nil)
		return
	}
	if r == Events {
		m.deleteEvent(namespace, name, now)
		return
	}
	if m.deletePolicy(r, namespace, name, now) || m.deleteGateway(r, namespace, name, now) || m.deleteCustom(r, namespace, name, now) {
		return
	}
	kind, ok := kindOf[r]
	if !ok {
		return
	}
	if kind == KindNode || kind == KindPV || kind == KindStorageClass {
		namespace = "" // cluster-scoped
	}
	var oldPod *CachedPod
	if kind == KindPod {
		oldPod = m.pod(ID(kind, namespace, name))
	}
	old := m.removeNode(ID(kind, namespace, name), now)
	if old == nil {
		return
	}
	switch kind {
	case KindPod:
		delete(m.failed, old.ID)
		m.noteDeletedPod(oldPod, now)
		if oldPod != nil && oldPod.Node.Pod.Status != "Terminating" {
			m.noteOwnedDeletion(oldPod, now) // else noted when it began terminating
		}
		m.podEdges(oldPod, nil, now)
		m.podPolicy(oldPod, nil, now)
		m.dropIndexIfEmpty(namespace)
	case KindService:
		x := m.ns[namespace]
		for _, p := range x.pods {
			if Selects(old.Service.Selector, p.Node.Pod.Labels) {
				m.moveSelects(x, old, p.Node.ID, p.Node.Name, true)
			}
		}
		delete(x.services, name)
		m.dropIndexIfEmpty(namespace)
	case KindReplicaSet:
		if o := old.ReplicaSet.Owner; o != "" {
			m.delEdge(m.edgeKey(EdgeOwns, o, old.ID))
		}
	case KindIngress:
		for _, e := range IngressEdges(old) {
			m.delEdge([]byte(e.ID))
		}
	default:
		if k, from, to := ownEdge(old); to != "" {
			m.delEdge(m.edgeKey(k, from, to))
		}
	}
}

// setPod folds in a pod, which the informer cache shares: it must not be
// modified.
func (m *Model) setPod(p *CachedPod, now time.Time) {
	n, fail := p.Node, p.Failure
	if n.Namespace == "" || n.Name == "" {
		return // not a valid pod: every pod has both
	}
	x := m.index(n.Namespace)
	oldPod := x.pods[n.Name]
	if oldPod == p {
		return // a resync hands back the cached pod itself
	}
	p = m.attachPodWarnings(p, now)
	n = p.Node
	var old *Node
	if oldPod != nil {
		old = oldPod.Node
	}
	x.pods[n.Name] = p
	m.changed(old, n, now)
	if was := m.failed[n.ID]; was != fail {
		// The phase can turn Failed with the drawn fields unchanged.
		m.markNode(n.ID, old, now)
		if fail == "" {
			delete(m.failed, n.ID)
		} else {
			m.failed[n.ID] = fail
		}
	}
	if old != nil && old.UID == n.UID && !goingAway(old.Pod) && n.Pod.Status == "Terminating" {
		m.noteOwnedDeletion(p, now) // the ReplicaSet replaces it now, not when it is gone
	}
	m.podEdges(oldPod, p, now)
	m.podPolicy(oldPod, p, now)
}

// podEdges moves a pod's owns, runs-on, mounts and selects edges from what
// oldPod implied to what newPod implies; either may be nil.
func (m *Model) podEdges(oldPod, newPod *CachedPod, now time.Time) {
	m.mountEdges(oldPod, newPod, now)
	var was, is PodFields
	var old, n *Node
	id, ns := "", ""
	if oldPod != nil {
		old = oldPod.Node
		was, id, ns = *old.Pod, old.ID, old.Namespace
	}
	if newPod != nil {
		n = newPod.Node
		is, id, ns = *n.Pod, n.ID, n.Namespace
	}
	// A pod's owns and runs-on edges are not stored: the pod implies them
	// (Model.edge builds them), which saves two map entries per pod.
	if was.Owner != is.Owner || old == nil || n == nil {
		m.moveImplied(EdgeOwns, was.Owner, id, is.Owner, id)
	}
	if was.Node != is.Node || old == nil || n == nil {
		m.moveImplied(EdgeRunsOn, id, was.Node, id, is.Node)
	}
	if oldPod == nil || newPod == nil || was.ServiceAccount != is.ServiceAccount || oldPod.automount != newPod.automount {
		m.moveRunsAs(oldPod, newPod)
	}
	// Selects edges depend on the labels only; a status change that keeps
	// them re-matches nothing.
	if old != nil && n != nil && mapsEqual(was.Labels, is.Labels) {
		return
	}
	x := m.ns[ns]
	if x == nil {
		return
	}
	name := ""
	if n != nil {
		name = n.Name
	} else {
		name = old.Name
	}
	for _, svc := range x.services {
		wasSel := old != nil && Selects(svc.Service.Selector, was.Labels)
		if wasSel || n != nil && Selects(svc.Service.Selector, is.Labels) {
			m.moveSelects(x, svc, id, name, wasSel)
		}
	}
}

// endpointState returns the best state of pod among a Service's slices.
func (x *nsIndex) endpointState(service, pod string) string {
	best := EndpointNone
	for _, s := range x.bySvc[service] {
		if st, ok := s.pods[pod]; ok && endpointRank(st) > endpointRank(best) {
			best = st
		}
	}
	return best
}

func (m *Model) setService(n *Node, now time.Time) {
	old := m.node(n.ID)
	m.setNode(n, now)
	x := m.index(n.Namespace)
	x.services[n.Name] = n
	if old != nil && mapsEqual(old.Service.Selector, n.Service.Selector) {
		return
	}
	for _, cp := range x.pods {
		p := cp.Node
		wasSel := old != nil && Selects(old.Service.Selector, p.Pod.Labels)
		if wasSel || Selects(n.Service.Selector, p.Pod.Labels) {
			m.moveSelects(x, n, p.ID, p.Name, wasSel)
		}
	}
}

// setSlice replaces the slice ns/name with s (nil deletes it) and recolours
// the selects edges of the pods it listed before or lists now.
func (m *Model) setSlice(ns, name string, s *sliceInfo) {
	x := m.ns[ns]
	if x == nil && s == nil {
		return
	}
	x = m.index(ns)
	old := x.slices[name]
	if old != nil && s != nil && old.service == s.service && sameMap(old.pods, s.pods) {
		return // a resync hands back the cached slice itself
	}
	// The selects edges of the pods the slice lists, before or now, with
	// their states before the change: only those whose state changes are
	// recorded for Flush.
	m.recolor = m.recolor[:0]
	for _, si := range []*sliceInfo{old, s} {
		if si == nil {
			continue
		}
		svc := x.services[si.service]
		if svc == nil {
			continue
		}
		for pod := range si.pods {
			if cp := x.pods[pod]; cp != nil && Selects(svc.Service.Selector, cp.Node.Pod.Labels) {
				m.recolor = append(m.recolor, recolor{svc, cp.Node, x.endpointState(svc.Name, pod)})
			}
		}
	}
	if old != nil {
		x.bySvc[old.service] = slices.DeleteFunc(x.bySvc[old.service], func(e *sliceInfo) bool { return e == old })
		if len(x.bySvc[old.service]) == 0 {
			delete(x.bySvc, old.service)
		}
		delete(x.slices, name)
	}
	if s != nil {
		x.slices[name] = s
		x.bySvc[s.service] = append(x.bySvc[s.service], s)
	}
	for _, r := range m.recolor {
		if x.endpointState(r.svc.Name, r.pod.Name) != r.was {
			id := EdgeID(EdgeSelects, r.svc.ID, r.pod.ID)
			if _, ok := m.dirtyEdges[id]; !ok {
				m.dirtyEdges[id] = &Edge{ID: id, Kind: EdgeSelects, From: r.svc.ID, To: r.pod.ID, State: r.was}
			}
		}
	}
	clear(m.recolor) // let the nodes go
	m.dropIndexIfEmpty(ns)
}

func (m *Model) setReplicaSet(n *Node, now time.Time) {
	old := m.node(n.ID)
	m.setNode(n, now)
	if old != nil && old.ReplicaSet.Replicas != n.ReplicaSet.Replicas {
		m.forgetOwnedDeletions(n.ID) // happen2.go: a scale, not a loss
	}
	was := ""
	if old != nil {
		was = old.ReplicaSet.Owner
	}
	if old != nil && was == n.ReplicaSet.Owner {
		return
	}
	if was != "" {
		m.delEdge(m.edgeKey(EdgeOwns, was, n.ID))
	}
	if o := n.ReplicaSet.Owner; o != "" {
		m.putEdge(m.newEdge(EdgeOwns, o, n.ID, ""))
	}
}

func (m *Model) setIngress(n *Node, now time.Time) {
	old := m.node(n.ID)
	m.setNode(n, now)
	edges := IngressEdges(n)
	if old != nil {
		keep := map[string]bool{}
		for _, e := range edges {
			keep[e.ID] = true
		}
		for _, e := range IngressEdges(old) {
			if !keep[e.ID] {
				m.delEdge([]byte(e.ID))
			}
		}
	}
	for _, e := range edges {
		m.putEdge(e)
	}
}

// noteRevision keeps revImages for a Deployment and returns prev as the
// happenings should see it: with the images of its revision, even if the
// template changed in an earlier flush than the revision.
func (m *Model) noteRevision(prev, cur *Node) *Node {
	if cur.Deployment == nil {
		return prev
	}
	if prev == nil || prev.Deployment == nil || prev.UID != cur.UID {
		m.revImages[cur.ID] = cur.Deployment.Images
		return prev
	}
	if prev.Deployment.Revision == cur.Deployment.Revision {
		return prev
	}
	if imgs, ok := m.revImages[cur.ID]; ok {
		p, f := *prev, *prev.Deployment
		f.Images = imgs
		p.Deployment = &f
		prev = &p
	}
	m.revImages[cur.ID] = cur.Deployment.Images
	return prev
}

// Flush returns what changed since the last Flush: the nodes and edges
// whose value changed, whole; the ids removed; and the happenings derived
// from the changes. From, Seq and Type are left for the caller. Changes that
// cancel out produce nothing, and repeated changes collapse to the final
// state.
func (m *Model) Flush() Delta {
	var d Delta
	// The changed edges are read from the model and sorted on a goroutine
	// of their own when there are many (the first list's: 100,000 at
	// 50,000 pods), while the nodes are: the cores are idle once a big
	// list is in, and the graph is published after this. The two halves
	// read the same maps and write none the other reads.
	var edges sync.WaitGroup
	if len(m.dirtyEdges) >= flushEdgesAside {
		edges.Go(func() { d.Upsert.Edges, d.Remove.Edges = m.flushEdges() })
	} else {
		d.Upsert.Edges, d.Remove.Edges = m.flushEdges()
	}
	for id, dn := range m.dirtyNodes {
		cur := m.node(id)
		d.Happenings = append(d.Happenings, m.replacedHappening(id, dn.prev, cur, dn.at)...)
		d.Happenings = append(d.Happenings, Happenings2(dn.prev, cur, dn.at)...)
		d.Happenings = append(d.Happenings, m.clusterHappenings(id, dn.prev, cur, dn.at)...)
		d.Happenings = append(d.Happenings, m.lifeHappenings(dn.prev, cur, dn.at)...)
		switch {
		case cur == nil && dn.prev == nil:
		case cur == nil:
			d.Remove.Nodes = append(d.Remove.Nodes, id)
			delete(m.revImages, id)
		case dn.prev == nil:
			d.Upsert.Nodes = append(d.Upsert.Nodes, cur)
			m.noteRevision(nil, cur)
		default:
			// nodeEqual ignores warnings, so that event churn never
			// makes a pod dirty; a node dirty anyway carries them whole.
			if !nodeEqual(dn.prev, cur) || !warningsEqual(dn.prev.Warnings, cur.Warnings) || m.warn.said[id] {
				d.Upsert.Nodes = append(d.Upsert.Nodes, cur)
			}
			prev := m.noteRevision(dn.prev, cur)
			d.Happenings = append(d.Happenings, Happenings(prev, cur, dn.prevFail, m.failed[id], dn.at)...)
		}
	}
	d.Happenings = append(d.Happenings, m.flushWarnings()...)
	d.Happenings = append(d.Happenings, m.endpointHappenings(m.dirtyEdges, m.now)...)
	slices.SortFunc(d.Upsert.Nodes, func(a, b *Node) int { return cmp.Compare(a.ID, b.ID) })
	slices.Sort(d.Remove.Nodes)
	slices.SortStableFunc(d.Happenings, func(a, b Happening) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Ref, b.Ref))
	})
	edges.Wait()
	// clear keeps a map's table: after the initial sync's 10,000-pod
	// flush that would pin a large table for good, so start afresh.
	if len(m.dirtyNodes) > 1024 || len(m.dirtyEdges) > 1024 {
		m.dirtyNodes, m.dirtyEdges = map[string]dirtyNode{}, map[string]*Edge{}
	} else {
		clear(m.dirtyNodes)
		clear(m.dirtyEdges)
	}
	return d
}

// flushEdgesAside is how many changed edges make Flush read them on a
// goroutine of its own; fewer are read first, on the caller's.
var flushEdgesAside = 4096

// flushEdges returns the changed edges, upserted and removed, sorted.
// Many are read and sorted in two halves, one on a goroutine of its own,
// then merged: with the nodes' half of Flush that keeps both cores busy
// until the end of a first flush, where the edges took longest.
func (m *Model) flushEdges() (upsert []*Edge, remove []string) {
	dirty := make([]dirtyEdge, 0, len(m.dirtyEdges))
	for id, prev := range m.dirtyEdges {
		dirty = append(dirty, dirtyEdge{id, prev})
	}
	if len(dirty) < flushEdgesAside {
		return m.changedEdges(dirty)
	}
	half := len(dirty) / 2
	var upsert2 []*Edge
	var remove2 []string
	var other sync.WaitGroup
	other.Go(func() { upsert2, remove2 = m.changedEdges(dirty[half:]) })
	upsert, remove = m.changedEdges(dirty[:half])
	other.Wait()
	return mergeSorted(upsert, upsert2, func(a, b *Edge) int { return cmp.Compare(a.ID, b.ID) }),
		mergeSorted(remove, remove2, cmp.Compare[string])
}

// dirtyEdge is an entry of Model.dirtyEdges: an edge's id and what it was
// at the last flush.
type dirtyEdge struct {
	id   string
	prev *Edge
}

// changedEdges returns those of the dirty edges that changed, upserted and
// removed, sorted.
func (m *Model) changedEdges(dirty []dirtyEdge) (upsert []*Edge, remove []string) {
	for _, d := range dirty {
		cur := m.edge(d.id)
		switch {
		case cur == nil && d.prev == nil:
		case cur == nil:
			remove = append(remove, d.id)
		case d.prev == nil || !edgeEqual(d.prev, cur):
			upsert = append(upsert, cur)
		}
	}
	slices.SortFunc(upsert, func(a, b *Edge) int { return cmp.Compare(a.ID, b.ID) })
	slices.Sort(remove)
	return upsert, remove
}

// mergeSorted merges a and b, each sorted by compare, into one sorted
// slice (a or b itself when the other is empty).
func mergeSorted[T any](a, b []T, compare func(T, T) int) []T {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]T, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if compare(b[0], a[0]) < 0 {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Nodes returns the current entities, sorted by id.
func (m *Model) Nodes() []*Node {
	out := make([]*Node, 0, len(m.nodes))
	for _, n := range m.nodes {
		out = append(out, n)
	}
	for _, x := range m.ns {
		for _, p := range x.pods {
			out = append(out, p.Node)
		}
	}
	slices.SortFunc(out, func(a, b *Node) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Edges returns the current edges, sorted by id.
func (m *Model) Edges() []*Edge {
	out := make([]*Edge, 0, len(m.edges))
	for _, e := range m.edges {
		out = append(out, e)
	}
	for _, x := range m.ns {
		for _, p := range x.pods {
			out = m.impliedEdges(out, p)
			out = m.isolatesEdges(out, p)
			for _, svc := range x.services {
				if Selects(svc.Service.Selector, p.Node.Pod.Labels) {
					out = append(out, &Edge{ID: EdgeID(EdgeSelects, svc.ID, p.Node.ID), Kind: EdgeSelects,
						From: svc.ID, To: p.Node.ID, State: x.endpointState(svc.Name, p.Node.Name)})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b *Edge) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
