// Package graph is Podium's model of a cluster: compact entities, the edges
// derived between them, and a change log ordered by sequence number.
//
// It is pure: it takes API types but has no client and does no I/O, so every
// derivation is a table-testable function. The JSON encoding of these types
// is wire protocol v1 (docs/protocol.md); keep the names exactly as they are.
package graph

import "time"

// Kind names an entity kind, as in the protocol's "kind" field.
type Kind = string

// Entity kinds.
const (
	KindIngress     Kind = "Ingress"
	KindService     Kind = "Service"
	KindDeployment  Kind = "Deployment"
	KindReplicaSet  Kind = "ReplicaSet"
	KindStatefulSet Kind = "StatefulSet"
	KindDaemonSet   Kind = "DaemonSet"
	KindPod         Kind = "Pod"
	KindNode        Kind = "Node"

	// Wave 2 (DESIGN.md "Protocol v1 additions").
	KindJob          Kind = "Job"
	KindCronJob      Kind = "CronJob"
	KindHPA          Kind = "HorizontalPodAutoscaler"
	KindPVC          Kind = "PersistentVolumeClaim"
	KindPV           Kind = "PersistentVolume"
	KindStorageClass Kind = "StorageClass"
	// ConfigMaps and Secrets are reference-only: a node exists because a
	// pod references the name. Podium never reads these objects.
	KindConfigMap Kind = "ConfigMap"
	KindSecret    Kind = "Secret"

	// Wave 2, identity and policy (issue #13).
	KindServiceAccount Kind = "ServiceAccount"
	KindRole           Kind = "Role"
	KindClusterRole    Kind = "ClusterRole"
	// A binding's User or Group subject, drawn once however many bindings
	// name it: cluster-scoped ids "User/name", "Group/name". It exists
	// while a binding names it.
	KindUser          Kind = "User"
	KindGroup         Kind = "Group"
	KindNetworkPolicy Kind = "NetworkPolicy"
	KindNamespace     Kind = "Namespace" // cluster-scoped: "Namespace/name"
	KindPDB           Kind = "PodDisruptionBudget"
)

// Edge kinds.
const (
	EdgeRoutes  = "routes"
	EdgeSelects = "selects"
	EdgeOwns    = "owns"
	EdgeRunsOn  = "runs-on"
	EdgeMounts  = "mounts" // Pod → ConfigMap | Secret | PersistentVolumeClaim
	EdgeBound   = "bound"  // PersistentVolumeClaim → PersistentVolume
	EdgeScales  = "scales" // HorizontalPodAutoscaler → Deployment | StatefulSet

	EdgeRunsAs = "runs-as" // Pod → ServiceAccount (the default one included)
	// ServiceAccount | User | Group → Role | ClusterRole, one per binding:
	// its id is EdgeID's followed by "@" and the binding's id, because
	// several bindings may grant one role to one subject.
	EdgeGrants   = "grants"
	EdgeIsolates = "isolates" // NetworkPolicy → Pod it selects
)

// Risky flags of a Role or ClusterRole (and, merged, of a ServiceAccount
// granted one), in this order.
const (
	RiskyWildcard     = "wildcard"      // "*" in verbs, resources or apiGroups
	RiskySecrets      = "secrets"       // get, list or watch on secrets
	RiskyExec         = "exec"          // create on pods/exec or pods/attach
	RiskyEscalate     = "escalate"      // the escalate verb
	RiskyBind         = "bind"          // the bind verb
	RiskyImpersonate  = "impersonate"   // the impersonate verb
	RiskyClusterAdmin = "cluster-admin" // every verb on every resource, or the cluster-admin ClusterRole
)

// How a mounts edge references its object ("as"). A pod that references one
// object in several ways has one edge whose as joins them with "," in this
// order.
const (
	MountVolume    = "volume"
	MountProjected = "projected"
	MountEnv       = "env"
	MountEnvFrom   = "envFrom"
)

// Job states.
const (
	JobRunning   = "running"
	JobComplete  = "complete"
	JobFailed    = "failed"
	JobSuspended = "suspended"
)

// Endpoint states of a selects edge.
const (
	EndpointReady       = "ready"
	EndpointServing     = "serving"
	EndpointTerminating = "terminating"
	EndpointNone        = "none"
)

// Node is one entity of the picture. Exactly one of the kind pointers is set,
// the one named after Kind (the kinds table in kinds.go knows them all); JSON
// flattens it into the object (see json.go), because kinds share field names
// with different types (Pod "ready" is a bool, Deployment "ready" a count).
//
// A *Node held by the model or the log is immutable: a change makes a new one,
// so the model, the log and encoders can share pointers without copying.
type Node struct {
	ID        string
	Kind      Kind
	Namespace string
	Name      string
	UID       string

	Pod                     *PodFields
	Deployment              *DeploymentFields
	ReplicaSet              *ReplicaSetFields
	StatefulSet             *SetFields
	DaemonSet               *SetFields
	Service                 *ServiceFields
	Ingress                 *IngressFields
	Node                    *NodeFields
	Job                     *JobFields
	CronJob                 *CronJobFields
	HorizontalPodAutoscaler *HPAFields
	PersistentVolumeClaim   *PVCFields
	PersistentVolume        *PVFields
	StorageClass            *StorageClassFields
	ConfigMap               *RefFields
	Secret                  *RefFields

	// More holds the fields of the kinds added by issue #13 (read them with
	// the accessors below: n.ServiceAccount(), …). One interface instead of
	// a pointer per kind keeps every Node, each pod's included, in its
	// allocation size class: eight more pointers cost 80 B per pod.
	More any

	// Warnings are the recent Warning Events about this object, newest
	// first, at most MaxWarnings; any kind may carry them ("warnings").
	Warnings []Warning
}

// moreFields returns n.More as an F when n is of kind k.
func moreFields[F any](n *Node, k Kind) *F {
	if n == nil || n.Kind != k {
		return nil
	}
	f, _ := n.More.(*F)
	return f
}

// ServiceAccount returns a ServiceAccount's fields, or nil for other kinds.
func (n *Node) ServiceAccount() *ServiceAccountFields {
	return moreFields[ServiceAccountFields](n, KindServiceAccount)
}

// Role returns a Role's fields, or nil for other kinds.
func (n *Node) Role() *RoleFields { return moreFields[RoleFields](n, KindRole) }

// ClusterRole returns a ClusterRole's fields, or nil for other kinds.
func (n *Node) ClusterRole() *RoleFields { return moreFields[RoleFields](n, KindClusterRole) }

// User returns a User subject's fields, or nil for other kinds.
func (n *Node) User() *SubjectFields { return moreFields[SubjectFields](n, KindUser) }

// Group returns a Group subject's fields, or nil for other kinds.
func (n *Node) Group() *SubjectFields { return moreFields[SubjectFields](n, KindGroup) }

// NetworkPolicy returns a NetworkPolicy's fields, or nil for other kinds.
func (n *Node) NetworkPolicy() *NetworkPolicyFields {
	return moreFields[NetworkPolicyFields](n, KindNetworkPolicy)
}

// NamespaceInfo returns a Namespace's fields, or nil for other kinds
// (n.Namespace is the namespace of every namespaced entity).
func (n *Node) NamespaceInfo() *NamespaceFields { return moreFields[NamespaceFields](n, KindNamespace) }

// PodDisruptionBudget returns a PodDisruptionBudget's fields, or nil for
// other kinds.
func (n *Node) PodDisruptionBudget() *PDBFields { return moreFields[PDBFields](n, KindPDB) }

// MaxWarnings bounds the warnings kept per object.
const MaxWarnings = 5

// Warning is one Warning Event (or a series of them, by reason) about an
// object.
type Warning struct {
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Count   int       `json:"count"`
	Last    time.Time `json:"last"`
}

// Container is one container of a pod, as the pod anatomy draws it.
type Container struct {
	Name     string          `json:"name"`
	Image    string          `json:"image"`
	State    string          `json:"state"`            // waiting | running | terminated
	Reason   string          `json:"reason,omitempty"` // waiting or terminated reason
	ExitCode *int            `json:"exitCode,omitempty"`
	Ready    bool            `json:"ready,omitempty"`    // omitted when false: the wire budget of a pod change
	Restarts int             `json:"restarts,omitempty"` // omitted when 0
	Ports    []ContainerPort `json:"ports,omitempty"`
	// Sidecar marks an init container with restartPolicy Always: it keeps
	// running beside the app containers.
	Sidecar bool `json:"sidecar,omitempty"`
}

// ContainerPort is one declared port of a container.
type ContainerPort struct {
	Name     string `json:"name,omitempty"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol,omitempty"` // omitted for TCP
	HostPort int    `json:"hostPort,omitempty"`
}

// PodFields are a Pod's drawn fields.
type PodFields struct {
	Status string `json:"status"` // kubectl's STATUS column
	Ready  bool   `json:"ready"`  // every container ready
	// HostNetwork sits beside Ready (and the More counts are int32) only so
	// that PodFields fits a smaller allocation: 240 bytes, not 256.
	HostNetwork bool `json:"hostNetwork,omitempty"`
	// What a drain needs to know of a pod (cluster.go), in the padding
	// after the bools, so free: the eviction API evicted it (its condition
	// DisruptionTarget says EvictionByEvictionAPI), and it is the mirror
	// of a static pod, which no drain evicts.
	Evicted         bool              `json:"evicted,omitempty"`
	Mirror          bool              `json:"mirror,omitempty"`
	ReadyContainers int               `json:"readyContainers"`
	Restarts        int               `json:"restarts"`
	Node            string            `json:"node"`  // Node id, or ""
	Owner           string            `json:"owner"` // owner id, or ""
	Images          []string          `json:"images"`
	IP              string            `json:"ip,omitempty"`
	Labels          map[string]string `json:"labels,omitempty"`
	Created         time.Time         `json:"created,omitzero"`
	// The app containers (their count is len(Containers); wave 1's integer
	// "containers" count became this list, as DESIGN.md pins the name) and
	// the init containers in order, sidecars included.
	// Each list keeps at most MaxContainers; MoreContainers and
	// MoreInitContainers count the ones left off, so a count is always
	// len(list) + more.
	Containers         []Container `json:"containers"`
	InitContainers     []Container `json:"initContainers,omitempty"`
	MoreContainers     int32       `json:"moreContainers,omitempty"`
	MoreInitContainers int32       `json:"moreInitContainers,omitempty"`
	HostIP             string      `json:"hostIP,omitempty"`
	ServiceAccount     string      `json:"serviceAccount,omitempty"`
}

// Strategy is a Deployment's update strategy; the budgets keep the form the
// user wrote ("1" or "25%").
type Strategy struct {
	Type           string `json:"type"`
	MaxSurge       string `json:"maxSurge,omitempty"`
	MaxUnavailable string `json:"maxUnavailable,omitempty"`
}

// DeploymentFields are a Deployment's drawn fields.
type DeploymentFields struct {
	Replicas  int      `json:"replicas"` // desired (spec)
	Updated   int      `json:"updated"`
	Ready     int      `json:"ready"`
	Available int      `json:"available"`
	Revision  int      `json:"revision"`
	Images    []string `json:"images"`
	Strategy  Strategy `json:"strategy"`
	Rollout   string   `json:"rollout"` // progressing | complete | stalled
}

// ReplicaSetFields are a ReplicaSet's drawn fields.
type ReplicaSetFields struct {
	Owner    string   `json:"owner"`
	Revision int      `json:"revision"`
	Replicas int      `json:"replicas"` // desired (spec)
	Current  int      `json:"current"`  // status.replicas
	Ready    int      `json:"ready"`
	Images   []string `json:"images"`
}

// SetFields are a StatefulSet's or DaemonSet's drawn fields.
type SetFields struct {
	Replicas int      `json:"replicas"`
	Ready    int      `json:"ready"`
	Images   []string `json:"images,omitempty"`
	// ClaimTemplates are a StatefulSet's volumeClaimTemplates names: ordinal
	// i of set s uses the claim "<template>-<s>-<i>".
	ClaimTemplates []string `json:"claimTemplates,omitempty"`
	// Owner is the id of a custom controller owner (customowner.go), or "".
	Owner string `json:"owner,omitempty"`
}

// ServicePort is one port of a Service.
type ServicePort struct {
	Name       string `json:"name,omitempty"`
	Port       int    `json:"port"`
	TargetPort string `json:"targetPort"`
	NodePort   int    `json:"nodePort,omitempty"`
	Protocol   string `json:"protocol"`
}

// ServiceFields are a Service's drawn fields.
type ServiceFields struct {
	Type      string            `json:"type"`
	ClusterIP string            `json:"clusterIP"`
	Ports     []ServicePort     `json:"ports"`
	Selector  map[string]string `json:"selector"`
	// LoadBalancer lists the external IPs or hostnames of a LoadBalancer
	// Service; absent while none is assigned ("pending").
	LoadBalancer []string `json:"loadBalancer,omitempty"`
}

// IngressRule is one host + path → service:port route. The default backend
// is a rule with Default set and no host or path.
type IngressRule struct {
	Host    string `json:"host"`
	Path    string `json:"path"`
	Service string `json:"service"` // Service name, in the Ingress's namespace
	Port    string `json:"port"`    // number or name
	Default bool   `json:"default,omitempty"`
}

// IngressFields are an Ingress's drawn fields.
type IngressFields struct {
	Class string        `json:"class"`
	Rules []IngressRule `json:"rules"`
}

// NodeFields are a Kubernetes Node's drawn fields.
type NodeFields struct {
	Ready         bool     `json:"ready"`
	Roles         []string `json:"roles"`
	InternalIP    string   `json:"internalIP"`
	Unschedulable bool     `json:"unschedulable"` // cordoned
	// Capacity and Allocatable hold cpu, memory, pods and
	// ephemeral-storage as the API writes them ("4", "16Gi", "110").
	Capacity    map[string]string `json:"capacity,omitempty"`
	Allocatable map[string]string `json:"allocatable,omitempty"`
	// Conditions: Ready, MemoryPressure, DiskPressure, PIDPressure,
	// NetworkUnavailable when present, in that order.
	Conditions []Condition `json:"conditions,omitempty"`
	Taints     []Taint     `json:"taints,omitempty"` // at most MaxTaints
	// Zone and Pool (issue #15) group the Node column: the zone label and
	// the first node-pool label present (ZoneLabels, PoolLabels); Labels
	// are the Node's labels, at most MaxNodeLabels, for a viewer who groups
	// by a label of their own.
	Zone   string            `json:"zone,omitempty"`
	Pool   string            `json:"pool,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Bounds on what one Namespace or Node entity carries, against hostile
// input: the entries past a bound are left out (the last in their order).
const (
	MaxQuotas      = 64 // quota entries of a Namespace
	MaxLimitRanges = 64 // limit range entries of a Namespace
	MaxTaints      = 32 // taints of a Node
)

// Taint is one taint of a Node.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

// JobFields are a Job's drawn fields.
type JobFields struct {
	Completions *int      `json:"completions"` // null: no completion count (a work queue)
	Parallelism int       `json:"parallelism"`
	Active      int       `json:"active"`
	Succeeded   int       `json:"succeeded"`
	Failed      int       `json:"failed"`
	State       string    `json:"state"`            // running | complete | failed | suspended
	Reason      string    `json:"reason,omitempty"` // why it failed
	Owner       string    `json:"owner"`            // CronJob id, or ""
	Images      []string  `json:"images"`
	Started     time.Time `json:"started,omitzero"`
	Finished    time.Time `json:"finished,omitzero"`
}

// CronJobFields are a CronJob's drawn fields.
type CronJobFields struct {
	Schedule     string    `json:"schedule"`
	Suspend      bool      `json:"suspend"`
	LastSchedule time.Time `json:"lastSchedule,omitzero"`
	Active       int       `json:"active"` // running Jobs
	Images       []string  `json:"images"`
}

// Metric is one HPA metric: its name and current and target values as
// kubectl prints them ("cpu", "42%", "50%").
type Metric struct {
	Name    string `json:"name"`
	Current string `json:"current"` // "" while unknown
	Target  string `json:"target"`
}

// Condition is one status condition of an object.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// HPAFields are a HorizontalPodAutoscaler's drawn fields.
type HPAFields struct {
	Target     string      `json:"target"` // Deployment or StatefulSet id
	Min        int         `json:"min"`
	Max        int         `json:"max"`
	Current    int         `json:"current"`
	Desired    int         `json:"desired"`
	Metrics    []Metric    `json:"metrics"`
	Conditions []Condition `json:"conditions"`
}

// PVCFields are a PersistentVolumeClaim's drawn fields.
type PVCFields struct {
	Phase        string   `json:"phase"`
	Capacity     string   `json:"capacity"` // bound capacity, else the request
	StorageClass string   `json:"storageClass"`
	AccessModes  []string `json:"accessModes"`
	Volume       string   `json:"volume,omitempty"` // PersistentVolume id once bound
}

// PVFields are a PersistentVolume's drawn fields.
type PVFields struct {
	Phase         string `json:"phase"`
	Capacity      string `json:"capacity"`
	StorageClass  string `json:"storageClass"`
	ReclaimPolicy string `json:"reclaimPolicy"`
	Claim         string `json:"claim,omitempty"` // PersistentVolumeClaim id
}

// StorageClassFields are a StorageClass's drawn fields.
type StorageClassFields struct {
	Provisioner   string `json:"provisioner"`
	ReclaimPolicy string `json:"reclaimPolicy,omitempty"`
	BindingMode   string `json:"bindingMode,omitempty"`
	Default       bool   `json:"default,omitempty"`
}

// RefFields are a reference-only node's fields (ConfigMap, Secret): it
// exists because something references the name, never from the object.
type RefFields struct {
	Referenced bool `json:"referenced"` // always true
}

// ServiceAccountFields are a ServiceAccount's drawn fields. Podium reads
// the ServiceAccount object only: Secrets are names, never read.
type ServiceAccountFields struct {
	Automount *bool `json:"automount"` // null: unset (the token is mounted)
	// At most MaxRuleNames names each.
	Secrets          []string `json:"secrets,omitempty"`
	ImagePullSecrets []string `json:"imagePullSecrets,omitempty"`
	// Risky merges the risky flags of every role granted to it, so "who
	// can read Secrets here?" is one glance.
	Risky []string `json:"risky,omitempty"`
}

// PolicyRule is one rule of a Role or ClusterRole.
type PolicyRule struct {
	Verbs           []string `json:"verbs"`
	APIGroups       []string `json:"apiGroups,omitempty"`
	Resources       []string `json:"resources,omitempty"`
	ResourceNames   []string `json:"resourceNames,omitempty"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
}

// RoleFields are a Role's or ClusterRole's drawn fields.
type RoleFields struct {
	// Rules are the effective rules: a ClusterRole with an aggregationRule
	// has the rules of the ClusterRoles its selectors match (resolved by
	// Podium, not only by the controller), in their name order.
	// At most MaxRules rules, each list of a rule at most MaxRuleNames
	// names; MoreRules counts the rules left off. Risky comes from every
	// rule, kept or not.
	Rules     []PolicyRule `json:"rules"`
	MoreRules int          `json:"moreRules,omitempty"`
	// AggregatedFrom names the ClusterRoles aggregated into this one.
	AggregatedFrom []string `json:"aggregatedFrom,omitempty"`
	Risky          []string `json:"risky,omitempty"` // Risky* flags, in their order
}

// SubjectFields are a User's or Group's fields: a subject is only a name.
type SubjectFields struct{}

// Selector is a Kubernetes label selector. A nil *Selector is an absent
// one; a non-nil empty Selector selects everything: NetworkPolicy semantics
// tell the two apart.
type Selector struct {
	MatchLabels      map[string]string     `json:"matchLabels,omitempty"`
	MatchExpressions []SelectorRequirement `json:"matchExpressions,omitempty"`
}

// SelectorRequirement is one match expression (In, NotIn, Exists,
// DoesNotExist).
type SelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// NetworkPolicyPeer is one entry of a rule's from or to. Exactly as the API
// has it: PodSelector alone selects pods in the policy's namespace,
// NamespaceSelector alone every pod of the namespaces it selects, both
// together the pods PodSelector selects in those namespaces.
type NetworkPolicyPeer struct {
	PodSelector       *Selector `json:"podSelector,omitempty"`
	NamespaceSelector *Selector `json:"namespaceSelector,omitempty"`
	IPBlock           *IPBlock  `json:"ipBlock,omitempty"`
}

// IPBlock is a CIDR and the CIDRs carved out of it.
type IPBlock struct {
	CIDR   string   `json:"cidr"`
	Except []string `json:"except,omitempty"`
}

// NetworkPolicyPort is one port of a rule: Port is a number, a name, or ""
// for every port of the protocol; EndPort makes a range.
type NetworkPolicyPort struct {
	Protocol string `json:"protocol"` // TCP when the policy says nothing
	Port     string `json:"port,omitempty"`
	EndPort  int    `json:"endPort,omitempty"`
}

// NetworkPolicyRule is one ingress or egress rule. Empty and absent lists
// mean the same here (every port; every peer), as in the API.
type NetworkPolicyRule struct {
	Ports []NetworkPolicyPort `json:"ports,omitempty"`
	Peers []NetworkPolicyPeer `json:"peers,omitempty"` // the API's from (ingress) or to (egress)
}

// NetworkPolicyFields are a NetworkPolicy's fields: the whole spec, so that
// reachability is a pure function of the graph.
type NetworkPolicyFields struct {
	PodSelector Selector `json:"podSelector"`
	// PolicyTypes are the effective types: as written, else Ingress, and
	// Egress when the policy has egress rules.
	PolicyTypes []string            `json:"policyTypes"`
	Ingress     []NetworkPolicyRule `json:"ingress,omitempty"`
	Egress      []NetworkPolicyRule `json:"egress,omitempty"`
}

// Quota is one resource of one ResourceQuota.
type Quota struct {
	Name     string `json:"name"` // the ResourceQuota's name
	Resource string `json:"resource"`
	Used     string `json:"used"`
	Hard     string `json:"hard"`
}

// LimitRangeItem is one resource limit of one LimitRange.
type LimitRangeItem struct {
	Name           string `json:"name"` // the LimitRange's name
	Type           string `json:"type"` // Container | Pod | PersistentVolumeClaim
	Resource       string `json:"resource"`
	Default        string `json:"default,omitempty"`
	DefaultRequest string `json:"defaultRequest,omitempty"`
	Min            string `json:"min,omitempty"`
	Max            string `json:"max,omitempty"`
}

// NamespaceFields are a Namespace's drawn fields, with its ResourceQuotas
// and LimitRanges folded in.
type NamespaceFields struct {
	Labels map[string]string `json:"labels,omitempty"`
	Phase  string            `json:"phase,omitempty"` // Active | Terminating
	// PodSecurity holds the Pod Security admission labels without their
	// prefix: "enforce": "restricted", "warn-version": "latest", …
	PodSecurity map[string]string `json:"podSecurity,omitempty"`
	Quotas      []Quota           `json:"quotas,omitempty"`      // by quota name, then resource; at most MaxQuotas
	LimitRanges []LimitRangeItem  `json:"limitRanges,omitempty"` // by name, type, resource; at most MaxLimitRanges
}

// PDBFields are a PodDisruptionBudget's drawn fields.
type PDBFields struct {
	MinAvailable       string    `json:"minAvailable,omitempty"`
	MaxUnavailable     string    `json:"maxUnavailable,omitempty"`
	Selector           *Selector `json:"selector"`
	CurrentHealthy     int       `json:"currentHealthy"`
	DesiredHealthy     int       `json:"desiredHealthy"`
	DisruptionsAllowed int       `json:"disruptionsAllowed"`
	ExpectedPods       int       `json:"expectedPods"`
}

// Edge is a derived relation between two entities.
type Edge struct {
	ID    string `json:"id"` // "<kind>:<from>-><to>"
	Kind  string `json:"kind"`
	From  string `json:"from"`
	To    string `json:"to"`
	State string `json:"state,omitempty"` // selects edges only
	// Detail is set on routes and mounts edges only; JSON flattens its
	// fields into the edge. It is a pointer because most edges (selects,
	// owns, runs-on: four of a pod's five) carry none of it: an 88-byte
	// Edge instead of 144, and the replicas of a template share one Detail.
	*Detail
}

// Detail is what a routes or mounts edge says besides its ends. Shared
// between edges: never modify one.
type Detail struct {
	Label string `json:"label,omitempty"` // routes edges: host+path; Gateway → route: the listeners named
	// Mounts edges: how the pod references the object (see MountVolume…),
	// which of its containers do (all of them for a volume no container
	// mounts), and whether the pod's status says the object is missing.
	As         string   `json:"as,omitempty"`
	Containers []string `json:"containers,omitempty"`
	Broken     bool     `json:"broken,omitempty"`
	// Runs-as edges: whether the pod mounts its ServiceAccount's token
	// (the pod's automountServiceAccountToken, else the ServiceAccount's,
	// else true).
	Token bool `json:"token,omitempty"`
	// Grants edges: the binding's id ("RoleBinding/ns/name" or
	// "ClusterRoleBinding/name"), and the namespace a RoleBinding confines
	// a ClusterRole to (absent when the grant is cluster-wide or the role
	// is a Role).
	Binding   string `json:"binding,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// Routes edges of the Gateway API (gateway.go). Gateway → route: the
	// route's acceptance by that Gateway, from the route's status
	// (StatusTrue…). Route → Service: the Service's weight in the route,
	// and its percent share of its rule's traffic (absent when the
	// Service is in several rules).
	Accepted string `json:"accepted,omitempty"`
	Weight   *int   `json:"weight,omitempty"`
	Share    *int   `json:"share,omitempty"`
}

// Happening is a human-readable event derived from a change. Params carries
// the values in Text, so the browser can render it in another language.
type Happening struct {
	Time   time.Time         `json:"time"`
	Kind   string            `json:"kind"` // scaled | rollout | restarted | failed | node | …
	Ref    string            `json:"ref"`
	Text   string            `json:"text"`
	Params map[string]string `json:"params,omitempty"`
}

// Items is a set of nodes and edges.
type Items struct {
	Nodes []*Node `json:"nodes"`
	Edges []*Edge `json:"edges"`
}

// Removals names removed nodes and edges by id.
type Removals struct {
	Nodes []string `json:"nodes"`
	Edges []string `json:"edges"`
}

// Snapshot is the whole graph at Seq, as GET /api/graph and the first /ws
// message carry it.
type Snapshot struct {
	Type  string  `json:"type,omitempty"` // "snapshot" on /ws, absent on /api/graph
	Epoch string  `json:"epoch"`
	Seq   uint64  `json:"seq"`
	Nodes []*Node `json:"nodes"`
	Edges []*Edge `json:"edges"`
	// Happenings are the most recent happenings up to Seq (at most
	// RecentHappenings, oldest first, within the filter), so a page opened
	// mid-rollout shows what led here. An addition to protocol v1.
	Happenings []Happening `json:"happenings,omitempty"`
}

// RecentHappenings is how many happenings a snapshot carries at most.
const RecentHappenings = 40

// Delta is the change from seq From to seq Seq. From is an extra field beyond
// protocol v1's names: with a namespace filter or coalescing, seqs are not
// consecutive, and From lets a client tell a gap from a skip.
type Delta struct {
	Type       string      `json:"type"` // "delta"
	From       uint64      `json:"from"`
	Seq        uint64      `json:"seq"`
	Upsert     Items       `json:"upsert"`
	Remove     Removals    `json:"remove"`
	Happenings []Happening `json:"happenings,omitempty"`
	// Time is when the server first saw the oldest change in this delta
	// (unix milliseconds), for the browser's latency readout.
	Time int64 `json:"time,omitempty"`
}

// Empty reports whether d carries nothing.
func (d *Delta) Empty() bool {
	return len(d.Upsert.Nodes) == 0 && len(d.Upsert.Edges) == 0 &&
		len(d.Remove.Nodes) == 0 && len(d.Remove.Edges) == 0 && len(d.Happenings) == 0
}

// Status is the connection state of the source, sent as a "status" message.
type Status struct {
	Type      string   `json:"type"`      // "status"
	APIServer string   `json:"apiserver"` // connected | reconnecting
	Synced    bool     `json:"synced"`
	Denied    []string `json:"denied"` // resource.group names the credentials may not list
	// Unavailable names the resources (as Denied does) that the API server
	// does not serve at all (404): an API group switched off, or an API
	// server older than the versions Podium reads. Absent when none.
	Unavailable []string `json:"unavailable,omitempty"`
}
