package graph

import (
	"slices"
	"testing"
)

// rule builds a PolicyRule: verbs, apiGroups, resources.
func rule(verbs, groups, resources []string) PolicyRule {
	return PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
}

func l(s ...string) []string { return s }

// riskyCase is one row of a flag's table: the rules, and whether the flag
// must be raised.
type riskyCase struct {
	name  string
	rules []PolicyRule
	want  bool
}

// TestRiskyFlags holds each flag to its own table of positive and negative
// cases.
func TestRiskyFlags(t *testing.T) {
	core := l("")
	tables := map[string][]riskyCase{
		RiskyWildcard: {
			{"* verbs", []PolicyRule{rule(l("*"), core, l("pods"))}, true},
			{"* resources", []PolicyRule{rule(l("get"), core, l("*"))}, true},
			{"* apiGroups", []PolicyRule{rule(l("get"), l("*"), l("pods"))}, true},
			{"* verbs on nonResourceURLs", []PolicyRule{{Verbs: l("*"), NonResourceURLs: l("/healthz")}}, true},
			{"named everything", []PolicyRule{rule(l("get", "list", "watch"), l("", "apps"), l("pods", "deployments"))}, false},
			{"*/scale is not a whole wildcard", []PolicyRule{rule(l("get"), l("apps"), l("*/scale"))}, false},
			{"no rules", nil, false},
		},
		RiskySecrets: {
			{"get secrets", []PolicyRule{rule(l("get"), core, l("secrets"))}, true},
			{"list secrets", []PolicyRule{rule(l("list"), core, l("secrets"))}, true},
			{"watch secrets", []PolicyRule{rule(l("watch"), core, l("secrets"))}, true},
			{"* verbs on secrets", []PolicyRule{rule(l("*"), core, l("secrets"))}, true},
			{"get * in the core group", []PolicyRule{rule(l("get"), core, l("*"))}, true},
			{"get secrets in group *", []PolicyRule{rule(l("get"), l("*"), l("secrets"))}, true},
			{"one named secret still counts", []PolicyRule{{Verbs: l("get"), APIGroups: core, Resources: l("secrets"), ResourceNames: l("db")}}, true},
			{"among other rules", []PolicyRule{rule(l("get"), core, l("pods")), rule(l("list"), core, l("configmaps", "secrets"))}, true},
			{"get configmaps", []PolicyRule{rule(l("get", "list", "watch"), core, l("configmaps"))}, false},
			{"create secrets is not a read", []PolicyRule{rule(l("create", "delete"), core, l("secrets"))}, false},
			{"secrets in another group", []PolicyRule{rule(l("get"), l("example.com"), l("secrets"))}, false},
			{"verbs and resources in different rules", []PolicyRule{rule(l("get"), core, l("pods")), rule(l("delete"), core, l("secrets"))}, false},
		},
		RiskyExec: {
			{"create pods/exec", []PolicyRule{rule(l("create"), core, l("pods/exec"))}, true},
			{"create pods/attach", []PolicyRule{rule(l("create"), core, l("pods/attach"))}, true},
			{"* verbs on pods/exec", []PolicyRule{rule(l("*"), core, l("pods/exec"))}, true},
			{"create *", []PolicyRule{rule(l("create"), core, l("*"))}, true},
			{"create */exec", []PolicyRule{rule(l("create"), core, l("*/exec"))}, true},
			{"create pods/exec in group *", []PolicyRule{rule(l("create"), l("*"), l("pods/exec"))}, true},
			{"get pods/exec", []PolicyRule{rule(l("get"), core, l("pods/exec"))}, false},
			{"create pods", []PolicyRule{rule(l("create"), core, l("pods"))}, false},
			{"create pods/log", []PolicyRule{rule(l("create", "get"), core, l("pods/log"))}, false},
			{"pods/exec in another group", []PolicyRule{rule(l("create"), l("apps"), l("pods/exec"))}, false},
		},
		RiskyEscalate: {
			{"escalate on roles", []PolicyRule{rule(l("escalate"), l(rbacGroup), l("roles"))}, true},
			{"escalate on any resource", []PolicyRule{rule(l("escalate"), core, l("pods"))}, true},
			{"* verbs on clusterroles", []PolicyRule{rule(l("*"), l(rbacGroup), l("clusterroles"))}, true},
			{"* verbs on * in *", []PolicyRule{rule(l("*"), l("*"), l("*"))}, true},
			{"update roles", []PolicyRule{rule(l("get", "update", "patch"), l(rbacGroup), l("roles", "clusterroles"))}, false},
			{"* verbs on pods", []PolicyRule{rule(l("*"), core, l("pods"))}, false},
		},
		RiskyBind: {
			{"bind on clusterroles", []PolicyRule{rule(l("bind"), l(rbacGroup), l("clusterroles"))}, true},
			{"bind on any resource", []PolicyRule{rule(l("bind"), core, l("pods"))}, true},
			{"* verbs on roles", []PolicyRule{rule(l("*"), l(rbacGroup), l("roles"))}, true},
			{"create rolebindings", []PolicyRule{rule(l("create"), l(rbacGroup), l("rolebindings"))}, false},
			{"* verbs on roles of another group", []PolicyRule{rule(l("*"), l("example.com"), l("roles"))}, false},
		},
		RiskyImpersonate: {
			{"impersonate users", []PolicyRule{rule(l("impersonate"), core, l("users"))}, true},
			{"impersonate on any resource", []PolicyRule{rule(l("impersonate"), l("apps"), l("deployments"))}, true},
			{"* verbs on serviceaccounts", []PolicyRule{rule(l("*"), core, l("serviceaccounts"))}, true},
			{"* verbs on userextras", []PolicyRule{rule(l("*"), l("authentication.k8s.io"), l("userextras/scopes"))}, true},
			{"get users", []PolicyRule{rule(l("get", "list"), core, l("users", "groups", "serviceaccounts"))}, false},
			{"* verbs on pods", []PolicyRule{rule(l("*"), core, l("pods"))}, false},
		},
		RiskyClusterAdmin: {
			{"* * *", []PolicyRule{rule(l("*"), l("*"), l("*"))}, true},
			{"* * * among others", []PolicyRule{rule(l("get"), core, l("pods")), rule(l("*"), l("*"), l("*"))}, true},
			{"* verbs, * resources, core group", []PolicyRule{rule(l("*"), core, l("*"))}, false},
			{"* verbs, * groups, named resources", []PolicyRule{rule(l("*"), l("*"), l("pods"))}, false},
			{"every verb named", []PolicyRule{rule(l("get", "list", "watch", "create", "update", "patch", "delete"), l("*"), l("*"))}, false},
			{"the three stars in different rules", []PolicyRule{rule(l("*"), core, l("pods")), rule(l("get"), l("*"), l("*"))}, false},
		},
	}
	for _, flag := range riskyOrder {
		cases, ok := tables[flag]
		if !ok {
			t.Errorf("flag %q has no table", flag)
			continue
		}
		for _, tc := range cases {
			t.Run(flag+"/"+tc.name, func(t *testing.T) {
				got := RiskyFlags(tc.rules)
				if slices.Contains(got, flag) != tc.want {
					t.Errorf("RiskyFlags(%+v) = %v; want %q: %v", tc.rules, got, flag, tc.want)
				}
				if !slices.IsSortedFunc(got, func(a, b string) int {
					return slices.Index(riskyOrder[:], a) - slices.Index(riskyOrder[:], b)
				}) {
					t.Errorf("flags %v out of order", got)
				}
			})
		}
	}
}
