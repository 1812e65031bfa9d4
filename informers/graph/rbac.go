package graph

import (
	"hash/maphash"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// This file holds identity and RBAC (#13): ServiceAccounts, Roles and
// ClusterRoles (aggregation resolved here), the grants edges of
// RoleBindings and ClusterRoleBindings, the User and Group subjects they
// name, and the risky flags a ServiceAccount earns from its grants. The
// model reads the labels and aggregationRule of ClusterRoles: the informer
// transform must keep them.

// Bounds on what one hostile object can make the model hold.
const (
	// MaxRules bounds the rules a Role or ClusterRole keeps (an aggregated
	// ClusterRole's union included); RoleFields.MoreRules counts the rest.
	// The risky flags come from every rule, kept or not.
	MaxRules = 256
	// MaxRuleNames bounds each list of a rule (verbs, apiGroups,
	// resources, resourceNames, nonResourceURLs) and a ServiceAccount's
	// secrets and imagePullSecrets.
	MaxRuleNames = 64
	// MaxBindingSubjects bounds the subjects of one binding that become
	// grants edges (and count for their ServiceAccounts' risky flags).
	MaxBindingSubjects = 256
)

// boundNames keeps at most MaxRuleNames names, sharing s.
func boundNames(s []string) []string {
	if len(s) > MaxRuleNames {
		return s[:MaxRuleNames:MaxRuleNames]
	}
	return s
}

// ServiceAccountNode derives a ServiceAccount's entity. Secrets are names
// only: Podium never reads them. Risky is the model's to fill (it comes
// from the bindings).
func ServiceAccountNode(sa *corev1.ServiceAccount) *Node {
	f := &ServiceAccountFields{}
	if sa.AutomountServiceAccountToken != nil {
		b := *sa.AutomountServiceAccountToken
		f.Automount = &b
	}
	for _, s := range sa.Secrets {
		if len(f.Secrets) == MaxRuleNames {
			break
		}
		if s.Name != "" {
			f.Secrets = append(f.Secrets, s.Name)
		}
	}
	for _, s := range sa.ImagePullSecrets {
		if len(f.ImagePullSecrets) == MaxRuleNames {
			break
		}
		if s.Name != "" {
			f.ImagePullSecrets = append(f.ImagePullSecrets, s.Name)
		}
	}
	return &Node{ID: ID(KindServiceAccount, sa.Namespace, sa.Name), Kind: KindServiceAccount,
		Namespace: internID(sa.Namespace), Name: sa.Name, UID: string(sa.UID), More: f}
}

// policyRules converts rules, keeping at most MaxRules of them with at most
// MaxRuleNames names per list, and returns how many rules it left off and
// the risky bits of all of them.
func policyRules(in []rbacv1.PolicyRule) (rules []PolicyRule, more int, bits uint8) {
	rules = make([]PolicyRule, 0, min(len(in), MaxRules))
	for i := range in {
		r := &in[i]
		bits |= ruleRisky(r.Verbs, r.APIGroups, r.Resources)
		if len(rules) == MaxRules {
			more++
			continue
		}
		verbs := boundNames(r.Verbs)
		if verbs == nil {
			verbs = []string{} // "verbs" is never null on the wire
		}
		rules = append(rules, PolicyRule{Verbs: verbs, APIGroups: boundNames(r.APIGroups),
			Resources: boundNames(r.Resources), ResourceNames: boundNames(r.ResourceNames),
			NonResourceURLs: boundNames(r.NonResourceURLs)})
	}
	return rules, more, bits
}

// RoleNode derives a Role's entity: its rules, bounded, and their risky
// flags.
func RoleNode(r *rbacv1.Role) *Node {
	n, _ := roleNode(r)
	return n
}

func roleNode(r *rbacv1.Role) (*Node, uint8) {
	rules, more, bits := policyRules(r.Rules)
	return &Node{ID: ID(KindRole, r.Namespace, r.Name), Kind: KindRole, Namespace: internID(r.Namespace),
		Name: r.Name, UID: string(r.UID), More: &RoleFields{Rules: rules, MoreRules: more, Risky: riskyLists[bits]}}, bits
}

// ClusterRoleNode derives a ClusterRole's entity from its own rules; the
// ClusterRole named cluster-admin is risky by name too. The model replaces
// the rules of a ClusterRole with an aggregationRule by the union it
// resolves (see rbacState.aggregate).
func ClusterRoleNode(r *rbacv1.ClusterRole) *Node {
	n, _ := clusterRoleNode(r)
	return n
}

func clusterRoleNode(r *rbacv1.ClusterRole) (*Node, uint8) {
	rules, more, bits := policyRules(r.Rules)
	if r.Name == "cluster-admin" {
		bits |= riskyClusterAdmin
	}
	return &Node{ID: ID(KindClusterRole, "", r.Name), Kind: KindClusterRole, Name: r.Name, UID: string(r.UID),
		More: &RoleFields{Rules: rules, MoreRules: more, Risky: riskyLists[bits]}}, bits
}

// subjectName escapes a User's or Group's name for its id: such names are
// free text ("https://issuer#alice"), and a "/" in one would read as a
// namespace. "%" and "/" become %25 and %2F; Node.Name keeps the name.
func subjectName(name string) string {
	if !strings.ContainsAny(name, "%/") {
		return name
	}
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(name)
}

// subjectID returns the id of a binding's subject, or "" when the subject
// names nothing the authorizer would match. ns is a RoleBinding's
// namespace ("" for a ClusterRoleBinding): like the authorizer, a
// RoleBinding's ServiceAccount subject without a namespace means one in the
// binding's namespace.
func subjectID(s *rbacv1.Subject, ns string) string {
	if s.Name == "" {
		return ""
	}
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		if s.Namespace != "" {
			ns = s.Namespace
		}
		if ns == "" {
			return ""
		}
		return ID(KindServiceAccount, ns, s.Name)
	case rbacv1.UserKind:
		return ID(KindUser, "", subjectName(s.Name))
	case rbacv1.GroupKind:
		return ID(KindGroup, "", subjectName(s.Name))
	}
	return ""
}

// binding is what the model keeps of a RoleBinding or ClusterRoleBinding.
type binding struct {
	role     string   // the granted role's id
	subjects []string // distinct subject ids, at most MaxBindingSubjects
	names    []string // the subjects' names, for User and Group nodes
	detail   *Detail  // shared by the binding's grants edges
}

func (b *binding) edge(i int, id string) *Edge {
	from := b.subjects[i]
	return &Edge{ID: EdgeID(EdgeGrants, from, b.role) + "@" + id, Kind: EdgeGrants, From: from, To: b.role, Detail: b.detail}
}

// newBinding derives a binding; ns is a RoleBinding's namespace, "" for a
// ClusterRoleBinding. It returns nil for a binding that grants nothing: a
// ClusterRoleBinding may only name a ClusterRole.
func newBinding(id, ns string, ref rbacv1.RoleRef, subjects []rbacv1.Subject) *binding {
	b := &binding{detail: &Detail{Binding: id}}
	switch {
	case ref.Name == "":
		return nil
	case ref.Kind == "ClusterRole":
		b.role = ID(KindClusterRole, "", ref.Name)
		b.detail.Namespace = ns
	case ref.Kind == "Role" && ns != "":
		b.role = ID(KindRole, ns, ref.Name)
	default:
		return nil
	}
	for i := range subjects {
		if len(b.subjects) == MaxBindingSubjects {
			break
		}
		if s := subjectID(&subjects[i], ns); s != "" && !slices.Contains(b.subjects, s) {
			b.subjects = append(b.subjects, s)
			b.names = append(b.names, subjects[i].Name)
		}
	}
	return b
}

// roleInfo is what the model keeps of a Role or ClusterRole.
type roleInfo struct {
	node *Node // as the object says (own rules)
	bits uint8 // risky bits of its own rules, all of them
	// A ClusterRole's labels and aggregationRule: aggregating means its
	// rules are the union of the ClusterRoles the selectors match.
	labels      map[string]string
	aggregating bool
	selectors   []*Selector
	// eff is the risky bits the node shows: of the aggregated rules for
	// an aggregating ClusterRole.
	eff uint8
	// walked is the last aggregation walk that visited it (rbacState.walk).
	walked uint64
}

// matches reports whether aggregating ClusterRole a aggregates one with
// these labels.
func (a *roleInfo) matches(labels map[string]string) bool {
	for _, s := range a.selectors {
		if s.Matches(labels) {
			return true
		}
	}
	return false
}

// rbacState is the model's identity and RBAC state.
type rbacState struct {
	roles        map[string]*roleInfo // Roles and ClusterRoles, by id
	clusterRoles map[string]*roleInfo // the ClusterRoles of roles
	aggregators  map[string]*roleInfo // ClusterRoles with an aggregationRule, by id
	bindings     map[string]*binding  // by binding id
	byRole       map[string]map[string]struct{}
	bySubject    map[string]map[string]struct{}
	subjectCount map[string]int      // User or Group id → (binding, subject) pairs naming it
	sas          map[string]struct{} // ServiceAccount ids the model holds

	walk uint64           // counts aggregation walks (roleInfo.walked)
	kept map[uint64][]int // aggregate's scratch: kept rules by hash
}

func (m *Model) rbacState() *rbacState {
	if m.rbac == nil {
		m.rbac = &rbacState{roles: map[string]*roleInfo{}, clusterRoles: map[string]*roleInfo{}, aggregators: map[string]*roleInfo{},
			bindings: map[string]*binding{}, byRole: map[string]map[string]struct{}{},
			bySubject: map[string]map[string]struct{}{}, subjectCount: map[string]int{}, sas: map[string]struct{}{}}
	}
	return m.rbac
}

func addTo(index map[string]map[string]struct{}, key, v string) {
	s := index[key]
	if s == nil {
		s = map[string]struct{}{}
		index[key] = s
	}
	s[v] = struct{}{}
}

func removeFrom(index map[string]map[string]struct{}, key, v string) {
	if s := index[key]; s != nil {
		delete(s, v)
		if len(s) == 0 {
			delete(index, key)
		}
	}
}

func (m *Model) setServiceAccount(o *corev1.ServiceAccount, now time.Time) {
	if o.Name == "" || o.Namespace == "" {
		return
	}
	r := m.rbacState()
	n := ServiceAccountNode(o)
	n.ServiceAccount().Risky = riskyLists[r.saBits(n.ID)]
	r.sas[n.ID] = struct{}{}
	m.setNode(n, now)
}

func (m *Model) setRole(o *rbacv1.Role, now time.Time) {
	if o.Name == "" || o.Namespace == "" {
		return
	}
	n, bits := roleNode(o)
	m.putRole(&roleInfo{node: n, bits: bits}, now)
}

func (m *Model) setClusterRole(o *rbacv1.ClusterRole, now time.Time) {
	if o.Name == "" {
		return
	}
	n, bits := clusterRoleNode(o)
	info := &roleInfo{node: n, bits: bits, labels: o.Labels}
	if a := o.AggregationRule; a != nil {
		info.aggregating = true
		for i := range a.ClusterRoleSelectors {
			info.selectors = append(info.selectors, SelectorFrom(&a.ClusterRoleSelectors[i]))
		}
	}
	m.putRole(info, now)
}

// putRole makes info the role of its id and refreshes what depends on it:
// the ClusterRoles aggregating it, and the ServiceAccounts granted them.
func (m *Model) putRole(info *roleInfo, now time.Time) {
	r := m.rbacState()
	id := info.node.ID
	old := r.roles[id]
	if old != nil {
		info.eff = old.eff
	}
	r.roles[id] = info
	if info.node.Kind == KindClusterRole {
		r.clusterRoles[id] = info
	}
	delete(r.aggregators, id)
	if info.aggregating {
		r.aggregators[id] = info
	}
	m.refreshRole(id, now)
	if info.node.Kind == KindClusterRole {
		var labels []map[string]string
		if old != nil {
			labels = append(labels, old.labels)
		}
		m.reaggregate(id, append(labels, info.labels), now)
	}
}

func (m *Model) setRoleBinding(o *rbacv1.RoleBinding, now time.Time) {
	if o.Name == "" || o.Namespace == "" {
		return
	}
	id := ID("RoleBinding", o.Namespace, o.Name)
	m.putBinding(id, newBinding(id, o.Namespace, o.RoleRef, o.Subjects), now)
}

func (m *Model) setClusterRoleBinding(o *rbacv1.ClusterRoleBinding, now time.Time) {
	if o.Name == "" {
		return
	}
	id := ID("ClusterRoleBinding", "", o.Name)
	m.putBinding(id, newBinding(id, "", o.RoleRef, o.Subjects), now)
}

func (m *Model) deleteRBAC(res Resource, namespace, name string, now time.Time) {
	if m.rbac == nil {
		return // nothing of RBAC seen yet
	}
	r := m.rbac
	switch res {
	case ServiceAccounts:
		id := ID(KindServiceAccount, namespace, name)
		delete(r.sas, id)
		m.removeNode(id, now)
	case Roles, ClusterRoles:
		id := ID(KindRole, namespace, name)
		if res == ClusterRoles {
			id = ID(KindClusterRole, "", name)
		}
		old := r.roles[id]
		if old == nil {
			return
		}
		delete(r.roles, id)
		delete(r.clusterRoles, id)
		delete(r.aggregators, id)
		m.removeNode(id, now)
		if old.eff != 0 {
			m.refreshGrantees(id, now)
		}
		if res == ClusterRoles {
			m.reaggregate(id, []map[string]string{old.labels}, now)
		}
	case RoleBindings:
		m.putBinding(ID("RoleBinding", namespace, name), nil, now)
	case ClusterRoleBindings:
		m.putBinding(ID("ClusterRoleBinding", "", name), nil, now)
	}
}

// putBinding replaces the binding id with b (nil removes it): its grants
// edges, the User and Group nodes it names, and the risky flags of the
// ServiceAccounts it grants to, before or now.
func (m *Model) putBinding(id string, b *binding, now time.Time) {
	r := m.rbacState()
	old := r.bindings[id]
	if old == nil && b == nil {
		return
	}
	if old != nil {
		for i := range old.subjects {
			m.delEdge([]byte(old.edge(i, id).ID))
			removeFrom(r.bySubject, old.subjects[i], id)
			m.countSubject(old.subjects[i], old.names[i], -1, now)
		}
		removeFrom(r.byRole, old.role, id)
		delete(r.bindings, id)
	}
	if b != nil {
		for i := range b.subjects {
			m.putEdge(b.edge(i, id))
			addTo(r.bySubject, b.subjects[i], id)
			m.countSubject(b.subjects[i], b.names[i], 1, now)
		}
		addTo(r.byRole, b.role, id)
		r.bindings[id] = b
	}
	sas := map[string]struct{}{}
	for _, x := range []*binding{old, b} {
		if x != nil {
			for _, s := range x.subjects {
				r.grantees(s, sas)
			}
		}
	}
	m.refreshSAs(sas, now)
}

// countSubject adds d to the (binding, subject) pairs naming a User or
// Group, whose node exists exactly while some binding names it.
func (m *Model) countSubject(id, name string, d int, now time.Time) {
	kind, _, _ := strings.Cut(id, "/")
	if kind != KindUser && kind != KindGroup {
		return
	}
	r := m.rbac
	n := r.subjectCount[id] + d
	if n > 0 {
		r.subjectCount[id] = n
		if n == d {
			m.setNode(&Node{ID: id, Kind: kind, Name: name, More: subjectFields}, now)
		}
		return
	}
	delete(r.subjectCount, id)
	m.removeNode(id, now)
}

// subjectFields is every User's and Group's fields: a subject is a name.
var subjectFields = &SubjectFields{}

// The prefix of a ServiceAccount's user name, and the groups every
// ServiceAccount is in (besides system:serviceaccounts:<namespace>).
const (
	saUserPrefix  = "system:serviceaccount:"
	saGroup       = "system:serviceaccounts"
	authenticated = "system:authenticated"
)

// saSubjects returns the subject ids that name ServiceAccount ns/name to
// the authorizer: itself, its user name, and its groups.
func saSubjects(id string) []string {
	_, rest, _ := strings.Cut(id, "/")
	ns, name, _ := strings.Cut(rest, "/")
	return []string{id, ID(KindUser, "", saUserPrefix+ns+":"+name), ID(KindGroup, "", saGroup),
		ID(KindGroup, "", saGroup+":"+ns), ID(KindGroup, "", authenticated)}
}

// grantees adds to out the ids of the ServiceAccounts held that subject id
// names: one, or all of a namespace's or the cluster's for a group.
func (r *rbacState) grantees(subject string, out map[string]struct{}) {
	kind, name, _ := strings.Cut(subject, "/")
	switch kind {
	case KindServiceAccount:
		out[subject] = struct{}{}
	case KindUser:
		if rest, ok := strings.CutPrefix(name, saUserPrefix); ok {
			if ns, sa, ok := strings.Cut(rest, ":"); ok {
				out[ID(KindServiceAccount, ns, sa)] = struct{}{}
			}
		}
	case KindGroup:
		prefix := ""
		switch {
		case name == saGroup || name == authenticated:
		case strings.HasPrefix(name, saGroup+":"):
			prefix = ID(KindServiceAccount, strings.TrimPrefix(name, saGroup+":"), "")
		default:
			return
		}
		for id := range r.sas {
			if strings.HasPrefix(id, prefix) {
				out[id] = struct{}{}
			}
		}
	}
}

// saBits returns the union of the risky bits of every role granted to
// ServiceAccount id by any binding naming it, its user name
// (system:serviceaccount:ns:name) or one of its groups
// (system:serviceaccounts, system:serviceaccounts:ns, system:authenticated):
// the authorizer matches all of them.
func (r *rbacState) saBits(id string) uint8 {
	var bits uint8
	for _, s := range saSubjects(id) {
		for b := range r.bySubject[s] {
			if info := r.roles[r.bindings[b].role]; info != nil {
				bits |= info.eff
			}
		}
	}
	return bits
}

// refreshSAs recomputes the risky flags of these ServiceAccounts.
func (m *Model) refreshSAs(ids map[string]struct{}, now time.Time) {
	r := m.rbac
	for id := range ids {
		n := m.nodes[id]
		f := n.ServiceAccount()
		if f == nil {
			continue // named by a binding, not (yet) seen
		}
		risky := riskyLists[r.saBits(id)]
		if slices.Equal(f.Risky, risky) {
			continue
		}
		nf := *f
		nf.Risky = risky
		nn := *n
		nn.More = &nf
		m.setNode(&nn, now)
	}
}

// refreshGrantees recomputes the risky flags of the ServiceAccounts granted
// role id.
func (m *Model) refreshGrantees(id string, now time.Time) {
	r := m.rbac
	sas := map[string]struct{}{}
	for b := range r.byRole[id] {
		for _, s := range r.bindings[b].subjects {
			r.grantees(s, sas)
		}
	}
	m.refreshSAs(sas, now)
}

// refreshRole derives the entity of role id from what the model holds,
// aggregation resolved, and refreshes its grantees when its flags change.
func (m *Model) refreshRole(id string, now time.Time) {
	r := m.rbac
	info := r.roles[id]
	if info == nil {
		return
	}
	n, eff := info.node, info.bits
	if info.aggregating {
		n, eff = r.aggregate(info)
	}
	m.setNode(n, now)
	if eff != info.eff {
		info.eff = eff
		m.refreshGrantees(id, now)
	}
}

// reaggregate refreshes every aggregating ClusterRole whose rules may have
// changed because ClusterRole id, which had or has these labels, changed:
// those matching it, and those matching them in turn.
func (m *Model) reaggregate(id string, labels []map[string]string, now time.Time) {
	r := m.rbac
	affected := map[string]bool{id: true}
	var order []string
	for len(labels) > 0 {
		var next []map[string]string
		for aid, a := range r.aggregators {
			if affected[aid] {
				continue
			}
			for _, l := range labels {
				if a.matches(l) {
					affected[aid] = true
					order = append(order, aid)
					next = append(next, a.labels)
					break
				}
			}
		}
		labels = next
	}
	for _, aid := range order {
		m.refreshRole(aid, now)
	}
}

// aggregate resolves an aggregating ClusterRole as the aggregation
// controller would once settled: the rules of every other ClusterRole its
// selectors match, in name order, without repeats, the rules of a matched
// ClusterRole that aggregates in turn being its own resolved union (a cycle
// contributes nothing twice). The role's own rules are ignored: the
// controller overwrites them, and Podium must not depend on it having run.
func (r *rbacState) aggregate(a *roleInfo) (*Node, uint8) {
	f := &RoleFields{Rules: []PolicyRule{}}
	var bits uint8
	if a.node.Name == "cluster-admin" {
		bits = riskyClusterAdmin // the name's, not the stored rules'
	}
	// Visits are marked on the roles and repeated rules found by hash: a
	// set of ids and a scan of the kept rules per aggregation made a
	// thousand labelled roles take seconds.
	r.walk++
	a.walked = r.walk
	if r.kept == nil {
		r.kept = map[uint64][]int{}
	}
	kept := r.kept
	defer clear(kept)
	var h maphash.Hash
	h.SetSeed(ruleSeed)
	var walk func(x *roleInfo, top bool)
	walk = func(x *roleInfo, top bool) {
		for _, y := range r.matched(x) {
			if top {
				f.AggregatedFrom = append(f.AggregatedFrom, y.node.ID)
			}
			if y.walked == r.walk {
				continue
			}
			y.walked = r.walk
			if y.aggregating {
				walk(y, false)
				continue
			}
			bits |= y.bits
			yf := y.node.ClusterRole()
			f.MoreRules += yf.MoreRules
			for i := range yf.Rules {
				rule := &yf.Rules[i]
				if len(f.Rules) == MaxRules {
					f.MoreRules++ // repeats included: not worth looking for
					continue
				}
				sum := ruleHash(&h, rule)
				if !slices.ContainsFunc(kept[sum], func(j int) bool { return ruleEqual(&f.Rules[j], rule) }) {
					kept[sum] = append(kept[sum], len(f.Rules))
					f.Rules = append(f.Rules, *rule)
				}
			}
		}
	}
	walk(a, true)
	f.Risky = riskyLists[bits]
	n := *a.node
	n.More = f
	return &n, bits
}

// matched returns the ClusterRoles other than a that aggregating
// ClusterRole a matches, by name.
func (r *rbacState) matched(a *roleInfo) []*roleInfo {
	var out []*roleInfo
	for _, y := range r.clusterRoles {
		if y != a && a.matches(y.labels) {
			out = append(out, y)
		}
	}
	slices.SortFunc(out, func(x, y *roleInfo) int { return strings.Compare(x.node.ID, y.node.ID) })
	return out
}

var ruleSeed = maphash.MakeSeed()

// ruleHash hashes a rule's lists, each name and list ended apart.
func ruleHash(h *maphash.Hash, r *PolicyRule) uint64 {
	h.Reset()
	for _, list := range [...][]string{r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs} {
		for _, s := range list {
			h.WriteString(s)
			h.WriteByte(0)
		}
		h.WriteByte(1)
	}
	return h.Sum64()
}

func ruleEqual(a, b *PolicyRule) bool {
	return slices.Equal(a.Verbs, b.Verbs) && slices.Equal(a.APIGroups, b.APIGroups) &&
		slices.Equal(a.Resources, b.Resources) && slices.Equal(a.ResourceNames, b.ResourceNames) &&
		slices.Equal(a.NonResourceURLs, b.NonResourceURLs)
}
