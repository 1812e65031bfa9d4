package graph

import (
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Custom owners (issue #16): a workload's controller owner is often a
// custom resource (an Argo Rollout, a CloudNativePG Cluster, a Strimzi
// Kafka). The owned object's owner field names it as Kind/namespace/name,
// like any owner, and its owns edge exists from the owned side (dangling
// until the owner is seen, as a Deployment's does: no placeholder node is
// drawn, and the owned object keeps showing when the owner is missing,
// deleted or not readable). The owner itself is a node of kind = its own
// Kind, read as metadata only (group, apiVersion); its status conditions
// only when the user opted in for its resource (--read-status).
//
// A dependent's ownerReference does not say whether the owner is
// namespaced, so the owner id always takes the dependent's namespace; a
// cluster-scoped owner's node is Kind/name, and its owns edges then
// dangle (left for later: the model would need the owner kind's scope
// when it derives the dependent).

// CustomOwnerFields are a custom owner's drawn fields.
type CustomOwnerFields struct {
	Group   string `json:"group"`
	Version string `json:"version"` // the apiVersion, group/version
	// Conditions are the object's status.conditions, only for a resource
	// the user opted into (--read-status); absent otherwise.
	Conditions []Condition `json:"conditions,omitempty"`
}

// CustomOwner returns a custom owner's fields, or nil for other nodes.
func (n *Node) CustomOwner() *CustomOwnerFields {
	if n == nil {
		return nil
	}
	f, _ := n.More.(*CustomOwnerFields)
	return f
}

// CustomObject is a custom owner as the informer caches it: the metadata
// (name, namespace, uid, resourceVersion), the kind and resource it is of,
// and its conditions when its status is read. The informers' transform
// makes it from a PartialObjectMetadata or, opted in, an unstructured
// object.
type CustomObject struct {
	metav1.ObjectMeta
	GVK      schema.GroupVersionKind
	Resource Resource // CustomResource(group, plural)
	// Conditions are read only when the status is (opted in).
	Conditions []Condition
}

// CustomResource is the Resource under which a custom owner kind is
// watched: its qualified name, plural.group, as the status's denied list
// and the CRD's own name spell it (a plural alone is not unique across
// groups: "clusters").
func CustomResource(group, plural string) Resource { return Resource(plural + "." + group) }

// IsCustomGroup reports whether an API group is a custom resource's: it
// has a dot and is not one of Kubernetes' own (*.k8s.io). The core group
// ("") and apps, batch… have no dot.
func IsCustomGroup(group string) bool {
	return strings.Contains(group, ".") && !strings.HasSuffix(group, ".k8s.io")
}

// customOwnerID returns the owner id of a controller reference to a
// custom kind, "" for a built-in one.
func customOwnerID(r *metav1.OwnerReference, ns string) string {
	gv, err := schema.ParseGroupVersion(r.APIVersion)
	if err != nil || !IsCustomGroup(gv.Group) || r.Kind == "" || r.Name == "" {
		return ""
	}
	return internID(ID(r.Kind, ns, r.Name))
}

// CustomOwnerRefs returns the group/version/kinds of the custom
// controller owners among refs: what the informers must watch.
func CustomOwnerRefs(refs []metav1.OwnerReference) []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	for i := range refs {
		r := &refs[i]
		if r.Controller == nil || !*r.Controller {
			continue
		}
		gv, err := schema.ParseGroupVersion(r.APIVersion)
		if err != nil || !IsCustomGroup(gv.Group) || r.Kind == "" {
			continue
		}
		out = append(out, gv.WithKind(r.Kind))
	}
	return out
}

// CustomOwnerNode derives a custom owner's entity.
func CustomOwnerNode(o *CustomObject) *Node {
	kind := Kind(o.GVK.Kind)
	f := &CustomOwnerFields{Group: o.GVK.Group, Version: o.GVK.GroupVersion().String()}
	if len(o.Conditions) > 0 {
		f.Conditions = o.Conditions
	}
	return &Node{ID: ID(kind, o.Namespace, o.Name), Kind: kind, Namespace: o.Namespace, Name: o.Name,
		UID: string(o.UID), More: f}
}

// customKind is the kindInfo of every custom owner kind: they are not in
// the kinds table, which is fixed, but all have CustomOwnerFields.
var customKind = kindMore[CustomOwnerFields]()

// kindInfoOf returns the kindInfo of n's kind: the kinds table's, or the
// custom owners' for a node with CustomOwnerFields.
func kindInfoOf(n *Node) (kindInfo, bool) {
	if k, ok := kinds[n.Kind]; ok {
		return k, true
	}
	if n.CustomOwner() != nil {
		return customKind, true
	}
	return kindInfo{}, false
}

// setCustom folds in a custom owner and remembers its resource's kind, for
// its deletion (which names the resource only).
func (m *Model) setCustom(o *CustomObject, now time.Time) {
	if o == nil || o.Name == "" || o.GVK.Kind == "" {
		return
	}
	if m.customKinds == nil {
		m.customKinds = map[Resource]Kind{}
	}
	m.customKinds[o.Resource] = Kind(o.GVK.Kind)
	m.setNode(CustomOwnerNode(o), now)
}

// deleteCustom folds in the deletion of a custom owner, and reports
// whether r is a custom owner resource the model has seen.
func (m *Model) deleteCustom(r Resource, namespace, name string, now time.Time) bool {
	kind, ok := m.customKinds[r]
	if !ok {
		return false
	}
	m.removeNode(ID(kind, namespace, name), now)
	return true
}
