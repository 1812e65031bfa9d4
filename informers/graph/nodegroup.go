package graph

import (
	"maps"
	"slices"
)

// The Node column groups a big cluster's Nodes by zone and node pool
// (web/static/nodegroups.js). A Node carries both as fields derived here,
// so every client reads one answer, and its labels (bounded) for a viewer
// who groups by a label of their own (?nodegroup=).

// ZoneLabels are read in order for a Node's zone: the well-known label,
// then its deprecated beta name (still set by older clouds).
var ZoneLabels = []string{"topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"}

// PoolLabels are read in order for a Node's pool: the labels the managed
// node pools and autoscalers set. node.kubernetes.io/instance-type is not
// among them: a machine shape is not a pool (two pools often share one);
// a viewer who wants it groups by it with ?nodegroup=.
var PoolLabels = []string{
	"cloud.google.com/gke-nodepool",
	"eks.amazonaws.com/nodegroup",
	"alpha.eksctl.io/nodegroup-name",
	"karpenter.sh/nodepool",
	"karpenter.sh/provisioner-name",
	"kubernetes.azure.com/agentpool",
	"agentpool",
	"doks.digitalocean.com/node-pool",
}

// MaxNodeLabels bounds the labels one Node entity carries, against hostile
// or generated labels; the zone, pool and role labels are always among them.
const MaxNodeLabels = 64

// firstLabel returns the value of the first of keys that labels has.
func firstLabel(labels map[string]string, keys []string) string {
	for _, k := range keys {
		if v, ok := labels[k]; ok {
			return v
		}
	}
	return ""
}

// NodeZone returns a Node's zone from its labels, "" when it has none.
func NodeZone(labels map[string]string) string { return firstLabel(labels, ZoneLabels) }

// NodePool returns a Node's pool from its labels, "" when it has none.
func NodePool(labels map[string]string) string { return firstLabel(labels, PoolLabels) }

// NodeLabelKeys returns the keys of the labels a Node entity keeps: all of
// them up to MaxNodeLabels; past it the zone, pool and role labels, then
// the others in key order.
func NodeLabelKeys(labels map[string]string) []string {
	keys := slices.Sorted(maps.Keys(labels))
	if len(keys) <= MaxNodeLabels {
		return keys
	}
	first := append(append(slices.Clone(ZoneLabels), PoolLabels...), NodeRoleLabels(labels)...)
	out := make([]string, 0, MaxNodeLabels)
	for _, k := range first {
		if _, ok := labels[k]; ok && !slices.Contains(out, k) && len(out) < MaxNodeLabels {
			out = append(out, k)
		}
	}
	for _, k := range keys {
		if len(out) == MaxNodeLabels {
			break
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// nodeLabels returns the labels a Node entity carries: the map itself
// (the informer's copy is read-only and shared) when it is within bounds,
// else a copy of the kept ones.
func nodeLabels(labels map[string]string) map[string]string {
	if len(labels) == 0 {
		return nil
	}
	if len(labels) <= MaxNodeLabels {
		return labels
	}
	out := make(map[string]string, MaxNodeLabels)
	for _, k := range NodeLabelKeys(labels) {
		out[k] = labels[k]
	}
	return out
}
