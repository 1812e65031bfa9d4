package graph

import (
	"reflect"
	"slices"
)

// kindInfo is what the model's encoding and equality know about one entity
// kind: where its fields live on a Node, and how two of them compare. The
// JSON encoding flattens the fields struct into the node's object (json.go),
// so the struct's own tags are the wire names.
type kindInfo struct {
	// fields returns n's fields struct for this kind, or nil when unset.
	fields func(n *Node) any
	// newFields sets a zero fields struct on n and returns it, to decode into.
	newFields func(n *Node) any
	// equal compares the fields of two nodes of this kind.
	equal func(a, b *Node) bool
}

// kinds is the one table of entity kinds. Adding a kind is a pointer to its
// fields on Node, named after the kind, and an entry here; TestKindsTable
// fails until both are there.
var kinds = map[Kind]kindInfo{
	// Pods are the bulk of every cluster (a resync compares each one), so
	// they are compared field by field; the rest by reflection.
	KindPod:            kindFields(func(n *Node) **PodFields { return &n.Pod }, podEqual),
	KindDeployment:     kindFields(func(n *Node) **DeploymentFields { return &n.Deployment }, deepEqual),
	KindReplicaSet:     kindFields(func(n *Node) **ReplicaSetFields { return &n.ReplicaSet }, deepEqual),
	KindStatefulSet:    kindFields(func(n *Node) **SetFields { return &n.StatefulSet }, deepEqual),
	KindDaemonSet:      kindFields(func(n *Node) **SetFields { return &n.DaemonSet }, deepEqual),
	KindService:        kindFields(func(n *Node) **ServiceFields { return &n.Service }, deepEqual),
	KindIngress:        kindFields(func(n *Node) **IngressFields { return &n.Ingress }, deepEqual),
	KindNode:           kindFields(func(n *Node) **NodeFields { return &n.Node }, deepEqual),
	KindJob:            kindFields(func(n *Node) **JobFields { return &n.Job }, deepEqual),
	KindCronJob:        kindFields(func(n *Node) **CronJobFields { return &n.CronJob }, deepEqual),
	KindHPA:            kindFields(func(n *Node) **HPAFields { return &n.HorizontalPodAutoscaler }, deepEqual),
	KindPVC:            kindFields(func(n *Node) **PVCFields { return &n.PersistentVolumeClaim }, deepEqual),
	KindPV:             kindFields(func(n *Node) **PVFields { return &n.PersistentVolume }, deepEqual),
	KindStorageClass:   kindFields(func(n *Node) **StorageClassFields { return &n.StorageClass }, deepEqual),
	KindConfigMap:      kindFields(func(n *Node) **RefFields { return &n.ConfigMap }, deepEqual),
	KindSecret:         kindFields(func(n *Node) **RefFields { return &n.Secret }, deepEqual),
	KindServiceAccount: kindMore[ServiceAccountFields](),
	KindRole:           kindMore[RoleFields](),
	KindClusterRole:    kindMore[RoleFields](),
	KindUser:           kindMore[SubjectFields](),
	KindGroup:          kindMore[SubjectFields](),
	KindNetworkPolicy:  kindMore[NetworkPolicyFields](),
	KindNamespace:      kindMore[NamespaceFields](),
	KindPDB:            kindMore[PDBFields](),
	KindGateway:        kindMore[GatewayFields](),
	KindHTTPRoute:      kindMore[RouteFields](),
	KindGRPCRoute:      kindMore[RouteFields](),
}

// kindMore makes the kindInfo of a kind whose fields are an F in Node.More.
func kindMore[F any]() kindInfo {
	get := func(n *Node) *F { f, _ := n.More.(*F); return f }
	return kindInfo{
		fields: func(n *Node) any {
			if f := get(n); f != nil {
				return f
			}
			return nil
		},
		newFields: func(n *Node) any {
			f := new(F)
			n.More = f
			return f
		},
		equal: func(a, b *Node) bool {
			fa, fb := get(a), get(b)
			if fa == nil || fb == nil {
				return fa == fb
			}
			return fa == fb || reflect.DeepEqual(fa, fb)
		},
	}
}

// edgeEqual compares two edges field by field (Containers is a slice).
func edgeEqual(a, b *Edge) bool {
	return a == b || (a.ID == b.ID && a.Kind == b.Kind && a.From == b.From && a.To == b.To &&
		a.State == b.State && detailEqual(a.Detail, b.Detail))
}

func detailEqual(a, b *Detail) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a == b || (a.Label == b.Label && a.As == b.As && a.Broken == b.Broken && slices.Equal(a.Containers, b.Containers) &&
		a.Token == b.Token && a.Binding == b.Binding && a.Namespace == b.Namespace &&
		a.Accepted == b.Accepted && intPtrEqual(a.Weight, b.Weight) && intPtrEqual(a.Share, b.Share))
}

func intPtrEqual(a, b *int) bool {
	return a == b || (a != nil && b != nil && *a == *b)
}

// kindFields makes the kindInfo of a kind whose fields are an F that field
// points to on a Node, and that equal compares.
func kindFields[F any](field func(*Node) **F, equal func(a, b *F) bool) kindInfo {
	return kindInfo{
		fields: func(n *Node) any {
			if f := *field(n); f != nil {
				return f
			}
			return nil // not a typed nil in an interface
		},
		newFields: func(n *Node) any {
			f := new(F)
			*field(n) = f
			return f
		},
		equal: func(a, b *Node) bool {
			fa, fb := *field(a), *field(b)
			if fa == nil || fb == nil {
				return fa == fb
			}
			return fa == fb || equal(fa, fb)
		},
	}
}

func deepEqual[F any](a, b *F) bool { return reflect.DeepEqual(a, b) }
