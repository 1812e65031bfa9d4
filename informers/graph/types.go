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

	// Warnings are the recent Warning Events about this object, newest
	// first, at most MaxWarnings; any kind may carry them ("warnings").
	Warnings []Warning
}

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
	HostNetwork     bool              `json:"hostNetwork,omitempty"`
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
	Unschedulable bool     `json:"unschedulable"`
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

// Edge is a derived relation between two entities.
type Edge struct {
	ID    string `json:"id"` // "<kind>:<from>-><to>"
	Kind  string `json:"kind"`
	From  string `json:"from"`
	To    string `json:"to"`
	State string `json:"state,omitempty"` // selects edges only
	Label string `json:"label,omitempty"` // routes edges: host+path
	// Mount is set on mounts edges only; JSON flattens its fields into the
	// edge. It is a pointer because most edges are not mounts edges: a
	// 104-byte Edge instead of 144, on five edges per pod, and the replicas
	// of a template share one Mount.
	*Mount
}

// Mount is what a mounts edge says besides its ends: how the pod references
// the object (see MountVolume…), which of its containers do (all of them
// for a volume no container mounts), and whether the pod's status says the
// object is missing. Shared between edges: never modify one.
type Mount struct {
	As         string   `json:"as,omitempty"`
	Containers []string `json:"containers,omitempty"`
	Broken     bool     `json:"broken,omitempty"`
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
}

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
