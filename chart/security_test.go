package chart_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// accessReviewRule is the only rule the chart may render with a verb other
// than get/list/watch, and only when per-user views are on.
var accessReviewRule = rbacv1.PolicyRule{
	APIGroups: []string{"authorization.k8s.io"},
	Resources: []string{"subjectaccessreviews"},
	Verbs:     []string{"create"},
}

const perUserViews = "authProxy: {enabled: true, cidrs: [10.0.0.0/8]}\nperUserViews: {enabled: true}\n"

// ruleStrings flattens every rule of every Role and ClusterRole to
// "verb group/resource" strings.
func ruleStrings(r *rendered) []string {
	var out []string
	for _, rs := range allRules(r) {
		for _, ru := range rs {
			for _, v := range ru.Verbs {
				for _, g := range ru.APIGroups {
					for _, res := range ru.Resources {
						out = append(out, v+" "+g+"/"+res)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestAccessReviewRuleOnlyWithPerUserViews(t *testing.T) {
	for _, name := range []string{"default", "namespaced", "ingress", "auth"} {
		t.Run(name+" has none", func(t *testing.T) {
			r := mustRender(t, ciValues(name))
			for _, rule := range ruleStrings(r) {
				// " authorization.k8s.io/": the group itself, not the RBAC
				// objects Podium reads in rbac.authorization.k8s.io.
				if strings.Contains(rule, " authorization.k8s.io/") || strings.Contains(rule, "subjectaccessreviews") || !strings.HasPrefix(rule, "get ") && !strings.HasPrefix(rule, "list ") && !strings.HasPrefix(rule, "watch ") {
					t.Errorf("without per-user views the chart grants %q", rule)
				}
			}
		})
	}
	for _, c := range []struct{ name, values string }{
		{"cluster mode", perUserViews},
		{"namespace mode", perUserViews + "mode: namespaces\nnamespaces: [team-a]\n"},
		{"platform value set", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := []string(nil)
			if c.values == "" {
				files = ciValues("platform")
			}
			r := mustRender(t, files, c.values)
			var extra []string
			for _, rule := range ruleStrings(r) {
				if !strings.HasPrefix(rule, "get ") && !strings.HasPrefix(rule, "list ") && !strings.HasPrefix(rule, "watch ") {
					extra = append(extra, rule)
				}
				if strings.Contains(rule, "secrets") || strings.Contains(rule, "configmaps") || strings.Contains(rule, "*") {
					t.Errorf("grants %q", rule)
				}
			}
			if diff := cmp.Diff([]string{"create authorization.k8s.io/subjectaccessreviews"}, extra); diff != "" {
				t.Errorf("rules beyond get/list/watch (-want +got):\n%s", diff)
			}
			// In its own ClusterRole, bound to Podium's ServiceAccount only.
			var found bool
			for _, cr := range objectsOf[*rbacv1.ClusterRole](r) {
				if !slices.ContainsFunc(cr.Rules, func(ru rbacv1.PolicyRule) bool { return cmp.Equal(ru, accessReviewRule) }) {
					continue
				}
				found = true
				if len(cr.Rules) != 1 {
					t.Errorf("ClusterRole %s mixes the access review with %d other rules", cr.Name, len(cr.Rules)-1)
				}
				var bound bool
				for _, b := range objectsOf[*rbacv1.ClusterRoleBinding](r) {
					if b.RoleRef.Name == cr.Name {
						bound = true
						want := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "podium", Namespace: releaseNamespace}}
						if diff := cmp.Diff(want, b.Subjects); diff != "" {
							t.Errorf("binding %s subjects (-want +got):\n%s", b.Name, diff)
						}
					}
				}
				if !bound {
					t.Errorf("ClusterRole %s is not bound", cr.Name)
				}
			}
			if !found {
				t.Error("no ClusterRole holds the access review rule")
			}
		})
	}
}

func containerArgs(t *testing.T, r *rendered) []string {
	t.Helper()
	return deploymentOf(t, r).Spec.Template.Spec.Containers[0].Args
}

func TestAuthProxyArgs(t *testing.T) {
	flags := []string{"--auth-proxy-header", "--auth-proxy-groups-header", "--auth-proxy-cidrs", "--per-user-views"}
	for _, name := range []string{"default", "namespaced", "ingress", "auth"} {
		for _, a := range containerArgs(t, mustRender(t, ciValues(name))) {
			for _, f := range flags {
				if strings.HasPrefix(a, f) {
					t.Errorf("%s: %q rendered though the value is off", name, a)
				}
			}
		}
	}
	cases := []struct {
		name, values string
		want         []string
	}{
		{"proxy only", "authProxy: {enabled: true, cidrs: [10.0.0.0/8, 192.168.1.0/24]}\n",
			[]string{"--auth-proxy-header=X-Forwarded-User", "--auth-proxy-groups-header=X-Forwarded-Groups", "--auth-proxy-cidrs=10.0.0.0/8,192.168.1.0/24"}},
		{"no groups header", "authProxy: {enabled: true, header: X-Auth-Request-User, groupsHeader: \"\", cidrs: [10.0.0.1/32]}\n",
			[]string{"--auth-proxy-header=X-Auth-Request-User", "--auth-proxy-cidrs=10.0.0.1/32"}},
		{"per-user views", perUserViews,
			[]string{"--auth-proxy-header=X-Forwarded-User", "--auth-proxy-groups-header=X-Forwarded-Groups", "--auth-proxy-cidrs=10.0.0.0/8", "--per-user-views"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, a := range containerArgs(t, mustRender(t, nil, c.values)) {
				for _, f := range flags {
					if a == f || strings.HasPrefix(a, f+"=") {
						got = append(got, a)
					}
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}

func networkPolicies(r *rendered) []*networkingv1.NetworkPolicy {
	return objectsOf[*networkingv1.NetworkPolicy](r)
}

func TestNetworkPolicy(t *testing.T) {
	port := intstr.FromInt32(8080)
	tcp := corev1.ProtocolTCP
	nsPeer := func(ns string, pods map[string]string) networkingv1.NetworkPolicyPeer {
		p := networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}}
		if pods != nil {
			p.PodSelector = &metav1.LabelSelector{MatchLabels: pods}
		}
		return p
	}
	ports := []networkingv1.NetworkPolicyPort{{Port: &port, Protocol: &tcp}}
	cases := []struct {
		name   string
		files  []string
		values string
		want   *networkingv1.NetworkPolicySpec // nil: no policy
	}{
		{"default: on, admits nobody", ciValues("default"), "", &networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, Ingress: []networkingv1.NetworkPolicyIngressRule{}}},
		{"ingress on: off unless asked", nil, "ingress: {enabled: true}\nauth: {enabled: true, existingSecret: s}\n", nil},
		{"explicitly off", nil, "networkPolicy: {enabled: false}\n", nil},
		{"ingress value set: the controller's pods", ciValues("ingress"), "", &networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{nsPeer("ingress-nginx", map[string]string{"app.kubernetes.io/name": "ingress-nginx"})}, Ports: ports}}}},
		{"named peers", nil, "networkPolicy:\n  from:\n    - podSelector: {matchLabels: {app: prometheus}}\n    - namespaceSelector: {matchLabels: {team: sre}}\n    - ipBlock: {cidr: 10.1.0.0/16}\n",
			&networkingv1.NetworkPolicySpec{
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
					{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "prometheus"}}},
					{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "sre"}}},
					{IPBlock: &networkingv1.IPBlock{CIDR: "10.1.0.0/16"}},
				}, Ports: ports}}}},
		{"ingress controller and peers", nil, "ingress: {enabled: true}\nnetworkPolicy: {enabled: true, ingressController: {namespace: ingress-nginx}, from: [{podSelector: {matchLabels: {app: probe}}}]}\n",
			&networkingv1.NetworkPolicySpec{
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
					nsPeer("ingress-nginx", nil),
					{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "probe"}}},
				}, Ports: ports}}}},
		{"controller namespace ignored without an Ingress", nil, "networkPolicy: {ingressController: {namespace: ingress-nginx}}\n", &networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, Ingress: []networkingv1.NetworkPolicyIngressRule{}}},
		{"egress to the API server", nil, "networkPolicy: {egress: {enabled: true, apiServerCIDRs: [10.96.0.1/32, 172.18.0.2/32], apiServerPorts: [443, 6443], extraRules: [{to: [{ipBlock: {cidr: 10.0.0.10/32}}]}]}}\n",
			&networkingv1.NetworkPolicySpec{
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
				Ingress:     []networkingv1.NetworkPolicyIngressRule{},
				Egress: []networkingv1.NetworkPolicyEgressRule{
					{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.96.0.1/32"}}, {IPBlock: &networkingv1.IPBlock{CIDR: "172.18.0.2/32"}}},
						Ports: []networkingv1.NetworkPolicyPort{{Port: ptrTo(intstr.FromInt32(443)), Protocol: &tcp}, {Port: ptrTo(intstr.FromInt32(6443)), Protocol: &tcp}}},
					{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.10/32"}}}},
				}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRender(t, c.files, c.values)
			nps := networkPolicies(r)
			if c.want == nil {
				if len(nps) != 0 {
					t.Fatalf("rendered %d NetworkPolicies, want none", len(nps))
				}
				return
			}
			if len(nps) != 1 {
				t.Fatalf("rendered %d NetworkPolicies, want 1", len(nps))
			}
			np := nps[0]
			// It selects Podium's pods and nothing else of the release.
			sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			if err != nil {
				t.Fatal(err)
			}
			if sel.Empty() || !sel.Matches(labels.Set(deploymentOf(t, r).Spec.Template.Labels)) {
				t.Errorf("podSelector %v does not select Podium's pods %v", sel, deploymentOf(t, r).Spec.Template.Labels)
			}
			got := np.Spec.DeepCopy()
			got.PodSelector = metav1.LabelSelector{}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("NetworkPolicy spec (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("ingress without the controller named", func(t *testing.T) {
		_, err := render(t, nil, "ingress: {enabled: true}\nnetworkPolicy: {enabled: true}\n")
		if err == nil || !strings.Contains(err.Error(), "set networkPolicy.ingressController.namespace") {
			t.Errorf("err = %v; want one asking for the controller's namespace", err)
		}
	})
	t.Run("NOTES say who is admitted", func(t *testing.T) {
		if n := mustRender(t, ciValues("default")).Notes; !strings.Contains(n, "only kubectl port-forward") {
			t.Errorf("default NOTES do not say only port-forward reaches Podium:\n%s", n)
		}
		if n := mustRender(t, ciValues("ingress")).Notes; !strings.Contains(n, `the ingress controller's namespace "ingress-nginx"`) {
			t.Errorf("ingress NOTES do not name the admitted namespace:\n%s", n)
		}
		if n := mustRender(t, nil, "ingress: {enabled: true}\nauth: {enabled: true, existingSecret: s}\n").Notes; !strings.Contains(n, "No NetworkPolicy") {
			t.Errorf("NOTES do not say an Ingress without a policy leaves the port open:\n%s", n)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

func TestGoMemLimitFromTheMemoryLimit(t *testing.T) {
	cases := []struct {
		limit string // YAML
		want  string
	}{
		// 90% of the limit, less 64 MiB for the binary's own pages.
		{"256Mi", "166MiB"},
		{"1Gi", "857MiB"},
		{"0.5Gi", "396MiB"},
		{"1500M", "1223MiB"},
		{"2G", "1652MiB"},
		{"128Mi", "53687091"},     // below 64 MiB: exact bytes
		{"268435456", "166MiB"},   // a YAML number: bytes
		{`"268435456"`, "166MiB"}, // a string of bytes
		{"100Mi", "27262976"},
		{"1T", "858242MiB"},
	}
	for _, c := range cases {
		t.Run(c.limit, func(t *testing.T) {
			r := mustRender(t, nil, "resources: {limits: {memory: "+c.limit+"}}\n")
			env := deploymentOf(t, r).Spec.Template.Spec.Containers[0].Env
			i := slices.IndexFunc(env, func(e corev1.EnvVar) bool { return e.Name == "GOMEMLIMIT" })
			if i < 0 {
				t.Fatalf("no GOMEMLIMIT in %v", env)
			}
			if env[i].Value != c.want || env[i].ValueFrom != nil {
				t.Errorf("GOMEMLIMIT = %q (from %v), want %q", env[i].Value, env[i].ValueFrom, c.want)
			}
		})
	}
	for _, bad := range []string{"256MB", "256mi", "1e9", "lots", "-1Gi", "0", "64Mi", "512Ki"} { // the last two leave nothing past the binary
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := render(t, nil, fmt.Sprintf("resources: {limits: {memory: %q}}\n", bad))
			if err == nil {
				t.Fatalf("memory limit %q rendered", bad)
			}
			if !strings.Contains(err.Error(), "resources.limits.memory") || !strings.Contains(err.Error(), bad) {
				t.Errorf("error %q does not name the value", err)
			}
		})
	}
	t.Run("no memory limit, no GOMEMLIMIT", func(t *testing.T) {
		r := mustRender(t, nil, "resources: {limits: {memory: null}}\n")
		for _, e := range deploymentOf(t, r).Spec.Template.Spec.Containers[0].Env {
			if e.Name == "GOMEMLIMIT" {
				t.Errorf("GOMEMLIMIT %q set with no memory limit", e.Value)
			}
		}
	})
}

func TestPodDisruptionBudget(t *testing.T) {
	if n := len(objectsOf[*policyv1.PodDisruptionBudget](mustRender(t, ciValues("default")))); n != 0 {
		t.Errorf("default renders %d PodDisruptionBudgets", n)
	}
	one, half := intstr.FromInt32(1), intstr.FromString("50%")
	cases := []struct {
		name, values string
		min, max     *intstr.IntOrString
	}{
		{"maxUnavailable 1 by default", "podDisruptionBudget: {enabled: true}\n", nil, &one},
		{"minAvailable", "podDisruptionBudget: {enabled: true, minAvailable: 1}\n", &one, nil},
		{"percentage", "podDisruptionBudget: {enabled: true, maxUnavailable: 50%}\n", nil, &half},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRender(t, nil, c.values)
			pdbs := objectsOf[*policyv1.PodDisruptionBudget](r)
			if len(pdbs) != 1 {
				t.Fatalf("%d PodDisruptionBudgets, want 1", len(pdbs))
			}
			sp := pdbs[0].Spec
			if diff := cmp.Diff(c.min, sp.MinAvailable); diff != "" {
				t.Errorf("minAvailable (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.max, sp.MaxUnavailable); diff != "" {
				t.Errorf("maxUnavailable (-want +got):\n%s", diff)
			}
			sel, err := metav1.LabelSelectorAsSelector(sp.Selector)
			if err != nil || sel.Empty() || !sel.Matches(labels.Set(deploymentOf(t, r).Spec.Template.Labels)) {
				t.Errorf("selector %v (%v) does not select Podium's pods", sel, err)
			}
		})
	}
}

func TestImagePinnedByDigest(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	c := deploymentOf(t, mustRender(t, nil, "image: {repository: registry.example/podium, tag: v9, digest: \""+digest+"\"}\n")).Spec.Template.Spec.Containers[0]
	if c.Image != "registry.example/podium@"+digest {
		t.Errorf("image %q, want repository@digest", c.Image)
	}
	c = deploymentOf(t, mustRender(t, nil, "image: {tag: v9}\n")).Spec.Template.Spec.Containers[0]
	if c.Image != "podiumhq/podium:v9" {
		t.Errorf("image %q, want the tag without a digest", c.Image)
	}
	c = deploymentOf(t, mustRender(t, ciValues("platform"))).Spec.Template.Spec.Containers[0]
	if !strings.Contains(c.Image, "@sha256:") {
		t.Errorf("the platform value set's image %q is not pinned", c.Image)
	}
}

func TestIngressWithoutTLSWarnsWhenAuthIsOn(t *testing.T) {
	const warning = "the Ingress has no TLS but auth is on"
	for _, c := range []struct {
		name, values string
		warn         bool
	}{
		{"token auth, no TLS", "ingress: {enabled: true}\nauth: {enabled: true, existingSecret: s}\n", true},
		{"auth proxy, no TLS", "ingress: {enabled: true}\nauthProxy: {enabled: true, cidrs: [10.0.0.0/8]}\n", true},
		{"token auth with TLS", "ingress: {enabled: true, tls: [{secretName: t, hosts: [podium.example.com]}]}\nauth: {enabled: true, existingSecret: s}\n", false},
		{"no Ingress", "auth: {enabled: true, existingSecret: s}\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			notes := mustRender(t, nil, c.values).Notes
			if strings.Contains(notes, warning) != c.warn {
				t.Errorf("warning shown = %v, want %v:\n%s", !c.warn, c.warn, notes)
			}
		})
	}
}

func TestSecurityValuesRefusedBySchema(t *testing.T) {
	cases := []struct {
		name, values string
		want         []string
	}{
		{"per-user views without the proxy", "perUserViews: {enabled: true}\n", []string{"/authProxy"}},
		{"proxy without CIDRs", "authProxy: {enabled: true}\n", []string{"/authProxy", "cidrs"}},
		{"proxy CIDR not a CIDR", "authProxy: {enabled: true, cidrs: [10.0.0.0]}\n", []string{"/authProxy/cidrs/0", "does not match pattern"}},
		{"header with a space", "authProxy: {enabled: true, header: 'X User', cidrs: [10.0.0.0/8]}\n", []string{"/authProxy/header"}},
		{"egress without the API server", "networkPolicy: {egress: {enabled: true}}\n", []string{"/networkPolicy/egress/apiServerCIDRs", "minItems"}},
		{"peer of an unknown kind", "networkPolicy: {from: [{serviceSelector: {}}]}\n", []string{"/networkPolicy/from/0", "serviceSelector"}},
		{"empty peer", "networkPolicy: {from: [{}]}\n", []string{"/networkPolicy/from/0", "minProperties"}},
		{"policy enabled as a string", "networkPolicy: {enabled: \"auto\"}\n", []string{"/networkPolicy/enabled"}},
		{"controller namespace not a DNS label", "networkPolicy: {ingressController: {namespace: Ingress_NGINX}}\n", []string{"/networkPolicy/ingressController/namespace"}},
		{"both PDB bounds", "podDisruptionBudget: {enabled: true, minAvailable: 1, maxUnavailable: 1}\n", []string{"/podDisruptionBudget/maxUnavailable"}},
		{"PDB bound not a number", "podDisruptionBudget: {enabled: true, minAvailable: half}\n", []string{"/podDisruptionBudget/minAvailable"}},
		{"digest without its algorithm", "image: {digest: \"" + strings.Repeat("a", 64) + "\"}\n", []string{"/image/digest", "does not match pattern"}},
		{"short digest", "image: {digest: \"sha256:abc\"}\n", []string{"/image/digest", "does not match pattern"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(t, nil, c.values)
			if err == nil {
				t.Fatalf("values %q rendered; want a schema error", c.values)
			}
			if !strings.Contains(err.Error(), "values don't meet the specifications of the schema") {
				t.Errorf("error is not the schema's: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestIngressNamespaceArg: ingressNamespace reaches Podium as
// --ingress-namespace only when set, and the schema refuses anything but
// a DNS label or "".
func TestIngressNamespaceArg(t *testing.T) {
	flagged := func(r *rendered) []string {
		var got []string
		for _, a := range containerArgs(t, r) {
			if a == "--ingress-namespace" || strings.HasPrefix(a, "--ingress-namespace=") {
				got = append(got, a)
			}
		}
		return got
	}
	for _, name := range valueSets {
		if got := flagged(mustRender(t, ciValues(name))); len(got) > 0 {
			t.Errorf("%s: %v rendered though ingressNamespace is unset", name, got)
		}
	}
	if got := flagged(mustRender(t, nil, "ingressNamespace: \"\"\n")); len(got) > 0 {
		t.Errorf("ingressNamespace \"\": %v rendered", got)
	}
	if diff := cmp.Diff([]string{"--ingress-namespace=ingress-nginx"}, flagged(mustRender(t, nil, "ingressNamespace: ingress-nginx\n"))); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	for _, c := range []struct{ values, want string }{
		{"ingressNamespace: Ingress_NGINX\n", "does not match pattern"},
		{"ingressNamespace: ingress.nginx\n", "does not match pattern"},
		{"ingressNamespace: -nginx\n", "does not match pattern"},
		{"ingressNamespace: " + strings.Repeat("a", 64) + "\n", "maxLength"},
		{"ingressNamespace: 7\n", "got number, want string"},
		{"ingressNamespace: [ingress-nginx]\n", "got array, want string"},
	} {
		_, err := render(t, nil, c.values)
		if err == nil || !strings.Contains(err.Error(), "/ingressNamespace") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("values %q: error %v, want the schema's, at /ingressNamespace, with %q", c.values, err, c.want)
		}
	}
}
