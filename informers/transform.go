package informers

import (
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/podiumhq/podium/informers/graph"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// The transforms below run before an object enters the informer cache and
// keep only what the graph model reads (informers/graph/derive.go), so the
// cache holds a fraction of each object. Pods and EndpointSlices, the bulk
// of a cluster, become the compact graph.CachedPod and graph.CachedSlice,
// which the model folds directly. The other kinds stay their API type and
// are stripped in place, with no copy: client-go hands the transform each
// object freshly decoded, before any handler or cache reader can see it
// (TransformFunc's contract since v1.27). Stripping in place is idempotent,
// as that contract asks, and only ever drops or shortens what it finds.
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
	case *batchv1.Job:
		return TransformJob(obj)
	case *batchv1.CronJob:
		return TransformCronJob(obj)
	case *autoscalingv2.HorizontalPodAutoscaler:
		return TransformHPA(obj)
	case *corev1.PersistentVolumeClaim:
		return TransformPVC(obj)
	case *corev1.PersistentVolume:
		return TransformPV(obj)
	case *storagev1.StorageClass:
		return TransformStorageClass(obj)
	case *corev1.Event:
		return TransformEvent(obj)
	case *corev1.ServiceAccount:
		return TransformServiceAccount(obj)
	case *rbacv1.Role:
		return TransformRole(obj)
	case *rbacv1.ClusterRole:
		return TransformClusterRole(obj)
	case *rbacv1.RoleBinding:
		return TransformRoleBinding(obj)
	case *rbacv1.ClusterRoleBinding:
		return TransformClusterRoleBinding(obj)
	case *networkingv1.NetworkPolicy:
		return TransformNetworkPolicy(obj)
	case *corev1.Namespace:
		return TransformNamespace(obj)
	case *corev1.ResourceQuota:
		return TransformResourceQuota(obj)
	case *corev1.LimitRange:
		return TransformLimitRange(obj)
	case *policyv1.PodDisruptionBudget:
		return TransformPDB(obj)
	case cache.DeletedFinalStateUnknown:
		return tombstone(obj.(cache.DeletedFinalStateUnknown), Transform)
	}
	return obj, nil
}

// tombstone strips the last known state inside a deletion tombstone. That
// state may come from an informer's cache (client-go builds tombstones from
// its store), which nothing may write to, so it is stripped in a copy.
func tombstone(t cache.DeletedFinalStateUnknown, f cache.TransformFunc) (interface{}, error) {
	if t.Obj == nil {
		return t, nil
	}
	obj := t.Obj
	if o, ok := obj.(runtime.Object); ok {
		obj = o.DeepCopyObject()
	}
	inner, err := f(obj)
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

// stripMeta cuts m down to identity, versions, times, the controller owner
// reference, the annotations named in keep and the labels for which
// keepLabel is true (nil drops them all). Fields are listed by what stays,
// so a field a later API version adds goes too.
func stripMeta(m *metav1.ObjectMeta, keepLabel func(string) bool, keep ...string) {
	var keepAnnotation func(string) bool
	if len(keep) > 0 {
		keepAnnotation = func(k string) bool { return slices.Contains(keep, k) }
	}
	*m = metav1.ObjectMeta{
		Name: m.Name, Namespace: m.Namespace, UID: m.UID,
		ResourceVersion: m.ResourceVersion, Generation: m.Generation,
		CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp,
		Labels:          keepKeys(m.Labels, keepLabel),
		Annotations:     keepKeys(m.Annotations, keepAnnotation),
		OwnerReferences: controllerRef(m.OwnerReferences),
	}
}

// keepKeys deletes from m the keys keep refuses, and returns nil for an
// empty result or a nil keep.
func keepKeys(m map[string]string, keep func(string) bool) map[string]string {
	if keep == nil {
		return nil
	}
	maps.DeleteFunc(m, func(k, _ string) bool { return !keep(k) })
	if len(m) == 0 {
		return nil
	}
	return m
}

// controllerRef keeps the controller's owner reference, reduced to what
// names it, in refs' own first slot.
func controllerRef(refs []metav1.OwnerReference) []metav1.OwnerReference {
	i := slices.IndexFunc(refs, func(r metav1.OwnerReference) bool { return r.Controller != nil && *r.Controller })
	if i < 0 {
		return nil
	}
	r := refs[i]
	return keepOne(refs, metav1.OwnerReference{APIVersion: r.APIVersion, Kind: r.Kind, Name: r.Name, UID: r.UID, Controller: r.Controller})
}

// keepOne stores v in s's first slot and returns that slot alone. The
// slots after it are zeroed: the backing array stays reachable, and so
// would everything they point to.
func keepOne[T any](s []T, v T) []T {
	s[0] = v
	clear(s[1:])
	return s[:1:1]
}

// keepFirst keeps the first element of s for which ok is true, reduced by
// reduce, or returns nil if there is none.
func keepFirst[T any](s []T, ok func(*T) bool, reduce func(T) T) []T {
	for i := range s {
		if ok(&s[i]) {
			return keepOne(s, reduce(s[i]))
		}
	}
	return nil
}

// template keeps each container's name and image.
func template(t *corev1.PodTemplateSpec) {
	cs := t.Spec.Containers
	for i := range cs {
		cs[i] = corev1.Container{Name: cs[i].Name, Image: cs[i].Image}
	}
	if len(cs) == 0 {
		cs = nil
	}
	*t = corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: cs}}
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
	stripMeta(&in.ObjectMeta, nil, graph.AnnotationRevision)
	template(&in.Spec.Template)
	in.Spec = appsv1.DeploymentSpec{Replicas: in.Spec.Replicas, Strategy: in.Spec.Strategy, Template: in.Spec.Template}
	in.Status = appsv1.DeploymentStatus{ObservedGeneration: in.Status.ObservedGeneration,
		Replicas: in.Status.Replicas, UpdatedReplicas: in.Status.UpdatedReplicas,
		ReadyReplicas: in.Status.ReadyReplicas, AvailableReplicas: in.Status.AvailableReplicas,
		Conditions: keepFirst(in.Status.Conditions,
			func(c *appsv1.DeploymentCondition) bool { return c.Type == appsv1.DeploymentProgressing },
			func(c appsv1.DeploymentCondition) appsv1.DeploymentCondition {
				return appsv1.DeploymentCondition{Type: c.Type, Status: c.Status, Reason: c.Reason}
			}),
	}
	return in, nil
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
	stripMeta(&in.ObjectMeta, nil, graph.AnnotationRevision)
	template(&in.Spec.Template)
	in.Spec = appsv1.ReplicaSetSpec{Replicas: in.Spec.Replicas, Template: in.Spec.Template}
	in.Status = appsv1.ReplicaSetStatus{Replicas: in.Status.Replicas, ReadyReplicas: in.Status.ReadyReplicas}
	return in, nil
}

// TransformStatefulSet keeps the replicas, images and the names of the
// volume claim templates.
func TransformStatefulSet(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformStatefulSet)
	}
	in, err := typed[appsv1.StatefulSet](obj, "StatefulSet")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	template(&in.Spec.Template)
	claims := in.Spec.VolumeClaimTemplates
	for i := range claims {
		claims[i] = corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: claims[i].Name}}
	}
	if len(claims) == 0 {
		claims = nil
	}
	in.Spec = appsv1.StatefulSetSpec{Replicas: in.Spec.Replicas, Template: in.Spec.Template, VolumeClaimTemplates: claims}
	in.Status = appsv1.StatefulSetStatus{ReadyReplicas: in.Status.ReadyReplicas}
	return in, nil
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
	stripMeta(&in.ObjectMeta, nil)
	template(&in.Spec.Template)
	in.Spec = appsv1.DaemonSetSpec{Template: in.Spec.Template}
	in.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: in.Status.DesiredNumberScheduled, NumberReady: in.Status.NumberReady}
	return in, nil
}

// TransformService keeps the type, cluster IP, ports, selector and a
// LoadBalancer's external addresses.
func TransformService(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformService)
	}
	in, err := typed[corev1.Service](obj, "Service")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	ports := in.Spec.Ports
	for i, p := range ports {
		ports[i] = corev1.ServicePort{Name: p.Name, Protocol: p.Protocol, Port: p.Port,
			TargetPort: p.TargetPort, NodePort: p.NodePort}
	}
	if len(ports) == 0 {
		ports = nil
	}
	in.Spec = corev1.ServiceSpec{Type: in.Spec.Type, ClusterIP: in.Spec.ClusterIP, Selector: in.Spec.Selector, Ports: ports}
	lb := in.Status.LoadBalancer.Ingress
	for i, a := range lb {
		lb[i] = corev1.LoadBalancerIngress{IP: a.IP, Hostname: a.Hostname}
	}
	if len(lb) == 0 || in.Spec.Type != corev1.ServiceTypeLoadBalancer {
		lb = nil
	}
	in.Status = corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: lb}}
	return in, nil
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
	stripMeta(&in.ObjectMeta, nil, graph.AnnotationIngressClass)
	in.Spec = networkingv1.IngressSpec{IngressClassName: in.Spec.IngressClassName,
		DefaultBackend: in.Spec.DefaultBackend, Rules: in.Spec.Rules}
	in.Status = networkingv1.IngressStatus{}
	return in, nil
}

// TransformNode keeps the labels (at most graph.MaxNodeLabels: the Node
// column groups by zone, pool or a label the viewer picks), the conditions the picture shows
// (graph.NodeConditionTypes: type, status, reason and capped message), the
// first internal IP, the unschedulable flag (cordon), the taints, and cpu,
// memory, pods and ephemeral-storage of capacity and allocatable. Images,
// node info, other resources (hugepages, devices) and every timestamp go,
// heartbeats included, so a heartbeat no longer changes what the model sees.
func TransformNode(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformNode)
	}
	in, err := typed[corev1.Node](obj, "Node")
	if err != nil {
		return nil, err
	}
	kept := graph.NodeLabelKeys(in.Labels)
	stripMeta(&in.ObjectMeta, func(k string) bool { _, ok := slices.BinarySearch(kept, k); return ok })
	taints := in.Spec.Taints[:min(len(in.Spec.Taints), graph.MaxTaints)]
	for i, t := range taints {
		taints[i] = corev1.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect}
	}
	if len(taints) == 0 {
		taints = nil
	}
	in.Spec = corev1.NodeSpec{Unschedulable: in.Spec.Unschedulable, Taints: taints}
	conds := slices.DeleteFunc(in.Status.Conditions, func(c corev1.NodeCondition) bool {
		return !slices.Contains(graph.NodeConditionTypes, c.Type)
	})
	for i, c := range conds {
		conds[i] = corev1.NodeCondition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: capString(c.Message, maxMessage)}
	}
	if len(conds) == 0 {
		conds = nil
	}
	in.Status = corev1.NodeStatus{
		Capacity:    onlyResources(in.Status.Capacity, graph.NodeResourceNames),
		Allocatable: onlyResources(in.Status.Allocatable, graph.NodeResourceNames),
		Conditions:  conds,
		Addresses: keepFirst(in.Status.Addresses,
			func(a *corev1.NodeAddress) bool { return a.Type == corev1.NodeInternalIP },
			func(a corev1.NodeAddress) corev1.NodeAddress { return a }),
	}
	return in, nil
}

// onlyResources deletes from l every resource not in keep, and returns nil
// for an empty result.
func onlyResources(l corev1.ResourceList, keep []corev1.ResourceName) corev1.ResourceList {
	maps.DeleteFunc(l, func(r corev1.ResourceName, _ apiresource.Quantity) bool { return !slices.Contains(keep, r) })
	if len(l) == 0 {
		return nil
	}
	return l
}

// TransformJob keeps the counts, the suspend flag, the owner (a CronJob),
// the images, the start and completion times and the conditions (without
// their messages) that say how it ended.
func TransformJob(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformJob)
	}
	in, err := typed[batchv1.Job](obj, "Job")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	template(&in.Spec.Template)
	in.Spec = batchv1.JobSpec{Completions: in.Spec.Completions, Parallelism: in.Spec.Parallelism,
		Suspend: in.Spec.Suspend, Template: in.Spec.Template}
	conds := in.Status.Conditions
	for i, c := range conds {
		conds[i] = batchv1.JobCondition{Type: c.Type, Status: c.Status, Reason: c.Reason, LastTransitionTime: c.LastTransitionTime}
	}
	if len(conds) == 0 {
		conds = nil
	}
	in.Status = batchv1.JobStatus{Active: in.Status.Active, Succeeded: in.Status.Succeeded, Failed: in.Status.Failed,
		StartTime: in.Status.StartTime, CompletionTime: in.Status.CompletionTime, Conditions: conds}
	return in, nil
}

// TransformCronJob keeps the schedule, suspend flag, last schedule time,
// the running Jobs (by name) and the images.
func TransformCronJob(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformCronJob)
	}
	in, err := typed[batchv1.CronJob](obj, "CronJob")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	jt := &in.Spec.JobTemplate
	template(&jt.Spec.Template)
	in.Spec = batchv1.CronJobSpec{Schedule: in.Spec.Schedule, Suspend: in.Spec.Suspend,
		JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jt.Spec.Template}}}
	active := in.Status.Active
	for i, r := range active {
		active[i] = corev1.ObjectReference{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, UID: r.UID}
	}
	if len(active) == 0 {
		active = nil
	}
	in.Status = batchv1.CronJobStatus{Active: active, LastScheduleTime: in.Status.LastScheduleTime}
	return in, nil
}

// TransformHPA keeps the target, the bounds, the current and desired
// replicas, each metric's target and current value, and the conditions
// (how an HPA says it cannot read metrics); the scaling behavior goes.
func TransformHPA(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformHPA)
	}
	in, err := typed[autoscalingv2.HorizontalPodAutoscaler](obj, "HorizontalPodAutoscaler")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	in.Spec = autoscalingv2.HorizontalPodAutoscalerSpec{ScaleTargetRef: in.Spec.ScaleTargetRef,
		MinReplicas: in.Spec.MinReplicas, MaxReplicas: in.Spec.MaxReplicas, Metrics: in.Spec.Metrics}
	conds := in.Status.Conditions
	for i, c := range conds {
		conds[i] = autoscalingv2.HorizontalPodAutoscalerCondition{Type: c.Type, Status: c.Status, Reason: c.Reason,
			Message: capString(c.Message, maxMessage), LastTransitionTime: c.LastTransitionTime}
	}
	if len(conds) == 0 {
		conds = nil
	}
	in.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: in.Status.CurrentReplicas, DesiredReplicas: in.Status.DesiredReplicas,
		CurrentMetrics: in.Status.CurrentMetrics, Conditions: conds}
	return in, nil
}

// annotationStorageClass is the storage class of a claim or volume made
// before spec.storageClassName existed; the API server still honours it.
const annotationStorageClass = "volume.beta.kubernetes.io/storage-class"

// storageOnly keeps the storage quantity of a resource list.
func storageOnly(l corev1.ResourceList) corev1.ResourceList {
	q, ok := l[corev1.ResourceStorage]
	if !ok {
		return nil
	}
	return corev1.ResourceList{corev1.ResourceStorage: q}
}

// TransformPVC keeps the phase, the requested and bound storage, the
// storage class, the access modes and the bound volume's name.
func TransformPVC(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformPVC)
	}
	in, err := typed[corev1.PersistentVolumeClaim](obj, "PersistentVolumeClaim")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil, annotationStorageClass)
	in.Spec = corev1.PersistentVolumeClaimSpec{AccessModes: in.Spec.AccessModes,
		Resources:        corev1.VolumeResourceRequirements{Requests: storageOnly(in.Spec.Resources.Requests)},
		StorageClassName: in.Spec.StorageClassName, VolumeName: in.Spec.VolumeName}
	in.Status = corev1.PersistentVolumeClaimStatus{Phase: in.Status.Phase, AccessModes: in.Status.AccessModes,
		Capacity: storageOnly(in.Status.Capacity)}
	return in, nil
}

// TransformPV keeps the phase, capacity, storage class, reclaim policy,
// access modes and the claim it is bound to; the volume source (paths,
// servers, driver attributes, secret references) goes.
func TransformPV(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformPV)
	}
	in, err := typed[corev1.PersistentVolume](obj, "PersistentVolume")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil, annotationStorageClass)
	var claim *corev1.ObjectReference
	if c := in.Spec.ClaimRef; c != nil {
		claim = &corev1.ObjectReference{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name, UID: c.UID}
	}
	in.Spec = corev1.PersistentVolumeSpec{Capacity: storageOnly(in.Spec.Capacity), AccessModes: in.Spec.AccessModes,
		ClaimRef: claim, PersistentVolumeReclaimPolicy: in.Spec.PersistentVolumeReclaimPolicy,
		StorageClassName: in.Spec.StorageClassName}
	in.Status = corev1.PersistentVolumeStatus{Phase: in.Status.Phase}
	return in, nil
}

// TransformStorageClass keeps the provisioner, reclaim policy, binding mode
// and the default-class annotations; parameters (which may name secrets)
// and mount options go.
func TransformStorageClass(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformStorageClass)
	}
	in, err := typed[storagev1.StorageClass](obj, "StorageClass")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil, graph.AnnotationDefaultClass, graph.AnnotationBetaDefaultClass)
	*in = storagev1.StorageClass{ObjectMeta: in.ObjectMeta, Provisioner: in.Provisioner,
		ReclaimPolicy: in.ReclaimPolicy, VolumeBindingMode: in.VolumeBindingMode}
	return in, nil
}

// maxMessage caps the messages kept from events and conditions, in bytes:
// a message is meant for one line of a details panel, and a controller may
// write kilobytes into one (a whole scheduler diagnosis on a large cluster).
// The model caps what it shows further.
const maxMessage = 1024

// capString returns s cut to at most n bytes, on a rune boundary.
func capString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// TransformEvent keeps what a warning shows: the object it is about, the
// type, reason, message (capped at maxMessage), the count and series, and
// the timestamps. The source, the reporting controller, the action and the
// related object go. Events are a cluster's most numerous and most churned
// objects, so each is cut to a few hundred bytes
// (TestEventCacheCost measures it).
func TransformEvent(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformEvent)
	}
	in, err := typed[corev1.Event](obj, "Event")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	io := in.InvolvedObject
	var series *corev1.EventSeries
	if s := in.Series; s != nil {
		series = &corev1.EventSeries{Count: s.Count, LastObservedTime: s.LastObservedTime}
	}
	*in = corev1.Event{
		ObjectMeta:     in.ObjectMeta,
		InvolvedObject: corev1.ObjectReference{Kind: io.Kind, Namespace: io.Namespace, Name: io.Name, UID: io.UID},
		Type:           in.Type, Reason: in.Reason, Message: capString(in.Message, maxMessage),
		Count: in.Count, Series: series,
		FirstTimestamp: in.FirstTimestamp, LastTimestamp: in.LastTimestamp, EventTime: in.EventTime,
	}
	return in, nil
}

// The kinds of identity and policy (#13) below are few (hundreds, not the
// thousands of pods) and the model reads most of each, so their transforms
// mostly drop metadata: managed fields, annotations (last-applied copies
// of the whole object among them) and, but for Namespaces and
// ClusterRoles, labels.

// TransformServiceAccount keeps the automountServiceAccountToken flag and
// the names, and only the names, of the Secrets and image pull Secrets it
// lists. A ServiceAccount holds no token data itself; a legacy token
// Secret it names stays unread.
func TransformServiceAccount(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformServiceAccount)
	}
	in, err := typed[corev1.ServiceAccount](obj, "ServiceAccount")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	secrets := in.Secrets
	for i, r := range secrets {
		secrets[i] = corev1.ObjectReference{Name: r.Name}
	}
	if len(secrets) == 0 {
		secrets = nil
	}
	pull := in.ImagePullSecrets
	for i, r := range pull {
		pull[i] = corev1.LocalObjectReference{Name: r.Name}
	}
	if len(pull) == 0 {
		pull = nil
	}
	*in = corev1.ServiceAccount{ObjectMeta: in.ObjectMeta, Secrets: secrets, ImagePullSecrets: pull,
		AutomountServiceAccountToken: in.AutomountServiceAccountToken}
	return in, nil
}

// TransformRole keeps the rules, whole: a rule left out could be the one
// that makes the role risky.
func TransformRole(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformRole)
	}
	in, err := typed[rbacv1.Role](obj, "Role")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	*in = rbacv1.Role{ObjectMeta: in.ObjectMeta, Rules: in.Rules}
	return in, nil
}

// TransformClusterRole keeps the rules, the aggregation rule and every
// label: another ClusterRole's aggregation rule may select on any of them.
func TransformClusterRole(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformClusterRole)
	}
	in, err := typed[rbacv1.ClusterRole](obj, "ClusterRole")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, keepAll)
	*in = rbacv1.ClusterRole{ObjectMeta: in.ObjectMeta, Rules: in.Rules, AggregationRule: in.AggregationRule}
	return in, nil
}

// TransformRoleBinding keeps the subjects and the role it grants.
func TransformRoleBinding(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformRoleBinding)
	}
	in, err := typed[rbacv1.RoleBinding](obj, "RoleBinding")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	*in = rbacv1.RoleBinding{ObjectMeta: in.ObjectMeta, Subjects: in.Subjects, RoleRef: in.RoleRef}
	return in, nil
}

// TransformClusterRoleBinding keeps the subjects and the role it grants.
func TransformClusterRoleBinding(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformClusterRoleBinding)
	}
	in, err := typed[rbacv1.ClusterRoleBinding](obj, "ClusterRoleBinding")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	*in = rbacv1.ClusterRoleBinding{ObjectMeta: in.ObjectMeta, Subjects: in.Subjects, RoleRef: in.RoleRef}
	return in, nil
}

// TransformNetworkPolicy keeps the whole spec: reachability is computed
// from every clause of it.
func TransformNetworkPolicy(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformNetworkPolicy)
	}
	in, err := typed[networkingv1.NetworkPolicy](obj, "NetworkPolicy")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	*in = networkingv1.NetworkPolicy{ObjectMeta: in.ObjectMeta, Spec: in.Spec}
	return in, nil
}

// TransformNamespace keeps every label (NetworkPolicy namespaceSelectors
// match on any of them, and Pod Security admission levels are labels) and
// the phase; finalizers and conditions go.
func TransformNamespace(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformNamespace)
	}
	in, err := typed[corev1.Namespace](obj, "Namespace")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, keepAll)
	*in = corev1.Namespace{ObjectMeta: in.ObjectMeta, Status: corev1.NamespaceStatus{Phase: in.Status.Phase}}
	return in, nil
}

// TransformResourceQuota keeps the hard limits, as written and as
// enforced, and what is used; scopes go.
func TransformResourceQuota(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformResourceQuota)
	}
	in, err := typed[corev1.ResourceQuota](obj, "ResourceQuota")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	*in = corev1.ResourceQuota{ObjectMeta: in.ObjectMeta, Spec: corev1.ResourceQuotaSpec{Hard: in.Spec.Hard},
		Status: corev1.ResourceQuotaStatus{Hard: in.Status.Hard, Used: in.Status.Used}}
	return in, nil
}

// TransformLimitRange keeps its limits, whole.
func TransformLimitRange(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformLimitRange)
	}
	in, err := typed[corev1.LimitRange](obj, "LimitRange")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	*in = corev1.LimitRange{ObjectMeta: in.ObjectMeta, Spec: corev1.LimitRangeSpec{Limits: in.Spec.Limits}}
	return in, nil
}

// TransformPDB keeps minAvailable, maxUnavailable and the selector, and
// the status counts that say whether a drain may evict. The disrupted-pods
// map (rewritten by each eviction) and the conditions go.
func TransformPDB(obj interface{}) (interface{}, error) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone(t, TransformPDB)
	}
	in, err := typed[policyv1.PodDisruptionBudget](obj, "PodDisruptionBudget")
	if err != nil {
		return nil, err
	}
	stripMeta(&in.ObjectMeta, nil)
	st := in.Status
	*in = policyv1.PodDisruptionBudget{ObjectMeta: in.ObjectMeta,
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: in.Spec.MinAvailable, MaxUnavailable: in.Spec.MaxUnavailable, Selector: in.Spec.Selector},
		Status: policyv1.PodDisruptionBudgetStatus{CurrentHealthy: st.CurrentHealthy, DesiredHealthy: st.DesiredHealthy,
			DisruptionsAllowed: st.DisruptionsAllowed, ExpectedPods: st.ExpectedPods}}
	return in, nil
}

// keepAll keeps every label.
func keepAll(string) bool { return true }
