package graph

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Container state builders for the pod-status matrix.
func running(name string, ready bool, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Ready: ready, RestartCount: restarts,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func waiting(name, reason string, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, RestartCount: restarts,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
}

func terminated(name, reason string, code, signal int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: code, Signal: signal}}}
}

func cond(t corev1.PodConditionType, s corev1.ConditionStatus, reason string) corev1.PodCondition {
	return corev1.PodCondition{Type: t, Status: s, Reason: reason}
}

// mkPod returns a pod with containers named c0.. (and init containers i0..).
func mkPod(containers, inits int, phase corev1.PodPhase, statuses, initStatuses []corev1.ContainerStatus, conds ...corev1.PodCondition) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-1", UID: "u1"},
		Status:     corev1.PodStatus{Phase: phase, ContainerStatuses: statuses, InitContainerStatuses: initStatuses, Conditions: conds},
	}
	for i := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "c" + string(rune('0'+i)), Image: "img"})
	}
	for i := range inits {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: "i" + string(rune('0'+i)), Image: "init"})
	}
	return p
}

func TestPodStatus(t *testing.T) {
	deleted := metav1.NewTime(t0)
	type want struct {
		Status                 string
		Ready, Total, Restarts int
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want want
	}{
		{"pending unscheduled", mkPod(1, 0, corev1.PodPending, nil, nil), want{"Pending", 0, 1, 0}},
		{"no phase yet", mkPod(1, 0, "", nil, nil), want{"Pending", 0, 1, 0}},
		{"scheduling gated", mkPod(1, 0, corev1.PodPending, nil, nil,
			cond(corev1.PodScheduled, corev1.ConditionFalse, corev1.PodReasonSchedulingGated)), want{"SchedulingGated", 0, 1, 0}},
		{"container creating", mkPod(1, 0, corev1.PodPending,
			[]corev1.ContainerStatus{waiting("c0", "ContainerCreating", 0)}, nil), want{"ContainerCreating", 0, 1, 0}},
		{"running ready", mkPod(2, 0, corev1.PodRunning,
			[]corev1.ContainerStatus{running("c0", true, 1), running("c1", true, 2)}, nil,
			cond(corev1.PodReady, corev1.ConditionTrue, "")), want{"Running", 2, 2, 3}},
		{"running one not ready", mkPod(2, 0, corev1.PodRunning,
			[]corev1.ContainerStatus{running("c0", true, 0), running("c1", false, 0)}, nil), want{"Running", 1, 2, 0}},
		{"crash loop", mkPod(1, 0, corev1.PodRunning,
			[]corev1.ContainerStatus{waiting("c0", "CrashLoopBackOff", 4)}, nil), want{"CrashLoopBackOff", 0, 1, 4}},
		{"image pull backoff", mkPod(1, 0, corev1.PodPending,
			[]corev1.ContainerStatus{waiting("c0", "ImagePullBackOff", 0)}, nil), want{"ImagePullBackOff", 0, 1, 0}},
		{"err image pull", mkPod(1, 0, corev1.PodPending,
			[]corev1.ContainerStatus{waiting("c0", "ErrImagePull", 0)}, nil), want{"ErrImagePull", 0, 1, 0}},
		{"first container's reason wins", mkPod(2, 0, corev1.PodRunning,
			[]corev1.ContainerStatus{waiting("c0", "CrashLoopBackOff", 1), waiting("c1", "ImagePullBackOff", 0)}, nil),
			want{"CrashLoopBackOff", 0, 2, 1}},
		{"completed", mkPod(1, 0, corev1.PodSucceeded,
			[]corev1.ContainerStatus{terminated("c0", "Completed", 0, 0)}, nil), want{"Completed", 0, 1, 0}},
		{"error", mkPod(1, 0, corev1.PodFailed,
			[]corev1.ContainerStatus{terminated("c0", "Error", 1, 0)}, nil), want{"Error", 0, 1, 0}},
		{"exit code without reason", mkPod(1, 0, corev1.PodFailed,
			[]corev1.ContainerStatus{terminated("c0", "", 3, 0)}, nil), want{"ExitCode:3", 0, 1, 0}},
		{"signal without reason", mkPod(1, 0, corev1.PodFailed,
			[]corev1.ContainerStatus{terminated("c0", "", 137, 9)}, nil), want{"Signal:9", 0, 1, 0}},
		{"completed but one still running and ready", mkPod(2, 0, corev1.PodRunning,
			[]corev1.ContainerStatus{terminated("c0", "Completed", 0, 0), running("c1", true, 0)}, nil,
			cond(corev1.PodReady, corev1.ConditionTrue, "")), want{"Running", 1, 2, 0}},
		{"completed but one still running, pod not ready", mkPod(2, 0, corev1.PodRunning,
			[]corev1.ContainerStatus{terminated("c0", "Completed", 0, 0), running("c1", true, 0)}, nil),
			want{"NotReady", 1, 2, 0}},
		{"evicted", func() *corev1.Pod {
			p := mkPod(1, 0, corev1.PodFailed, nil, nil)
			p.Status.Reason = "Evicted"
			return p
		}(), want{"Evicted", 0, 1, 0}},
		{"init waiting 0/2", mkPod(1, 2, corev1.PodPending,
			[]corev1.ContainerStatus{waiting("c0", "PodInitializing", 0)},
			[]corev1.ContainerStatus{waiting("i0", "PodInitializing", 0), waiting("i1", "PodInitializing", 0)}),
			want{"Init:0/2", 0, 1, 0}},
		{"init 1/2 running", mkPod(1, 2, corev1.PodPending,
			[]corev1.ContainerStatus{waiting("c0", "PodInitializing", 0)},
			[]corev1.ContainerStatus{terminated("i0", "Completed", 0, 0), running("i1", false, 0)}),
			want{"Init:1/2", 0, 1, 0}},
		{"init crash loop", mkPod(1, 1, corev1.PodPending,
			[]corev1.ContainerStatus{waiting("c0", "PodInitializing", 0)},
			[]corev1.ContainerStatus{waiting("i0", "CrashLoopBackOff", 3)}),
			want{"Init:CrashLoopBackOff", 0, 1, 3}},
		{"init error", mkPod(1, 1, corev1.PodPending, nil,
			[]corev1.ContainerStatus{terminated("i0", "Error", 1, 0)}), want{"Init:Error", 0, 1, 0}},
		{"init exit code", mkPod(1, 1, corev1.PodPending, nil,
			[]corev1.ContainerStatus{terminated("i0", "", 2, 0)}), want{"Init:ExitCode:2", 0, 1, 0}},
		{"init signal", mkPod(1, 1, corev1.PodPending, nil,
			[]corev1.ContainerStatus{terminated("i0", "", 143, 15)}), want{"Init:Signal:15", 0, 1, 0}},
		{"pod initializing after init", mkPod(1, 1, corev1.PodPending,
			[]corev1.ContainerStatus{waiting("c0", "PodInitializing", 0)},
			[]corev1.ContainerStatus{terminated("i0", "Completed", 0, 0)},
			cond(corev1.PodInitialized, corev1.ConditionTrue, "")),
			want{"PodInitializing", 0, 1, 0}},
		{"sidecar started and ready counts", func() *corev1.Pod {
			p := mkPod(1, 1, corev1.PodRunning,
				[]corev1.ContainerStatus{running("c0", true, 1)},
				[]corev1.ContainerStatus{func() corev1.ContainerStatus {
					s := running("i0", true, 2)
					s.Started = ptr.To(true)
					return s
				}()},
				cond(corev1.PodInitialized, corev1.ConditionTrue, ""), cond(corev1.PodReady, corev1.ConditionTrue, ""))
			p.Spec.InitContainers[0].RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
			return p
		}(), want{"Running", 2, 2, 3}},
		{"terminating", func() *corev1.Pod {
			p := mkPod(1, 0, corev1.PodRunning, []corev1.ContainerStatus{running("c0", true, 0)}, nil)
			p.DeletionTimestamp = &deleted
			return p
		}(), want{"Terminating", 1, 1, 0}},
		{"terminating but already succeeded", func() *corev1.Pod {
			p := mkPod(1, 0, corev1.PodSucceeded, []corev1.ContainerStatus{terminated("c0", "Completed", 0, 0)}, nil)
			p.DeletionTimestamp = &deleted
			return p
		}(), want{"Completed", 0, 1, 0}},
		{"node lost and deleted is Unknown", func() *corev1.Pod {
			p := mkPod(1, 0, corev1.PodRunning, []corev1.ContainerStatus{running("c0", true, 0)}, nil)
			p.Status.Reason = "NodeLost"
			p.DeletionTimestamp = &deleted
			return p
		}(), want{"Unknown", 1, 1, 0}},
		{"phase Unknown", mkPod(1, 0, corev1.PodUnknown, nil, nil), want{"Unknown", 0, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got want
			got.Status, got.Ready, got.Total, got.Restarts = PodStatus(tt.pod)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PodStatus (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPodNode(t *testing.T) {
	labels := map[string]string{"app": "web"}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-1", UID: "u1", Labels: labels,
			CreationTimestamp: metav1.NewTime(t0),
			OwnerReferences: []metav1.OwnerReference{
				{Kind: "Node", Name: "not-controller"},
				{Kind: "ReplicaSet", Name: "web-7d9c", Controller: ptr.To(true)},
			}},
		Spec: corev1.PodSpec{NodeName: "worker-1", Containers: []corev1.Container{{Name: "web", Image: "web:v1"}, {Name: "log", Image: "log:v2"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.5",
			Conditions:        []corev1.PodCondition{cond(corev1.PodReady, corev1.ConditionTrue, "")},
			ContainerStatuses: []corev1.ContainerStatus{running("web", true, 1), running("log", true, 0)}},
	}
	want := &Node{ID: "Pod/default/web-1", Kind: KindPod, Namespace: "default", Name: "web-1", UID: "u1",
		Pod: &PodFields{Status: "Running", Ready: true, ReadyContainers: 2, Restarts: 1,
			Containers: []Container{{Name: "web", Image: "web:v1", State: ContainerRunning, Ready: true, Restarts: 1},
				{Name: "log", Image: "log:v2", State: ContainerRunning, Ready: true}},
			Node: "Node/worker-1", Owner: "ReplicaSet/default/web-7d9c", Images: []string{"web:v1", "log:v2"},
			IP: "10.0.0.5", Labels: labels, Created: t0}}
	if diff := cmp.Diff(want, PodNode(p)); diff != "" {
		t.Errorf("PodNode (-want +got):\n%s", diff)
	}
}

func TestPodOwner(t *testing.T) {
	tests := []struct {
		name string
		refs []metav1.OwnerReference
		want string
	}{
		{"none", nil, ""},
		{"replicaset", []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "rs", Controller: ptr.To(true)}}, "ReplicaSet/ns/rs"},
		{"statefulset", []metav1.OwnerReference{{Kind: "StatefulSet", Name: "db", Controller: ptr.To(true)}}, "StatefulSet/ns/db"},
		{"daemonset", []metav1.OwnerReference{{Kind: "DaemonSet", Name: "ds", Controller: ptr.To(true)}}, "DaemonSet/ns/ds"},
		{"job", []metav1.OwnerReference{{Kind: "Job", Name: "j", Controller: ptr.To(true)}}, "Job/ns/j"},
		{"cronjob directly is not a pod's owner", []metav1.OwnerReference{{Kind: "CronJob", Name: "c", Controller: ptr.To(true)}}, ""},
		{"not the controller", []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "rs"}}, ""},
		{"controller false", []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "rs", Controller: ptr.To(false)}}, ""},
		{"deployment cannot own a pod", []metav1.OwnerReference{{Kind: "Deployment", Name: "d", Controller: ptr.To(true)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", OwnerReferences: tt.refs}}
			if got := PodNode(p).Pod.Owner; got != tt.want {
				t.Errorf("owner = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDeploymentNode(t *testing.T) {
	progressing := func(reason string) []appsv1.DeploymentCondition {
		return []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: reason}}
	}
	mk := func(mod func(d *appsv1.Deployment)) *appsv1.Deployment {
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", UID: "d1", Generation: 3,
				Annotations: map[string]string{AnnotationRevision: "2"}},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](3),
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:v2"}}}}},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 3, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3,
				Conditions: progressing("NewReplicaSetAvailable")},
		}
		if mod != nil {
			mod(d)
		}
		return d
	}
	tests := []struct {
		name string
		d    *appsv1.Deployment
		want DeploymentFields
	}{
		{"complete with default strategy", mk(nil), DeploymentFields{Replicas: 3, Updated: 3, Ready: 3, Available: 3, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: RolloutComplete}},
		{"budgets as written", mk(func(d *appsv1.Deployment) {
			d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromInt32(1)), MaxUnavailable: ptr.To(intstr.FromString("0%"))}}
		}), DeploymentFields{Replicas: 3, Updated: 3, Ready: 3, Available: 3, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "1", MaxUnavailable: "0%"}, Rollout: RolloutComplete}},
		{"recreate has no budgets", mk(func(d *appsv1.Deployment) {
			d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
		}), DeploymentFields{Replicas: 3, Updated: 3, Ready: 3, Available: 3, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "Recreate"}, Rollout: RolloutComplete}},
		{"default replicas 1, no revision, bad revision", mk(func(d *appsv1.Deployment) {
			d.Spec.Replicas = nil
			d.Annotations[AnnotationRevision] = "x"
			d.Status = appsv1.DeploymentStatus{ObservedGeneration: 3, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1, ReadyReplicas: 1}
		}), DeploymentFields{Replicas: 1, Updated: 1, Ready: 1, Available: 1, Revision: 0,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: RolloutComplete}},
		{"generation not observed", mk(func(d *appsv1.Deployment) { d.Generation = 4 }), DeploymentFields{Replicas: 3, Updated: 3, Ready: 3, Available: 3, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: RolloutProgressing}},
		{"new pods to come", mk(func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }), DeploymentFields{Replicas: 3, Updated: 1, Ready: 3, Available: 3, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: RolloutProgressing}},
		{"old pods to go", mk(func(d *appsv1.Deployment) { d.Status.Replicas = 4 }), DeploymentFields{Replicas: 3, Updated: 3, Ready: 3, Available: 3, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: RolloutProgressing}},
		{"new pods not available", mk(func(d *appsv1.Deployment) { d.Status.AvailableReplicas = 2 }), DeploymentFields{Replicas: 3, Updated: 3, Ready: 3, Available: 2, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: RolloutProgressing}},
		{"stalled", mk(func(d *appsv1.Deployment) {
			d.Status.AvailableReplicas = 2
			d.Status.Conditions = progressing("ProgressDeadlineExceeded")
		}), DeploymentFields{Replicas: 3, Updated: 3, Ready: 3, Available: 2, Revision: 2,
			Images: []string{"web:v2"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: RolloutStalled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := DeploymentNode(tt.d)
			if n.ID != "Deployment/default/web" || n.UID != "d1" {
				t.Errorf("id, uid = %q, %q", n.ID, n.UID)
			}
			if diff := cmp.Diff(tt.want, *n.Deployment); diff != "" {
				t.Errorf("DeploymentNode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWorkloadNodes(t *testing.T) {
	tmpl := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "a:1"}}}}
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-7d9c", UID: "r1",
			Annotations:     map[string]string{AnnotationRevision: "3"},
			OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "web", Controller: ptr.To(true)}}},
		Spec:   appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](4), Template: tmpl},
		Status: appsv1.ReplicaSetStatus{Replicas: 3, ReadyReplicas: 2},
	}
	ss := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "db", Name: "pg"},
		Spec: appsv1.StatefulSetSpec{Template: tmpl}, Status: appsv1.StatefulSetStatus{ReadyReplicas: 1}}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "proxy"},
		Spec: appsv1.DaemonSetSpec{Template: tmpl}, Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 5, NumberReady: 4}}
	tests := []struct {
		name      string
		got, want *Node
	}{
		{"replicaset", ReplicaSetNode(rs), &Node{ID: "ReplicaSet/default/web-7d9c", Kind: KindReplicaSet, Namespace: "default", Name: "web-7d9c", UID: "r1",
			ReplicaSet: &ReplicaSetFields{Owner: "Deployment/default/web", Revision: 3, Replicas: 4, Current: 3, Ready: 2, Images: []string{"a:1"}}}},
		{"statefulset defaults to 1 replica", StatefulSetNode(ss), &Node{ID: "StatefulSet/db/pg", Kind: KindStatefulSet, Namespace: "db", Name: "pg",
			StatefulSet: &SetFields{Replicas: 1, Ready: 1, Images: []string{"a:1"}}}},
		{"daemonset", DaemonSetNode(ds), &Node{ID: "DaemonSet/kube-system/proxy", Kind: KindDaemonSet, Namespace: "kube-system", Name: "proxy",
			DaemonSet: &SetFields{Replicas: 5, Ready: 4, Images: []string{"a:1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestServiceNode(t *testing.T) {
	sel := map[string]string{"app": "web"}
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", UID: "s1"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, ClusterIP: "10.96.0.10", Selector: sel,
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 30080, Protocol: corev1.ProtocolTCP},
				{Name: "named", Port: 443, TargetPort: intstr.FromString("https"), Protocol: corev1.ProtocolTCP},
				{Port: 53, Protocol: corev1.ProtocolUDP}, // targetPort not defaulted yet
			}}}
	want := &ServiceFields{Type: "NodePort", ClusterIP: "10.96.0.10", Selector: sel, Ports: []ServicePort{
		{Name: "http", Port: 80, TargetPort: "8080", NodePort: 30080, Protocol: "TCP"},
		{Name: "named", Port: 443, TargetPort: "https", Protocol: "TCP"},
		{Port: 53, TargetPort: "53", Protocol: "UDP"},
	}}
	if diff := cmp.Diff(want, ServiceNode(s).Service); diff != "" {
		t.Errorf("ServiceNode (-want +got):\n%s", diff)
	}
	if got := ServiceNode(&corev1.Service{}).Service.Type; got != "ClusterIP" {
		t.Errorf("default type = %q, want ClusterIP", got)
	}
}

func TestIngress(t *testing.T) {
	pathType := networkingv1.PathTypePrefix
	backend := func(svc string, port int32, portName string) networkingv1.IngressBackend {
		return networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: svc,
			Port: networkingv1.ServiceBackendPort{Number: port, Name: portName}}}
	}
	paths := func(ps ...networkingv1.HTTPIngressPath) *networkingv1.HTTPIngressRuleValue {
		return &networkingv1.HTTPIngressRuleValue{Paths: ps}
	}
	tests := []struct {
		name      string
		ing       networkingv1.Ingress
		want      IngressFields
		wantEdges []Edge
	}{
		{
			name: "class field, rules, shared service, default backend",
			ing: networkingv1.Ingress{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{AnnotationIngressClass: "legacy"}},
				Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"),
					DefaultBackend: ptr.To(backend("fallback", 80, "")),
					Rules: []networkingv1.IngressRule{
						{Host: "hello.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: paths(
							networkingv1.HTTPIngressPath{Path: "/api", PathType: &pathType, Backend: backend("api", 8080, "")},
							networkingv1.HTTPIngressPath{Path: "/", PathType: &pathType, Backend: backend("web", 0, "http")},
						)}},
						{Host: "other.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: paths(
							networkingv1.HTTPIngressPath{Path: "/v2", Backend: backend("api", 8080, "")},
						)}},
						{Host: "no-http.example.com"},
					}},
			},
			want: IngressFields{Class: "nginx", Rules: []IngressRule{
				{Host: "hello.example.com", Path: "/api", Service: "api", Port: "8080"},
				{Host: "hello.example.com", Path: "/", Service: "web", Port: "http"},
				{Host: "other.example.com", Path: "/v2", Service: "api", Port: "8080"},
				{Service: "fallback", Port: "80", Default: true},
			}},
			wantEdges: []Edge{
				{ID: "routes:Ingress/default/ing->Service/default/api", Kind: "routes", From: "Ingress/default/ing", To: "Service/default/api", Detail: &Detail{Label: "hello.example.com/api"}},
				{ID: "routes:Ingress/default/ing->Service/default/fallback", Kind: "routes", From: "Ingress/default/ing", To: "Service/default/fallback"},
				{ID: "routes:Ingress/default/ing->Service/default/web", Kind: "routes", From: "Ingress/default/ing", To: "Service/default/web", Detail: &Detail{Label: "hello.example.com/"}},
			},
		},
		{
			name: "legacy annotation class, default backend only",
			ing: networkingv1.Ingress{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{AnnotationIngressClass: "traefik"}},
				Spec:       networkingv1.IngressSpec{DefaultBackend: ptr.To(backend("web", 80, ""))},
			},
			want: IngressFields{Class: "traefik", Rules: []IngressRule{{Service: "web", Port: "80", Default: true}}},
			wantEdges: []Edge{
				{ID: "routes:Ingress/default/ing->Service/default/web", Kind: "routes", From: "Ingress/default/ing", To: "Service/default/web"},
			},
		},
		{
			name: "resource backend routes to no service",
			ing: networkingv1.Ingress{Spec: networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{
				Resource: &corev1.TypedLocalObjectReference{Kind: "StorageBucket", Name: "static"}}}},
			want: IngressFields{Rules: []IngressRule{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ing.Namespace, tt.ing.Name = "default", "ing"
			n := IngressNode(&tt.ing)
			if diff := cmp.Diff(tt.want, *n.Ingress); diff != "" {
				t.Errorf("IngressNode (-want +got):\n%s", diff)
			}
			got := []Edge{}
			for _, e := range IngressEdges(n) {
				got = append(got, *e)
			}
			sortEdges(got)
			if tt.wantEdges == nil {
				tt.wantEdges = []Edge{}
			}
			if diff := cmp.Diff(tt.wantEdges, got); diff != "" {
				t.Errorf("IngressEdges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNodeNode(t *testing.T) {
	tests := []struct {
		name string
		node corev1.Node
		want NodeFields
	}{
		{"ready control plane", corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{
				"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/master": "", "kubernetes.io/role": "master", "zone": "a"}},
			Status: corev1.NodeStatus{
				Conditions: []corev1.NodeCondition{{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse}, {Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
				Addresses:  []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "cp"}, {Type: corev1.NodeInternalIP, Address: "10.1.0.1"}, {Type: corev1.NodeInternalIP, Address: "fd00::1"}},
			}},
			NodeFields{Ready: true, Roles: []string{"control-plane", "master"}, InternalIP: "10.1.0.1",
				Labels:     map[string]string{"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/master": "", "kubernetes.io/role": "master", "zone": "a"},
				Conditions: []Condition{{Type: "Ready", Status: "True"}, {Type: "MemoryPressure", Status: "False"}}}},
		{"not ready, cordoned, no roles", corev1.Node{
			Spec: corev1.NodeSpec{Unschedulable: true, Taints: []corev1.Taint{
				{Key: "node.kubernetes.io/unschedulable", Effect: corev1.TaintEffectNoSchedule},
				{Key: "node.kubernetes.io/unreachable", Effect: corev1.TaintEffectNoExecute, TimeAdded: &metav1.Time{Time: time.Unix(1, 0)}}}},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown,
				Reason: "NodeStatusUnknown", Message: "Kubelet stopped posting node status.", LastHeartbeatTime: metav1.Time{Time: time.Unix(5, 0)}}}}},
			NodeFields{Roles: []string{}, Unschedulable: true,
				Conditions: []Condition{{Type: "Ready", Status: "Unknown", Reason: "NodeStatusUnknown", Message: "Kubelet stopped posting node status."}},
				Taints:     []Taint{{Key: "node.kubernetes.io/unschedulable", Effect: "NoSchedule"}, {Key: "node.kubernetes.io/unreachable", Effect: "NoExecute"}}}},
		{"empty role label ignored", corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"node-role.kubernetes.io/": "", "kubernetes.io/role": ""}}},
			NodeFields{Roles: []string{}, Labels: map[string]string{"node-role.kubernetes.io/": "", "kubernetes.io/role": ""}}},
		{"capacity, allocatable, conditions in order, pressure", corev1.Node{
			Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectPreferNoSchedule}}},
			Status: corev1.NodeStatus{
				Capacity: corev1.ResourceList{"cpu": resource.MustParse("4"), "memory": resource.MustParse("16Gi"),
					"pods": resource.MustParse("110"), "ephemeral-storage": resource.MustParse("100Gi"), "nvidia.com/gpu": resource.MustParse("1"),
					"hugepages-2Mi": resource.MustParse("0")},
				Allocatable: corev1.ResourceList{"cpu": resource.MustParse("3900m"), "memory": resource.MustParse("15Gi"), "pods": resource.MustParse("110")},
				Conditions: []corev1.NodeCondition{
					{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse, Reason: "RouteCreated"},
					{Type: "KernelDeadlock", Status: corev1.ConditionFalse},
					{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse},
					{Type: corev1.NodeDiskPressure, Status: corev1.ConditionTrue, Reason: "KubeletHasDiskPressure", Message: "kubelet has disk pressure"},
					{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"},
				}}},
			NodeFields{Ready: true, Roles: []string{},
				Capacity:    map[string]string{"cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"},
				Allocatable: map[string]string{"cpu": "3900m", "memory": "15Gi", "pods": "110"},
				Conditions: []Condition{{Type: "Ready", Status: "True", Reason: "KubeletReady", Message: "kubelet is posting ready status"},
					{Type: "DiskPressure", Status: "True", Reason: "KubeletHasDiskPressure", Message: "kubelet has disk pressure"},
					{Type: "PIDPressure", Status: "False"}, {Type: "NetworkUnavailable", Status: "False", Reason: "RouteCreated"}},
				Taints: []Taint{{Key: "dedicated", Value: "gpu", Effect: "PreferNoSchedule"}}}},
		{"taints bounded, long messages cut", corev1.Node{
			Spec: corev1.NodeSpec{Taints: slices.Repeat([]corev1.Taint{{Key: "k", Effect: corev1.TaintEffectNoSchedule}}, MaxTaints+5)},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse,
				Message: strings.Repeat("é", 200)}}}},
			NodeFields{Roles: []string{}, Taints: slices.Repeat([]Taint{{Key: "k", Effect: "NoSchedule"}}, MaxTaints),
				Conditions: []Condition{{Type: "Ready", Status: "False", Message: strings.Repeat("é", 128)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.node.Name = "worker-1"
			n := NodeNode(&tt.node)
			if n.ID != "Node/worker-1" || n.Namespace != "" {
				t.Errorf("id %q namespace %q", n.ID, n.Namespace)
			}
			if diff := cmp.Diff(tt.want, *n.Node); diff != "" {
				t.Errorf("NodeNode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelects(t *testing.T) {
	tests := []struct {
		name             string
		selector, labels map[string]string
		want             bool
	}{
		{"match", map[string]string{"app": "web"}, map[string]string{"app": "web", "pod-template-hash": "x"}, true},
		{"all keys", map[string]string{"app": "web", "tier": "fe"}, map[string]string{"app": "web", "tier": "fe"}, true},
		{"value differs", map[string]string{"app": "web"}, map[string]string{"app": "api"}, false},
		{"key missing", map[string]string{"app": "web", "tier": "fe"}, map[string]string{"app": "web"}, false},
		{"empty value must match empty", map[string]string{"app": ""}, map[string]string{"app": "web"}, false},
		{"no selector selects nothing", nil, map[string]string{"app": "web"}, false},
		{"empty selector selects nothing", map[string]string{}, map[string]string{"app": "web"}, false},
		{"pod without labels", map[string]string{"app": "web"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Selects(tt.selector, tt.labels); got != tt.want {
				t.Errorf("Selects = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEndpointSliceStates(t *testing.T) {
	ep := func(pod string, ready, serving, terminating *bool) discoveryv1.Endpoint {
		return discoveryv1.Endpoint{TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: pod},
			Conditions: discoveryv1.EndpointConditions{Ready: ready, Serving: serving, Terminating: terminating}}
	}
	yes, no := ptr.To(true), ptr.To(false)
	s := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-abc", Labels: map[string]string{LabelServiceName: "web"}},
		Endpoints: []discoveryv1.Endpoint{
			ep("ready", yes, yes, no),
			ep("nil-means-ready", nil, nil, nil),
			ep("serving", no, yes, yes),
			ep("terminating", no, no, yes),
			ep("not-ready", no, no, no),
			ep("not-ready-nil-serving", no, nil, nil),
			ep("dual", no, no, yes), ep("dual", yes, yes, no), // IPv4 + IPv6: best wins
			{TargetRef: &corev1.ObjectReference{Kind: "Node", Name: "n"}},
			{TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: "elsewhere", Namespace: "other"}},
			{Addresses: []string{"10.0.0.9"}}, // no target
		},
	}
	svc, pods := SliceStates(s)
	if svc != "web" {
		t.Errorf("service = %q, want web", svc)
	}
	want := map[string]string{"ready": "ready", "nil-means-ready": "ready", "serving": "serving", "terminating": "terminating",
		"not-ready": "none", "not-ready-nil-serving": "none", "dual": "ready"}
	if diff := cmp.Diff(want, pods); diff != "" {
		t.Errorf("SliceStates (-want +got):\n%s", diff)
	}
}
