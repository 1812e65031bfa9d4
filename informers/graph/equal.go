package graph

import (
	"reflect"
	"slices"
)

// nodeEqual reports whether two entities have the same value, comparing
// their kind's fields as the kinds table says.
func nodeEqual(a, b *Node) bool {
	if a.ID != b.ID || a.Kind != b.Kind || a.Namespace != b.Namespace || a.Name != b.Name || a.UID != b.UID {
		return false
	}
	k, ok := kindInfoOf(a)
	if !ok {
		return reflect.DeepEqual(a, b) // no kind known: compare everything
	}
	return k.equal(a, b)
}

func podEqual(a, b *PodFields) bool {
	return a.Status == b.Status && a.Ready == b.Ready && a.ReadyContainers == b.ReadyContainers &&
		a.Restarts == b.Restarts && a.Node == b.Node &&
		a.Owner == b.Owner && a.IP == b.IP && a.Created.Equal(b.Created) &&
		slices.Equal(a.Images, b.Images) && mapsEqual(a.Labels, b.Labels) &&
		containersEqual(a.Containers, b.Containers) && containersEqual(a.InitContainers, b.InitContainers) &&
		a.MoreContainers == b.MoreContainers && a.MoreInitContainers == b.MoreInitContainers &&
		a.HostIP == b.HostIP && a.HostNetwork == b.HostNetwork && a.ServiceAccount == b.ServiceAccount &&
		a.Evicted == b.Evicted && a.Mirror == b.Mirror
}

// containersEqual compares container lists field by field: a resync
// compares every pod, so no reflection.
func containersEqual(a, b []Container) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true // interned lists: the common case is the same list
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Name != y.Name || x.Image != y.Image || x.State != y.State || x.Reason != y.Reason ||
			x.Ready != y.Ready || x.Restarts != y.Restarts || x.Sidecar != y.Sidecar ||
			!slices.Equal(x.Ports, y.Ports) {
			return false
		}
		if (x.ExitCode == nil) != (y.ExitCode == nil) || (x.ExitCode != nil && *x.ExitCode != *y.ExitCode) {
			return false
		}
	}
	return true
}

// mapsEqual compares string maps, treating nil and empty alike; the same
// map (the common case: a resync) is equal without a walk.
func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || sameMap(a, b) {
		return true
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
