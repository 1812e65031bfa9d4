package graph

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func jobNode(state, owner string, started, finished time.Time, reason string) *Node {
	return &Node{ID: "Job/default/backup-1", Kind: KindJob, Namespace: "default", Name: "backup-1", UID: "j1",
		Job: &JobFields{Parallelism: 1, State: state, Owner: owner, Started: started, Finished: finished, Reason: reason}}
}

func hpaNode(current, desired int, metrics []Metric, conds ...Condition) *Node {
	return &Node{ID: "HorizontalPodAutoscaler/default/web", Kind: KindHPA, Namespace: "default", Name: "web", UID: "h1",
		HorizontalPodAutoscaler: &HPAFields{Target: "Deployment/default/web", Min: 2, Max: 10, Current: current,
			Desired: desired, Metrics: metrics, Conditions: conds}}
}

func TestHappenings2(t *testing.T) {
	at := t0.Add(10 * time.Minute)
	cron := "CronJob/default/backup"
	cpu := func(cur, tgt string) []Metric { return []Metric{{Name: "cpu", Current: cur, Target: tgt}} }
	tests := []struct {
		name       string
		prev, cur  *Node
		want       []string
		wantParams []map[string]string
	}{
		{"a CronJob starts a Job", nil, jobNode(JobRunning, cron, at.Add(-time.Second), time.Time{}, ""),
			[]string{"job: CronJob default/backup started Job default/backup-1"},
			[]map[string]string{{"name": "default/backup-1", "state": "started", "job": "default/backup-1", "cronjob": "default/backup"}}},
		{"a Job not started yet", nil, jobNode(JobRunning, cron, time.Time{}, time.Time{}, ""),
			[]string{"job: CronJob default/backup started Job default/backup-1"}, nil},
		{"an old Job listed at start is no start", nil, jobNode(JobRunning, cron, at.Add(-time.Hour), time.Time{}, ""), nil, nil},
		{"a Job of no CronJob", nil, jobNode(JobRunning, "", at, time.Time{}, ""), nil, nil},
		{"complete, with its duration",
			jobNode(JobRunning, cron, at.Add(-90*time.Second), time.Time{}, ""),
			jobNode(JobComplete, cron, at.Add(-90*time.Second), at, ""),
			[]string{"job: Job default/backup-1 complete in 1m30s"},
			[]map[string]string{{"name": "default/backup-1", "state": "complete", "job": "default/backup-1", "duration": "1m30s"}}},
		{"failed, with the reason",
			jobNode(JobRunning, "", at, time.Time{}, ""), jobNode(JobFailed, "", at, at, "BackoffLimitExceeded"),
			[]string{"job: Job default/backup-1 failed: BackoffLimitExceeded"},
			[]map[string]string{{"name": "default/backup-1", "state": "failed", "job": "default/backup-1", "reason": "BackoffLimitExceeded"}}},
		{"still running", jobNode(JobRunning, "", at, time.Time{}, ""), jobNode(JobRunning, "", at, time.Time{}, ""), nil, nil},
		{"HPA scales up on a metric", hpaNode(2, 2, cpu("40%", "50%")), hpaNode(2, 4, cpu("95%", "50%")),
			[]string{"scaled: HorizontalPodAutoscaler default/web scaled 2 → 4: cpu above target (95%/50%)"},
			[]map[string]string{{"name": "default/web", "kind": KindHPA, "from": "2", "to": "4", "why": "cpu above target",
				"metric": "cpu", "current": "95%", "target": "50%"}}},
		{"HPA scales up on the metric furthest above target",
			hpaNode(2, 2, nil), hpaNode(2, 5, []Metric{{Name: "cpu", Current: "60%", Target: "50%"}, {Name: "requests", Current: "2k", Target: "500"}}),
			[]string{"scaled: HorizontalPodAutoscaler default/web scaled 2 → 5: requests above target (2k/500)"}, nil},
		{"HPA scales down", hpaNode(4, 4, cpu("40%", "50%")), hpaNode(4, 3, cpu("10%", "50%")),
			[]string{"scaled: HorizontalPodAutoscaler default/web scaled 4 → 3: All metrics below target"}, nil},
		{"HPA raises to its minimum", hpaNode(1, 1, cpu("", "50%")), hpaNode(1, 2, cpu("", "50%")),
			[]string{"scaled: HorizontalPodAutoscaler default/web scaled 1 → 2: Current number of replicas below Spec.MinReplicas"}, nil},
		{"HPA limited: its condition says why", hpaNode(10, 9, cpu("", "50%")),
			hpaNode(10, 10, cpu("", "50%"), Condition{Type: "ScalingLimited", Status: "True", Reason: "TooManyReplicas",
				Message: "the desired replica count is more than the maximum replica count"}),
			[]string{"scaled: HorizontalPodAutoscaler default/web scaled 9 → 10: the desired replica count is more than the maximum replica count"}, nil},
		{"HPA's first figure is no scaling", hpaNode(0, 0, nil), hpaNode(2, 2, nil), nil, nil},
		{"HPA cannot read its metrics", hpaNode(2, 2, nil, Condition{Type: "ScalingActive", Status: "True"}),
			hpaNode(2, 2, nil, Condition{Type: "ScalingActive", Status: "False", Reason: "FailedGetResourceMetric", Message: "no metrics"}),
			[]string{"warning: HorizontalPodAutoscaler default/web: FailedGetResourceMetric: no metrics"},
			[]map[string]string{{"name": "default/web", "kind": KindHPA, "reason": "FailedGetResourceMetric", "message": "no metrics",
				"count": "1", "last": at.Format(time.RFC3339)}}},
		{"HPA scaled to zero on purpose", hpaNode(2, 2, nil),
			hpaNode(2, 2, nil, Condition{Type: "ScalingActive", Status: "False", Reason: "ScalingDisabled", Message: "scaling is disabled"}), nil, nil},
		{"a re-created HPA is an appearance", hpaNode(2, 2, nil), func() *Node { n := hpaNode(2, 4, cpu("95%", "50%")); n.UID = "h2"; return n }(), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := Happenings2(tt.prev, tt.cur, at)
			got := []string(nil)
			params := []map[string]string(nil)
			for _, h := range hs {
				got = append(got, h.Kind+": "+h.Text)
				params = append(params, h.Params)
				if !h.Time.Equal(at) || h.Ref != tt.cur.ID {
					t.Errorf("happening %+v: want time %v and ref %s", h, at, tt.cur.ID)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.wantParams != nil {
				if diff := cmp.Diff(tt.wantParams, params); diff != "" {
					t.Errorf("params (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestReplacedPods(t *testing.T) {
	// The StatefulSet controller gives ordinal db-1 its claims as volumes.
	dbPod := func(u string) any {
		return mkRunning("default", "db-1", ownedBy("StatefulSet", "db"), uid(u), func(p *corev1.Pod) {
			for _, c := range []string{"data-db-1", "logs-db-1"} {
				p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: c[:4], VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c}}})
			}
		})
	}
	replaced := func(d Delta) []map[string]string {
		var out []map[string]string
		for _, h := range d.Happenings {
			if h.Kind == HappeningReplaced {
				out = append(out, h.Params)
			}
		}
		return out
	}
	t.Run("a StatefulSet ordinal comes back on its claims", func(t *testing.T) {
		m := NewModel()
		m.Set(dbPod("u1"), t0)
		m.Flush()
		m.Delete(Pods, "default", "db-1", t0.Add(time.Second))
		if got := replaced(m.Flush()); got != nil {
			t.Fatalf("a deletion alone made %v", got)
		}
		m.Set(dbPod("u2"), t0.Add(5*time.Second))
		want := []map[string]string{{"name": "default/db-1", "uid": "u1", "newUid": "u2", "claims": "data-db-1, logs-db-1"}}
		if diff := cmp.Diff(want, replaced(m.Flush())); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("deleted and back within one flush", func(t *testing.T) {
		m := NewModel()
		m.Set(dbPod("u1"), t0)
		m.Flush()
		m.Delete(Pods, "default", "db-1", t0)
		m.Set(dbPod("u2"), t0)
		if got := replaced(m.Flush()); len(got) != 1 || got[0][ParamClaims] != "data-db-1, logs-db-1" {
			t.Errorf("got %v", got)
		}
	})
	t.Run("only the claims both reference", func(t *testing.T) {
		m := NewModel()
		m.Set(dbPod("u1"), t0)
		m.Flush()
		m.Delete(Pods, "default", "db-1", t0)
		m.Flush()
		p := dbPod("u2").(*corev1.Pod)
		p.Spec.Volumes = append(p.Spec.Volumes[:1], corev1.Volume{Name: "new", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "scratch"}}})
		m.Set(p, t0)
		if got := replaced(m.Flush()); len(got) != 1 || got[0][ParamClaims] != "data-db-1" {
			t.Errorf("got %v; want the claim data-db-1 reused", got)
		}
	})
	t.Run("too late is a new pod", func(t *testing.T) {
		m := NewModel()
		m.Set(mkRunning("default", "a", uid("u1")), t0)
		m.Flush()
		m.Delete(Pods, "default", "a", t0)
		m.Flush()
		m.Set(mkRunning("default", "a", uid("u2")), t0.Add(replacedWindow+time.Second))
		if got := replaced(m.Flush()); got != nil {
			t.Errorf("got %v", got)
		}
	})
	t.Run("a Deployment's pods never match", func(t *testing.T) {
		m := NewModel()
		m.Set(mkRunning("default", "web-7d9c-x2x", uid("u1")), t0)
		m.Flush()
		m.Delete(Pods, "default", "web-7d9c-x2x", t0)
		m.Set(mkRunning("default", "web-7d9c-k8p", uid("u2")), t0)
		if got := replaced(m.Flush()); got != nil {
			t.Errorf("got %v", got)
		}
	})
	// The tutorial's `kubectl delete pod`: the Deployment's ReplicaSet
	// makes a pod with a new name.
	rsPod := func(name string) *corev1.Pod {
		return mkRunning("default", name, ownedBy("ReplicaSet", "web-1"), uid("u-"+name))
	}
	rsStatus := func(m *Model, replicas, current int32) {
		r := mkReplicaSet("default", "web-1", "web")
		r.Spec.Replicas = ptr.To(replicas)
		r.Status.Replicas = current
		m.Set(r, t0)
	}
	rs := func(m *Model, replicas int32) { rsStatus(m, replicas, replicas) }
	terminating := func(name string) *corev1.Pod {
		p := rsPod(name)
		p.DeletionTimestamp = &metav1.Time{Time: t0}
		return p
	}
	withPods := func(names ...string) *Model {
		m := NewModel()
		rs(m, int32(len(names)))
		for _, n := range names {
			m.Set(rsPod(n), t0)
		}
		m.Flush()
		return m
	}
	t.Run("a ReplicaSet replaces a deleted pod under a new name", func(t *testing.T) {
		m := withPods("web-a", "web-b", "web-c")
		m.Delete(Pods, "default", "web-b", t0.Add(time.Second))
		if got := replaced(m.Flush()); got != nil {
			t.Fatalf("a deletion alone made %v", got)
		}
		m.Set(rsPod("web-d"), t0.Add(2*time.Second))
		want := []map[string]string{{"name": "default/web-d", "uid": "u-web-b", "newUid": "u-web-d", "was": "default/web-b", "owner": "ReplicaSet/default/web-1"}}
		if diff := cmp.Diff(want, replaced(m.Flush())); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// One deletion, one replacement: the next new pod is a scale-up.
		rs(m, 4)
		m.Set(rsPod("web-e"), t0.Add(3*time.Second))
		if got := replaced(m.Flush()); got != nil {
			t.Errorf("a scale-up after the replacement made %v", got)
		}
	})
	t.Run("the replacement comes while the deleted pod terminates", func(t *testing.T) {
		// kubectl delete pod: the pod turns Terminating for its grace
		// period, and the ReplicaSet makes the new one at once.
		m := withPods("web-a", "web-b", "web-c")
		m.Set(terminating("web-b"), t0.Add(time.Second))
		m.Set(rsPod("web-d"), t0.Add(time.Second))
		if got := replaced(m.Flush()); len(got) != 1 || got[0][ParamWas] != "default/web-b" || got[0][ParamName] != "default/web-d" {
			t.Fatalf("got %v; want web-d replacing web-b", got)
		}
		// Its removal after the grace period is not a second loss.
		m.Delete(Pods, "default", "web-b", t0.Add(30*time.Second))
		m.Flush()
		m.Set(rsPod("web-e"), t0.Add(31*time.Second))
		if got := replaced(m.Flush()); got != nil {
			t.Errorf("the terminated pod's removal was replaced again: %v", got)
		}
	})
	t.Run("a scale-down's victims are no loss", func(t *testing.T) {
		// The ReplicaSet wants 2 and still has 3 when it deletes one.
		m := withPods("web-a", "web-b", "web-c")
		rsStatus(m, 2, 3)
		m.Set(terminating("web-c"), t0.Add(time.Second))
		m.Delete(Pods, "default", "web-c", t0.Add(2*time.Second))
		rsStatus(m, 2, 2)
		m.Flush()
		if n := len(m.ownedDeleted); n != 0 {
			t.Errorf("a scale-down's victim was remembered as a loss: %v", m.ownedDeleted)
		}
	})
	t.Run("a rollback's scale-up of the old ReplicaSet is no replacement", func(t *testing.T) {
		// A rollout scales the old ReplicaSet 2 → 1 → 0; the rollback
		// 0 → 1. Even with the status caught up at each deletion, a pod
		// made at 1 again answers the rollback, not the deletion at 1.
		m := withPods("web-a", "web-b")
		rs(m, 1)
		m.Delete(Pods, "default", "web-b", t0.Add(time.Second))
		rs(m, 0)
		m.Delete(Pods, "default", "web-a", t0.Add(time.Second))
		m.Flush()
		rs(m, 1)
		m.Set(rsPod("web-c"), t0.Add(2*time.Second))
		if got := replaced(m.Flush()); got != nil {
			t.Errorf("a rollback made %v", got)
		}
	})
	t.Run("a scale-down's deletions are not replaced by a scale-up", func(t *testing.T) {
		m := withPods("web-a", "web-b", "web-c")
		rs(m, 2)
		m.Delete(Pods, "default", "web-c", t0.Add(time.Second))
		m.Flush()
		rs(m, 3)
		m.Set(rsPod("web-d"), t0.Add(2*time.Second))
		if got := replaced(m.Flush()); got != nil {
			t.Errorf("a scale-up made %v", got)
		}
	})
	t.Run("the newest deletion is the one replaced", func(t *testing.T) {
		m := withPods("web-a", "web-b", "web-c")
		rs(m, 2)
		m.Delete(Pods, "default", "web-c", t0.Add(time.Second)) // the scale-down's
		m.Flush()
		m.Delete(Pods, "default", "web-a", t0.Add(2*time.Second)) // kubectl delete pod
		m.Set(rsPod("web-d"), t0.Add(3*time.Second))
		if got := replaced(m.Flush()); len(got) != 1 || got[0][ParamWas] != "default/web-a" {
			t.Errorf("got %v; want web-d replacing web-a", got)
		}
	})
	t.Run("a pod of no ReplicaSet the model knows is new", func(t *testing.T) {
		m := NewModel()
		m.Set(rsPod("web-a"), t0)
		m.Flush()
		m.Delete(Pods, "default", "web-a", t0)
		m.Set(rsPod("web-b"), t0)
		if got := replaced(m.Flush()); got != nil {
			t.Errorf("got %v", got)
		}
	})
	t.Run("the memory of ReplicaSets' deletions is bounded", func(t *testing.T) {
		m := NewModel()
		for i := range maxDeletedPods + 10 {
			r := mkReplicaSet("default", fmt.Sprint("rs", i), "")
			m.Set(r, t0)
			for j := range maxOwnedDeletions + 2 {
				m.Set(mkRunning("default", fmt.Sprint("p", i, "-", j), ownedBy("ReplicaSet", r.Name)), t0)
			}
		}
		m.Flush()
		for i := range maxDeletedPods + 10 {
			for j := range maxOwnedDeletions + 2 {
				m.Delete(Pods, "default", fmt.Sprint("p", i, "-", j), t0.Add(time.Duration(i)*time.Millisecond))
			}
		}
		m.Flush()
		if n := len(m.ownedDeleted); n > maxDeletedPods {
			t.Errorf("%d ReplicaSets remembered; want at most %d", n, maxDeletedPods)
		}
		for id, l := range m.ownedDeleted {
			if len(l) > maxOwnedDeletions {
				t.Fatalf("%s: %d deletions remembered; want at most %d", id, len(l), maxOwnedDeletions)
			}
		}
	})
	t.Run("the memory of deleted pods is bounded", func(t *testing.T) {
		m := NewModel()
		for i := range 3 * maxDeletedPods {
			m.Set(mkRunning("default", fmt.Sprint("p", i)), t0)
		}
		m.Flush()
		for i := range 3 * maxDeletedPods {
			m.Delete(Pods, "default", fmt.Sprint("p", i), t0.Add(time.Duration(i)*time.Millisecond))
			m.Flush()
		}
		if n := len(m.deletedPods); n > maxDeletedPods {
			t.Errorf("%d deleted pods remembered; want at most %d", n, maxDeletedPods)
		}
		// The newest are the ones kept.
		last := fmt.Sprint("p", 3*maxDeletedPods-1)
		m.Set(mkRunning("default", last, uid("again")), t0.Add(time.Minute))
		if got := replaced(m.Flush()); len(got) != 1 {
			t.Errorf("the newest deletion was forgotten: %v", got)
		}
	})
}

// TestWave2HappeningsThroughSet folds real API objects in, as the
// informers do, and reads the happenings off the flushes.
func TestWave2HappeningsThroughSet(t *testing.T) {
	r := newRebuilt(t)
	hpa := mkHPA("default", "web", "Deployment", "web")
	hpa.Spec.MinReplicas = ptr.To[int32](1)
	hpa.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)}}}}
	status := func(cur, desired int32, util int32, active corev1.ConditionStatus, reason, msg string) *autoscalingv2.HorizontalPodAutoscaler {
		h := hpa.DeepCopy()
		h.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: cur, DesiredReplicas: desired,
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{Type: autoscalingv2.ScalingActive, Status: active, Reason: reason, Message: msg}}}
		if util > 0 {
			h.Status.CurrentMetrics = []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr.To(util)}}}}
		}
		return h
	}
	r.m.Set(status(2, 2, 40, corev1.ConditionTrue, "ValidMetricFound", "ok"), t0)
	r.flush()
	r.m.Set(status(2, 4, 95, corev1.ConditionTrue, "ValidMetricFound", "ok"), t0)
	d := r.flush()
	if got := summarize(d).Happenings; len(got) != 1 || !strings.HasPrefix(got[0], "scaled: HorizontalPodAutoscaler default/web scaled 2 → 4: cpu above target") {
		t.Errorf("scaling up: %v", got)
	}
	msg := "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu"
	r.m.Set(status(4, 4, 0, corev1.ConditionFalse, "FailedGetResourceMetric", msg), t0)
	d = r.flush()
	if got := happeningStrings(d, HappeningWarning); len(got) != 1 || !strings.HasPrefix(got[0], "HorizontalPodAutoscaler/default/web FailedGetResourceMetric 1 ") {
		t.Errorf("metrics failing: %v", got)
	}
	if n := r.m.node("HorizontalPodAutoscaler/default/web"); len(n.Warnings) != 1 || n.Warnings[0].Message != msg {
		t.Errorf("HPA warnings %+v", n.Warnings)
	}

	job := mkJob("default", "pi", "", ptr.To[int32](1))
	job.Status.StartTime = &metav1.Time{Time: t0}
	r.m.Set(job, t0)
	r.flush()
	done := job.DeepCopy()
	done.Status.CompletionTime = &metav1.Time{Time: t0.Add(42 * time.Second)}
	done.Status.Succeeded = 1
	done.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}
	r.m.Set(done, t0.Add(42*time.Second))
	if got := summarize(r.flush()).Happenings; !cmp.Equal(got, []string{"job: Job default/pi complete in 42s"}) {
		t.Errorf("job complete: %v", got)
	}
}
