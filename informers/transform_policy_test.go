package informers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/podiumhq/podium/informers/graph"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// Objects of the kinds of identity and policy (#13), shaped like what a
// v1.37 API server returns: managed fields, last-applied annotations, and
// every field the model does not read.

const serviceAccountJSON = `{
 "metadata": {"name": "db", "namespace": "default", "uid": "sa-1", "resourceVersion": "60100", "creationTimestamp": "2026-11-25T11:00:00Z",
  "labels": {"app": "db"},
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\"}", "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/db"},
  "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:secrets": {}}}]},
 "secrets": [{"kind": "Secret", "namespace": "default", "name": "db-token-x7k2p", "uid": "sec-1", "apiVersion": "v1", "resourceVersion": "59000", "fieldPath": "data"}],
 "imagePullSecrets": [{"name": "registry-credentials"}],
 "automountServiceAccountToken": false
}`

const roleJSON = `{
 "metadata": {"name": "secret-reader", "namespace": "default", "uid": "r-1", "resourceVersion": "60200", "creationTimestamp": "2026-11-25T11:00:00Z",
  "labels": {"team": "db"},
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
  "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "rbac.authorization.k8s.io/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:rules": {}}}]},
 "rules": [
  {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db-secret"]},
  {"verbs": ["create"], "apiGroups": [""], "resources": ["pods/exec"]}]
}`

const clusterRoleJSON = `{
 "metadata": {"name": "monitoring", "uid": "cr-1", "resourceVersion": "60300", "creationTimestamp": "2026-11-25T11:00:00Z",
  "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", "rbac.example.com/aggregate-to-monitoring": "true"},
  "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true", "kubectl.kubernetes.io/last-applied-configuration": "{}"},
  "managedFields": [{"manager": "clusterrole-aggregation-controller", "operation": "Apply", "apiVersion": "rbac.authorization.k8s.io/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:rules": {}}}]},
 "aggregationRule": {"clusterRoleSelectors": [
  {"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}},
  {"matchExpressions": [{"key": "rbac.example.com/aggregate-to-view", "operator": "Exists"}]}]},
 "rules": [
  {"verbs": ["get", "list", "watch"], "apiGroups": ["", "apps"], "resources": ["pods", "deployments"]},
  {"verbs": ["get"], "nonResourceURLs": ["/metrics", "/healthz/*"]}]
}`

const roleBindingJSON = `{
 "metadata": {"name": "db-reads-secrets", "namespace": "default", "uid": "rb-1", "resourceVersion": "60400", "creationTimestamp": "2026-11-25T11:00:00Z",
  "labels": {"team": "db"},
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
  "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "rbac.authorization.k8s.io/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:subjects": {}}}]},
 "subjects": [
  {"kind": "ServiceAccount", "name": "db", "namespace": "default"},
  {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice@example.com"},
  {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "dba"}],
 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "secret-reader"}
}`

const clusterRoleBindingJSON = `{
 "metadata": {"name": "monitoring", "uid": "crb-1", "resourceVersion": "60500", "creationTimestamp": "2026-11-25T11:00:00Z",
  "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
  "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
  "managedFields": [{"manager": "kube-apiserver", "operation": "Update", "apiVersion": "rbac.authorization.k8s.io/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:roleRef": {}}}]},
 "subjects": [{"kind": "ServiceAccount", "name": "prometheus", "namespace": "monitoring"}],
 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "monitoring"}
}`

// A policy with every clause: both directions, a peer with both selectors,
// match expressions, an ipBlock with except, named and numbered ports and a
// port range.
const networkPolicyJSON = `{
 "metadata": {"name": "db", "namespace": "default", "uid": "np-1", "resourceVersion": "60600", "generation": 2, "creationTimestamp": "2026-11-25T11:00:00Z",
  "labels": {"app": "db"},
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
  "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "networking.k8s.io/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]},
 "spec": {
  "podSelector": {"matchLabels": {"app": "db"}},
  "policyTypes": ["Ingress", "Egress"],
  "ingress": [
   {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "web"}}, "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend", "api"]}]}},
     {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
    "ports": [{"protocol": "TCP", "port": "pg"}, {"protocol": "TCP", "port": 8000, "endPort": 8100}]},
   {}],
  "egress": [{"to": [{"podSelector": {}}], "ports": [{"protocol": "UDP", "port": 53}]}]}
}`

const namespaceJSON = `{
 "metadata": {"name": "default", "uid": "ns-1", "resourceVersion": "60700", "creationTimestamp": "2026-11-25T10:00:00Z",
  "labels": {"kubernetes.io/metadata.name": "default", "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted", "team": "web"},
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "scheduler.alpha.kubernetes.io/node-selector": "pool=web"},
  "managedFields": [{"manager": "kube-apiserver", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}]},
 "spec": {"finalizers": ["kubernetes"]},
 "status": {"phase": "Active", "conditions": [{"type": "NamespaceDeletionDiscoveryFailure", "status": "False", "lastTransitionTime": "2026-11-25T10:00:00Z", "reason": "ResourcesDiscovered", "message": "All resources successfully discovered"}]}
}`

const resourceQuotaJSON = `{
 "metadata": {"name": "compute", "namespace": "default", "uid": "rq-1", "resourceVersion": "60800", "creationTimestamp": "2026-11-25T11:00:00Z",
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
  "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "subresource": "status", "fieldsV1": {"f:status": {}}}]},
 "spec": {"hard": {"pods": "10", "requests.cpu": "4", "limits.memory": "8Gi"}, "scopes": ["NotTerminating"],
  "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}},
 "status": {"hard": {"pods": "10", "requests.cpu": "4", "limits.memory": "8Gi"}, "used": {"pods": "3", "requests.cpu": "300m", "limits.memory": "384Mi"}}
}`

const limitRangeJSON = `{
 "metadata": {"name": "defaults", "namespace": "default", "uid": "lr-1", "resourceVersion": "60900", "creationTimestamp": "2026-11-25T11:00:00Z",
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
  "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]},
 "spec": {"limits": [
  {"type": "Container", "default": {"cpu": "500m", "memory": "128Mi"}, "defaultRequest": {"cpu": "100m", "memory": "64Mi"},
   "max": {"cpu": "2", "memory": "1Gi"}, "min": {"cpu": "10m", "memory": "8Mi"}, "maxLimitRequestRatio": {"cpu": "10"}},
  {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}, "min": {"storage": "1Gi"}}]}
}`

const pdbJSON = `{
 "metadata": {"name": "web", "namespace": "default", "uid": "pdb-1", "resourceVersion": "61000", "generation": 1, "creationTimestamp": "2026-11-25T11:00:00Z",
  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
  "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "policy/v1", "fieldsType": "FieldsV1", "subresource": "status", "fieldsV1": {"f:status": {}}}]},
 "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}, "unhealthyPodEvictionPolicy": "AlwaysAllow"},
 "status": {"observedGeneration": 1, "disruptedPods": {"web-7d9c5f6b8-x2x9z": "2026-11-25T12:00:00Z"}, "disruptionsAllowed": 0,
  "currentHealthy": 2, "desiredHealthy": 2, "expectedPods": 3,
  "conditions": [{"type": "DisruptionAllowed", "status": "False", "observedGeneration": 1, "lastTransitionTime": "2026-11-25T12:00:00Z", "reason": "InsufficientPods", "message": ""}]}
}`

// A ReplicaSet that may not create a pod because its namespace's quota is
// used up: the ReplicaSet controller's Warning Event, as #13 shows it.
const quotaEventJSON = `{
 "metadata": {"name": "web-7d9c5f6b8.18b0c1d2e3f4a5b6", "namespace": "default", "uid": "ev-q", "resourceVersion": "61100", "creationTimestamp": "2026-11-25T12:01:00Z",
  "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:count": {}}}]},
 "involvedObject": {"kind": "ReplicaSet", "namespace": "default", "name": "web-7d9c5f6b8", "uid": "rs-1", "apiVersion": "apps/v1", "resourceVersion": "48100"},
 "reason": "FailedCreate",
 "message": "Error creating: pods \"web-7d9c5f6b8-k4j2x\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10",
 "source": {"component": "replicaset-controller"},
 "firstTimestamp": "2026-11-25T12:01:00Z", "lastTimestamp": "2026-11-25T12:03:00Z", "count": 4, "type": "Warning",
 "eventTime": null, "reportingComponent": "replicaset-controller", "reportingInstance": ""
}`

// policyObjects returns one realistic object of every kind of #13.
func policyObjects(t testing.TB) []k8sruntime.Object {
	return []k8sruntime.Object{
		decode[corev1.ServiceAccount](t, serviceAccountJSON),
		decode[rbacv1.Role](t, roleJSON),
		decode[rbacv1.ClusterRole](t, clusterRoleJSON),
		decode[rbacv1.RoleBinding](t, roleBindingJSON),
		decode[rbacv1.ClusterRoleBinding](t, clusterRoleBindingJSON),
		decode[networkingv1.NetworkPolicy](t, networkPolicyJSON),
		decode[corev1.Namespace](t, namespaceJSON),
		decode[corev1.ResourceQuota](t, resourceQuotaJSON),
		decode[corev1.LimitRange](t, limitRangeJSON),
		decode[policyv1.PodDisruptionBudget](t, pdbJSON),
	}
}

// modelOf is what a model makes of obj alone: for kinds whose derivations
// live inside the model (#13's), the one way to compare what it reads.
func modelOf(obj any) any {
	m := graph.NewModel()
	m.Set(obj, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	return []any{m.Nodes(), m.Edges(), m.Flush().Happenings}
}

// TestTransformPolicyKinds pins what the transform keeps of each kind of
// #13, as the JSON of the stripped object: managed fields, annotations and
// (but for Namespaces and ClusterRoles) labels go; ServiceAccounts keep
// Secret names only; everything the model reads stays.
func TestTransformPolicyKinds(t *testing.T) {
	objs := policyObjects(t)
	for i, want := range []string{
		// ServiceAccount: the Secret reference loses its kind, namespace,
		// uid, version and field path; the annotation naming a cloud role
		// goes with the rest.
		`{"metadata":{"name":"db","namespace":"default","uid":"sa-1","resourceVersion":"60100","creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"secrets":[{"name":"db-token-x7k2p"}],"imagePullSecrets":[{"name":"registry-credentials"}],"automountServiceAccountToken":false}`,
		// Role: every rule, resourceNames included.
		`{"metadata":{"name":"secret-reader","namespace":"default","uid":"r-1","resourceVersion":"60200","creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"rules":[{"verbs":["get","list","watch"],"apiGroups":[""],"resources":["secrets"],"resourceNames":["db-secret"]},{"verbs":["create"],"apiGroups":[""],"resources":["pods/exec"]}]}`,
		// ClusterRole: every label (aggregation selects on them), the
		// aggregation rule, the rules with nonResourceURLs.
		`{"metadata":{"name":"monitoring","uid":"cr-1","resourceVersion":"60300","creationTimestamp":"2026-11-25T11:00:00Z","labels":{"kubernetes.io/bootstrapping":"rbac-defaults","rbac.example.com/aggregate-to-monitoring":"true"}},` +
			`"rules":[{"verbs":["get","list","watch"],"apiGroups":["","apps"],"resources":["pods","deployments"]},{"verbs":["get"],"nonResourceURLs":["/metrics","/healthz/*"]}],` +
			`"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.example.com/aggregate-to-monitoring":"true"}},{"matchExpressions":[{"key":"rbac.example.com/aggregate-to-view","operator":"Exists"}]}]}}`,
		// RoleBinding: every subject, whole, and the role.
		`{"metadata":{"name":"db-reads-secrets","namespace":"default","uid":"rb-1","resourceVersion":"60400","creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"subjects":[{"kind":"ServiceAccount","name":"db","namespace":"default"},{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice@example.com"},{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"dba"}],` +
			`"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"secret-reader"}}`,
		`{"metadata":{"name":"monitoring","uid":"crb-1","resourceVersion":"60500","creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"subjects":[{"kind":"ServiceAccount","name":"prometheus","namespace":"monitoring"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"monitoring"}}`,
		// NetworkPolicy: the whole spec, the empty rule and the empty
		// selector included (they mean "everything").
		`{"metadata":{"name":"db","namespace":"default","uid":"np-1","resourceVersion":"60600","generation":2,"creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{"ports":[{"protocol":"TCP","port":"pg"},{"protocol":"TCP","port":8000,"endPort":8100}],` +
			`"from":[{"podSelector":{"matchExpressions":[{"key":"tier","operator":"In","values":["frontend","api"]}]},"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"web"}}},{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]}}]},{}],` +
			`"egress":[{"ports":[{"protocol":"UDP","port":53}],"to":[{"podSelector":{}}]}],"policyTypes":["Ingress","Egress"]}}`,
		// Namespace: every label, the phase; finalizers, conditions and
		// annotations go.
		`{"metadata":{"name":"default","uid":"ns-1","resourceVersion":"60700","creationTimestamp":"2026-11-25T10:00:00Z","labels":{"kubernetes.io/metadata.name":"default","pod-security.kubernetes.io/enforce":"baseline","pod-security.kubernetes.io/warn":"restricted","team":"web"}},` +
			`"spec":{},"status":{"phase":"Active"}}`,
		// ResourceQuota: hard as written and as enforced, used; scopes go.
		`{"metadata":{"name":"compute","namespace":"default","uid":"rq-1","resourceVersion":"60800","creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"spec":{"hard":{"limits.memory":"8Gi","pods":"10","requests.cpu":"4"}},"status":{"hard":{"limits.memory":"8Gi","pods":"10","requests.cpu":"4"},"used":{"limits.memory":"384Mi","pods":"3","requests.cpu":"300m"}}}`,
		// LimitRange: every limit, whole.
		`{"metadata":{"name":"defaults","namespace":"default","uid":"lr-1","resourceVersion":"60900","creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"spec":{"limits":[{"type":"Container","max":{"cpu":"2","memory":"1Gi"},"min":{"cpu":"10m","memory":"8Mi"},"default":{"cpu":"500m","memory":"128Mi"},"defaultRequest":{"cpu":"100m","memory":"64Mi"},"maxLimitRequestRatio":{"cpu":"10"}},` +
			`{"type":"PersistentVolumeClaim","max":{"storage":"10Gi"},"min":{"storage":"1Gi"}}]}}`,
		// PodDisruptionBudget: the budget, the selector and the counts;
		// the eviction policy, disrupted pods and conditions go.
		`{"metadata":{"name":"web","namespace":"default","uid":"pdb-1","resourceVersion":"61000","generation":1,"creationTimestamp":"2026-11-25T11:00:00Z"},` +
			`"spec":{"minAvailable":2,"selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0,"currentHealthy":2,"desiredHealthy":2,"expectedPods":3}}`,
	} {
		in := objs[i]
		t.Run(fmt.Sprintf("%T", in), func(t *testing.T) {
			out, err := Transform(in)
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			if out != any(in) {
				t.Fatalf("Transform returned a %T at %p, not its input at %p stripped in place", out, out, in)
			}
			if diff := cmp.Diff(want, jsonOf(t, out)); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			again, err := Transform(out)
			if err != nil {
				t.Fatalf("Transform twice: %v", err)
			}
			if got := jsonOf(t, again); got != want {
				t.Errorf("Transform is not idempotent:\n%s\n%s", want, got)
			}
		})
	}
}

// TestTransformNodeForTheCluster pins what #13 reads of a Node: capacity
// and allocatable (cpu, memory, pods, ephemeral-storage), the conditions
// the picture shows with their reasons and messages but no times, and the
// taints without their times.
func TestTransformNodeForTheCluster(t *testing.T) {
	node := decode[corev1.Node](t, nodeJSON)
	node.Status.Capacity["ephemeral-storage"] = node.Status.Capacity["memory"]
	node.Status.Capacity["hugepages-2Mi"] = node.Status.Capacity["memory"]
	node.Status.Allocatable["nvidia.com/gpu"] = node.Status.Allocatable["pods"]
	node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: "node.kubernetes.io/unschedulable", Effect: corev1.TaintEffectNoSchedule, TimeAdded: ptr(node.CreationTimestamp)})
	node.Spec.Unschedulable = true
	if _, err := Transform(node); err != nil {
		t.Fatal(err)
	}
	want := `{"metadata":{"name":"worker-1","uid":"n-1","resourceVersion":"47000","labels":{"beta.kubernetes.io/arch":"amd64","beta.kubernetes.io/os":"linux",` +
		`"kubernetes.io/arch":"amd64","kubernetes.io/hostname":"worker-1","kubernetes.io/os":"linux","node-role.kubernetes.io/worker":"",` +
		`"node.kubernetes.io/instance-type":"m5.large","topology.kubernetes.io/zone":"eu-west-1a","type":"kwok"}},` +
		`"spec":{"unschedulable":true,"taints":[{"key":"kwok.x-k8s.io/node","value":"fake","effect":"NoSchedule"},{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"}]},` +
		`"status":{"capacity":{"cpu":"32","ephemeral-storage":"256Gi","memory":"256Gi","pods":"110"},"allocatable":{"cpu":"32","memory":"256Gi","pods":"110"},` +
		`"conditions":[{"type":"MemoryPressure","status":"False","lastHeartbeatTime":null,"lastTransitionTime":null,"reason":"KubeletHasSufficientMemory","message":"kubelet has sufficient memory available"},` +
		`{"type":"DiskPressure","status":"False","lastHeartbeatTime":null,"lastTransitionTime":null,"reason":"KubeletHasNoDiskPressure","message":"kubelet has no disk pressure"},` +
		`{"type":"Ready","status":"True","lastHeartbeatTime":null,"lastTransitionTime":null,"reason":"KubeletReady","message":"kubelet is posting ready status"}],` +
		`"addresses":[{"type":"InternalIP","address":"10.1.0.2"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":0}},"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"","kubeletVersion":"","kubeProxyVersion":"","operatingSystem":"","architecture":""}}}`
	if diff := cmp.Diff(want, jsonOf(t, node)); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	// A heartbeat changes nothing the model sees.
	beat := decode[corev1.Node](t, strings.ReplaceAll(nodeJSON, "2026-11-25T12:00:00Z", "2026-11-25T12:00:40Z"))
	first := decode[corev1.Node](t, nodeJSON)
	for _, n := range []*corev1.Node{beat, first} {
		if _, err := Transform(n); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := jsonOf(t, first), jsonOf(t, beat); a != b {
		t.Errorf("a heartbeat changed the stripped node:\n%s\n%s", a, b)
	}
}

// The pod transform keeps what runs-as reads: the ServiceAccount's name.
// Whether the pod mounts the token is the graph's to keep on CachedPod,
// which NewCachedPod derives from the whole pod before anything is
// stripped.
func TestTransformPodKeepsItsServiceAccount(t *testing.T) {
	for _, tc := range []struct{ json, want string }{{wave2PodJSON, "db"}, {podJSON, "default"}} {
		out, err := Transform(decode[corev1.Pod](t, tc.json))
		if err != nil {
			t.Fatal(err)
		}
		if got := out.(*graph.CachedPod).Node.Pod.ServiceAccount; got != tc.want {
			t.Errorf("service account %q, want %q", got, tc.want)
		}
	}
}

// TestQuotaRefusalReachesTheModel: the ReplicaSet controller's FailedCreate
// "exceeded quota" Warning Event passes the events informer's selector
// (type=Warning), keeps through the transform what a warning shows, and
// becomes a warning on the ReplicaSet.
func TestQuotaRefusalReachesTheModel(t *testing.T) {
	ev := decode[corev1.Event](t, quotaEventJSON)
	if ev.Type != strings.TrimPrefix(WarningEventSelector, "type=") {
		t.Fatalf("the fixture's type %q is not what the informer selects (%s)", ev.Type, WarningEventSelector)
	}
	out, err := Transform(ev)
	if err != nil {
		t.Fatal(err)
	}
	id, _, w, ok := graph.WarningOf(out.(*corev1.Event))
	if !ok || id != "ReplicaSet/default/web-7d9c5f6b8" || w.Reason != "FailedCreate" || !strings.Contains(w.Message, "exceeded quota: compute") || w.Count != 4 {
		t.Errorf("warning of the quota refusal: ok %v, id %q, %+v", ok, id, w)
	}
}

func TestTransformPolicyBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    cache.TransformFunc
		obj  any
		want string
	}{
		{"ServiceAccount of the wrong type", TransformServiceAccount, &corev1.Secret{}, "transform ServiceAccount: got *v1.Secret"},
		{"nil ServiceAccount through Transform", Transform, (*corev1.ServiceAccount)(nil), "transform ServiceAccount: nil object"},
		{"Role as a ClusterRole", TransformRole, &rbacv1.ClusterRole{}, "transform Role: got *v1.ClusterRole"},
		{"nil ClusterRole", TransformClusterRole, (*rbacv1.ClusterRole)(nil), "transform ClusterRole: nil object"},
		{"RoleBinding of nothing", TransformRoleBinding, nil, "transform RoleBinding: got <nil>"},
		{"nil ClusterRoleBinding through Transform", Transform, (*rbacv1.ClusterRoleBinding)(nil), "transform ClusterRoleBinding: nil object"},
		{"NetworkPolicy as a string", TransformNetworkPolicy, "deny-all", "transform NetworkPolicy: got string"},
		{"nil Namespace", TransformNamespace, (*corev1.Namespace)(nil), "transform Namespace: nil object"},
		{"ResourceQuota as a LimitRange", TransformResourceQuota, &corev1.LimitRange{}, "transform ResourceQuota: got *v1.LimitRange"},
		{"nil LimitRange through Transform", Transform, (*corev1.LimitRange)(nil), "transform LimitRange: nil object"},
		{"PDB tombstone of a Pod", TransformPDB, cache.DeletedFinalStateUnknown{Key: "default/web", Obj: &corev1.Pod{}}, `tombstone "default/web": transform PodDisruptionBudget: got *v1.Pod`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.f(tc.obj)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	// Objects with nothing set strip to nothing, without a panic.
	for _, o := range []any{&corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.ClusterRole{}, &rbacv1.RoleBinding{},
		&rbacv1.ClusterRoleBinding{}, &networkingv1.NetworkPolicy{}, &corev1.Namespace{}, &corev1.ResourceQuota{},
		&corev1.LimitRange{}, &policyv1.PodDisruptionBudget{}, &corev1.Node{}} {
		if _, err := Transform(o); err != nil {
			t.Errorf("empty %T: %v", o, err)
		}
	}
}

// Every #13 kind's tombstone is stripped in a copy: the object inside may
// be the cache's own.
func TestTransformPolicyTombstones(t *testing.T) {
	for _, obj := range policyObjects(t) {
		t.Run(fmt.Sprintf("%T", obj), func(t *testing.T) {
			before := jsonOf(t, obj)
			out, err := Transform(cache.DeletedFinalStateUnknown{Key: "k", Obj: obj})
			if err != nil {
				t.Fatal(err)
			}
			if jsonOf(t, obj) != before {
				t.Error("stripping a tombstone modified the object inside it")
			}
			ts, ok := out.(cache.DeletedFinalStateUnknown)
			if !ok || ts.Key != "k" {
				t.Fatalf("got %#v, want a tombstone keyed k", out)
			}
			want, err := Transform(obj.DeepCopyObject())
			if err != nil {
				t.Fatal(err)
			}
			if a, b := jsonOf(t, want), jsonOf(t, ts.Obj); a != b || strings.Contains(b, "managedFields") {
				t.Errorf("tombstone's object not stripped like the object:\n%s\n%s", b, a)
			}
		})
	}
}
