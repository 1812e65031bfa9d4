package graph

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func configMapVolume(volume, name string) podOpt {
	return func(p *corev1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: volume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}}}})
		p.Spec.Containers[0].VolumeMounts = append(p.Spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: volume, MountPath: "/etc/" + volume})
	}
}

func claimVolume(volume, claim string) podOpt {
	return func(p *corev1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: volume,
			VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}})
	}
}

func secretEnv(secret string) podOpt {
	return func(p *corev1.Pod) {
		p.Spec.Containers[0].Env = append(p.Spec.Containers[0].Env, corev1.EnvVar{Name: "X",
			ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: "k"}}})
	}
}

func configError(msg string) podOpt {
	return func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodPending
		p.Status.Conditions = nil
		p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "web",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: msg}}}
	}
}

func mkJob(ns, name, cronJob string, completions *int32) *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name)},
		Spec: batchv1.JobSpec{Completions: completions}}
	if cronJob != "" {
		j.OwnerReferences = []metav1.OwnerReference{{Kind: "CronJob", Name: cronJob, Controller: ptr.To(true)}}
	}
	return j
}

func mkCronJob(ns, name string) *batchv1.CronJob {
	return &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name)},
		Spec: batchv1.CronJobSpec{Schedule: "*/5 * * * *"}}
}

func mkHPA(ns, name, kind, target string) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name)},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 5,
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: kind, Name: target, APIVersion: "apps/v1"}}}
}

func mkPVC(ns, name, volume string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name)},
		Spec: corev1.PersistentVolumeClaimSpec{VolumeName: volume, StorageClassName: ptr.To("lab"),
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
}

func mkPV(name string) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name, UID: uidOf("uid-" + name)},
		Spec: corev1.PersistentVolumeSpec{StorageClassName: "lab", PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}
}

func TestModelWave2Scenarios(t *testing.T) {
	const cfg, sec = "mounts:Pod/default/a->ConfigMap/default/cfg", "mounts:Pod/default/a->Secret/default/db"
	tests := []struct {
		name   string
		before []op
		ops    []op
		want   summary
	}{
		{
			name: "a pod's references make reference-only nodes and mounts edges",
			ops:  []op{set(mkRunning("default", "a", configMapVolume("config", "cfg"), secretEnv("db")))},
			want: summary{
				Nodes: []string{"ConfigMap/default/cfg", "Pod/default/a Running", "Secret/default/db"},
				Edges: []string{cfg + " as=volume containers=web", sec + " as=env containers=web"},
			},
		},
		{
			name:   "a ConfigMap node stays while another pod references it",
			before: []op{set(mkRunning("default", "a", configMapVolume("config", "cfg"))), set(mkRunning("default", "b", configMapVolume("config", "cfg")))},
			ops:    []op{del(Pods, "default", "a")},
			want:   summary{RemoveNodes: []string{"Pod/default/a"}, RemoveEdges: []string{cfg}},
		},
		{
			name:   "the last reference gone, the node goes",
			before: []op{set(mkRunning("default", "a", configMapVolume("config", "cfg"), secretEnv("db")))},
			ops:    []op{del(Pods, "default", "a")},
			want: summary{RemoveNodes: []string{"ConfigMap/default/cfg", "Pod/default/a", "Secret/default/db"},
				RemoveEdges: []string{cfg, sec}},
		},
		{
			name:   "a pod that drops a reference drops its edge and node",
			before: []op{set(mkRunning("default", "a", configMapVolume("config", "cfg"), secretEnv("db")))},
			ops:    []op{set(mkRunning("default", "a", secretEnv("db")))},
			want:   summary{RemoveNodes: []string{"ConfigMap/default/cfg"}, RemoveEdges: []string{cfg}},
		},
		{
			name:   "a missing Secret marks the edge broken, from the pod's status",
			before: []op{set(mkRunning("default", "a", secretEnv("db")))},
			ops:    []op{set(mkRunning("default", "a", secretEnv("db"), configError(`secret "db" not found`)))},
			want: summary{Nodes: []string{"Pod/default/a CreateContainerConfigError"},
				Edges: []string{sec + " as=env containers=web broken"}},
		},
		{
			name:   "the Secret created, the edge mends",
			before: []op{set(mkRunning("default", "a", secretEnv("db"), configError(`secret "db" not found`)))},
			ops:    []op{set(mkRunning("default", "a", secretEnv("db")))},
			want:   summary{Nodes: []string{"Pod/default/a Running"}, Edges: []string{sec + " as=env containers=web"}},
		},
		{
			name:   "a status change that keeps the references touches no mounts edge",
			before: []op{set(mkRunning("default", "a", configMapVolume("config", "cfg")))},
			ops:    []op{set(mkRunning("default", "a", configMapVolume("config", "cfg"), restarts(3)))},
			want:   summary{Nodes: []string{"Pod/default/a Running"}, Happenings: []string{"restarted: Pod default/a restarted (3)"}},
		},
		{
			name: "CronJob owns Job owns Pod",
			ops: []op{
				set(mkCronJob("default", "nightly")),
				set(mkJob("default", "nightly-29000", "nightly", ptr.To[int32](3))),
				set(mkRunning("default", "nightly-29000-x", ownedBy("Job", "nightly-29000"))),
			},
			want: summary{
				Nodes: []string{"CronJob/default/nightly", "Job/default/nightly-29000", "Pod/default/nightly-29000-x Running"},
				Edges: []string{"owns:CronJob/default/nightly->Job/default/nightly-29000", "owns:Job/default/nightly-29000->Pod/default/nightly-29000-x"},
				// The Job just started: its CronJob started it (happen2.go).
				Happenings: []string{"job: CronJob default/nightly started Job default/nightly-29000"},
			},
		},
		{
			name:   "a Job deleted takes its owns edge",
			before: []op{set(mkCronJob("default", "nightly")), set(mkJob("default", "nightly-1", "nightly", nil))},
			ops:    []op{del(Jobs, "default", "nightly-1")},
			want:   summary{RemoveNodes: []string{"Job/default/nightly-1"}, RemoveEdges: []string{"owns:CronJob/default/nightly->Job/default/nightly-1"}},
		},
		{
			name: "a bound claim draws bound to its volume; the StorageClass is cluster-scoped",
			ops: []op{set(mkPVC("default", "data", "pv-1")), set(mkPV("pv-1")),
				set(&storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "lab"}, Provisioner: "kubernetes.io/no-provisioner"})},
			want: summary{Nodes: []string{"PersistentVolume/pv-1", "PersistentVolumeClaim/default/data", "StorageClass/lab"},
				Edges: []string{"bound:PersistentVolumeClaim/default/data->PersistentVolume/pv-1"}},
		},
		{
			name:   "a claim deleted takes its bound edge; the volume stays",
			before: []op{set(mkPVC("default", "data", "pv-1")), set(mkPV("pv-1"))},
			ops:    []op{del(PersistentVolumeClaims, "default", "data")},
			want: summary{RemoveNodes: []string{"PersistentVolumeClaim/default/data"},
				RemoveEdges: []string{"bound:PersistentVolumeClaim/default/data->PersistentVolume/pv-1"}},
		},
		{
			name:   "PersistentVolumes and StorageClasses delete cluster-scoped",
			before: []op{set(mkPV("pv-1")), set(&storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "lab"}})},
			ops:    []op{del(PersistentVolumes, "ignored", "pv-1"), del(StorageClasses, "", "lab")},
			want:   summary{RemoveNodes: []string{"PersistentVolume/pv-1", "StorageClass/lab"}},
		},
		{
			name: "an HPA scales its Deployment, then its StatefulSet",
			before: []op{set(mkDeployment("default", "web", 2, "1", "web:v1")),
				set(mkHPA("default", "web", "Deployment", "web"))},
			ops: []op{set(mkHPA("default", "web", "StatefulSet", "db"))},
			want: summary{Nodes: []string{"HorizontalPodAutoscaler/default/web"},
				Edges:       []string{"scales:HorizontalPodAutoscaler/default/web->StatefulSet/default/db"},
				RemoveEdges: []string{"scales:HorizontalPodAutoscaler/default/web->Deployment/default/web"}},
		},
		{
			name: "an HPA of another kind draws no edge",
			ops:  []op{set(mkHPA("default", "x", "ReplicaSet", "rs"))},
			want: summary{Nodes: []string{"HorizontalPodAutoscaler/default/x"}},
		},
		{
			name: "a StatefulSet pod deleted and re-created keeps its claim: a new uid, the same mounts edge",
			before: []op{set(mkPVC("default", "data-db-0", "pv-1")),
				set(mkRunning("default", "db-0", ownedBy("StatefulSet", "db"), claimVolume("data", "data-db-0"), uid("first")))},
			ops: []op{del(Pods, "default", "db-0"),
				set(mkRunning("default", "db-0", ownedBy("StatefulSet", "db"), claimVolume("data", "data-db-0"), uid("second")))},
			want: summary{Nodes: []string{"Pod/default/db-0 Running"},
				Happenings: []string{"replaced: Pod default/db-0 replaced: same name, new uid second, same claims data-db-0"}},
		},
		{
			name: "nil wave-2 objects are ignored",
			ops: []op{set((*batchv1.Job)(nil)), set((*batchv1.CronJob)(nil)), set((*autoscalingv2.HorizontalPodAutoscaler)(nil)),
				set((*corev1.PersistentVolumeClaim)(nil)), set((*corev1.PersistentVolume)(nil)), set((*storagev1.StorageClass)(nil)),
				set(&batchv1.Job{})},
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
				o.apply(m, t0.Add(time.Second))
			}
			got := summarize(m.Flush())
			if diff := cmp.Diff(normalize(tt.want), normalize(got)); diff != "" {
				t.Errorf("Flush (-want +got):\n%s", diff)
			}
			if again := m.Flush(); !again.Empty() {
				t.Errorf("second Flush not empty: %+v", summarize(again))
			}
			checkRefNodes(t, m)
		})
	}
}

// checkRefNodes holds the model to the reference-only invariant: a
// ConfigMap or Secret node exists exactly while a mounts edge points at it.
func checkRefNodes(t testing.TB, m *Model) {
	t.Helper()
	pointed := map[string]bool{}
	for _, e := range m.Edges() {
		if e.Kind == EdgeMounts {
			pointed[e.To] = true
		}
	}
	for _, n := range m.Nodes() {
		if (n.Kind == KindConfigMap || n.Kind == KindSecret) && !pointed[n.ID] {
			t.Errorf("%s exists with no mounts edge pointing at it", n.ID)
		}
		delete(pointed, n.ID)
	}
	for id := range pointed {
		if k, _, _ := cutKind(id); k == KindConfigMap || k == KindSecret {
			t.Errorf("a mounts edge points at %s, which has no node", id)
		}
	}
}

func cutKind(id string) (kind, rest string, ok bool) {
	for i := range len(id) {
		if id[i] == '/' {
			return id[:i], id[i+1:], true
		}
	}
	return id, "", false
}

// edgeEnds lists, per edge kind, the kinds each end may have.
var edgeEnds = map[string]struct{ from, to []Kind }{
	EdgeMounts: {[]Kind{KindPod}, []Kind{KindConfigMap, KindSecret, KindPVC}},
	EdgeBound:  {[]Kind{KindPVC}, []Kind{KindPV}},
	EdgeScales: {[]Kind{KindHPA}, []Kind{KindDeployment, KindStatefulSet}},
	EdgeOwns: {[]Kind{KindDeployment, KindReplicaSet, KindStatefulSet, KindDaemonSet, KindJob, KindCronJob},
		[]Kind{KindReplicaSet, KindPod, KindJob}},
	EdgeRunsOn:  {[]Kind{KindPod}, []Kind{KindNode}},
	EdgeSelects: {[]Kind{KindService}, []Kind{KindPod}},
	EdgeRoutes:  {[]Kind{KindIngress}, []Kind{KindService}},
	EdgeGrants:  {[]Kind{KindServiceAccount, KindUser, KindGroup}, []Kind{KindRole, KindClusterRole}},
}

// checkEdgeEnds holds every edge to its kind's ends, its id to its ends,
// and its from end to an entity the model holds (edges exist because their
// from end does, except owns edges, which their to end implies).
func checkEdgeEnds(t testing.TB, m *Model) {
	t.Helper()
	for _, e := range m.Edges() {
		ends, ok := edgeEnds[e.Kind]
		if !ok {
			t.Errorf("edge %s of unknown kind %q", e.ID, e.Kind)
			continue
		}
		fk, _, _ := cutKind(e.From)
		tk, _, _ := cutKind(e.To)
		if !slices.Contains(ends.from, fk) || !slices.Contains(ends.to, tk) {
			t.Errorf("edge %s: %s → %s, want %v → %v", e.ID, fk, tk, ends.from, ends.to)
		}
		id := EdgeID(e.Kind, e.From, e.To)
		if e.Kind == EdgeGrants && e.Detail != nil {
			id += "@" + e.Binding // several bindings may grant one role to one subject
		}
		if e.ID != id {
			t.Errorf("edge %s: id does not name %s → %s", e.ID, e.From, e.To)
		}
		holder := e.From
		if e.Kind == EdgeOwns {
			holder = e.To
		}
		if e.Kind != EdgeGrants && m.node(holder) == nil { // a binding holds a grants edge
			t.Errorf("edge %s outlives %s", e.ID, holder)
		}
		if e.Kind == EdgeMounts && (e.Detail == nil || e.As == "" || len(e.Containers) == 0) {
			t.Errorf("mounts edge %s without as or containers: %+v", e.ID, e)
		} else if e.Kind != EdgeMounts && e.Kind != EdgeRoutes && e.Kind != EdgeGrants && e.Detail != nil {
			t.Errorf("mounts edge %s without as or containers: %+v", e.ID, e)
		}
	}
}

// TestEdgeJSON holds the edge's wire form: Detail's fields are flattened
// into the edge, absent when empty, and decode back to an equal edge.
func TestEdgeJSON(t *testing.T) {
	m := NewModel()
	m.Set(mkRunning("default", "a", configMapVolume("config", "cfg"), secretEnv("db"), onNode("w"),
		ownedBy("ReplicaSet", "rs"), configError(`secret "db" not found`)), t0)
	m.Set(mkService("default", "web", map[string]string{"app": "web"}), t0)
	m.Set(mkIngress("default", "i", "web"), t0)
	want := map[string]string{
		"mounts:Pod/default/a->ConfigMap/default/cfg": `{"id":"mounts:Pod/default/a->ConfigMap/default/cfg","kind":"mounts","from":"Pod/default/a","to":"ConfigMap/default/cfg","as":"volume","containers":["web"]}`,
		"mounts:Pod/default/a->Secret/default/db":     `{"id":"mounts:Pod/default/a->Secret/default/db","kind":"mounts","from":"Pod/default/a","to":"Secret/default/db","as":"env","containers":["web"],"broken":true}`,
		"owns:ReplicaSet/default/rs->Pod/default/a":   `{"id":"owns:ReplicaSet/default/rs->Pod/default/a","kind":"owns","from":"ReplicaSet/default/rs","to":"Pod/default/a"}`,
		"selects:Service/default/web->Pod/default/a":  `{"id":"selects:Service/default/web->Pod/default/a","kind":"selects","from":"Service/default/web","to":"Pod/default/a","state":"none"}`,
	}
	edges := m.Edges()
	if len(edges) != 6 {
		t.Errorf("%d edges, want 6: %v", len(edges), edgeStrings(edges))
	}
	for _, e := range edges {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // as the server encodes: "->" stays readable
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
		b := bytes.TrimSpace(buf.Bytes())
		if w, ok := want[e.ID]; ok && string(b) != w {
			t.Errorf("%s encodes as\n%s\nwant\n%s", e.ID, b, w)
		}
		var back Edge
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !edgeEqual(e, &back) {
			t.Errorf("%s does not round-trip: %+v, then %+v", e.ID, e, &back)
		}
	}
}
