package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestMissingRefs(t *testing.T) {
	yes := true
	existing := map[string]bool{"configmap/ns/there": true, "secret/ns/there": true}
	have := func(kind, ns, name string) bool { return existing[kind+"/"+ns+"/"+name] }
	env := func(cm, sec string, optional *bool) []corev1.EnvVar {
		return []corev1.EnvVar{
			{Name: "A", Value: "plain"},
			{Name: "B", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: cm}, Key: "k", Optional: optional}}},
			{Name: "C", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: sec}, Key: "k", Optional: optional}}},
		}
	}
	for name, tc := range map[string]struct {
		spec corev1.PodSpec
		want []string // kind/name@volume|container
	}{
		"nothing referenced": {corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}, nil},
		"all there": {corev1.PodSpec{
			Volumes:    []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "there"}}}}},
			Containers: []corev1.Container{{Name: "c", Env: env("there", "there", nil)}},
		}, nil},
		"env missing": {corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Env: env("gone", "gone2", nil)}}},
			[]string{"configmap/gone@c", "secret/gone2@c"}},
		"env missing but optional": {corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Env: env("gone", "gone", &yes)}}}, nil},
		"envFrom missing in an init container": {corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "gone"}}}}}},
			Containers:     []corev1.Container{{Name: "c"}},
		}, []string{"secret/gone@init"}},
		"volumes before env": {corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "e"}}}}}},
			Volumes: []corev1.Volume{
				{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "gone"}}},
				{Name: "p", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "root-ca"}}},
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
				}}}},
			},
		}, []string{"secret/gone@s", "configmap/root-ca@p", "configmap/e@c"}},
	} {
		t.Run(name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Spec: tc.spec}
			var got []string
			for _, m := range missingRefs(pod, have) {
				got = append(got, m.kind+"/"+m.name+"@"+m.volume+m.container)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("missing %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHoldAndRelease(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "ia"}, {Name: "b", Image: "ib"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.1",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "a", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				{Name: "b", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
			}},
	}
	t.Run("env", func(t *testing.T) {
		st, events := holdStatus(pod, []missingRef{{kind: "configmap", name: "gone", container: "b"}}, now)
		p := pod.DeepCopy()
		p.Status = st
		if !held(p) || st.Phase != corev1.PodPending {
			t.Fatalf("not held: %+v", st)
		}
		w := st.ContainerStatuses[1].State.Waiting
		if w == nil || w.Reason != "CreateContainerConfigError" || w.Message != `configmap "gone" not found` || st.ContainerStatuses[1].State.Running != nil {
			t.Errorf("container b: %+v", st.ContainerStatuses[1].State)
		}
		if w := st.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != "ContainerCreating" {
			t.Errorf("container a: %+v", st.ContainerStatuses[0].State)
		}
		if len(events) != 1 || events[0] != [2]string{"Failed", `Error: configmap "gone" not found`} {
			t.Errorf("events %v", events)
		}
		for _, c := range st.Conditions {
			if c.Type == corev1.PodReady && c.Status != corev1.ConditionFalse {
				t.Errorf("still Ready")
			}
		}
		rel := releaseStatus(p, now)
		p.Status = rel
		if held(p) {
			t.Errorf("still held after release: %+v", rel)
		}
	})
	t.Run("volume", func(t *testing.T) {
		st, events := holdStatus(pod, []missingRef{{kind: "secret", name: "gone", volume: "v"}, {kind: "configmap", name: "e", container: "a"}}, now)
		p := pod.DeepCopy()
		p.Status = st
		if !held(p) {
			t.Fatalf("not held: %+v", st)
		}
		for _, cs := range st.ContainerStatuses {
			if w := cs.State.Waiting; w == nil || w.Reason != "ContainerCreating" {
				t.Errorf("container %s: %+v", cs.Name, cs.State)
			}
		}
		if len(events) != 1 || events[0][0] != "FailedMount" || !strings.Contains(events[0][1], `volume "v" : secret "gone" not found`) {
			t.Errorf("events %v", events)
		}
		p.Status = releaseStatus(p, now)
		if held(p) {
			t.Errorf("still held after release")
		}
	})
}
