package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	kwokconfig "sigs.k8s.io/kwok/pkg/config"
	"sigs.k8s.io/kwok/pkg/utils/lifecycle"
)

// TestStagesSelectExactlyOne runs KWOK's own matcher over pods in every
// state the lab knows: each state must select the one pod stage it did
// before wave 2 (or the new one meant for it), never two, because KWOK
// picks among several at random.
func TestStagesSelectExactlyOne(t *testing.T) {
	out, err := kwokConfig(stageParams{ReadyDelay: time.Second, DeleteDelay: time.Second, RestartInterval: 5 * time.Second, RunDuration: time.Second}, layout(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	var stages []*internalversion.Stage
	for _, doc := range strings.Split(out, "\n---\n") {
		obj, err := kwokconfig.Unmarshal([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := obj.(*internalversion.Stage); ok && s.Spec.ResourceRef.Kind == "Pod" {
			stages = append(stages, s)
		}
	}
	lc, err := lifecycle.NewLifecycle(stages)
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	cond := func(t corev1.PodConditionType, s corev1.ConditionStatus) corev1.PodCondition {
		return corev1.PodCondition{Type: t, Status: s}
	}
	pod := func(phase corev1.PodPhase, ip bool, change ...func(*corev1.Pod)) *corev1.Pod {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"app": "a"}},
			Spec:       corev1.PodSpec{NodeName: "worker-1", RestartPolicy: corev1.RestartPolicyAlways, Containers: []corev1.Container{{Name: "c", Image: "i"}}},
			Status:     corev1.PodStatus{Phase: phase},
		}
		if ip {
			p.Status.PodIP = "10.244.0.1"
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}}
		}
		if phase == corev1.PodRunning {
			p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodReady, corev1.ConditionTrue)}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}}
		}
		for _, f := range change {
			f(p)
		}
		return p
	}
	label := func(k string) func(*corev1.Pod) { return func(p *corev1.Pod) { p.Labels[k] = "true" } }
	policy := func(r corev1.RestartPolicy) func(*corev1.Pod) {
		return func(p *corev1.Pod) { p.Spec.RestartPolicy = r }
	}
	deleted := func(p *corev1.Pod) { p.DeletionTimestamp = &now }
	notReady := func(p *corev1.Pod) {
		p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodReady, corev1.ConditionFalse)}
	}
	configError := func(p *corev1.Pod) {
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError"}}
	}
	readyToStart := func(s corev1.ConditionStatus) func(*corev1.Pod) {
		return func(p *corev1.Pod) { p.Status.Conditions = append(p.Status.Conditions, cond(condReadyToStart, s)) }
	}
	for name, tc := range map[string]struct {
		pod  *corev1.Pod
		want string // "" for none
	}{
		"just bound":                   {pod(corev1.PodPending, false), "podium-pod-create"},
		"created":                      {pod(corev1.PodPending, true), "podium-pod-ready"},
		"created, never ready":         {pod(corev1.PodPending, true, label(labelNeverReady)), "podium-pod-never-ready"},
		"created, job pod":             {pod(corev1.PodPending, true, policy(corev1.RestartPolicyNever)), "podium-pod-ready"},
		"released by the config check": {pod(corev1.PodPending, true, readyToStart(corev1.ConditionTrue)), "podium-pod-ready"},
		"running":                      {pod(corev1.PodRunning, true), ""},
		"running, restarting":          {pod(corev1.PodRunning, true, label(labelRestart)), "podium-pod-restart"},
		"running, Never":               {pod(corev1.PodRunning, true, policy(corev1.RestartPolicyNever)), "podium-pod-complete"},
		"running, OnFailure":           {pod(corev1.PodRunning, true, policy(corev1.RestartPolicyOnFailure)), "podium-pod-complete"},
		"running, Never, failing":      {pod(corev1.PodRunning, true, policy(corev1.RestartPolicyNever), label(labelFail)), "podium-pod-fail"},
		"running, Never, restarting":   {pod(corev1.PodRunning, true, policy(corev1.RestartPolicyNever), label(labelRestart)), "podium-pod-restart"},
		"running, Always, failing":     {pod(corev1.PodRunning, true, label(labelFail)), ""},
		"succeeded":                    {pod(corev1.PodSucceeded, true, policy(corev1.RestartPolicyNever), notReady), ""},
		"config error":                 {pod(corev1.PodPending, true, configError), "podium-pod-config-error"},
		"config error, never ready":    {pod(corev1.PodPending, true, configError, label(labelNeverReady)), "podium-pod-config-error"},
		"mount error":                  {pod(corev1.PodPending, true, readyToStart(corev1.ConditionFalse)), "podium-pod-mount-error"},
		"deleted while ready":          {pod(corev1.PodRunning, true, deleted), "podium-pod-terminating"},
		"deleted, not ready":           {pod(corev1.PodRunning, true, deleted, notReady), "podium-pod-delete"},
		"deleted while held":           {pod(corev1.PodPending, true, configError, deleted), "podium-pod-delete"},
		"deleted with a mount error":   {pod(corev1.PodPending, true, readyToStart(corev1.ConditionFalse), deleted), "podium-pod-delete"},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(tc.pod)
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{Object: m}
			got, err := lc.ListAllPossible(context.Background(), &lifecycle.Event{Labels: u.GetLabels(), Annotations: u.GetAnnotations(), Data: u})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name())
			}
			var want []string
			if tc.want != "" {
				want = []string{tc.want}
			}
			if !slices.Equal(names, want) {
				t.Errorf("stages %v, want %v", names, want)
			}
		})
	}
}
