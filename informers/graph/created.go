package graph

import (
	"strconv"
	"strings"
	"time"
)

// Happenings of issue #14 that the tutorial's steps need: a workload,
// Service or Ingress created or deleted (kubectl apply, kubectl delete),
// and a Service's count of ready endpoints changing (the Service starts
// routing to a new pod).
//
// Params, besides name:
//
//	created, deleted   kind       the entity's kind
//	endpoints          from, to   ready endpoints before and after

// lifeKinds are the kinds whose creation or deletion is a step worth a
// happening; pods and ReplicaSets come and go with every rollout.
var lifeKinds = map[Kind]bool{
	KindIngress: true, KindService: true, KindDeployment: true,
	KindStatefulSet: true, KindDaemonSet: true, KindJob: true, KindCronJob: true,
}

// CreationIsNews reports whether creating or deleting an entity of this
// kind gives a happening.
func CreationIsNews(k Kind) bool { return lifeKinds[k] }

// Synced tells the model the initial lists are in: from now on creations
// and deletions are news. Before it, everything the informers list would
// read as "created".
func (m *Model) Synced() { m.synced = true }

// lifeHappenings derives created and deleted from one entity's change.
func (m *Model) lifeHappenings(prev, cur *Node, at time.Time) []Happening {
	if !m.synced {
		return nil
	}
	var out []Happening
	if prev != nil && lifeKinds[prev.Kind] && (cur == nil || cur.UID != prev.UID) {
		out = append(out, lifeHappening(HappeningDeleted, prev, at))
	}
	if cur != nil && lifeKinds[cur.Kind] && (prev == nil || cur.UID != prev.UID) {
		out = append(out, lifeHappening(HappeningCreated, cur, at))
	}
	return out
}

// CreatedHappening is the created happening of n; a replay's timeline
// marks creations in recordings older than the happening with it.
func CreatedHappening(n *Node, at time.Time) Happening {
	return lifeHappening(HappeningCreated, n, at)
}

func lifeHappening(kind string, n *Node, at time.Time) Happening {
	name := qualified(n)
	text := n.Kind + " " + name + " " + kind
	if kind == HappeningCreated && n.Service != nil && n.Service.Type != "" {
		text += " (" + n.Service.Type + ")"
	}
	return Happening{Time: at, Kind: kind, Ref: n.ID, Text: text,
		Params: map[string]string{ParamName: name, ParamKind: n.Kind}}
}

// endpointHappenings compares the ready endpoints of each Service whose
// selects edges changed in this flush (dirty) with the count at the last
// flush, and says when it moved.
func (m *Model) endpointHappenings(dirty map[string]*Edge, at time.Time) []Happening {
	var out []Happening
	seen := map[string]bool{}
	for id := range dirty {
		if !strings.HasPrefix(id, EdgeSelects+":") {
			continue
		}
		svc := EdgeFrom(id)
		if seen[svc] {
			continue
		}
		seen[svc] = true
		n, ok := m.readyEndpoints(svc)
		was, known := m.ready[svc]
		if !ok {
			delete(m.ready, svc)
			continue
		}
		m.ready[svc] = n
		if m.synced && n != was && (known || n > 0) {
			name := strings.TrimPrefix(NamespaceOf(svc)+"/"+svc[strings.LastIndexByte(svc, '/')+1:], "/")
			out = append(out, Happening{Time: at, Kind: HappeningEndpoints, Ref: svc,
				Text:   "Service " + name + " ready endpoints " + strconv.Itoa(was) + " → " + strconv.Itoa(n),
				Params: map[string]string{ParamName: name, ParamFrom: strconv.Itoa(was), ParamTo: strconv.Itoa(n)}})
		}
	}
	return out
}

// readyEndpoints counts the pods a Service selects whose endpoint is ready;
// ok is false when the Service is gone.
func (m *Model) readyEndpoints(svcID string) (n int, ok bool) {
	ns := NamespaceOf(svcID)
	x := m.ns[ns]
	if x == nil {
		return 0, false
	}
	name := svcID[strings.LastIndexByte(svcID, '/')+1:]
	svc := x.services[name]
	if svc == nil {
		return 0, false
	}
	counted := map[string]bool{}
	for _, s := range x.bySvc[name] {
		for pod := range s.pods {
			p := x.pods[pod]
			if counted[pod] || p == nil || !Selects(svc.Service.Selector, p.Node.Pod.Labels) {
				continue
			}
			counted[pod] = true
			if x.endpointState(name, pod) == EndpointReady {
				n++
			}
		}
	}
	return n, true
}
