package informers

import (
	"fmt"

	"github.com/podiumhq/podium/informers/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// The transforms below run before an object enters the informer cache and
// keep only what the graph model reads (informers/graph/derive.go), so the
// cache holds a fraction of each object. Pods and EndpointSlices, the bulk
// of a cluster, become the compact graph.CachedPod and graph.CachedSlice,
// which the model folds directly; the other kinds stay their API type. Each returns a new object and never
// modifies its input; the output may share the input's strings, maps and
// small read-only pointers, which is safe because nothing mutates cached
// objects, and saves copying them.
//
// When the model starts reading a new field, keep it here too:
// TestTransformKeepsWhatTheModelReads fails otherwise.

// Transform strips any object the model folds, for
// informers.WithTransform. A cache.DeletedFinalStateUnknown has its object
// stripped. Types the model does not fold pass through unchanged, because
// the factory applies one transform to every informer it makes.
func Transform(obj interface{}) (interface{}, error) {
	switch obj.(type) {
	case *corev1.Pod, *graph.CachedPod:
		return TransformPod(obj)
	case *appsv1.Deployment:
		return TransformDeployment(obj)
	case *appsv1.ReplicaSet:
		return TransformReplicaSet(obj)
	case *appsv1.StatefulSet:
		return TransformStatefulSet(obj)
	case *appsv1.DaemonSet:
		return TransformDaemonSet(obj)
	case *corev1.Service:
		return TransformService(obj)
	case *discoveryv1.EndpointSlice, *graph.CachedSlice:
		return TransformEndpointSlice(obj)
	case *networkingv1.Ingress:
		return TransformIngress(obj)
	case *corev1.Node:
		return TransformNode(obj)
	case cache.DeletedFinalStateUnknown:
		return tombstone(obj.(cache.DeletedFinalStateUnknown), Transform)
	}
	return obj, nil
}

// tombstone strips the last known state inside a deletion tombstone.
func tombstone(t cache.DeletedFinalStateUnknown, f cache.TransformFunc) (interface{}, error) {
	if t.Obj == nil {
		return t, nil
	}
	inner, err := f(t.Obj)
	if err != nil {
		return nil, fmt.Errorf("tombstone %q: %w", t.Key, err)
	}
	return cache.DeletedFinalStateUnknown{Key: t.Key, Obj: inner}, nil
}

// typed returns obj as a non-nil *T, unwrapping nothing; kind names T in
// errors.
func typed[T any](obj interface{}, kind string) (*T, error) {
	o, ok := obj.(*T)
	if !ok {
		return nil, fmt.Errorf("transform %s: got %T", kind, obj)
	}
	if o == nil {
		return nil, fmt.Errorf("transform %s: nil object", kind)
	}
	return o, nil
}

// stripMeta keeps identity, versions, times, the controller owner reference,
// the annotations named in keep and the labels (nil drops them).
func stripMeta(in *metav1.ObjectMeta, labels map[string]string, keep ...string) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name: in.Name, Namespace: in.Namespace, UID: in.UID,
		ResourceVersion: in.ResourceVersion, Generation: in.Generation,
		CreationTimestamp: in.CreationTimestamp, DeletionTimestamp: in.DeletionTimestamp,
		Labels: labels,
	}
	for _, k := range keep {
		if v, ok := in.Annotations[k]; ok {
			if out.Annotations == nil {
				out.Annotations = make(map[string]string, len(keep))
			}
			out.Annotations[k] = v
		}
	}
	for i := range in.OwnerReferences {
		r := &in.OwnerReferences[i]
		if r.Controller != nil && *r.Controller {
			out.OwnerReferences = []metav1.OwnerReference{{APIVersion: r.APIVersion, Kind: r.Kind,
				Name: r.Name, UID: r.UID, Controller: r.Controller}}
			break
		}
	}
	return out
}

// containers keeps each container's name and image.
func containers(in []corev1.Container) []corev1.Container {
	if len(in) == 0 {
		return nil
	}
	out := make([]corev1.Container, len(in))
	for i := range in {
		out[i] = corev1.Container{Name: in[i].Name, Image: in[i].Image}
	}
	return out
}

func template(in *corev1.PodTemplateSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: containers(in.Spec.Containers)}}
}

// TransformPod turns a Pod into a *graph.CachedPod: its identity and the
// entity the model derives from it, computed at the door. A stripped
// corev1.Pod would still cost 1.2 KB of struct per pod; a CachedPod costs
// 256 bytes plus what it shares with the model. A CachedPod passes through
// unchanged, so the transform is idempotent.
func TransformPod(obj interface{}) (interface{}, error) {
	switch o := obj.(type) {
	case cache.DeletedFinalStateUnknown:
		return tombstone(o, TransformPod)
	case *graph.CachedPod:
		if o == nil {
			return nil, fmt.Errorf("transform Pod: nil object")
		}
		return o, nil
	}
	in, err := typed[corev1.Pod](obj, "Pod")
	if err != nil {
		return nil, err
	}
	return graph.NewCachedPod(in), nil
}

// TransformDeployment keeps the replicas, strategy, revision, images, and
// what kubectl rollout status reads.
func TransformDeployment(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformDeployment)
	}
	in, err := typed[appsv1.Deployment](obj, "Deployment")
	if err != nil {
		return nil, err
	}
	out := &appsv1.Deployment{
		ObjectMeta: stripMeta(&in.ObjectMeta, nil, graph.AnnotationRevision),
		Spec: appsv1.DeploymentSpec{Replicas: in.Spec.Replicas, Strategy: in.Spec.Strategy,
			Template: template(&in.Spec.Template)},
		Status: appsv1.DeploymentStatus{ObservedGeneration: in.Status.ObservedGeneration,
			Replicas: in.Status.Replicas, UpdatedReplicas: in.Status.UpdatedReplicas,
			ReadyReplicas: in.Status.ReadyReplicas, AvailableReplicas: in.Status.AvailableReplicas},
	}
	for _, c := range in.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing {
			out.Status.Conditions = []appsv1.DeploymentCondition{{Type: c.Type, Status: c.Status, Reason: c.Reason}}
		}
	}
	return out, nil
}

// TransformReplicaSet keeps the owner, revision, replicas and images.
func TransformReplicaSet(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformReplicaSet)
	}
	in, err := typed[appsv1.ReplicaSet](obj, "ReplicaSet")
	if err != nil {
		return nil, err
	}
	return &appsv1.ReplicaSet{
		ObjectMeta: stripMeta(&in.ObjectMeta, nil, graph.AnnotationRevision),
		Spec:       appsv1.ReplicaSetSpec{Replicas: in.Spec.Replicas, Template: template(&in.Spec.Template)},
		Status:     appsv1.ReplicaSetStatus{Replicas: in.Status.Replicas, ReadyReplicas: in.Status.ReadyReplicas},
	}, nil
}

// TransformStatefulSet keeps the replicas and images.
func TransformStatefulSet(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformStatefulSet)
	}
	in, err := typed[appsv1.StatefulSet](obj, "StatefulSet")
	if err != nil {
		return nil, err
	}
	return &appsv1.StatefulSet{
		ObjectMeta: stripMeta(&in.ObjectMeta, nil),
		Spec:       appsv1.StatefulSetSpec{Replicas: in.Spec.Replicas, Template: template(&in.Spec.Template)},
		Status:     appsv1.StatefulSetStatus{ReadyReplicas: in.Status.ReadyReplicas},
	}, nil
}

// TransformDaemonSet keeps the desired and ready counts and images.
func TransformDaemonSet(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformDaemonSet)
	}
	in, err := typed[appsv1.DaemonSet](obj, "DaemonSet")
	if err != nil {
		return nil, err
	}
	return &appsv1.DaemonSet{
		ObjectMeta: stripMeta(&in.ObjectMeta, nil),
		Spec:       appsv1.DaemonSetSpec{Template: template(&in.Spec.Template)},
		Status:     appsv1.DaemonSetStatus{DesiredNumberScheduled: in.Status.DesiredNumberScheduled, NumberReady: in.Status.NumberReady},
	}, nil
}

// TransformService keeps the type, cluster IP, ports and selector.
func TransformService(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformService)
	}
	in, err := typed[corev1.Service](obj, "Service")
	if err != nil {
		return nil, err
	}
	out := &corev1.Service{
		ObjectMeta: stripMeta(&in.ObjectMeta, nil),
		Spec:       corev1.ServiceSpec{Type: in.Spec.Type, ClusterIP: in.Spec.ClusterIP, Selector: in.Spec.Selector},
	}
	if len(in.Spec.Ports) > 0 {
		out.Spec.Ports = make([]corev1.ServicePort, len(in.Spec.Ports))
		for i, p := range in.Spec.Ports {
			out.Spec.Ports[i] = corev1.ServicePort{Name: p.Name, Protocol: p.Protocol, Port: p.Port,
				TargetPort: p.TargetPort, NodePort: p.NodePort}
		}
	}
	return out, nil
}

// TransformEndpointSlice turns an EndpointSlice into a *graph.CachedSlice:
// its Service and each pod endpoint's state. Addresses, topology and ports
// go; the cache keeps one small map entry per endpoint.
func TransformEndpointSlice(obj interface{}) (interface{}, error) {
	switch o := obj.(type) {
	case cache.DeletedFinalStateUnknown:
		return tombstone(o, TransformEndpointSlice)
	case *graph.CachedSlice:
		if o == nil {
			return nil, fmt.Errorf("transform EndpointSlice: nil object")
		}
		return o, nil
	}
	in, err := typed[discoveryv1.EndpointSlice](obj, "EndpointSlice")
	if err != nil {
		return nil, err
	}
	return graph.NewCachedSlice(in), nil
}

// TransformIngress keeps the class and the rules; TLS (secret names) goes.
func TransformIngress(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformIngress)
	}
	in, err := typed[networkingv1.Ingress](obj, "Ingress")
	if err != nil {
		return nil, err
	}
	return &networkingv1.Ingress{
		ObjectMeta: stripMeta(&in.ObjectMeta, nil, graph.AnnotationIngressClass),
		Spec: networkingv1.IngressSpec{IngressClassName: in.Spec.IngressClassName,
			DefaultBackend: in.Spec.DefaultBackend, Rules: in.Spec.Rules},
	}, nil
}

// TransformNode keeps the role labels, Ready condition, first internal IP
// and unschedulable flag; images, capacity and heartbeat times go, so a
// heartbeat no longer changes what the model sees.
func TransformNode(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformNode)
	}
	in, err := typed[corev1.Node](obj, "Node")
	if err != nil {
		return nil, err
	}
	var labels map[string]string
	for _, role := range graph.NodeRoleLabels(in.Labels) {
		if labels == nil {
			labels = map[string]string{}
		}
		labels[role] = in.Labels[role]
	}
	out := &corev1.Node{
		ObjectMeta: stripMeta(&in.ObjectMeta, labels),
		Spec:       corev1.NodeSpec{Unschedulable: in.Spec.Unschedulable},
	}
	for _, c := range in.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Status.Conditions = []corev1.NodeCondition{{Type: c.Type, Status: c.Status}}
		}
	}
	for _, a := range in.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			out.Status.Addresses = []corev1.NodeAddress{a}
			break
		}
	}
	return out, nil
}
