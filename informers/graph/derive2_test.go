package graph

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// refStrings renders a pod's references as "to as containers [broken]".
func refStrings(p *corev1.Pod) []string {
	n := PodNode(p)
	var out []string
	for _, r := range podRefs(p) {
		e := mountEdge(n, &r)
		s := e.To + " " + e.As + " " + strings.Join(e.Containers, ",") // a mounts edge always has its Mount
		if e.Broken {
			s += " broken"
		}
		out = append(out, s)
	}
	return out
}

func TestPodRefs(t *testing.T) {
	cmRef := func(n string) corev1.LocalObjectReference { return corev1.LocalObjectReference{Name: n} }
	base := func() *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
			Spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "init"}},
				Containers:     []corev1.Container{{Name: "web"}, {Name: "side"}}}}
	}
	tests := []struct {
		name string
		pod  func(p *corev1.Pod)
		want []string
	}{
		{"none", func(p *corev1.Pod) {}, nil},
		{"configMap volume mounted by one container", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: cmRef("cfg")}}}}
			p.Spec.Containers[1].VolumeMounts = []corev1.VolumeMount{{Name: "v"}}
		}, []string{"ConfigMap/ns/cfg volume side"}},
		{"a volume no container mounts is every container's", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}}}
		}, []string{"Secret/ns/s volume init,web,side"}},
		{"claim and ephemeral claim", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{
				{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data-p"}}},
				{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data"}, {Name: "scratch"}}
		}, []string{"PersistentVolumeClaim/ns/data-p volume web", "PersistentVolumeClaim/ns/p-scratch volume web"}},
		{"projected sources; the injected token volume is left out", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{
				{Name: "kube-api-access-x", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: cmRef("kube-root-ca.crt")}}}}}},
				{Name: "all", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: cmRef("cfg")}},
					{Secret: &corev1.SecretProjection{LocalObjectReference: cmRef("s")}}}}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "all"}}
		}, []string{"ConfigMap/ns/cfg projected web", "Secret/ns/s projected web"}},
		{"env and envFrom, init containers first; one edge per object joins the ways", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: cmRef("cfg")}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "v"}}
			p.Spec.Containers[1].Env = []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: cmRef("cfg")}}},
				{Name: "B", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
			p.Spec.InitContainers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: cmRef("s")}},
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef("cfg")}}}
		}, []string{"ConfigMap/ns/cfg volume,env,envFrom init,web,side", "Secret/ns/s envFrom init"}},
		{"invalid names are skipped", func(p *corev1.Pod) {
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef("Bad_Name")}},
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef("")}},
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef("a/../b")}},
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef("-x")}},
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef(strings.Repeat("a", 254))}},
				{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: cmRef("ok.name-1")}}}
		}, []string{"Secret/ns/ok.name-1 envFrom web"}},
		{"a missing ConfigMap and Secret, from CreateContainerConfigError", func(p *corev1.Pod) {
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef("cfg")}},
				{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: cmRef("s")}}, {SecretRef: &corev1.SecretEnvSource{LocalObjectReference: cmRef("there")}}}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{
				{Name: "web", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: `configmap "cfg" not found`}}},
				{Name: "side", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: `secrets "s" not found`}}}}
		}, []string{"ConfigMap/ns/cfg envFrom web broken", "Secret/ns/s envFrom web broken", "Secret/ns/there envFrom web"}},
		{"another waiting reason marks nothing", func(p *corev1.Pod) {
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: cmRef("cfg")}}}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{
				{Name: "web", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating", Message: `configmap "cfg" not found`}}}}
		}, []string{"ConfigMap/ns/cfg envFrom web"}},
		{"a missing claim, from the scheduler", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "d", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
			p.Status.Phase = corev1.PodPending
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
				Message: `0/3 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`}}
		}, []string{"PersistentVolumeClaim/ns/data volume init,web,side broken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			tt.pod(p)
			if diff := cmp.Diff(tt.want, refStrings(p)); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPodBounded: a pod with hundreds of containers, ports and volumes
// keeps bounded lists with exact counts, and never panics.
func TestPodBounded(t *testing.T) {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "big"}}
	for i := range 300 {
		c := corev1.Container{Name: fmt.Sprint("c", i), Image: "img", Ports: make([]corev1.ContainerPort, 50)}
		c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: fmt.Sprint("env-", i)}}}}
		p.Spec.Containers = append(p.Spec.Containers, c)
		p.Spec.InitContainers = append(p.Spec.InitContainers, c)
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: fmt.Sprint("v", i),
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: fmt.Sprint("s-", i)}}})
	}
	n := PodNode(p)
	f := n.Pod
	if len(f.Containers) != MaxContainers || f.MoreContainers != 300-MaxContainers ||
		len(f.InitContainers) != MaxContainers || f.MoreInitContainers != 300-MaxContainers {
		t.Errorf("containers %d+%d, init %d+%d; want %d kept of 300 each", len(f.Containers), f.MoreContainers,
			len(f.InitContainers), f.MoreInitContainers, MaxContainers)
	}
	if len(f.Containers[0].Ports) != MaxPorts || len(f.Images) != MaxContainers {
		t.Errorf("%d ports, %d images kept", len(f.Containers[0].Ports), len(f.Images))
	}
	refs := podRefs(p)
	if len(refs) != MaxRefs {
		t.Errorf("%d references kept, want %d", len(refs), MaxRefs)
	}
	m := NewModel()
	m.Set(p, t0)
	if d := m.Flush(); len(d.Upsert.Edges) != MaxRefs+1 {
		t.Errorf("flushed %d edges, want %d mounts and a runs-as", len(d.Upsert.Edges), MaxRefs)
	}
}

func TestPodContainers(t *testing.T) {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Spec: corev1.PodSpec{
			HostNetwork: true, ServiceAccountName: "builder",
			InitContainers: []corev1.Container{{Name: "setup", Image: "busybox"},
				{Name: "proxy", Image: "envoy", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)}},
			Containers: []corev1.Container{{Name: "web", Image: "web:v1", Ports: []corev1.ContainerPort{
				{Name: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP, HostPort: 8080}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP}}},
				{Name: "late", Image: "late:v1"}, {Name: "crash", Image: "crash:v1"}}},
		Status: corev1.PodStatus{HostIP: "192.0.2.11",
			InitContainerStatuses: []corev1.ContainerStatus{
				{Name: "setup", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}},
				{Name: "proxy", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}},
			ContainerStatuses: []corev1.ContainerStatus{ // out of order, one missing
				{Name: "crash", RestartCount: 4, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}},
				{Name: "web", Ready: true, RestartCount: 1, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}}}
	f := PodNode(p).Pod
	want := &PodFields{
		Containers: []Container{
			{Name: "web", Image: "web:v1", State: ContainerRunning, Ready: true, Restarts: 1,
				Ports: []ContainerPort{{Name: "http", Port: 80, HostPort: 8080}, {Port: 53, Protocol: "UDP"}}},
			{Name: "late", Image: "late:v1", State: ContainerWaiting},
			{Name: "crash", Image: "crash:v1", State: ContainerWaiting, Reason: "CrashLoopBackOff", Restarts: 4}},
		InitContainers: []Container{
			{Name: "setup", Image: "busybox", State: ContainerTerminated, Reason: "Completed", ExitCode: ptr.To(0)},
			{Name: "proxy", Image: "envoy", State: ContainerRunning, Ready: true, Sidecar: true}},
		HostIP: "192.0.2.11", HostNetwork: true, ServiceAccount: "builder",
	}
	got := &PodFields{Containers: f.Containers, InitContainers: f.InitContainers, HostIP: f.HostIP,
		HostNetwork: f.HostNetwork, ServiceAccount: f.ServiceAccount}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PodNode (-want +got):\n%s", diff)
	}
}

func TestJobNode(t *testing.T) {
	cond := func(tp batchv1.JobConditionType, reason string) batchv1.JobCondition {
		return batchv1.JobCondition{Type: tp, Status: corev1.ConditionTrue, Reason: reason, LastTransitionTime: metav1.NewTime(t0.Add(time.Minute))}
	}
	tests := []struct {
		name string
		job  batchv1.Job
		want JobFields
	}{
		{"a work queue: no completions, parallelism defaults to 1", batchv1.Job{},
			JobFields{Parallelism: 1, State: JobRunning}},
		{"running 2 of 3", batchv1.Job{Spec: batchv1.JobSpec{Completions: ptr.To[int32](3), Parallelism: ptr.To[int32](2),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "busybox"}}}}},
			Status: batchv1.JobStatus{Active: 2, Succeeded: 1, StartTime: ptr.To(metav1.NewTime(t0))}},
			JobFields{Completions: ptr.To(3), Parallelism: 2, Active: 2, Succeeded: 1, State: JobRunning, Images: []string{"busybox"}, Started: t0}},
		{"complete", batchv1.Job{Status: batchv1.JobStatus{Succeeded: 1, CompletionTime: ptr.To(metav1.NewTime(t0.Add(time.Hour))),
			Conditions: []batchv1.JobCondition{cond(batchv1.JobSuccessCriteriaMet, ""), cond(batchv1.JobComplete, "")}}},
			JobFields{Parallelism: 1, Succeeded: 1, State: JobComplete, Finished: t0.Add(time.Hour)}},
		{"failed, with its reason and when", batchv1.Job{Status: batchv1.JobStatus{Failed: 6,
			Conditions: []batchv1.JobCondition{cond(batchv1.JobFailed, "BackoffLimitExceeded")}}},
			JobFields{Parallelism: 1, Failed: 6, State: JobFailed, Reason: "BackoffLimitExceeded", Finished: t0.Add(time.Minute)}},
		{"suspended", batchv1.Job{Spec: batchv1.JobSpec{Suspend: ptr.To(true)}},
			JobFields{Parallelism: 1, State: JobSuspended}},
		{"a condition not true counts for nothing", batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobFailed, Status: corev1.ConditionFalse}}}},
			JobFields{Parallelism: 1, State: JobRunning}},
		{"owned by its CronJob", batchv1.Job{ObjectMeta: metav1.ObjectMeta{OwnerReferences: []metav1.OwnerReference{
			{Kind: "CronJob", Name: "nightly", Controller: ptr.To(true)}}}},
			JobFields{Parallelism: 1, State: JobRunning, Owner: "CronJob/ns/nightly"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.job.Namespace, tt.job.Name = "ns", "j"
			n := JobNode(&tt.job)
			if n.ID != "Job/ns/j" {
				t.Errorf("id %q", n.ID)
			}
			if diff := cmp.Diff(&tt.want, n.Job); diff != "" {
				t.Errorf("JobNode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCronJobNode(t *testing.T) {
	c := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "nightly"},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: ptr.To(true)},
		Status: batchv1.CronJobStatus{LastScheduleTime: ptr.To(metav1.NewTime(t0)),
			Active: []corev1.ObjectReference{{Name: "nightly-1"}, {Name: "nightly-2"}}}}
	want := &CronJobFields{Schedule: "0 3 * * *", Suspend: true, LastSchedule: t0, Active: 2}
	if diff := cmp.Diff(want, CronJobNode(c).CronJob); diff != "" {
		t.Errorf("CronJobNode (-want +got):\n%s", diff)
	}
}

func TestHPANode(t *testing.T) {
	q := func(s string) *resource.Quantity { v := resource.MustParse(s); return &v }
	h := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "web"},
			MaxReplicas:    10,
			Metrics: []autoscalingv2.MetricSpec{
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)}}},
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceMemory,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: q("200Mi")}}},
				{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{Metric: autoscalingv2.MetricIdentifier{Name: "rps"},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: q("100")}}},
			}},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 3, DesiredReplicas: 4,
			CurrentMetrics: []autoscalingv2.MetricStatus{
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceMemory,
					Current: autoscalingv2.MetricValueStatus{AverageValue: q("150Mi")}}},
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU,
					Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr.To[int32](72), AverageValue: q("144m")}}},
			},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionFalse,
				Reason: "FailedGetPodsMetric", Message: "unable to get metric rps"}}}}
	want := &HPAFields{Target: "Deployment/ns/web", Min: 1, Max: 10, Current: 3, Desired: 4,
		Metrics: []Metric{{Name: "cpu", Current: "72%", Target: "50%"}, {Name: "memory", Current: "150Mi", Target: "200Mi"},
			{Name: "rps", Current: "", Target: "100"}},
		Conditions: []Condition{{Type: "ScalingActive", Status: "False", Reason: "FailedGetPodsMetric", Message: "unable to get metric rps"}}}
	if diff := cmp.Diff(want, HPANode(h).HorizontalPodAutoscaler); diff != "" {
		t.Errorf("HPANode (-want +got):\n%s", diff)
	}
	h.Spec.ScaleTargetRef.Kind = "ReplicaSet"
	if got := HPANode(h).HorizontalPodAutoscaler.Target; got != "" {
		t.Errorf("target of a ReplicaSet HPA = %q, want none", got)
	}
}

func TestStorageNodes(t *testing.T) {
	pvc := mkPVC("ns", "data", "")
	if diff := cmp.Diff(&PVCFields{Phase: "Pending", Capacity: "1Gi", StorageClass: "lab", AccessModes: []string{"ReadWriteOnce"}},
		PVCNode(pvc).PersistentVolumeClaim); diff != "" {
		t.Errorf("pending claim (-want +got):\n%s", diff)
	}
	pvc.Spec.VolumeName = "pv-1"
	pvc.Status = corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}}
	if diff := cmp.Diff(&PVCFields{Phase: "Bound", Capacity: "2Gi", StorageClass: "lab", AccessModes: []string{"ReadWriteOnce"}, Volume: "PersistentVolume/pv-1"},
		PVCNode(pvc).PersistentVolumeClaim); diff != "" {
		t.Errorf("bound claim (-want +got):\n%s", diff)
	}
	pv := mkPV("pv-1")
	pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "ns", Name: "data"}
	pv.Status.Phase = corev1.VolumeBound
	n := PVNode(pv)
	if diff := cmp.Diff(&PVFields{Phase: "Bound", Capacity: "1Gi", StorageClass: "lab", ReclaimPolicy: "Retain", Claim: "PersistentVolumeClaim/ns/data"},
		n.PersistentVolume); diff != "" || n.ID != "PersistentVolume/pv-1" || n.Namespace != "" {
		t.Errorf("volume %s (-want +got):\n%s", n.ID, diff)
	}
	sc := StorageClassNode(&storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "lab",
		Annotations: map[string]string{AnnotationDefaultClass: "true"}}, Provisioner: "kubernetes.io/no-provisioner",
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer)})
	if diff := cmp.Diff(&StorageClassFields{Provisioner: "kubernetes.io/no-provisioner", ReclaimPolicy: "Delete",
		BindingMode: "WaitForFirstConsumer", Default: true}, sc.StorageClass); diff != "" || sc.ID != "StorageClass/lab" {
		t.Errorf("storage class %s (-want +got):\n%s", sc.ID, diff)
	}
}

func TestServiceLoadBalancerAndClaimTemplates(t *testing.T) {
	s := mkService("ns", "web", nil)
	s.Spec.Type = corev1.ServiceTypeLoadBalancer
	if got := ServiceNode(s).Service.LoadBalancer; got != nil {
		t.Errorf("pending LoadBalancer = %v, want none", got)
	}
	s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "203.0.113.7"}, {Hostname: "lb.example"}, {}}
	if diff := cmp.Diff([]string{"203.0.113.7", "lb.example"}, ServiceNode(s).Service.LoadBalancer); diff != "" {
		t.Errorf("LoadBalancer (-want +got):\n%s", diff)
	}
	s.Spec.Type = corev1.ServiceTypeNodePort
	if got := ServiceNode(s).Service.LoadBalancer; got != nil {
		t.Errorf("a NodePort Service has loadBalancer %v", got)
	}
	ss := mkStatefulSetWithClaims("ns", "db", "data", "logs")
	if diff := cmp.Diff([]string{"data", "logs"}, StatefulSetNode(ss).StatefulSet.ClaimTemplates); diff != "" {
		t.Errorf("claimTemplates (-want +got):\n%s", diff)
	}
}

func mkStatefulSetWithClaims(ns, name string, claims ...string) *appsv1.StatefulSet {
	s := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, c := range claims {
		s.Spec.VolumeClaimTemplates = append(s.Spec.VolumeClaimTemplates, corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: c}})
	}
	return s
}
