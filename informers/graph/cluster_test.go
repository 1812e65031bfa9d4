package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func mkNamespace(name string, labels ...string) *corev1.Namespace {
	l := map[string]string{"kubernetes.io/metadata.name": name}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, UID: uidOf("uid-ns-" + name), Labels: l},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}
}

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

// mkQuota returns a ResourceQuota whose spec and status hard are hard and
// whose status used is used (nil: the controller has not computed it yet).
func mkQuota(ns, name string, hard, used corev1.ResourceList) *corev1.ResourceQuota {
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-q-" + name)},
		Spec: corev1.ResourceQuotaSpec{Hard: hard}}
	if used != nil {
		q.Status = corev1.ResourceQuotaStatus{Hard: hard, Used: used}
	}
	return q
}

func mkPDB(ns, name string, allowed int32, app string) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-pdb-" + name)},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: allowed, CurrentHealthy: 2 + allowed, DesiredHealthy: 2, ExpectedPods: 2 + allowed}}
}

func TestNamespaceNode(t *testing.T) {
	tests := []struct {
		name string
		ns   *corev1.Namespace
		want NamespaceFields
	}{
		{"plain", mkNamespace("web"), NamespaceFields{Labels: map[string]string{"kubernetes.io/metadata.name": "web"}, Phase: "Active"}},
		{"pod security, unknown keys under the prefix left out", mkNamespace("secure",
			"pod-security.kubernetes.io/enforce", "restricted", "pod-security.kubernetes.io/enforce-version", "v1.37",
			"pod-security.kubernetes.io/warn", "baseline", "pod-security.kubernetes.io/audit", "privileged",
			"pod-security.kubernetes.io/audit-version", "latest", "pod-security.kubernetes.io/warn-version", "v1.30",
			"pod-security.kubernetes.io/bogus", "x", "team", "a"),
			NamespaceFields{Phase: "Active", Labels: map[string]string{"kubernetes.io/metadata.name": "secure",
				"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.37",
				"pod-security.kubernetes.io/warn": "baseline", "pod-security.kubernetes.io/audit": "privileged",
				"pod-security.kubernetes.io/audit-version": "latest", "pod-security.kubernetes.io/warn-version": "v1.30",
				"pod-security.kubernetes.io/bogus": "x", "team": "a"},
				PodSecurity: map[string]string{"enforce": "restricted", "enforce-version": "v1.37", "warn": "baseline",
					"audit": "privileged", "audit-version": "latest", "warn-version": "v1.30"}}},
		{"terminating, no labels", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "old"},
			Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}, NamespaceFields{Phase: "Terminating"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NamespaceNode(tt.ns)
			if n.ID != "Namespace/"+tt.ns.Name || n.Namespace != "" || n.Name != tt.ns.Name || n.Kind != KindNamespace {
				t.Errorf("id %q namespace %q name %q kind %q", n.ID, n.Namespace, n.Name, n.Kind)
			}
			if diff := cmp.Diff(&tt.want, n.NamespaceInfo()); diff != "" {
				t.Errorf("NamespaceNode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuotaEntries(t *testing.T) {
	many := corev1.ResourceList{}
	for i := range MaxQuotas + 10 {
		many[corev1.ResourceName(fmt.Sprintf("count/r%03d", i))] = resource.MustParse("1")
	}
	tests := []struct {
		name  string
		quota *corev1.ResourceQuota
		want  []Quota
	}{
		{"used and hard, sorted, as the API writes them",
			mkQuota("ns", "q", rl("pods", "4", "requests.cpu", "2000m", "limits.memory", "1024Mi"), rl("pods", "2", "requests.cpu", "500m", "limits.memory", "0")),
			[]Quota{{Name: "q", Resource: "limits.memory", Used: "0", Hard: "1Gi"}, {Name: "q", Resource: "pods", Used: "2", Hard: "4"},
				{Name: "q", Resource: "requests.cpu", Used: "500m", Hard: "2"}}},
		{"not yet computed: hard from the spec, no used", mkQuota("ns", "q", rl("pods", "4"), nil),
			[]Quota{{Name: "q", Resource: "pods", Hard: "4"}}},
		{"status hard wins over a spec just changed; a resource only in the spec too",
			&corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q"},
				Spec:   corev1.ResourceQuotaSpec{Hard: rl("pods", "10", "services", "2")},
				Status: corev1.ResourceQuotaStatus{Hard: rl("pods", "4"), Used: rl("pods", "3")}},
			[]Quota{{Name: "q", Resource: "pods", Used: "3", Hard: "4"}, {Name: "q", Resource: "services", Hard: "2"}}},
		{"empty", mkQuota("ns", "q", nil, nil), []Quota{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, QuotaEntries(tt.quota)); diff != "" {
				t.Errorf("QuotaEntries (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("bounded", func(t *testing.T) {
		got := QuotaEntries(mkQuota("ns", "q", many, nil))
		if len(got) != MaxQuotas || got[0].Resource != "count/r000" || got[MaxQuotas-1].Resource != fmt.Sprintf("count/r%03d", MaxQuotas-1) {
			t.Errorf("%d entries, from %v to %v; want the first %d", len(got), got[0], got[len(got)-1], MaxQuotas)
		}
	})
}

func TestLimitRangeEntries(t *testing.T) {
	lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "limits"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
			{Type: corev1.LimitTypePod, Max: rl("cpu", "4")},
			{Type: corev1.LimitTypeContainer, Default: rl("cpu", "500m", "memory", "512Mi"), DefaultRequest: rl("cpu", "0.25", "memory", "256Mi"),
				Min: rl("cpu", "100m"), Max: rl("cpu", "2", "memory", "1Gi"), MaxLimitRequestRatio: rl("cpu", "4", "ephemeral-storage", "2")},
			{Type: corev1.LimitTypePersistentVolumeClaim, Min: rl("storage", "1Gi"), Max: rl("storage", "10Gi")},
		}}}
	want := []LimitRangeItem{
		{Name: "limits", Type: "Container", Resource: "cpu", Default: "500m", DefaultRequest: "250m", Min: "100m", Max: "2"},
		{Name: "limits", Type: "Container", Resource: "memory", Default: "512Mi", DefaultRequest: "256Mi", Max: "1Gi"},
		{Name: "limits", Type: "PersistentVolumeClaim", Resource: "storage", Min: "1Gi", Max: "10Gi"},
		{Name: "limits", Type: "Pod", Resource: "cpu", Max: "4"},
	}
	if diff := cmp.Diff(want, LimitRangeEntries(lr)); diff != "" {
		t.Errorf("LimitRangeEntries (-want +got):\n%s", diff)
	}

	var items []corev1.LimitRangeItem
	for i := range MaxLimitRanges + 5 {
		items = append(items, corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Max: rl(fmt.Sprintf("example.com/r%03d", i), "1")})
	}
	got := LimitRangeEntries(&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "many"}, Spec: corev1.LimitRangeSpec{Limits: items}})
	if len(got) != MaxLimitRanges {
		t.Errorf("%d entries of %d items, want at most %d", len(got), len(items), MaxLimitRanges)
	}
}

func TestPDBNode(t *testing.T) {
	p := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", UID: "u"},
		Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromString("25%")),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"},
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"fe"}}}}},
		Status: policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 3, DesiredHealthy: 3, DisruptionsAllowed: 0, ExpectedPods: 4}}
	n := PDBNode(p)
	want := &PDBFields{MaxUnavailable: "25%", CurrentHealthy: 3, DesiredHealthy: 3, ExpectedPods: 4,
		Selector: &Selector{MatchLabels: map[string]string{"app": "web"},
			MatchExpressions: []SelectorRequirement{{Key: "tier", Operator: "In", Values: []string{"fe"}}}}}
	if n.ID != "PodDisruptionBudget/shop/web" || n.Namespace != "shop" {
		t.Errorf("id %q namespace %q", n.ID, n.Namespace)
	}
	if diff := cmp.Diff(want, n.PodDisruptionBudget()); diff != "" {
		t.Errorf("PDBNode (-want +got):\n%s", diff)
	}
	if got := PDBNode(mkPDB("shop", "min", 1, "web")).PodDisruptionBudget(); got.MinAvailable != "2" || got.MaxUnavailable != "" {
		t.Errorf("minAvailable %q maxUnavailable %q, want 2 and none", got.MinAvailable, got.MaxUnavailable)
	}
	// A nil selector selects no pod (policy/v1); an empty one every pod.
	p.Spec.Selector = nil
	if s := PDBNode(p).PodDisruptionBudget().Selector; s != nil || s.Matches(map[string]string{"app": "web"}) {
		t.Errorf("nil selector became %+v", s)
	}
}

func TestFilterNamespaceEntities(t *testing.T) {
	f := NewFilter("shop")
	tests := []struct {
		id   string
		want bool
	}{
		{"Namespace/shop", true},
		{"Namespace/other", false},
		{"Namespace/shopping", false},
		{"Node/worker-1", true},
		{"PersistentVolume/pv-1", true},
		{"ClusterRole/admin", true},
		{"Pod/shop/web", true},
		{"Pod/other/web", false},
		{"PodDisruptionBudget/shop/web", true},
		{"PodDisruptionBudget/other/web", false},
	}
	for _, tt := range tests {
		if got := f.Node(tt.id); got != tt.want {
			t.Errorf("NewFilter(shop).Node(%q) = %v, want %v", tt.id, got, tt.want)
		}
		if !(Filter{}).Node(tt.id) {
			t.Errorf("the zero filter refuses %q", tt.id)
		}
	}
	if !NewFilter("other", "shop").Node("Namespace/shop") {
		t.Error("a filter of two namespaces refuses one of them")
	}
}

func TestModelNamespacesQuotasLimits(t *testing.T) {
	r := newRebuilt(t)
	m := r.m
	nsInfo := func() *NamespaceFields {
		t.Helper()
		n := m.node("Namespace/shop")
		if n == nil {
			t.Fatal("no Namespace/shop")
		}
		return n.NamespaceInfo()
	}

	// A quota and a limit range before their namespace: kept, no entity.
	m.Set(mkQuota("shop", "pods", rl("pods", "3"), rl("pods", "0")), t0)
	m.Set(&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "defaults"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Default: rl("cpu", "500m")}}}}, t0)
	if d := r.flush(); len(d.Upsert.Nodes) != 0 {
		t.Fatalf("quota without namespace upserted %v", upsertIDs(d))
	}
	m.Set(mkNamespace("shop"), t0)
	d := r.flush()
	if diff := cmp.Diff([]string{"Namespace/shop"}, upsertIDs(d)); diff != "" {
		t.Fatalf("upserts (-want +got):\n%s", diff)
	}
	want := &NamespaceFields{Labels: map[string]string{"kubernetes.io/metadata.name": "shop"}, Phase: "Active",
		Quotas:      []Quota{{Name: "pods", Resource: "pods", Used: "0", Hard: "3"}},
		LimitRanges: []LimitRangeItem{{Name: "defaults", Type: "Container", Resource: "cpu", Default: "500m"}}}
	if diff := cmp.Diff(want, nsInfo()); diff != "" {
		t.Fatalf("namespace (-want +got):\n%s", diff)
	}

	// Used fills as pods are created; a second quota sorts by name.
	m.Set(mkQuota("shop", "pods", rl("pods", "3"), rl("pods", "2")), t0)
	m.Set(mkQuota("shop", "compute", rl("requests.cpu", "1"), rl("requests.cpu", "200m")), t0)
	d = r.flush()
	if diff := cmp.Diff([]string{"Namespace/shop"}, upsertIDs(d)); diff != "" {
		t.Fatalf("upserts (-want +got):\n%s", diff)
	}
	want.Quotas = []Quota{{Name: "compute", Resource: "requests.cpu", Used: "200m", Hard: "1"}, {Name: "pods", Resource: "pods", Used: "2", Hard: "3"}}
	if diff := cmp.Diff(want, nsInfo()); diff != "" {
		t.Fatalf("namespace (-want +got):\n%s", diff)
	}
	// The same quota again (a resync) changes nothing.
	m.Set(mkQuota("shop", "pods", rl("pods", "3"), rl("pods", "2")), t0)
	if d := r.flush(); len(d.Upsert.Nodes) != 0 {
		t.Fatalf("resync upserted %v", upsertIDs(d))
	}

	// Deletes: the quota goes from the fields; the namespace goes, and
	// comes back with what is left.
	m.Delete(ResourceQuotas, "shop", "compute", t0)
	r.flush()
	want.Quotas = want.Quotas[1:]
	if diff := cmp.Diff(want, nsInfo()); diff != "" {
		t.Fatalf("after deleting a quota (-want +got):\n%s", diff)
	}
	m.Delete(Namespaces, "", "shop", t0)
	if d := r.flush(); !slices.Equal(d.Remove.Nodes, []string{"Namespace/shop"}) {
		t.Fatalf("removes %v", d.Remove.Nodes)
	}
	m.Set(mkNamespace("shop"), t0)
	r.flush()
	if diff := cmp.Diff(want, nsInfo()); diff != "" {
		t.Fatalf("re-created namespace (-want +got):\n%s", diff)
	}
	m.Delete(LimitRanges, "shop", "defaults", t0)
	m.Delete(ResourceQuotas, "shop", "pods", t0)
	m.Delete(ResourceQuotas, "shop", "never-seen", t0)
	r.flush()
	want.Quotas, want.LimitRanges = nil, nil
	if diff := cmp.Diff(want, nsInfo()); diff != "" {
		t.Fatalf("after deleting all (-want +got):\n%s", diff)
	}
	if len(m.cluster.quotas) != 0 || len(m.cluster.limits) != 0 {
		t.Errorf("state left behind: %v %v", m.cluster.quotas, m.cluster.limits)
	}

	// Hostile input: many quotas in one namespace stay bounded.
	for i := range MaxQuotas + 20 {
		m.Set(mkQuota("shop", fmt.Sprintf("q%03d", i), rl("pods", "1"), rl("pods", "0")), t0)
	}
	r.flush()
	if got := len(nsInfo().Quotas); got != MaxQuotas {
		t.Errorf("%d quota entries, want %d", got, MaxQuotas)
	}
}

func TestModelPDB(t *testing.T) {
	r := newRebuilt(t)
	r.m.Set(mkPDB("shop", "web", 0, "web"), t0)
	d := r.flush()
	if diff := cmp.Diff([]string{"PodDisruptionBudget/shop/web"}, upsertIDs(d)); diff != "" {
		t.Fatalf("upserts (-want +got):\n%s", diff)
	}
	if got := r.m.node("PodDisruptionBudget/shop/web").PodDisruptionBudget(); got == nil || got.DisruptionsAllowed != 0 || got.ExpectedPods != 2 {
		t.Fatalf("fields %+v", got)
	}
	r.m.Set(mkPDB("shop", "web", 1, "web"), t0)
	if d := r.flush(); len(d.Upsert.Nodes) != 1 {
		t.Fatalf("status change upserted %v", upsertIDs(d))
	}
	r.m.Delete(PodDisruptionBudgets, "shop", "web", t0)
	if d := r.flush(); !slices.Equal(d.Remove.Nodes, []string{"PodDisruptionBudget/shop/web"}) {
		t.Fatalf("removes %v", d.Remove.Nodes)
	}
	if len(r.m.cluster.pdbs) != 0 {
		t.Errorf("budget index left behind: %v", r.m.cluster.pdbs)
	}
}

// drainStrings renders the cordoned and drained happenings of a delta.
func drainStrings(d Delta) []string {
	out := []string{}
	for _, h := range d.Happenings {
		if h.Kind != HappeningCordoned && h.Kind != HappeningDrained {
			continue
		}
		s := h.Kind + " " + h.Params[ParamState] + " " + h.Ref
		for _, k := range []string{ParamNode, ParamReason, ParamAllowed} {
			if v, ok := h.Params[k]; ok {
				s += " " + k + "=" + v
			}
		}
		if h.Params[ParamName] == "" || h.Text == "" {
			s += " (no name or text)"
		}
		out = append(out, s)
	}
	return out
}

func cordoned(n *corev1.Node) *corev1.Node {
	n.Spec.Unschedulable = true
	n.Spec.Taints = []corev1.Taint{{Key: "node.kubernetes.io/unschedulable", Effect: corev1.TaintEffectNoSchedule}}
	return n
}

// evictedBy marks a pod the way the eviction API does before deleting it.
func evictedBy(p *corev1.Pod) {
	p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.DisruptionTarget,
		Status: corev1.ConditionTrue, Reason: "EvictionByEvictionAPI"})
}

func deleting(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{Time: t0} }

func mirrorOf(p *corev1.Pod) {
	p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
	p.OwnerReferences = []metav1.OwnerReference{{Kind: "Node", Name: "w1", Controller: ptr.To(true)}}
}

func TestModelCordonAndDrain(t *testing.T) {
	type step struct {
		name string
		ops  []op
		want []string
	}
	web := func(name string, opts ...podOpt) *corev1.Pod {
		return mkRunning("shop", name, append([]podOpt{onNode("w1"), ownedBy("ReplicaSet", "web-1"), labelled("app", "web")}, opts...)...)
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"cordon, drain by eviction and deletion, done, uncordon", []step{
			{"setup", []op{set(mkNode("w1", true)), set(mkNode("w2", true)), set(web("a")), set(web("b")),
				set(mkRunning("kube-system", "proxy-w1", onNode("w1"), ownedBy("DaemonSet", "proxy"))),
				set(mkRunning("kube-system", "etcd-w1", onNode("w1"), mirrorOf)),
				set(mkRunning("shop", "other", onNode("w2")))}, []string{}},
			{"cordon", []op{set(cordoned(mkNode("w1", true)))}, []string{"cordoned cordoned Node/w1"}},
			{"a pod elsewhere goes: nothing", []op{del(Pods, "shop", "other")}, []string{}},
			{"the eviction API marks a", []op{set(web("a", evictedBy))},
				[]string{"drained evicted Pod/shop/a node=w1 reason=EvictionByEvictionAPI"}},
			{"a terminates and goes: said once", []op{set(web("a", evictedBy, deleting)), del(Pods, "shop", "a")}, []string{}},
			{"b deleted outright: evicted, then done (DaemonSet and mirror pods stay)", []op{del(Pods, "shop", "b")},
				[]string{"drained evicted Pod/shop/b node=w1 reason=Deleted", "drained done Node/w1"}},
			{"a status change of a DaemonSet pod: done is said once", []op{set(mkRunning("kube-system", "proxy-w1", onNode("w1"), ownedBy("DaemonSet", "proxy"), restarts(1)))},
				[]string{}},
			{"uncordon", []op{set(mkNode("w1", true))}, []string{"cordoned uncordoned Node/w1"}},
			{"pods go from an uncordoned node: nothing", []op{set(web("c")), del(Pods, "shop", "c")}, []string{}},
		}},
		{"a budget holds the drain back until it allows a disruption", []step{
			{"setup", []op{set(mkNode("w1", true)), set(web("a")), set(web("b")),
				set(mkRunning("shop", "db", onNode("w1"), labelled("app", "db"))),
				set(mkPDB("shop", "web", 0, "web")), set(mkPDB("shop", "db", 1, "db")), set(mkPDB("other", "web", 0, "web"))}, []string{}},
			{"cordon: held by the web budget only", []op{set(cordoned(mkNode("w1", true)))},
				[]string{"cordoned cordoned Node/w1", "drained held PodDisruptionBudget/shop/web node=w1 allowed=0"}},
			{"a pod changes: held is not said again", []op{set(web("a", restarts(1)))}, []string{}},
			{"the budget allows one: a is evicted", []op{set(mkPDB("shop", "web", 1, "web")), set(web("a", evictedBy, deleting))},
				[]string{"drained evicted Pod/shop/a node=w1 reason=EvictionByEvictionAPI"}},
			{"held again once a is gone (b still there)", []op{del(Pods, "shop", "a"), set(mkPDB("shop", "web", 0, "web"))},
				[]string{"drained held PodDisruptionBudget/shop/web node=w1 allowed=0"}},
			{"the db budget drops to 0 too", []op{set(mkPDB("shop", "db", 0, "db"))},
				[]string{"drained held PodDisruptionBudget/shop/db node=w1 allowed=0"}},
			{"the web budget is deleted: nothing to say", []op{del(PodDisruptionBudgets, "shop", "web")}, []string{}},
			{"and re-created with no disruption allowed: held again", []op{set(mkPDB("shop", "web", 0, "web"))},
				[]string{"drained held PodDisruptionBudget/shop/web node=w1 allowed=0"}},
			{"the budgets go: b and db evicted, done", []op{del(PodDisruptionBudgets, "shop", "web"), del(PodDisruptionBudgets, "shop", "db"),
				set(web("b", evictedBy)), del(Pods, "shop", "b"), del(Pods, "shop", "db")},
				[]string{"drained evicted Pod/shop/b node=w1 reason=EvictionByEvictionAPI", "drained evicted Pod/shop/db node=w1 reason=Deleted", "drained done Node/w1"}},
		}},
		{"an empty node cordoned, a node listed cordoned, a cordoned node deleted", []step{
			{"w1 empty, w2 already cordoned", []op{set(mkNode("w1", true)), set(cordoned(mkNode("w2", true))), set(web("x", onNode("w2")))}, []string{}},
			{"cordon w1: no drain to be done", []op{set(cordoned(mkNode("w1", true)))}, []string{"cordoned cordoned Node/w1"}},
			{"x on w2 goes: evicted and done", []op{del(Pods, "shop", "x")}, []string{"drained evicted Pod/shop/x node=w2 reason=Deleted", "drained done Node/w2"}},
			{"w2 deleted: nothing, and no state left", []op{del(Nodes, "", "w2")}, []string{}},
			{"w1 deleted while cordoned: nothing", []op{del(Nodes, "", "w1")}, []string{}},
		}},
		{"a pod bound to a cordoned node later, and one arriving already leaving", []step{
			{"setup", []op{set(cordoned(mkNode("w1", true))), set(web("late", onNode("")))}, []string{}},
			{"late is bound to w1", []op{set(web("late"))}, []string{}},
			{"a terminating pod appears (a restart of Podium)", []op{set(web("ghost", deleting))}, []string{}},
			{"both go: late is said, ghost was never seen to leave", []op{del(Pods, "shop", "late"), del(Pods, "shop", "ghost")},
				[]string{"drained evicted Pod/shop/late node=w1 reason=Deleted", "drained done Node/w1"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRebuilt(t)
			for i, s := range tt.steps {
				now := t0.Add(time.Duration(i) * time.Second)
				for _, o := range s.ops {
					o.apply(r.m, now)
				}
				d := r.flush()
				got := drainStrings(d)
				slices.Sort(got)
				slices.Sort(s.want)
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Fatalf("step %q: happenings (-want +got):\n%s", s.name, diff)
				}
				for _, h := range d.Happenings {
					if (h.Kind == HappeningDrained || h.Kind == HappeningCordoned) && !h.Time.Equal(now) {
						t.Errorf("step %q: %s at %v, want %v", s.name, h.Text, h.Time, now)
					}
				}
			}
			for id := range r.m.cluster.drains {
				if n := r.m.nodes[id]; n == nil || !n.Node.Unschedulable {
					t.Errorf("drain state kept for %s, which is not a cordoned node", id)
				}
			}
		})
	}
}

// A drain's happenings read well in English and say the node and budget.
func TestDrainHappeningText(t *testing.T) {
	r := newRebuilt(t)
	r.m.Set(mkNode("w1", true), t0)
	r.m.Set(mkRunning("shop", "a", onNode("w1"), labelled("app", "web")), t0)
	r.m.Set(mkPDB("shop", "web", 0, "web"), t0)
	r.flush()
	r.m.Set(cordoned(mkNode("w1", true)), t0)
	d := r.flush()
	var texts []string
	for _, h := range d.Happenings {
		texts = append(texts, h.Text)
	}
	want := []string{"Node w1 cordoned", "drain of Node w1 held back by PodDisruptionBudget shop/web (0 disruptions allowed)"}
	slices.Sort(texts)
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("texts (-want +got):\n%s", diff)
	}
	r.m.Set(mkRunning("shop", "a", onNode("w1"), labelled("app", "web"), evictedBy), t0)
	r.m.Delete(PodDisruptionBudgets, "shop", "web", t0)
	d = r.flush()
	if len(d.Happenings) != 1 || d.Happenings[0].Text != "Pod shop/a evicted from Node w1" || d.Happenings[0].Params[ParamName] != "shop/a" {
		t.Errorf("happenings %+v", d.Happenings)
	}
	r.m.Delete(Pods, "shop", "a", t0)
	d = r.flush()
	if len(d.Happenings) != 1 || d.Happenings[0].Text != "Node w1 drained: only DaemonSet pods left" {
		t.Errorf("happenings %+v", d.Happenings)
	}
}

// A pod marked by the eviction API carries it on the wire; nothing else
// about the pod changed.
func TestPodEvictedAndMirrorFields(t *testing.T) {
	p := PodNode(mkRunning("shop", "a", evictedBy)).Pod
	if !p.Evicted || p.Mirror {
		t.Errorf("evicted pod: evicted %v mirror %v", p.Evicted, p.Mirror)
	}
	other := mkRunning("shop", "a")
	other.Status.Conditions = append(other.Status.Conditions, corev1.PodCondition{Type: corev1.DisruptionTarget,
		Status: corev1.ConditionTrue, Reason: "PreemptionByScheduler"})
	if PodNode(other).Pod.Evicted {
		t.Error("a pod preempted by the scheduler counts as evicted by the eviction API")
	}
	if p := PodNode(mkRunning("kube-system", "etcd-w1", mirrorOf)).Pod; !p.Mirror || p.Owner != "" {
		t.Errorf("mirror pod: mirror %v owner %q", p.Mirror, p.Owner)
	}
	annotated := mkRunning("kube-system", "etcd-w1")
	annotated.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "h"}
	if !PodNode(annotated).Pod.Mirror {
		t.Error("the mirror annotation alone does not make a mirror pod")
	}
	b := string(must(PodNode(mkRunning("shop", "a", evictedBy)).MarshalJSON()))
	if !strings.Contains(b, `"evicted":true`) || strings.Contains(b, `"mirror"`) {
		t.Errorf("wire: %s", b)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A ReplicaSet refused a pod by a quota: its controller's Warning Event
// becomes a warning happening on the ReplicaSet, and a warning on it.
func TestQuotaRefusalWarns(t *testing.T) {
	r := newRebuilt(t)
	r.m.Set(mkReplicaSet("shop", "web-1", "web"), t0)
	r.flush()
	msg := `pods "web-1-x7k2p" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3`
	now := time.Now().UTC().Truncate(time.Second)
	r.m.Set(mkEvent("web-1.1", "ReplicaSet", "shop", "web-1", "FailedCreate", msg, 1, now), now)
	d := r.flush()
	var got []Happening
	for _, h := range d.Happenings {
		if h.Kind == HappeningWarning {
			got = append(got, h)
		}
	}
	if len(got) != 1 || got[0].Ref != "ReplicaSet/shop/web-1" || got[0].Params[ParamReason] != "FailedCreate" ||
		!strings.Contains(got[0].Params[ParamMessage], "exceeded quota: pods") {
		t.Fatalf("warning happenings %+v", got)
	}
	if w := r.m.node("ReplicaSet/shop/web-1").Warnings; len(w) != 1 || w[0].Reason != "FailedCreate" {
		t.Errorf("warnings on the ReplicaSet %+v", w)
	}
}

// With no node cordoned, a pod change costs the drains nothing: no state,
// no allocation.
func TestNoDrainCostWithoutCordon(t *testing.T) {
	m := NewModel()
	m.Set(mkNode("w1", true), t0)
	a := NewCachedPod(mkRunning("shop", "a", onNode("w1")))
	b := NewCachedPod(mkRunning("shop", "a", onNode("w1"), restarts(1)))
	m.Set(a, t0)
	m.Flush()
	allocs := testing.AllocsPerRun(100, func() { m.podCluster(a, b, t0) })
	if allocs != 0 || m.cluster.drains != nil {
		t.Errorf("%v allocations, drains %v", allocs, m.cluster.drains)
	}
}

// BenchmarkModelPodChangeOnCordonedNode10k is BenchmarkModelPodChange10k
// with the pod's Node cordoned, a budget covering its app and another Node
// cordoned: the cost a drain adds to each change of its pods.
func BenchmarkModelPodChangeOnCordonedNode10k(b *testing.B) {
	c := newCluster10k()
	m := NewModel()
	c.load(m, t0)
	p := c.raw[4242]
	m.Set(cordoned(mkNode(p.Spec.NodeName, true)), t0)
	m.Set(cordoned(mkNode("worker-1", true)), t0)
	m.Set(mkPDB(p.Namespace, "web", 1, p.Labels["app"]), t0)
	m.Flush()
	flapPod(b, m, p, func(d Delta) string {
		if hs := drainStrings(d); len(hs) != 0 {
			return fmt.Sprint("and drain happenings ", hs)
		}
		return ""
	})
}

// The disruption controller's warnings land on their budget; a
// Namespace's on it, cluster-scoped.
func TestWarningsOnBudgetsAndNamespaces(t *testing.T) {
	msg := "Pods selected by this PodDisruptionBudget (selector: app=web) were found to be unmanaged."
	if id, _, w, ok := WarningOf(mkEvent("e", "PodDisruptionBudget", "shop", "web", "UnmanagedPods", msg, 1, t0)); !ok ||
		id != "PodDisruptionBudget/shop/web" || w.Reason != "UnmanagedPods" {
		t.Errorf("budget warning: %q %+v %v", id, w, ok)
	}
	if id, _, _, ok := WarningOf(mkEvent("e", "Namespace", "shop", "shop", "R", "m", 1, t0)); !ok || id != "Namespace/shop" {
		t.Errorf("namespace warning: %q %v", id, ok)
	}
	r := newRebuilt(t)
	now := time.Now().UTC().Truncate(time.Second)
	r.m.Set(mkPDB("shop", "web", 0, "web"), now)
	ev := mkEvent("e", "PodDisruptionBudget", "shop", "web", "UnmanagedPods", msg, 1, now)
	ev.InvolvedObject.UID = uidOf("uid-pdb-web")
	r.m.Set(ev, now)
	r.flush()
	if w := r.m.node("PodDisruptionBudget/shop/web").Warnings; len(w) != 1 || w[0].Message != msg {
		t.Errorf("warnings on the budget %+v", w)
	}
}
