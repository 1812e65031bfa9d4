package graph

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// wave2PodJSON is the pod shape the wave-2 budget is set for: two
// containers, a ConfigMap volume and a Secret env, plus what a v1.37 API
// server adds (the ServiceAccount token volume, statuses, conditions).
const wave2PodJSON = `{
 "metadata": {"name": "NAME", "generateName": "RS-", "namespace": "NS", "uid": "UID",
  "resourceVersion": "48213", "creationTimestamp": "2026-11-25T12:00:00Z",
  "labels": {"app": "APP", "pod-template-hash": "7d9c5f6b8"},
  "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "RS", "uid": "u-rs", "controller": true, "blockOwnerDeletion": true}]},
 "spec": {
  "volumes": [{"name": "config", "configMap": {"name": "APP-config"}},
   {"name": "kube-api-access-8xk2p", "projected": {"defaultMode": 420, "sources": [
   {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
   {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
   {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}],
  "containers": [{"name": "web", "image": "registry.example/team/web:v1.2.3",
    "ports": [{"name": "http", "containerPort": 3000, "protocol": "TCP"}],
    "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "APP-db", "key": "password"}}}],
    "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}, {"name": "kube-api-access-8xk2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}]},
   {"name": "proxy", "image": "registry.example/team/proxy:v4",
    "ports": [{"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
    "volumeMounts": [{"name": "kube-api-access-8xk2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}]}],
  "restartPolicy": "Always", "serviceAccountName": "default", "serviceAccount": "default", "nodeName": "NODE"},
 "status": {"phase": "Running",
  "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"},
   {"type": "ContainersReady", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
  "hostIP": "HOSTIP", "podIP": "PODIP", "startTime": "2026-11-25T12:00:00Z",
  "containerStatuses": [
   {"name": "web", "state": {"running": {"startedAt": "2026-11-25T12:00:01Z"}}, "ready": true, "restartCount": 0,
    "image": "registry.example/team/web:v1.2.3", "imageID": "registry.example/team/web@sha256:5e1b3c6f", "containerID": "containerd://9a8b7c6d", "started": true},
   {"name": "proxy", "state": {"running": {"startedAt": "2026-11-25T12:00:01Z"}}, "ready": true, "restartCount": 0,
    "image": "registry.example/team/proxy:v4", "imageID": "registry.example/team/proxy@sha256:1f2e3d4c", "containerID": "containerd://1a2b3c4d", "started": true}]}
}`

// TestMemoryPerPodWave2 measures the design's budget of ≤ 2 KB of heap per
// pod (informer cache, model and the Log that publishes it) at 10,000 pods
// of the wave-2 shape: decoded as a watch delivers them, turned into
// CachedPods in an informer indexer with its namespace index, selected by a
// Service each (EndpointSlices included), folded into the model and
// published, with the kinds of #13 a namespace has (see wave2Objects).
// Each pod draws seven edges: owns, runs-on, runs-as, selects, mounts to
// its ConfigMap and its Secret, and isolates (app-0's pods two).
func TestMemoryPerPodWave2(t *testing.T) {
	const namespaces, apps, perApp = 20, 5, 100
	const pods = namespaces * apps * perApp
	heap := func() int {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int(ms.HeapAlloc)
	}
	podData, objects := wave2Objects(namespaces, apps, perApp)

	before := heap()
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, b := range podData {
		var p corev1.Pod
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if err := indexer.Add(NewCachedPod(&p)); err != nil { // what informers.TransformPod does
			t.Fatal(err)
		}
	}
	cached := heap()

	m := NewModel()
	now := time.Now()
	for _, obj := range objects {
		m.Set(obj, now)
	}
	for _, obj := range indexer.List() {
		m.Set(obj, now)
	}
	log := NewLog("e", 1)
	d := m.Flush()
	if want := 7*pods + pods/apps; len(d.Upsert.Edges) != want {
		t.Fatalf("flushed %d edges, want %d (owns, runs-on, runs-as, selects, two mounts and isolates per pod, and app-0's second isolates)", len(d.Upsert.Edges), want)
	}
	if want := pods + 2*namespaces*apps + namespaces*apps + 4*namespaces; len(d.Upsert.Nodes) != want {
		t.Fatalf("flushed %d nodes, want %d (pods, a ConfigMap and a Secret per app, Services; a Namespace, a ServiceAccount and two policies per namespace)", len(d.Upsert.Nodes), want)
	}
	log.Append(d)
	d = Delta{}
	log.Append(Delta{Remove: Removals{Nodes: []string{"none"}}}) // the initial delta leaves the history
	total := heap()
	runtime.KeepAlive(indexer)
	runtime.KeepAlive(m)
	runtime.KeepAlive(log)
	runtime.KeepAlive(podData) // measured before: must not be freed in between
	runtime.KeepAlive(objects)

	// What a new /ws client's first message costs at this size: the
	// server's own path (a cursor and the shared encoder), short of the
	// socket. Logged, not asserted: speed lives in benchmarks.
	start := time.Now()
	first, _ := NewCursor(log, Filter{}, nil).Next()
	body, err := log.Encoder().Encode(first, Filter{})
	if err != nil || first.Snapshot == nil {
		t.Fatalf("first message: %v (snapshot %v)", err, first.Snapshot != nil)
	}
	t.Logf("first /ws snapshot of %d pods: %d B of JSON, built and encoded in %s", pods, len(body), time.Since(start))

	perPod := func(b int) int { return b / pods }
	got := perPod(total - before)
	t.Logf("heap per pod at %d pods: informer cache %d B, model + log %d B, total %d B",
		pods, perPod(cached-before), perPod(total-cached), got)
	if got > 2048 {
		t.Errorf("%d B of heap per pod, over the 2 KB budget", got)
	}
}

// wave2Objects makes namespaces × apps × perApp pods of the wave-2 shape
// as a watch delivers them (JSON), each app with its Service and its
// EndpointSlice (as the informers cache them), on 100 nodes.
func wave2Objects(namespaces, apps, perApp int) (podData [][]byte, objects []any) {
	i := 0
	for ns := range namespaces {
		namespace := fmt.Sprintf("team-%d", ns)
		// What the #13 informers add: the Namespace, its default
		// ServiceAccount, and a default-deny policy with an allow for
		// app-0, so every pod is isolated (app-0's pods twice).
		objects = append(objects,
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace, Labels: map[string]string{LabelNamespaceName: namespace}}},
			&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "default"}},
			&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "deny"},
				Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}},
			&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "allow-app-0"},
				Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "app-0"}},
					Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}}}}})
		for a := range apps {
			app := fmt.Sprintf("app-%d", a)
			rs := app + "-7d9c5f6b8"
			objects = append(objects, mkService(namespace, app, map[string]string{"app": app}))
			slice := &CachedSlice{Namespace: namespace, Name: app + "-x", Service: app, Pods: map[string]string{}}
			for p := range perApp {
				name := fmt.Sprintf("%s-%05d", rs, p)
				s := strings.NewReplacer("NAME", name, "RS", rs, "NS", namespace, "UID", fmt.Sprintf("0b7e1c52-6a63-4c1e-9a55-%012d", i),
					"APP", app, "NODE", fmt.Sprintf("worker-%d", i%100), "HOSTIP", fmt.Sprintf("10.1.0.%d", i%100),
					"PODIP", fmt.Sprintf("10.%d.%d.%d", ns, a, p)).Replace(wave2PodJSON)
				podData = append(podData, []byte(s))
				slice.Pods[name] = EndpointReady
				i++
			}
			objects = append(objects, slice)
		}
	}

	return podData, objects
}
