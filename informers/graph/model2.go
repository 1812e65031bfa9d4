package graph

import (
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
)

// setWave2 folds in the kinds wave 2 added: *batchv1.Job, *batchv1.CronJob,
// *autoscalingv2.HorizontalPodAutoscaler, *corev1.PersistentVolumeClaim,
// *corev1.PersistentVolume and *storagev1.StorageClass. Other types are
// ignored.
func (m *Model) setWave2(obj any, now time.Time) {
	var n *Node
	switch o := obj.(type) {
	case *batchv1.Job:
		if o != nil {
			n = JobNode(o)
		}
	case *batchv1.CronJob:
		if o != nil {
			n = CronJobNode(o)
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if o != nil {
			n = HPANode(o)
		}
	case *corev1.PersistentVolumeClaim:
		if o != nil {
			n = PVCNode(o)
		}
	case *corev1.PersistentVolume:
		if o != nil {
			n = PVNode(o)
		}
	case *storagev1.StorageClass:
		if o != nil {
			n = StorageClassNode(o)
		}
	}
	if n == nil || n.Name == "" {
		return
	}
	m.setWithEdge(n, now)
}

// ownEdge returns the one edge an entity's own fields imply, if any: a
// Job's owns edge from its CronJob, an HPA's scales edge to its target, a
// claim's bound edge to its volume. Like a ReplicaSet's owner, the edge
// exists while the entity does, dangling until the other end appears.
func ownEdge(n *Node) (kind, from, to string) {
	switch {
	case n.Job != nil && n.Job.Owner != "":
		return EdgeOwns, n.Job.Owner, n.ID
	case n.StatefulSet != nil && n.StatefulSet.Owner != "":
		return EdgeOwns, n.StatefulSet.Owner, n.ID
	case n.DaemonSet != nil && n.DaemonSet.Owner != "":
		return EdgeOwns, n.DaemonSet.Owner, n.ID
	case n.HorizontalPodAutoscaler != nil && n.HorizontalPodAutoscaler.Target != "":
		return EdgeScales, n.ID, n.HorizontalPodAutoscaler.Target
	case n.PersistentVolumeClaim != nil && n.PersistentVolumeClaim.Volume != "":
		return EdgeBound, n.ID, n.PersistentVolumeClaim.Volume
	}
	return "", "", ""
}

// setWithEdge folds in n and moves its ownEdge from what the old value
// implied.
func (m *Model) setWithEdge(n *Node, now time.Time) {
	old := m.node(n.ID)
	m.setNode(n, now)
	k, from, to := ownEdge(n)
	if old != nil {
		ok, ofrom, oto := ownEdge(old)
		if ok == k && ofrom == from && oto == to {
			return
		}
		if oto != "" {
			m.delEdge(m.edgeKey(ok, ofrom, oto))
		}
	}
	if to != "" {
		m.putEdge(m.newEdge(k, from, to, ""))
	}
}
