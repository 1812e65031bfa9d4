package graph

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestNodeZonePool pins where a Node's zone and pool come from: the first
// label present in ZoneLabels and PoolLabels order, "" without one.
func TestNodeZonePool(t *testing.T) {
	tests := []struct {
		name       string
		labels     map[string]string
		zone, pool string
	}{
		{"none", nil, "", ""},
		{"gke", map[string]string{"topology.kubernetes.io/zone": "europe-west1-b", "cloud.google.com/gke-nodepool": "default-pool"}, "europe-west1-b", "default-pool"},
		{"eks beats karpenter", map[string]string{"eks.amazonaws.com/nodegroup": "ng-1", "karpenter.sh/nodepool": "spot"}, "", "ng-1"},
		{"karpenter", map[string]string{"karpenter.sh/nodepool": "spot"}, "", "spot"},
		{"aks", map[string]string{"kubernetes.azure.com/agentpool": "nodepool1", "topology.kubernetes.io/zone": "westeurope-1"}, "westeurope-1", "nodepool1"},
		{"beta zone only", map[string]string{"failure-domain.beta.kubernetes.io/zone": "us-east-1a"}, "us-east-1a", ""},
		{"new zone label wins", map[string]string{"failure-domain.beta.kubernetes.io/zone": "old", "topology.kubernetes.io/zone": "new"}, "new", ""},
		{"instance type is not a pool", map[string]string{"node.kubernetes.io/instance-type": "m5.large"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NodeNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "w", Labels: tt.labels}})
			if n.Node.Zone != tt.zone || n.Node.Pool != tt.pool {
				t.Errorf("zone %q pool %q, want %q %q", n.Node.Zone, n.Node.Pool, tt.zone, tt.pool)
			}
		})
	}
}

// TestNodeLabelsBounded: a Node with more than MaxNodeLabels labels keeps
// MaxNodeLabels of them, the zone, pool and role labels always among them,
// then the first others by key.
func TestNodeLabelsBounded(t *testing.T) {
	labels := map[string]string{}
	for i := range MaxNodeLabels + 10 {
		labels[fmt.Sprintf("a.example/l%03d", i)] = "x"
	}
	labels["topology.kubernetes.io/zone"] = "z1"
	labels["karpenter.sh/nodepool"] = "p1"
	labels["node-role.kubernetes.io/worker"] = ""
	n := NodeNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "w", Labels: labels}})
	got := n.Node.Labels
	if len(got) != MaxNodeLabels {
		t.Fatalf("%d labels kept, want %d", len(got), MaxNodeLabels)
	}
	for _, k := range []string{"topology.kubernetes.io/zone", "karpenter.sh/nodepool", "node-role.kubernetes.io/worker", "a.example/l000"} {
		if _, ok := got[k]; !ok {
			t.Errorf("label %s left out", k)
		}
	}
	if _, ok := got[fmt.Sprintf("a.example/l%03d", MaxNodeLabels)]; ok {
		t.Errorf("a label past the bound kept")
	}
	if n.Node.Zone != "z1" || n.Node.Pool != "p1" || !slices.Equal(n.Node.Roles, []string{"worker"}) {
		t.Errorf("zone %q pool %q roles %v", n.Node.Zone, n.Node.Pool, n.Node.Roles)
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(got)), NodeLabelKeys(labels)); diff != "" {
		t.Errorf("NodeLabelKeys disagrees with the entity (-entity +keys):\n%s", diff)
	}
}
