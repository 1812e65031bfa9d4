package graph

import (
	"slices"
	"strings"
)

// The Risky* flags as bits, in the order of riskyOrder: a role keeps the
// bits of all its rules (those left off by MaxRules included), and a
// ServiceAccount the union of its roles' bits.
const (
	riskyWildcard uint8 = 1 << iota
	riskySecrets
	riskyExec
	riskyEscalate
	riskyBind
	riskyImpersonate
	riskyClusterAdmin
)

var riskyOrder = [...]string{RiskyWildcard, RiskySecrets, RiskyExec, RiskyEscalate, RiskyBind, RiskyImpersonate, RiskyClusterAdmin}

// riskyLists holds, for each set of bits, its flags in order. The lists are
// shared by every role and ServiceAccount with those bits: never modify one.
var riskyLists = func() (out [1 << len(riskyOrder)][]string) {
	for bits := range out {
		for i, name := range riskyOrder {
			if bits&(1<<i) != 0 {
				out[bits] = append(out[bits], name)
			}
		}
	}
	return out
}()

// RiskyFlags returns the Risky* flags the rules earn, in their order (nil
// when none). The list is shared: do not modify it. The cluster-admin
// ClusterRole earns RiskyClusterAdmin by its name as well (ClusterRoleNode).
func RiskyFlags(rules []PolicyRule) []string {
	var bits uint8
	for i := range rules {
		bits |= ruleRisky(rules[i].Verbs, rules[i].APIGroups, rules[i].Resources)
	}
	return riskyLists[bits]
}

const rbacGroup = "rbac.authorization.k8s.io"

// ruleRisky returns the risky bits of one rule, read as the RBAC authorizer
// reads it: "*" matches every verb, group or resource, and "*/sub" every
// resource's subresource sub. A verb the rule names explicitly (escalate,
// bind, impersonate) is flagged whatever the resource; "*" verbs earn those
// flags only on the resources they act on. resourceNames never lift a flag:
// reading one named Secret is reading Secrets.
func ruleRisky(verbs, groups, resources []string) uint8 {
	anyVerb := slices.Contains(verbs, "*")
	verb := func(v string) bool { return anyVerb || slices.Contains(verbs, v) }
	group := func(g string) bool { return slices.Contains(groups, "*") || slices.Contains(groups, g) }
	resource := func(r string) bool {
		if slices.Contains(resources, "*") || slices.Contains(resources, r) {
			return true
		}
		_, sub, ok := strings.Cut(r, "/")
		return ok && slices.Contains(resources, "*/"+sub)
	}
	var bits uint8
	if anyVerb || slices.Contains(groups, "*") || slices.Contains(resources, "*") {
		bits |= riskyWildcard
	}
	if group("") && resource("secrets") && (verb("get") || verb("list") || verb("watch")) {
		bits |= riskySecrets
	}
	if group("") && (resource("pods/exec") || resource("pods/attach")) && verb("create") {
		bits |= riskyExec
	}
	onRoles := group(rbacGroup) && (resource("roles") || resource("clusterroles"))
	if slices.Contains(verbs, "escalate") || anyVerb && onRoles {
		bits |= riskyEscalate
	}
	if slices.Contains(verbs, "bind") || anyVerb && onRoles {
		bits |= riskyBind
	}
	onIdentities := group("") && (resource("users") || resource("groups") || resource("serviceaccounts")) ||
		group("authentication.k8s.io") && (resource("uids") || slices.ContainsFunc(resources, func(r string) bool {
			return strings.HasPrefix(r, "userextras/")
		}))
	if slices.Contains(verbs, "impersonate") || anyVerb && onIdentities {
		bits |= riskyImpersonate
	}
	if anyVerb && slices.Contains(groups, "*") && slices.Contains(resources, "*") {
		bits |= riskyClusterAdmin
	}
	return bits
}
