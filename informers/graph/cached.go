package graph

import (
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// CachedPod is what the informer cache keeps of a Pod: the entity the model
// derives from it, computed once at the door, and the resourceVersion. A
// corev1.Pod struct alone is 1.2 KB however much is stripped from it, and
// even an ObjectMeta is 232 bytes; a CachedPod is 48, and its Node is
// shared by the model and the log. That keeps a large cluster within the
// design's 2 KB of heap per pod.
//
// It implements metav1.Object (read-only: see readOnlyMeta) and
// runtime.Object, which is all an informer's store and handlers use. Treat
// it as immutable, like everything in the cache.
type CachedPod struct {
	readOnlyMeta
	Node            *Node  // PodNode, with interned labels
	ResourceVersion string // what the informer handlers compare
	Failure         string // PodFailure
	// refs are the objects the pod references by name (podRefs), shared
	// between pods with the same references; the model derives the mounts
	// edges from them.
	refs []podRef
	// automount is spec.automountServiceAccountToken, which the runs-as
	// edge's token reads; the entity does not draw it.
	automount Automount
}

// NewCachedPod derives the CachedPod of p. It shares p's strings and never
// modifies p.
func NewCachedPod(p *corev1.Pod) *CachedPod {
	n := PodNode(p)
	n.Pod.Labels = internLabels(p.Labels)
	return &CachedPod{Node: n, ResourceVersion: p.ResourceVersion, Failure: PodFailure(p, n.Pod.Status), refs: podRefs(p),
		automount: automountOf(p.Spec.AutomountServiceAccountToken)}
}

func (c *CachedPod) GetNamespace() string                { return c.Node.Namespace }
func (c *CachedPod) GetName() string                     { return c.Node.Name }
func (c *CachedPod) GetUID() types.UID                   { return types.UID(c.Node.UID) }
func (c *CachedPod) GetResourceVersion() string          { return c.ResourceVersion }
func (c *CachedPod) GetLabels() map[string]string        { return c.Node.Pod.Labels }
func (c *CachedPod) GetCreationTimestamp() metav1.Time   { return metav1.NewTime(c.Node.Pod.Created) }
func (c *CachedPod) GetObjectKind() schema.ObjectKind    { return schema.EmptyObjectKind }
func (c *CachedPod) DeepCopyObject() runtime.Object      { out := *c; return &out } // Node is immutable
func (c *CachedPod) GetObjectMeta() metav1.Object        { return c }
func (c *CachedPod) SetResourceVersion(version string)   { c.ResourceVersion = version }
func (c *CachedSlice) GetNamespace() string              { return c.Namespace }
func (c *CachedSlice) GetName() string                   { return c.Name }
func (c *CachedSlice) GetUID() types.UID                 { return c.UID }
func (c *CachedSlice) GetResourceVersion() string        { return c.ResourceVersion }
func (c *CachedSlice) SetResourceVersion(version string) { c.ResourceVersion = version }
func (c *CachedSlice) GetObjectKind() schema.ObjectKind  { return schema.EmptyObjectKind }
func (c *CachedSlice) GetObjectMeta() metav1.Object      { return c }
func (c *CachedSlice) GetLabels() map[string]string {
	return map[string]string{LabelServiceName: c.Service}
}
func (c *CachedSlice) GetCreationTimestamp() metav1.Time  { return metav1.Time{} }
func (c *CachedSlice) GetDeletionTimestamp() *metav1.Time { return nil }

// DeepCopyObject implements runtime.Object.
func (c *CachedSlice) DeepCopyObject() runtime.Object {
	out := *c
	out.Pods = make(map[string]string, len(c.Pods))
	for k, v := range c.Pods {
		out.Pods[k] = v
	}
	return &out
}

// CachedSlice is what the informer cache keeps of an EndpointSlice: its
// Service and the endpoint state of each pod in it (SliceStates). The model
// shares the map.
type CachedSlice struct {
	readOnlyMeta
	Name, Namespace, ResourceVersion string
	UID                              types.UID
	Service                          string
	Pods                             map[string]string // pod name → endpoint state
}

// NewCachedSlice derives the CachedSlice of s without modifying it.
func NewCachedSlice(s *discoveryv1.EndpointSlice) *CachedSlice {
	svc, pods := SliceStates(s)
	return &CachedSlice{Name: s.Name, Namespace: s.Namespace, UID: s.UID, ResourceVersion: s.ResourceVersion,
		Service: svc, Pods: pods}
}

// readOnlyMeta completes metav1.Object for the cached types: the fields
// they do not keep read as empty, and setting them does nothing, because
// nothing may modify a cached object. It has no size.
type readOnlyMeta struct{}

func (readOnlyMeta) SetNamespace(string)                           {}
func (readOnlyMeta) SetName(string)                                {}
func (readOnlyMeta) GetGenerateName() string                       { return "" }
func (readOnlyMeta) SetGenerateName(string)                        {}
func (readOnlyMeta) SetUID(types.UID)                              {}
func (readOnlyMeta) GetGeneration() int64                          { return 0 }
func (readOnlyMeta) SetGeneration(int64)                           {}
func (readOnlyMeta) GetSelfLink() string                           { return "" }
func (readOnlyMeta) SetSelfLink(string)                            {}
func (readOnlyMeta) SetCreationTimestamp(metav1.Time)              {}
func (readOnlyMeta) GetDeletionTimestamp() *metav1.Time            { return nil }
func (readOnlyMeta) SetDeletionTimestamp(*metav1.Time)             {}
func (readOnlyMeta) GetDeletionGracePeriodSeconds() *int64         { return nil }
func (readOnlyMeta) SetDeletionGracePeriodSeconds(*int64)          {}
func (readOnlyMeta) SetLabels(map[string]string)                   {}
func (readOnlyMeta) GetAnnotations() map[string]string             { return nil }
func (readOnlyMeta) SetAnnotations(map[string]string)              {}
func (readOnlyMeta) GetFinalizers() []string                       { return nil }
func (readOnlyMeta) SetFinalizers([]string)                        {}
func (readOnlyMeta) GetOwnerReferences() []metav1.OwnerReference   { return nil }
func (readOnlyMeta) SetOwnerReferences([]metav1.OwnerReference)    {}
func (readOnlyMeta) GetManagedFields() []metav1.ManagedFieldsEntry { return nil }
func (readOnlyMeta) SetManagedFields([]metav1.ManagedFieldsEntry)  {}

var (
	_ metav1.Object  = (*CachedPod)(nil)
	_ runtime.Object = (*CachedPod)(nil)
	_ metav1.Object  = (*CachedSlice)(nil)
	_ runtime.Object = (*CachedSlice)(nil)
)

// labelSets interns pods' label maps: the pods of one ReplicaSet carry the
// same labels, and a map of three labels costs some 350 bytes per pod.
var labelSets struct {
	sync.Mutex
	m map[string]map[string]string // canonical form → shared map
}

// internLabels returns a shared map equal to labels. The table is dropped
// when it grows large (label sets of long-gone ReplicaSets), which costs
// only sharing, never correctness.
func internLabels(labels map[string]string) map[string]string {
	if len(labels) == 0 {
		return labels
	}
	keys := make([]string, 0, len(labels))
	n := 0
	for k, v := range labels {
		keys = append(keys, k)
		n += len(k) + len(v) + 2
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(labels[k])
		b.WriteByte(0)
	}
	key := b.String()
	labelSets.Lock()
	defer labelSets.Unlock()
	if m, ok := labelSets.m[key]; ok {
		return m
	}
	if labelSets.m == nil || len(labelSets.m) >= 16384 {
		labelSets.m = map[string]map[string]string{}
	}
	labelSets.m[key] = labels
	return labels
}

// idTable interns the ids that many entities point at. (unique.Make would
// forget an id as soon as its handle is dropped, so later pods would get
// their own copies again.)
var idTable struct {
	sync.Mutex
	m map[string]string
}

// internID returns the canonical copy of an id or other string that many
// entities carry (a Node, an owner, an image, a namespace), so 10,000 pods
// on one node share one "Node/worker-1".
// It is safe for concurrent use, which the informer transforms need. The
// table is dropped when it grows large (ids of long-gone ReplicaSets),
// which costs only sharing, never correctness.
func internID(id string) string {
	if id == "" {
		return ""
	}
	idTable.Lock()
	defer idTable.Unlock()
	if s, ok := idTable.m[id]; ok {
		return s
	}
	if idTable.m == nil || len(idTable.m) >= 65536 {
		idTable.m = map[string]string{}
	}
	idTable.m[id] = id
	return id
}
