package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Annotations and labels the model reads. The informer transforms keep
// exactly these and drop every other annotation.
const (
	AnnotationRevision     = "deployment.kubernetes.io/revision"
	AnnotationIngressClass = "kubernetes.io/ingress.class"
	LabelServiceName       = discoveryv1.LabelServiceName // on EndpointSlices
	labelNodeRolePrefix    = "node-role.kubernetes.io/"
	labelNodeRole          = "kubernetes.io/role"
)

// Rollout states of a Deployment.
const (
	RolloutProgressing = "progressing"
	RolloutComplete    = "complete"
	RolloutStalled     = "stalled"
)

// ownerKinds are the built-in controller kinds the model draws; a
// controller of any other built-in kind (a Node for static pods) gives
// Owner "" and no owns edge, because the picture has nothing to draw it
// from. A custom resource controller is drawn (customowner.go).
var ownerKinds = map[string]Kind{
	"ReplicaSet":  KindReplicaSet,
	"StatefulSet": KindStatefulSet,
	"DaemonSet":   KindDaemonSet,
	"Deployment":  KindDeployment,
	"Job":         KindJob,
	"CronJob":     KindCronJob,
}

// controllerOwner returns the id of the controller owner of an object in
// namespace ns when it is one of want, or "".
func controllerOwner(refs []metav1.OwnerReference, ns string, want ...Kind) string {
	for i := range refs {
		r := &refs[i]
		if r.Controller == nil || !*r.Controller {
			continue
		}
		if id := customOwnerID(r, ns); id != "" {
			return id
		}
		k, ok := ownerKinds[r.Kind]
		if !ok || !slices.Contains(want, k) {
			return ""
		}
		return internID(ID(k, ns, r.Name))
	}
	return ""
}

// containerImages returns the images of cs in order, at most MaxContainers
// of them.
func containerImages(cs []corev1.Container) []string {
	if len(cs) == 0 {
		return nil
	}
	out := make([]string, min(len(cs), MaxContainers))
	for i := range out {
		out[i] = internID(cs[i].Image) // one copy per image, not per pod
	}
	return out
}

// revision parses the revision annotation; a missing or bad one is 0.
func revision(annotations map[string]string) int {
	n, err := strconv.Atoi(annotations[AnnotationRevision])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func replicasOr1(p *int32) int {
	if p == nil {
		return 1 // the API default
	}
	return int(*p)
}

func isRestartableInit(c *corev1.Container) bool {
	return c != nil && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

func podCondition(st *corev1.PodStatus, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

// PodStatus returns the pod's STATUS, READY counts and RESTARTS the way
// kubectl get pods prints them (printPod in k8s.io/kubernetes
// pkg/printers/internalversion), so the picture and the speaker's terminal
// agree.
func PodStatus(pod *corev1.Pod) (status string, ready, total, restarts int) {
	total = len(pod.Spec.Containers)
	status = string(pod.Status.Phase)
	if pod.Status.Reason != "" {
		status = pod.Status.Reason
	}
	if status == "" {
		status = string(corev1.PodPending) // not yet defaulted by the API server
	}
	if c := podCondition(&pod.Status, corev1.PodScheduled); c != nil && c.Reason == corev1.PodReasonSchedulingGated {
		status = corev1.PodReasonSchedulingGated
	}

	initSpecs := make(map[string]*corev1.Container, len(pod.Spec.InitContainers))
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		initSpecs[c.Name] = c
		if isRestartableInit(c) {
			total++ // a sidecar counts as a container
		}
	}

	sidecarRestarts := 0
	initializing := false
	for i := range pod.Status.InitContainerStatuses {
		cs := &pod.Status.InitContainerStatuses[i]
		restarts += int(cs.RestartCount)
		sidecar := isRestartableInit(initSpecs[cs.Name])
		if sidecar {
			sidecarRestarts += int(cs.RestartCount)
		}
		switch {
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			continue
		case sidecar && cs.Started != nil && *cs.Started:
			if cs.Ready {
				ready++
			}
			continue
		case cs.State.Terminated != nil:
			t := cs.State.Terminated
			switch {
			case t.Reason != "":
				status = "Init:" + t.Reason
			case t.Signal != 0:
				status = fmt.Sprintf("Init:Signal:%d", t.Signal)
			default:
				status = fmt.Sprintf("Init:ExitCode:%d", t.ExitCode)
			}
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
			status = "Init:" + cs.State.Waiting.Reason
		default:
			status = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		initializing = true
		break
	}

	initialized := false
	if c := podCondition(&pod.Status, corev1.PodInitialized); c != nil && c.Status == corev1.ConditionTrue {
		initialized = true
	}
	if !initializing || initialized {
		restarts = sidecarRestarts
		running := false
		// kubectl walks the containers backwards, so the first container's
		// reason wins.
		for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
			cs := &pod.Status.ContainerStatuses[i]
			restarts += int(cs.RestartCount)
			switch w, t := cs.State.Waiting, cs.State.Terminated; {
			case w != nil && w.Reason != "":
				status = w.Reason
			case t != nil && t.Reason != "":
				status = t.Reason
			case t != nil && t.Signal != 0:
				status = fmt.Sprintf("Signal:%d", t.Signal)
			case t != nil:
				status = fmt.Sprintf("ExitCode:%d", t.ExitCode)
			case cs.Ready && cs.State.Running != nil:
				running = true
				ready++
			}
		}
		if status == "Completed" && running {
			status = "NotReady"
			if c := podCondition(&pod.Status, corev1.PodReady); c != nil && c.Status == corev1.ConditionTrue {
				status = "Running"
			}
		}
	}

	if pod.DeletionTimestamp != nil {
		switch {
		case pod.Status.Reason == "NodeLost": // the node controller's NodeUnreachablePodReason
			status = "Unknown"
		case pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed:
			status = "Terminating"
		}
	}
	return status, ready, total, restarts
}

// PodNode derives a Pod's entity. Labels share the pod's map.
func PodNode(pod *corev1.Pod) *Node {
	status, ready, _, restarts := PodStatus(pod)
	f := &PodFields{
		Status:          internID(status),
		ReadyContainers: ready,
		Restarts:        restarts,
		Owner:           controllerOwner(pod.OwnerReferences, pod.Namespace, KindReplicaSet, KindStatefulSet, KindDaemonSet, KindJob),
		Images:          internNames(containerImages(pod.Spec.Containers)),
		IP:              pod.Status.PodIP,
		Labels:          pod.Labels,
		Created:         pod.CreationTimestamp.Time,
	}
	if c := podCondition(&pod.Status, corev1.PodReady); c != nil && c.Status == corev1.ConditionTrue {
		f.Ready = true
	}
	if pod.Spec.NodeName != "" {
		f.Node = internID(ID(KindNode, "", pod.Spec.NodeName))
	}
	f.Containers, f.MoreContainers = podContainers(pod.Spec.Containers, pod.Status.ContainerStatuses, false)
	f.InitContainers, f.MoreInitContainers = podContainers(pod.Spec.InitContainers, pod.Status.InitContainerStatuses, true)
	f.HostIP = internID(pod.Status.HostIP) // one per node
	f.HostNetwork = pod.Spec.HostNetwork
	f.ServiceAccount = internID(pod.Spec.ServiceAccountName)
	f.Evicted, f.Mirror = podDrainFlags(pod)
	id := ID(KindPod, pod.Namespace, pod.Name)
	// The name shares the id's bytes, so the decoded pod's copy can go.
	return &Node{ID: id, Kind: KindPod,
		Namespace: internID(pod.Namespace), Name: id[len(id)-len(pod.Name):], UID: string(pod.UID), Pod: f}
}

// DeploymentRollout returns progressing, complete or stalled, by the rules
// of kubectl rollout status.
func DeploymentRollout(d *appsv1.Deployment) string {
	if d.Generation > d.Status.ObservedGeneration {
		return RolloutProgressing // the controller has not seen the spec yet
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return RolloutStalled
		}
	}
	st := &d.Status
	switch {
	case int(st.UpdatedReplicas) < replicasOr1(d.Spec.Replicas), // new pods still to come
		st.Replicas > st.UpdatedReplicas,          // old pods still to go
		st.AvailableReplicas < st.UpdatedReplicas: // new pods not yet available
		return RolloutProgressing
	}
	return RolloutComplete
}

func intOrString(v *intstr.IntOrString, def string) string {
	if v == nil {
		return def
	}
	return v.String()
}

// DeploymentNode derives a Deployment's entity.
func DeploymentNode(d *appsv1.Deployment) *Node {
	s := Strategy{Type: string(d.Spec.Strategy.Type)}
	if s.Type == "" {
		s.Type = string(appsv1.RollingUpdateDeploymentStrategyType) // the API default
	}
	if s.Type == string(appsv1.RollingUpdateDeploymentStrategyType) {
		var ru appsv1.RollingUpdateDeployment
		if d.Spec.Strategy.RollingUpdate != nil {
			ru = *d.Spec.Strategy.RollingUpdate
		}
		s.MaxSurge = intOrString(ru.MaxSurge, "25%")
		s.MaxUnavailable = intOrString(ru.MaxUnavailable, "25%")
	}
	return &Node{ID: ID(KindDeployment, d.Namespace, d.Name), Kind: KindDeployment,
		Namespace: d.Namespace, Name: d.Name, UID: string(d.UID),
		Deployment: &DeploymentFields{
			Replicas:  replicasOr1(d.Spec.Replicas),
			Updated:   int(d.Status.UpdatedReplicas),
			Ready:     int(d.Status.ReadyReplicas),
			Available: int(d.Status.AvailableReplicas),
			Revision:  revision(d.Annotations),
			Images:    containerImages(d.Spec.Template.Spec.Containers),
			Strategy:  s,
			Rollout:   DeploymentRollout(d),
		}}
}

// ReplicaSetNode derives a ReplicaSet's entity.
func ReplicaSetNode(rs *appsv1.ReplicaSet) *Node {
	return &Node{ID: ID(KindReplicaSet, rs.Namespace, rs.Name), Kind: KindReplicaSet,
		Namespace: rs.Namespace, Name: rs.Name, UID: string(rs.UID),
		ReplicaSet: &ReplicaSetFields{
			Owner:    controllerOwner(rs.OwnerReferences, rs.Namespace, KindDeployment),
			Revision: revision(rs.Annotations),
			Replicas: replicasOr1(rs.Spec.Replicas),
			Current:  int(rs.Status.Replicas),
			Ready:    int(rs.Status.ReadyReplicas),
			Images:   containerImages(rs.Spec.Template.Spec.Containers),
		}}
}

// StatefulSetNode derives a StatefulSet's entity.
func StatefulSetNode(s *appsv1.StatefulSet) *Node {
	return &Node{ID: ID(KindStatefulSet, s.Namespace, s.Name), Kind: KindStatefulSet,
		Namespace: s.Namespace, Name: s.Name, UID: string(s.UID),
		StatefulSet: &SetFields{
			Replicas:       replicasOr1(s.Spec.Replicas),
			Ready:          int(s.Status.ReadyReplicas),
			Images:         containerImages(s.Spec.Template.Spec.Containers),
			ClaimTemplates: claimTemplates(s.Spec.VolumeClaimTemplates),
			Owner:          controllerOwner(s.OwnerReferences, s.Namespace),
		}}
}

// DaemonSetNode derives a DaemonSet's entity; its replicas are the pods it
// should run (one per eligible node).
func DaemonSetNode(s *appsv1.DaemonSet) *Node {
	return &Node{ID: ID(KindDaemonSet, s.Namespace, s.Name), Kind: KindDaemonSet,
		Namespace: s.Namespace, Name: s.Name, UID: string(s.UID),
		DaemonSet: &SetFields{
			Replicas: int(s.Status.DesiredNumberScheduled),
			Ready:    int(s.Status.NumberReady),
			Images:   containerImages(s.Spec.Template.Spec.Containers),
			Owner:    controllerOwner(s.OwnerReferences, s.Namespace),
		}}
}

// ServiceNode derives a Service's entity. The selector shares the
// Service's map.
func ServiceNode(s *corev1.Service) *Node {
	f := &ServiceFields{
		Type:      string(s.Spec.Type),
		ClusterIP: s.Spec.ClusterIP,
		Selector:  s.Spec.Selector,
		Ports:     make([]ServicePort, len(s.Spec.Ports)),
		// Absent while pending, so a client can say "pending".
		LoadBalancer: loadBalancer(s),
	}
	if f.Type == "" {
		f.Type = string(corev1.ServiceTypeClusterIP)
	}
	for i, p := range s.Spec.Ports {
		sp := ServicePort{Name: p.Name, Port: int(p.Port), NodePort: int(p.NodePort),
			Protocol: string(p.Protocol), TargetPort: p.TargetPort.String()}
		if p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == 0 {
			sp.TargetPort = strconv.Itoa(int(p.Port)) // the API default
		}
		if sp.Protocol == "" {
			sp.Protocol = string(corev1.ProtocolTCP)
		}
		f.Ports[i] = sp
	}
	return &Node{ID: ID(KindService, s.Namespace, s.Name), Kind: KindService,
		Namespace: s.Namespace, Name: s.Name, UID: string(s.UID), Service: f}
}

func backendRule(host, path string, b *networkingv1.IngressBackend) (IngressRule, bool) {
	if b == nil || b.Service == nil {
		return IngressRule{}, false // a resource backend routes to no Service
	}
	r := IngressRule{Host: host, Path: path, Service: b.Service.Name}
	if b.Service.Port.Name != "" {
		r.Port = b.Service.Port.Name
	} else {
		r.Port = strconv.Itoa(int(b.Service.Port.Number))
	}
	return r, true
}

// IngressNode derives an Ingress's entity: its class, and one rule per
// host + path, then the default backend as a rule with Default set.
func IngressNode(ing *networkingv1.Ingress) *Node {
	f := &IngressFields{Class: ing.Annotations[AnnotationIngressClass]}
	if ing.Spec.IngressClassName != nil {
		f.Class = *ing.Spec.IngressClassName // the field wins over the legacy annotation
	}
	f.Rules = []IngressRule{}
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for i := range rule.HTTP.Paths {
			p := &rule.HTTP.Paths[i]
			if r, ok := backendRule(rule.Host, p.Path, &p.Backend); ok {
				f.Rules = append(f.Rules, r)
			}
		}
	}
	if r, ok := backendRule("", "", ing.Spec.DefaultBackend); ok {
		r.Default = true
		f.Rules = append(f.Rules, r)
	}
	return &Node{ID: ID(KindIngress, ing.Namespace, ing.Name), Kind: KindIngress,
		Namespace: ing.Namespace, Name: ing.Name, UID: string(ing.UID), Ingress: f}
}

// IngressEdges derives the routes edges of an Ingress entity: one per
// Service, labelled with the first host + path that routes to it. A Service
// that does not exist still gets its edge, drawn as a dangling reference.
func IngressEdges(n *Node) []*Edge {
	var out []*Edge
	seen := map[string]bool{}
	for _, r := range n.Ingress.Rules {
		if seen[r.Service] {
			continue
		}
		seen[r.Service] = true
		to := ID(KindService, n.Namespace, r.Service)
		e := &Edge{ID: EdgeID(EdgeRoutes, n.ID, to), Kind: EdgeRoutes, From: n.ID, To: to}
		if label := r.Host + r.Path; label != "" {
			e.Detail = &Detail{Label: label} // none for a default backend, as JSON decodes it
		}
		out = append(out, e)
	}
	return out
}

// NodeRoles returns a Node's roles from the node-role.kubernetes.io/<role>
// and kubernetes.io/role labels, sorted and without duplicates.
func NodeRoles(labels map[string]string) []string {
	roles := []string{}
	for k, v := range labels {
		switch {
		case strings.HasPrefix(k, labelNodeRolePrefix):
			if r := strings.TrimPrefix(k, labelNodeRolePrefix); r != "" {
				roles = append(roles, r)
			}
		case k == labelNodeRole && v != "":
			roles = append(roles, v)
		}
	}
	slices.Sort(roles)
	return slices.Compact(roles)
}

// NodeRoleLabels returns the keys of the labels NodeRoles reads, for the
// informer transform to keep.
func NodeRoleLabels(labels map[string]string) []string {
	var keys []string
	for k := range labels {
		if strings.HasPrefix(k, labelNodeRolePrefix) || k == labelNodeRole {
			keys = append(keys, k)
		}
	}
	return keys
}

// NodeNode derives a Kubernetes Node's entity.
func NodeNode(n *corev1.Node) *Node {
	f := &NodeFields{Roles: NodeRoles(n.Labels), Unschedulable: n.Spec.Unschedulable,
		Capacity: nodeResources(n.Status.Capacity), Allocatable: nodeResources(n.Status.Allocatable),
		Conditions: nodeConditions(n.Status.Conditions), Taints: nodeTaints(n.Spec.Taints),
		Zone: NodeZone(n.Labels), Pool: NodePool(n.Labels), Labels: nodeLabels(n.Labels)}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			f.Ready = c.Status == corev1.ConditionTrue
		}
	}
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			f.InternalIP = a.Address
			break
		}
	}
	return &Node{ID: ID(KindNode, "", n.Name), Kind: KindNode, Name: n.Name, UID: string(n.UID), Node: f}
}

// Selects reports whether a Service selector selects a pod with these
// labels. A Service without a selector selects nothing: its endpoints are
// managed by hand.
func Selects(selector, labels map[string]string) bool {
	if len(selector) == 0 || len(selector) > len(labels) {
		return false
	}
	for k, v := range selector {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// endpointRank orders endpoint states; a pod listed in several slices (dual
// stack) takes its best state.
func endpointRank(s string) int {
	switch s {
	case EndpointReady:
		return 3
	case EndpointServing:
		return 2
	case EndpointTerminating:
		return 1
	}
	return 0
}

// EndpointState returns the selects-edge state of one endpoint. Per the
// EndpointSlice API, a nil ready means ready and a nil serving defers to
// ready. An endpoint that is neither ready, serving nor terminating (a
// failing readiness probe) gets no traffic: "none".
func EndpointState(c discoveryv1.EndpointConditions) string {
	ready := c.Ready == nil || *c.Ready
	serving := ready
	if c.Serving != nil {
		serving = *c.Serving
	}
	switch {
	case ready:
		return EndpointReady
	case serving:
		return EndpointServing
	case c.Terminating != nil && *c.Terminating:
		return EndpointTerminating
	}
	return EndpointNone
}

// sliceInfo is what the model keeps of an EndpointSlice: its Service and the
// state of each pod endpoint.
type sliceInfo struct {
	service string
	pods    map[string]string // pod name → endpoint state
}

// SliceStates returns the Service name of an EndpointSlice and the state of
// each pod in it (pods of other namespaces and non-pod targets are ignored).
func SliceStates(s *discoveryv1.EndpointSlice) (service string, pods map[string]string) {
	service = s.Labels[LabelServiceName]
	pods = map[string]string{}
	for i := range s.Endpoints {
		ep := &s.Endpoints[i]
		ref := ep.TargetRef
		if ref == nil || ref.Kind != "Pod" || ref.Name == "" || (ref.Namespace != "" && ref.Namespace != s.Namespace) {
			continue
		}
		st := EndpointState(ep.Conditions)
		if old, ok := pods[ref.Name]; !ok || endpointRank(st) > endpointRank(old) {
			pods[ref.Name] = st
		}
	}
	return service, pods
}
