package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func mkSA(ns, name string, automount *bool) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("u-" + name)},
		AutomountServiceAccountToken: automount}
}

func mkRole(ns, name string, rules ...rbacv1.PolicyRule) *rbacv1.Role {
	return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("u-" + name)}, Rules: rules}
}

// mkClusterRole builds a ClusterRole; aggregate, when not nil, makes it
// aggregate the ClusterRoles with those labels (one selector each).
func mkClusterRole(name string, labels map[string]string, aggregate []map[string]string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, UID: uidOf("u-" + name), Labels: labels}, Rules: rules}
	if aggregate != nil {
		cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{}}
		for _, sel := range aggregate {
			cr.AggregationRule.ClusterRoleSelectors = append(cr.AggregationRule.ClusterRoleSelectors, metav1.LabelSelector{MatchLabels: sel})
		}
	}
	return cr
}

func mkRB(ns, name, refKind, ref string, subjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacGroup, Kind: refKind, Name: ref}, Subjects: subjects}
}

func mkCRB(name, ref string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacGroup, Kind: "ClusterRole", Name: ref}, Subjects: subjects}
}

func saSubject(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
}
func userSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacGroup, Name: name}
}
func groupSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacGroup, Name: name}
}

var (
	readSecrets = rbacv1.PolicyRule{Verbs: l("get", "list"), APIGroups: l(""), Resources: l("secrets")}
	readPods    = rbacv1.PolicyRule{Verbs: l("get", "list"), APIGroups: l(""), Resources: l("pods")}
	execPods    = rbacv1.PolicyRule{Verbs: l("create"), APIGroups: l(""), Resources: l("pods/exec")}
	everything  = rbacv1.PolicyRule{Verbs: l("*"), APIGroups: l("*"), Resources: l("*")}
)

func TestServiceAccountNode(t *testing.T) {
	many := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "many"}}
	for i := range MaxRuleNames + 5 {
		many.Secrets = append(many.Secrets, corev1.ObjectReference{Name: fmt.Sprint("s", i)})
	}
	tests := []struct {
		name string
		sa   *corev1.ServiceAccount
		want ServiceAccountFields
	}{
		{"automount unset", mkSA("ns", "a", nil), ServiceAccountFields{}},
		{"automount false", mkSA("ns", "a", ptr.To(false)), ServiceAccountFields{Automount: ptr.To(false)}},
		{"automount true", mkSA("ns", "a", ptr.To(true)), ServiceAccountFields{Automount: ptr.To(true)}},
		{"secrets and pull secrets by name only", &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "a"},
			Secrets:          []corev1.ObjectReference{{Name: "tok", Namespace: "ns", Kind: "Secret"}, {}},
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "pull"}}},
			ServiceAccountFields{Secrets: l("tok"), ImagePullSecrets: l("pull")}},
		{"secrets bounded", many, ServiceAccountFields{Secrets: func() (out []string) {
			for i := range MaxRuleNames {
				out = append(out, fmt.Sprint("s", i))
			}
			return out
		}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ServiceAccountNode(tt.sa)
			if n.ID != "ServiceAccount/ns/"+tt.sa.Name || n.Kind != KindServiceAccount || n.Namespace != "ns" {
				t.Errorf("id %q kind %q namespace %q", n.ID, n.Kind, n.Namespace)
			}
			if diff := cmp.Diff(&tt.want, n.ServiceAccount()); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoleNodes(t *testing.T) {
	long := make([]string, MaxRuleNames+10)
	for i := range long {
		long[i] = fmt.Sprint("r", i)
	}
	tests := []struct {
		name string
		node *Node
		want *RoleFields
	}{
		{"a Role's rules, every list", RoleNode(mkRole("ns", "r", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l("", "apps"),
			Resources: l("secrets", "deployments"), ResourceNames: l("db")})),
			&RoleFields{Rules: []PolicyRule{{Verbs: l("get"), APIGroups: l("", "apps"), Resources: l("secrets", "deployments"),
				ResourceNames: l("db")}}, Risky: l(RiskySecrets)}},
		{"no rules: an empty list", RoleNode(mkRole("ns", "r")), &RoleFields{Rules: []PolicyRule{}}},
		{"a rule without verbs keeps a list", RoleNode(mkRole("ns", "r", rbacv1.PolicyRule{Resources: l("pods")})),
			&RoleFields{Rules: []PolicyRule{{Verbs: []string{}, Resources: l("pods")}}}},
		{"names bounded per list", RoleNode(mkRole("ns", "r", rbacv1.PolicyRule{Verbs: append(slices.Clone(long), "*"), Resources: long})),
			&RoleFields{Rules: []PolicyRule{{Verbs: long[:MaxRuleNames], Resources: long[:MaxRuleNames]}},
				Risky: l(RiskyWildcard)}}, // the "*" left off still counts
		{"a ClusterRole's non-resource URLs", ClusterRoleNode(mkClusterRole("c", nil, nil,
			rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz", "/version")})),
			&RoleFields{Rules: []PolicyRule{{Verbs: l("get"), NonResourceURLs: l("/healthz", "/version")}}}},
		{"cluster-admin", ClusterRoleNode(mkClusterRole("cluster-admin", nil, nil, everything,
			rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")})),
			&RoleFields{Rules: []PolicyRule{{Verbs: l("*"), APIGroups: l("*"), Resources: l("*")}, {Verbs: l("*"), NonResourceURLs: l("*")}},
				Risky: l(RiskyWildcard, RiskySecrets, RiskyExec, RiskyEscalate, RiskyBind, RiskyImpersonate, RiskyClusterAdmin)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.node.Role()
			if tt.node.Kind == KindClusterRole {
				f = tt.node.ClusterRole()
			}
			if diff := cmp.Diff(tt.want, f); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if n := ClusterRoleNode(mkClusterRole("c", nil, nil)); n.ID != "ClusterRole/c" || n.Namespace != "" {
		t.Errorf("ClusterRole id %q namespace %q", n.ID, n.Namespace)
	}
	if n := RoleNode(mkRole("ns", "r")); n.ID != "Role/ns/r" || n.Namespace != "ns" {
		t.Errorf("Role id %q namespace %q", n.ID, n.Namespace)
	}
}

func TestNewBinding(t *testing.T) {
	ref := func(kind, name string) rbacv1.RoleRef {
		return rbacv1.RoleRef{APIGroup: rbacGroup, Kind: kind, Name: name}
	}
	tests := []struct {
		name     string
		ns       string // "" for a ClusterRoleBinding
		ref      rbacv1.RoleRef
		subjects []rbacv1.Subject
		want     *binding // detail.Binding is the test's id
	}{
		{"RoleBinding to a Role", "ns", ref("Role", "r"), []rbacv1.Subject{saSubject("ns", "app"), userSubject("alice"), groupSubject("devs")},
			&binding{role: "Role/ns/r", subjects: l("ServiceAccount/ns/app", "User/alice", "Group/devs"), names: l("app", "alice", "devs"),
				detail: &Detail{Binding: "B"}}},
		{"RoleBinding to a ClusterRole confines it to the namespace", "ns", ref("ClusterRole", "view"), []rbacv1.Subject{saSubject("other", "app")},
			&binding{role: "ClusterRole/view", subjects: l("ServiceAccount/other/app"), names: l("app"),
				detail: &Detail{Binding: "B", Namespace: "ns"}}},
		{"a RoleBinding's ServiceAccount without namespace is in the binding's", "ns", ref("Role", "r"), []rbacv1.Subject{saSubject("", "app")},
			&binding{role: "Role/ns/r", subjects: l("ServiceAccount/ns/app"), names: l("app"), detail: &Detail{Binding: "B"}}},
		{"a ClusterRoleBinding's ServiceAccount without namespace names none", "", ref("ClusterRole", "view"),
			[]rbacv1.Subject{saSubject("", "app"), saSubject("ns", "ok")},
			&binding{role: "ClusterRole/view", subjects: l("ServiceAccount/ns/ok"), names: l("ok"), detail: &Detail{Binding: "B"}}},
		{"a ClusterRoleBinding may not name a Role", "", ref("Role", "r"), []rbacv1.Subject{userSubject("alice")}, nil},
		{"a roleRef without name", "ns", ref("Role", ""), []rbacv1.Subject{userSubject("alice")}, nil},
		{"unknown subject kinds, empty names and repeats are skipped", "ns", ref("Role", "r"),
			[]rbacv1.Subject{{Kind: "Robot", Name: "r2"}, userSubject(""), userSubject("alice"), userSubject("alice")},
			&binding{role: "Role/ns/r", subjects: l("User/alice"), names: l("alice"), detail: &Detail{Binding: "B"}}},
		{"free-text names are escaped in ids, kept in names", "", ref("ClusterRole", "view"),
			[]rbacv1.Subject{userSubject("https://issuer/#a%b"), groupSubject("system:masters")},
			&binding{role: "ClusterRole/view", subjects: l("User/https:%2F%2Fissuer%2F#a%25b", "Group/system:masters"),
				names: l("https://issuer/#a%b", "system:masters"), detail: &Detail{Binding: "B"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newBinding("B", tt.ns, tt.ref, tt.subjects)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(binding{})); diff != "" {
				t.Errorf("binding (-want +got):\n%s", diff)
			}
		})
	}
	var many []rbacv1.Subject
	for i := range MaxBindingSubjects + 3 {
		many = append(many, userSubject(fmt.Sprint("u", i)))
	}
	if b := newBinding("B", "", ref("ClusterRole", "view"), many); len(b.subjects) != MaxBindingSubjects {
		t.Errorf("%d subjects kept, want %d", len(b.subjects), MaxBindingSubjects)
	}
}

// rbacView is what a test reads of a model: every grants edge with its
// binding's namespace, the risky flags of ServiceAccounts and roles, the
// rules and aggregatedFrom of ClusterRoles, and the User and Group nodes.
func rbacView(m *Model) map[string]string {
	out := map[string]string{}
	for _, e := range m.Edges() {
		if e.Kind == EdgeGrants {
			out[e.ID] = "ns=" + e.Namespace
		}
	}
	for _, n := range m.Nodes() {
		switch n.Kind {
		case KindServiceAccount:
			out[n.ID] = "risky=" + strings.Join(n.ServiceAccount().Risky, ",")
		case KindRole:
			out[n.ID] = "risky=" + strings.Join(n.Role().Risky, ",")
		case KindClusterRole:
			f := n.ClusterRole()
			var rules []string
			for _, r := range f.Rules {
				rules = append(rules, strings.Join(r.Verbs, "+")+" "+strings.Join(r.Resources, "+"))
			}
			out[n.ID] = fmt.Sprintf("risky=%s rules=%s from=%s", strings.Join(f.Risky, ","),
				strings.Join(rules, ";"), strings.Join(f.AggregatedFrom, ","))
		case KindUser, KindGroup:
			out[n.ID] = "subject"
		}
	}
	return out
}

func TestModelRBAC(t *testing.T) {
	const grant = "grants:ServiceAccount/ns/app->Role/ns/reader@RoleBinding/ns/rb"
	aggregated := []map[string]string{{"agg": "true"}}
	tests := []struct {
		name   string
		before []op
		ops    []op
		want   map[string]string // rbacView after ops
		delta  summary           // the Flush of ops
	}{
		{
			name: "a binding before its role and ServiceAccount dangles, then they come",
			ops: []op{set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app"))),
				set(mkRole("ns", "reader", readSecrets)), set(mkSA("ns", "app", nil))},
			want:  map[string]string{grant: "ns=", "Role/ns/reader": "risky=secrets", "ServiceAccount/ns/app": "risky=secrets"},
			delta: summary{Nodes: l("Role/ns/reader", "ServiceAccount/ns/app"), Edges: l(grant)},
		},
		{
			name:   "a binding after its role and ServiceAccount makes the ServiceAccount risky",
			before: []op{set(mkRole("ns", "reader", readSecrets)), set(mkSA("ns", "app", nil))},
			ops:    []op{set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app")))},
			want:   map[string]string{grant: "ns=", "Role/ns/reader": "risky=secrets", "ServiceAccount/ns/app": "risky=secrets"},
			delta:  summary{Nodes: l("ServiceAccount/ns/app"), Edges: l(grant)},
		},
		{
			name:   "a RoleBinding to a ClusterRole grants it in its namespace, to a ServiceAccount of another",
			before: []op{set(mkClusterRole("edit", nil, nil, execPods)), set(mkSA("other", "app", nil))},
			ops:    []op{set(mkRB("ns", "rb", "ClusterRole", "edit", saSubject("other", "app")))},
			want: map[string]string{"grants:ServiceAccount/other/app->ClusterRole/edit@RoleBinding/ns/rb": "ns=ns",
				"ClusterRole/edit": "risky=exec rules=create pods/exec from=", "ServiceAccount/other/app": "risky=exec"},
			delta: summary{Nodes: l("ServiceAccount/other/app"), Edges: l("grants:ServiceAccount/other/app->ClusterRole/edit@RoleBinding/ns/rb")},
		},
		{
			name: "a ServiceAccount's flags are the union of its grants, in flag order",
			before: []op{set(mkRole("ns", "reader", readSecrets)), set(mkClusterRole("exec", nil, nil, execPods)),
				set(mkClusterRole("admin", nil, nil, everything)), set(mkSA("ns", "app", nil))},
			ops: []op{set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app"))),
				set(mkCRB("crb", "exec", saSubject("ns", "app"))), set(mkCRB("crb2", "admin", saSubject("ns", "other")))},
			want: map[string]string{grant: "ns=", "grants:ServiceAccount/ns/app->ClusterRole/exec@ClusterRoleBinding/crb": "ns=",
				"grants:ServiceAccount/ns/other->ClusterRole/admin@ClusterRoleBinding/crb2": "ns=",
				"Role/ns/reader": "risky=secrets", "ClusterRole/exec": "risky=exec rules=create pods/exec from=",
				"ClusterRole/admin":     "risky=wildcard,secrets,exec,escalate,bind,impersonate,cluster-admin rules=* * from=",
				"ServiceAccount/ns/app": "risky=secrets,exec"},
			delta: summary{Nodes: l("ServiceAccount/ns/app"), Edges: l("grants:ServiceAccount/ns/app->ClusterRole/exec@ClusterRoleBinding/crb",
				grant, "grants:ServiceAccount/ns/other->ClusterRole/admin@ClusterRoleBinding/crb2")},
		},
		{
			name: "deleting a binding takes its edges, the flags it gave and the subjects only it named",
			before: []op{set(mkRole("ns", "reader", readSecrets)), set(mkSA("ns", "app", nil)),
				set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app"), userSubject("alice"), groupSubject("devs"))),
				set(mkRB("ns", "rb2", "Role", "reader", userSubject("alice")))},
			ops:  []op{del(RoleBindings, "ns", "rb")},
			want: map[string]string{"grants:User/alice->Role/ns/reader@RoleBinding/ns/rb2": "ns=", "Role/ns/reader": "risky=secrets", "ServiceAccount/ns/app": "risky=", "User/alice": "subject"},
			delta: summary{Nodes: l("ServiceAccount/ns/app"), RemoveNodes: l("Group/devs"), RemoveEdges: l(
				"grants:Group/devs->Role/ns/reader@RoleBinding/ns/rb", grant, "grants:User/alice->Role/ns/reader@RoleBinding/ns/rb")},
		},
		{
			name: "objects set again unchanged (a resync) send nothing",
			before: []op{set(mkRole("ns", "reader", readSecrets)), set(mkSA("ns", "app", nil)), set(mkClusterRole("agg", nil, aggregated)),
				set(mkClusterRole("a", map[string]string{"agg": "true"}, nil, readPods)),
				set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app"), userSubject("alice")))},
			ops: []op{set(mkRole("ns", "reader", readSecrets)), set(mkSA("ns", "app", nil)), set(mkClusterRole("agg", nil, aggregated)),
				set(mkClusterRole("a", map[string]string{"agg": "true"}, nil, readPods)),
				set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app"), userSubject("alice")))},
			want: map[string]string{grant: "ns=", "grants:User/alice->Role/ns/reader@RoleBinding/ns/rb": "ns=", "User/alice": "subject",
				"Role/ns/reader": "risky=secrets", "ServiceAccount/ns/app": "risky=secrets",
				"ClusterRole/agg": "risky= rules=get+list pods from=ClusterRole/a", "ClusterRole/a": "risky= rules=get+list pods from="},
		},
		{
			name: "deleting a role clears the flags it gave; the grant dangles",
			before: []op{set(mkRole("ns", "reader", readSecrets)), set(mkSA("ns", "app", nil)),
				set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app")))},
			ops:   []op{del(Roles, "ns", "reader")},
			want:  map[string]string{grant: "ns=", "ServiceAccount/ns/app": "risky="},
			delta: summary{Nodes: l("ServiceAccount/ns/app"), RemoveNodes: l("Role/ns/reader")},
		},
		{
			name: "deleting a ServiceAccount leaves its grants dangling",
			before: []op{set(mkRole("ns", "reader", readSecrets)), set(mkSA("ns", "app", nil)),
				set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app")))},
			ops:   []op{del(ServiceAccounts, "ns", "app")},
			want:  map[string]string{grant: "ns=", "Role/ns/reader": "risky=secrets"},
			delta: summary{RemoveNodes: l("ServiceAccount/ns/app")},
		},
		{
			name: "a changed role changes its grantees' flags",
			before: []op{set(mkRole("ns", "reader", readPods)), set(mkSA("ns", "app", nil)),
				set(mkRB("ns", "rb", "Role", "reader", saSubject("ns", "app")))},
			ops:   []op{set(mkRole("ns", "reader", readPods, readSecrets))},
			want:  map[string]string{grant: "ns=", "Role/ns/reader": "risky=secrets", "ServiceAccount/ns/app": "risky=secrets"},
			delta: summary{Nodes: l("Role/ns/reader", "ServiceAccount/ns/app")},
		},
		{
			name: "a User or Group named by two bindings is drawn once and stays while one names it",
			ops: []op{set(mkCRB("a", "view", userSubject("alice"), groupSubject("devs"))), set(mkCRB("b", "edit", userSubject("alice"))),
				del(ClusterRoleBindings, "", "a")},
			want:  map[string]string{"grants:User/alice->ClusterRole/edit@ClusterRoleBinding/b": "ns=", "User/alice": "subject"},
			delta: summary{Nodes: l("User/alice"), Edges: l("grants:User/alice->ClusterRole/edit@ClusterRoleBinding/b")},
		},
		{
			name: "a changed binding moves its edges and subjects",
			before: []op{set(mkClusterRole("view", nil, nil, readPods)), set(mkClusterRole("secrets", nil, nil, readSecrets)),
				set(mkSA("ns", "app", nil)), set(mkCRB("b", "view", userSubject("alice"), saSubject("ns", "app")))},
			ops: []op{set(mkCRB("b", "secrets", userSubject("bob"), saSubject("ns", "app")))},
			want: map[string]string{"grants:User/bob->ClusterRole/secrets@ClusterRoleBinding/b": "ns=",
				"grants:ServiceAccount/ns/app->ClusterRole/secrets@ClusterRoleBinding/b": "ns=", "User/bob": "subject",
				"ClusterRole/view": "risky= rules=get+list pods from=", "ClusterRole/secrets": "risky=secrets rules=get+list secrets from=",
				"ServiceAccount/ns/app": "risky=secrets"},
			delta: summary{Nodes: l("ServiceAccount/ns/app", "User/bob"),
				Edges:       l("grants:ServiceAccount/ns/app->ClusterRole/secrets@ClusterRoleBinding/b", "grants:User/bob->ClusterRole/secrets@ClusterRoleBinding/b"),
				RemoveNodes: l("User/alice"), RemoveEdges: l("grants:ServiceAccount/ns/app->ClusterRole/view@ClusterRoleBinding/b",
					"grants:User/alice->ClusterRole/view@ClusterRoleBinding/b")},
		},
		{
			name:   "groups and the user name of ServiceAccounts grant to them",
			before: []op{set(mkClusterRole("secrets", nil, nil, readSecrets)), set(mkClusterRole("exec", nil, nil, execPods)), set(mkSA("ns", "app", nil)), set(mkSA("other", "app", nil))},
			ops: []op{set(mkRB("ns", "all", "ClusterRole", "secrets", groupSubject("system:serviceaccounts:other"))),
				set(mkCRB("me", "exec", userSubject("system:serviceaccount:ns:app")))},
			want: map[string]string{"grants:Group/system:serviceaccounts:other->ClusterRole/secrets@RoleBinding/ns/all": "ns=ns",
				"grants:User/system:serviceaccount:ns:app->ClusterRole/exec@ClusterRoleBinding/me": "ns=",
				"Group/system:serviceaccounts:other":                                               "subject", "User/system:serviceaccount:ns:app": "subject",
				"ClusterRole/secrets": "risky=secrets rules=get+list secrets from=", "ClusterRole/exec": "risky=exec rules=create pods/exec from=",
				"ServiceAccount/ns/app": "risky=exec", "ServiceAccount/other/app": "risky=secrets"},
			delta: summary{Nodes: l("Group/system:serviceaccounts:other", "ServiceAccount/ns/app", "ServiceAccount/other/app", "User/system:serviceaccount:ns:app"),
				Edges: l("grants:Group/system:serviceaccounts:other->ClusterRole/secrets@RoleBinding/ns/all",
					"grants:User/system:serviceaccount:ns:app->ClusterRole/exec@ClusterRoleBinding/me")},
		},
		{
			name: "aggregation: the union of the matching ClusterRoles' rules, in name order, the own rules ignored",
			ops: []op{set(mkClusterRole("agg", nil, aggregated, everything)),
				set(mkClusterRole("b-exec", map[string]string{"agg": "true"}, nil, execPods)),
				set(mkClusterRole("a-pods", map[string]string{"agg": "true"}, nil, readPods)),
				set(mkClusterRole("c-other", map[string]string{"agg": "false"}, nil, readSecrets))},
			want: map[string]string{"ClusterRole/agg": "risky=exec rules=get+list pods;create pods/exec from=ClusterRole/a-pods,ClusterRole/b-exec",
				"ClusterRole/a-pods": "risky= rules=get+list pods from=", "ClusterRole/b-exec": "risky=exec rules=create pods/exec from=",
				"ClusterRole/c-other": "risky=secrets rules=get+list secrets from="},
			delta: summary{Nodes: l("ClusterRole/a-pods", "ClusterRole/agg", "ClusterRole/b-exec", "ClusterRole/c-other")},
		},
		{
			name: "aggregation follows a labelled role that changes, comes or goes, and so do the grantees",
			before: []op{set(mkClusterRole("agg", nil, aggregated)), set(mkClusterRole("a-pods", map[string]string{"agg": "true"}, nil, readPods)),
				set(mkClusterRole("c-other", nil, nil, readSecrets)), set(mkSA("ns", "app", nil)), set(mkCRB("crb", "agg", saSubject("ns", "app")))},
			ops: []op{set(mkClusterRole("c-other", map[string]string{"agg": "true"}, nil, readSecrets)), // joins
				set(mkClusterRole("a-pods", map[string]string{"agg": "no"}, nil, readPods)),    // leaves
				set(mkClusterRole("d-exec", map[string]string{"agg": "true"}, nil, execPods))}, // comes
			want: map[string]string{"grants:ServiceAccount/ns/app->ClusterRole/agg@ClusterRoleBinding/crb": "ns=",
				"ClusterRole/agg":    "risky=secrets,exec rules=get+list secrets;create pods/exec from=ClusterRole/c-other,ClusterRole/d-exec",
				"ClusterRole/a-pods": "risky= rules=get+list pods from=", "ClusterRole/c-other": "risky=secrets rules=get+list secrets from=",
				"ClusterRole/d-exec": "risky=exec rules=create pods/exec from=", "ServiceAccount/ns/app": "risky=secrets,exec"},
			// Labels are not drawn: a-pods and c-other look the same.
			delta: summary{Nodes: l("ClusterRole/agg", "ClusterRole/d-exec", "ServiceAccount/ns/app")},
		},
		{
			name: "an aggregated role deleted leaves the union",
			before: []op{set(mkClusterRole("agg", nil, aggregated)), set(mkClusterRole("a", map[string]string{"agg": "true"}, nil, readSecrets)),
				set(mkSA("ns", "app", nil)), set(mkRB("ns", "rb", "ClusterRole", "agg", saSubject("ns", "app")))},
			ops: []op{del(ClusterRoles, "", "a")},
			want: map[string]string{"grants:ServiceAccount/ns/app->ClusterRole/agg@RoleBinding/ns/rb": "ns=ns",
				"ClusterRole/agg": "risky= rules= from=", "ServiceAccount/ns/app": "risky="},
			delta: summary{Nodes: l("ClusterRole/agg", "ServiceAccount/ns/app"), RemoveNodes: l("ClusterRole/a")},
		},
		{
			name: "nested aggregation resolves through an aggregating role, whatever it stores",
			ops: []op{set(mkClusterRole("admin", nil, []map[string]string{{"to-admin": "true"}})),
				set(mkClusterRole("edit", map[string]string{"to-admin": "true"}, []map[string]string{{"to-edit": "true"}}, everything)),
				set(mkClusterRole("view", map[string]string{"to-edit": "true"}, nil, readPods)),
				set(mkClusterRole("exec", map[string]string{"to-edit": "true"}, nil, execPods))},
			want: map[string]string{
				"ClusterRole/admin": "risky=exec rules=create pods/exec;get+list pods from=ClusterRole/edit",
				"ClusterRole/edit":  "risky=exec rules=create pods/exec;get+list pods from=ClusterRole/exec,ClusterRole/view",
				"ClusterRole/view":  "risky= rules=get+list pods from=", "ClusterRole/exec": "risky=exec rules=create pods/exec from="},
			delta: summary{Nodes: l("ClusterRole/admin", "ClusterRole/edit", "ClusterRole/exec", "ClusterRole/view")},
		},
		{
			name: "an aggregation cycle ends",
			ops: []op{set(mkClusterRole("a", map[string]string{"x": "a"}, []map[string]string{{"x": "b"}})),
				set(mkClusterRole("b", map[string]string{"x": "b"}, []map[string]string{{"x": "a"}, {"x": "c"}})),
				set(mkClusterRole("c", map[string]string{"x": "c"}, nil, readSecrets))},
			want: map[string]string{
				"ClusterRole/a": "risky=secrets rules=get+list secrets from=ClusterRole/b",
				"ClusterRole/b": "risky=secrets rules=get+list secrets from=ClusterRole/a,ClusterRole/c",
				"ClusterRole/c": "risky=secrets rules=get+list secrets from="},
			delta: summary{Nodes: l("ClusterRole/a", "ClusterRole/b", "ClusterRole/c")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewModel()
			for _, o := range tt.before {
				o.apply(m, t0)
			}
			m.Flush()
			for _, o := range tt.ops {
				o.apply(m, t0)
			}
			got := summarize(m.Flush())
			if diff := cmp.Diff(normalize(tt.delta), normalize(got)); diff != "" {
				t.Errorf("Flush (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, rbacView(m)); diff != "" {
				t.Errorf("model (-want +got):\n%s", diff)
			}
			checkRBAC(t, m)
		})
	}
}

// checkRBAC holds the model to the invariants of grants edges: from a
// ServiceAccount, User or Group to a Role or ClusterRole, their id naming a
// binding, and a User or Group node exactly while a grants edge comes from
// it.
func checkRBAC(t testing.TB, m *Model) {
	t.Helper()
	from := map[string]bool{}
	for _, e := range m.Edges() {
		if e.Kind != EdgeGrants {
			continue
		}
		fk, _, _ := cutKind(e.From)
		tk, _, _ := cutKind(e.To)
		if fk != KindServiceAccount && fk != KindUser && fk != KindGroup || tk != KindRole && tk != KindClusterRole {
			t.Errorf("grants edge %s: %s → %s", e.ID, fk, tk)
		}
		if e.Detail == nil || e.ID != EdgeID(EdgeGrants, e.From, e.To)+"@"+e.Binding ||
			!strings.HasPrefix(e.Binding, "RoleBinding/") && !strings.HasPrefix(e.Binding, "ClusterRoleBinding/") {
			t.Errorf("grants edge %s names no binding: %+v", e.ID, e.Detail)
		}
		from[e.From] = true
	}
	for _, n := range m.Nodes() {
		if (n.Kind == KindUser || n.Kind == KindGroup) && !from[n.ID] {
			t.Errorf("%s exists with no grants edge from it", n.ID)
		}
		delete(from, n.ID)
	}
	for id := range from {
		if k, _, _ := cutKind(id); k == KindUser || k == KindGroup {
			t.Errorf("a grants edge comes from %s, which has no node", id)
		}
	}
}

// fuzzRBAC makes one random change to ServiceAccounts, roles or bindings
// in namespace ns, for checkModelReplay.
func fuzzRBAC(intn func(int) int, ns string, setObj func(string, any), delObj func(string, Resource, string, string)) {
	rules := [][]rbacv1.PolicyRule{nil, {readPods}, {readSecrets, execPods}, {everything}}
	subjects := []rbacv1.Subject{saSubject(ns, "app"), saSubject("", "default"), saSubject("b", "default"),
		userSubject("alice"), userSubject("system:serviceaccount:a:app"), groupSubject("devs"), groupSubject("system:serviceaccounts")}
	pick := func() []rbacv1.Subject {
		var out []rbacv1.Subject
		for range intn(4) {
			out = append(out, subjects[intn(len(subjects))])
		}
		return out
	}
	switch intn(5) {
	case 0:
		sa := []string{"default", "app"}[intn(2)]
		if intn(3) == 0 {
			delObj("SA/"+ns+"/"+sa, ServiceAccounts, ns, sa)
		} else {
			setObj("SA/"+ns+"/"+sa, mkSA(ns, sa, []*bool{nil, ptr.To(true), ptr.To(false)}[intn(3)]))
		}
	case 1:
		if intn(3) == 0 {
			delObj("Role/"+ns+"/r", Roles, ns, "r")
		} else {
			setObj("Role/"+ns+"/r", mkRole(ns, "r", rules[intn(len(rules))]...))
		}
	case 2:
		cr := []string{"agg", "c0", "c1", "cluster-admin"}[intn(4)]
		if intn(3) == 0 {
			delObj("ClusterRole/"+cr, ClusterRoles, "", cr)
			return
		}
		labels := []map[string]string{nil, {"agg": "true"}, {"agg": "other"}}[intn(3)]
		var aggregate []map[string]string
		if intn(3) == 0 {
			aggregate = []map[string]string{{"agg": []string{"true", "other"}[intn(2)]}}
		}
		setObj("ClusterRole/"+cr, mkClusterRole(cr, labels, aggregate, rules[intn(len(rules))]...))
	case 3:
		rb := fmt.Sprint("rb", intn(2))
		if intn(3) == 0 {
			delObj("RoleBinding/"+ns+"/"+rb, RoleBindings, ns, rb)
		} else if intn(2) == 0 {
			setObj("RoleBinding/"+ns+"/"+rb, mkRB(ns, rb, "Role", "r", pick()...))
		} else {
			setObj("RoleBinding/"+ns+"/"+rb, mkRB(ns, rb, "ClusterRole", []string{"agg", "c0"}[intn(2)], pick()...))
		}
	default:
		crb := fmt.Sprint("crb", intn(2))
		if intn(3) == 0 {
			delObj("ClusterRoleBinding/"+crb, ClusterRoleBindings, "", crb)
		} else {
			setObj("ClusterRoleBinding/"+crb, mkCRB(crb, []string{"agg", "c1", "cluster-admin"}[intn(3)], pick()...))
		}
	}
}

// TestClusterAdminByName: the cluster-admin ClusterRole is risky by its
// name whatever its rules say, a Role of that name is not, and the flags of
// a rule beyond MaxRules still count.
func TestClusterAdminByName(t *testing.T) {
	cr := &rbacv1.ClusterRole{}
	cr.Name = "cluster-admin"
	if got := ClusterRoleNode(cr).ClusterRole().Risky; !slices.Equal(got, []string{RiskyClusterAdmin}) {
		t.Errorf("cluster-admin with no rules: risky %v, want [cluster-admin]", got)
	}
	role := &rbacv1.Role{}
	role.Name, role.Namespace = "cluster-admin", "default"
	if got := RoleNode(role).Role().Risky; got != nil {
		t.Errorf("a Role named cluster-admin: risky %v, want none", got)
	}
	cr.Name = "big"
	for range MaxRules {
		cr.Rules = append(cr.Rules, rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("pods")})
	}
	cr.Rules = append(cr.Rules, rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets")})
	f := ClusterRoleNode(cr).ClusterRole()
	if len(f.Rules) != MaxRules || f.MoreRules != 1 || !slices.Equal(f.Risky, []string{RiskySecrets}) {
		t.Errorf("%d rules, %d more, risky %v; want %d, 1, [secrets]", len(f.Rules), f.MoreRules, f.Risky, MaxRules)
	}
}
