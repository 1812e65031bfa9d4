package graph

import (
	"strconv"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
)

// Wave-2 derivations. What each reads (the informer transforms must keep
// exactly these fields; everything else may be stripped):
//
//   - Job: metadata name, namespace, uid, ownerReferences (controller
//     CronJob); spec.completions, spec.parallelism, spec.suspend,
//     spec.template.spec.containers[].image; status.active, succeeded,
//     failed, startTime, completionTime, conditions[] type, status, reason,
//     lastTransitionTime.
//   - CronJob: metadata name, namespace, uid; spec.schedule, spec.suspend,
//     spec.jobTemplate.spec.template.spec.containers[].image;
//     status.lastScheduleTime, status.active (its length).
//   - HorizontalPodAutoscaler (autoscaling/v2): metadata name, namespace,
//     uid; spec.scaleTargetRef kind and name, spec.minReplicas,
//     spec.maxReplicas, spec.metrics[] (type, and per type the metric name
//     or resource name and target); status.currentReplicas,
//     desiredReplicas, currentMetrics[] (the same), conditions[] type,
//     status, reason, message.
//   - PersistentVolumeClaim: metadata name, namespace, uid;
//     spec.storageClassName, spec.accessModes, spec.volumeName,
//     spec.resources.requests[storage]; status.phase,
//     status.capacity[storage].
//   - PersistentVolume: metadata name, uid; spec.capacity[storage],
//     spec.storageClassName, spec.persistentVolumeReclaimPolicy,
//     spec.claimRef namespace and name; status.phase.
//   - StorageClass: metadata name, uid, the is-default-class annotations;
//     provisioner, reclaimPolicy, volumeBindingMode.
//   - StatefulSet (besides wave 1): spec.volumeClaimTemplates[].metadata.name.
//   - Service (besides wave 1): status.loadBalancer.ingress[] ip, hostname.
//   - Pod (besides wave 1): spec.containers and spec.initContainers (name,
//     image, ports, restartPolicy, volumeMounts[].name, env[].valueFrom
//     configMapKeyRef/secretKeyRef name, envFrom[] configMapRef/secretRef
//     name), spec.volumes (configMap, secret, persistentVolumeClaim,
//     ephemeral, projected sources' configMap/secret names),
//     spec.hostNetwork, spec.serviceAccountName; status.hostIP,
//     containerStatuses and initContainerStatuses (name, state with
//     reason, message and exitCode, ready, restartCount), the PodScheduled
//     condition's message. Pods become CachedPods at the door, so the
//     transform reads the whole pod and keeps none of it.

// Annotations marking the default StorageClass.
const (
	AnnotationDefaultClass     = "storageclass.kubernetes.io/is-default-class"
	AnnotationBetaDefaultClass = "storageclass.beta.kubernetes.io/is-default-class"
)

// JobState returns running, complete, failed or suspended, and the reason
// of a failure, from the Job's conditions and spec.suspend. The terminal
// conditions win over suspend: a finished Job stays finished.
func JobState(j *batchv1.Job) (state, reason string) {
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete, batchv1.JobSuccessCriteriaMet:
			return JobComplete, ""
		case batchv1.JobFailed, batchv1.JobFailureTarget:
			return JobFailed, c.Reason
		}
	}
	if j.Spec.Suspend != nil && *j.Spec.Suspend {
		return JobSuspended, ""
	}
	return JobRunning, ""
}

// JobNode derives a Job's entity. Completions is nil (null) for a work
// queue Job, which has none.
func JobNode(j *batchv1.Job) *Node {
	f := &JobFields{
		Parallelism: replicasOr1(j.Spec.Parallelism),
		Active:      int(j.Status.Active),
		Succeeded:   int(j.Status.Succeeded),
		Failed:      int(j.Status.Failed),
		Owner:       controllerOwner(j.OwnerReferences, j.Namespace, KindCronJob),
		Images:      containerImages(j.Spec.Template.Spec.Containers),
	}
	if j.Spec.Completions != nil {
		c := int(*j.Spec.Completions)
		f.Completions = &c
	}
	f.State, f.Reason = JobState(j)
	if j.Status.StartTime != nil {
		f.Started = j.Status.StartTime.Time
	}
	switch {
	case j.Status.CompletionTime != nil:
		f.Finished = j.Status.CompletionTime.Time
	case f.State == JobFailed:
		for _, c := range j.Status.Conditions {
			if (c.Type == batchv1.JobFailed || c.Type == batchv1.JobFailureTarget) && c.Status == corev1.ConditionTrue {
				f.Finished = c.LastTransitionTime.Time
				break
			}
		}
	}
	return &Node{ID: ID(KindJob, j.Namespace, j.Name), Kind: KindJob,
		Namespace: j.Namespace, Name: j.Name, UID: string(j.UID), Job: f}
}

// CronJobNode derives a CronJob's entity.
func CronJobNode(c *batchv1.CronJob) *Node {
	f := &CronJobFields{
		Schedule: c.Spec.Schedule,
		Suspend:  c.Spec.Suspend != nil && *c.Spec.Suspend,
		Active:   len(c.Status.Active),
		Images:   containerImages(c.Spec.JobTemplate.Spec.Template.Spec.Containers),
	}
	if c.Status.LastScheduleTime != nil {
		f.LastSchedule = c.Status.LastScheduleTime.Time
	}
	return &Node{ID: ID(KindCronJob, c.Namespace, c.Name), Kind: KindCronJob,
		Namespace: c.Namespace, Name: c.Name, UID: string(c.UID), CronJob: f}
}

// HPANode derives a HorizontalPodAutoscaler's entity. Its target is drawn
// only when it is a Deployment or a StatefulSet (the kinds the picture
// has); other targets leave Target "".
func HPANode(h *autoscalingv2.HorizontalPodAutoscaler) *Node {
	f := &HPAFields{
		Min:        replicasOr1(h.Spec.MinReplicas),
		Max:        int(h.Spec.MaxReplicas),
		Current:    int(h.Status.CurrentReplicas),
		Desired:    int(h.Status.DesiredReplicas),
		Metrics:    []Metric{},
		Conditions: []Condition{},
	}
	switch ref := h.Spec.ScaleTargetRef; ref.Kind {
	case KindDeployment, KindStatefulSet:
		if ref.Name != "" {
			f.Target = ID(ref.Kind, h.Namespace, ref.Name)
		}
	}
	for i := range h.Spec.Metrics {
		spec := &h.Spec.Metrics[i]
		name, target := metricTarget(spec)
		met := Metric{Name: name, Target: target}
		for j := range h.Status.CurrentMetrics {
			if cur := &h.Status.CurrentMetrics[j]; cur.Type == spec.Type {
				if n, v := metricCurrent(cur, spec); n == name {
					met.Current = v
					break
				}
			}
		}
		f.Metrics = append(f.Metrics, met)
	}
	for _, c := range h.Status.Conditions {
		f.Conditions = append(f.Conditions, Condition{Type: string(c.Type), Status: string(c.Status),
			Reason: c.Reason, Message: c.Message})
	}
	return &Node{ID: ID(KindHPA, h.Namespace, h.Name), Kind: KindHPA,
		Namespace: h.Namespace, Name: h.Name, UID: string(h.UID), HorizontalPodAutoscaler: f}
}

// metricTarget returns a metric's name and its target as kubectl get hpa
// prints it: a utilization as "50%", a value or average value as its
// quantity.
func metricTarget(m *autoscalingv2.MetricSpec) (name, target string) {
	switch m.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if m.Resource != nil {
			return string(m.Resource.Name), targetString(m.Resource.Target)
		}
	case autoscalingv2.ContainerResourceMetricSourceType:
		if m.ContainerResource != nil {
			return string(m.ContainerResource.Name) + "/" + m.ContainerResource.Container, targetString(m.ContainerResource.Target)
		}
	case autoscalingv2.PodsMetricSourceType:
		if m.Pods != nil {
			return m.Pods.Metric.Name, targetString(m.Pods.Target)
		}
	case autoscalingv2.ObjectMetricSourceType:
		if m.Object != nil {
			return m.Object.Metric.Name, targetString(m.Object.Target)
		}
	case autoscalingv2.ExternalMetricSourceType:
		if m.External != nil {
			return m.External.Metric.Name, targetString(m.External.Target)
		}
	}
	return string(m.Type), ""
}

func targetString(t autoscalingv2.MetricTarget) string {
	switch {
	case t.AverageUtilization != nil:
		return strconv.Itoa(int(*t.AverageUtilization)) + "%"
	case t.AverageValue != nil:
		return t.AverageValue.String()
	case t.Value != nil:
		return t.Value.String()
	}
	return ""
}

// metricCurrent returns a current metric's name and value, in the form of
// the spec's target (a utilization when the target is one).
func metricCurrent(m *autoscalingv2.MetricStatus, spec *autoscalingv2.MetricSpec) (name, current string) {
	switch m.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if m.Resource != nil && spec.Resource != nil {
			return string(m.Resource.Name), currentString(m.Resource.Current, spec.Resource.Target)
		}
	case autoscalingv2.ContainerResourceMetricSourceType:
		if m.ContainerResource != nil && spec.ContainerResource != nil {
			return string(m.ContainerResource.Name) + "/" + m.ContainerResource.Container,
				currentString(m.ContainerResource.Current, spec.ContainerResource.Target)
		}
	case autoscalingv2.PodsMetricSourceType:
		if m.Pods != nil && spec.Pods != nil {
			return m.Pods.Metric.Name, currentString(m.Pods.Current, spec.Pods.Target)
		}
	case autoscalingv2.ObjectMetricSourceType:
		if m.Object != nil && spec.Object != nil {
			return m.Object.Metric.Name, currentString(m.Object.Current, spec.Object.Target)
		}
	case autoscalingv2.ExternalMetricSourceType:
		if m.External != nil && spec.External != nil {
			return m.External.Metric.Name, currentString(m.External.Current, spec.External.Target)
		}
	}
	return "", ""
}

func currentString(c autoscalingv2.MetricValueStatus, t autoscalingv2.MetricTarget) string {
	switch {
	case t.AverageUtilization != nil && c.AverageUtilization != nil:
		return strconv.Itoa(int(*c.AverageUtilization)) + "%"
	case t.AverageValue != nil && c.AverageValue != nil:
		return c.AverageValue.String()
	case t.Value != nil && c.Value != nil:
		return c.Value.String()
	case c.AverageUtilization != nil:
		return strconv.Itoa(int(*c.AverageUtilization)) + "%"
	case c.AverageValue != nil:
		return c.AverageValue.String()
	case c.Value != nil:
		return c.Value.String()
	}
	return ""
}

func storage(rl corev1.ResourceList) string {
	if q, ok := rl[corev1.ResourceStorage]; ok {
		return q.String()
	}
	return ""
}

// PVCNode derives a PersistentVolumeClaim's entity: its capacity is the
// bound volume's once bound, else the request.
func PVCNode(c *corev1.PersistentVolumeClaim) *Node {
	f := &PVCFields{
		Phase:       string(c.Status.Phase),
		Capacity:    storage(c.Status.Capacity),
		AccessModes: []string{},
	}
	if f.Phase == "" {
		f.Phase = string(corev1.ClaimPending)
	}
	if f.Capacity == "" {
		f.Capacity = storage(c.Spec.Resources.Requests)
	}
	if c.Spec.StorageClassName != nil {
		f.StorageClass = *c.Spec.StorageClassName
	}
	for _, m := range c.Spec.AccessModes {
		f.AccessModes = append(f.AccessModes, string(m))
	}
	if c.Spec.VolumeName != "" {
		f.Volume = ID(KindPV, "", c.Spec.VolumeName)
	}
	return &Node{ID: ID(KindPVC, c.Namespace, c.Name), Kind: KindPVC,
		Namespace: c.Namespace, Name: c.Name, UID: string(c.UID), PersistentVolumeClaim: f}
}

// PVNode derives a PersistentVolume's entity (cluster-scoped).
func PVNode(v *corev1.PersistentVolume) *Node {
	f := &PVFields{
		Phase:         string(v.Status.Phase),
		Capacity:      storage(v.Spec.Capacity),
		StorageClass:  v.Spec.StorageClassName,
		ReclaimPolicy: string(v.Spec.PersistentVolumeReclaimPolicy),
	}
	if f.Phase == "" {
		f.Phase = string(corev1.VolumePending)
	}
	if r := v.Spec.ClaimRef; r != nil && r.Name != "" && r.Namespace != "" {
		f.Claim = ID(KindPVC, r.Namespace, r.Name)
	}
	return &Node{ID: ID(KindPV, "", v.Name), Kind: KindPV, Name: v.Name, UID: string(v.UID), PersistentVolume: f}
}

// StorageClassNode derives a StorageClass's entity (cluster-scoped), with
// the API defaults for an unset reclaim policy and binding mode.
func StorageClassNode(s *storagev1.StorageClass) *Node {
	f := &StorageClassFields{
		Provisioner:   s.Provisioner,
		ReclaimPolicy: string(corev1.PersistentVolumeReclaimDelete),
		BindingMode:   string(storagev1.VolumeBindingImmediate),
		Default:       s.Annotations[AnnotationDefaultClass] == "true" || s.Annotations[AnnotationBetaDefaultClass] == "true",
	}
	if s.ReclaimPolicy != nil {
		f.ReclaimPolicy = string(*s.ReclaimPolicy)
	}
	if s.VolumeBindingMode != nil {
		f.BindingMode = string(*s.VolumeBindingMode)
	}
	return &Node{ID: ID(KindStorageClass, "", s.Name), Kind: KindStorageClass, Name: s.Name, UID: string(s.UID), StorageClass: f}
}

// claimTemplates returns the names of a StatefulSet's volumeClaimTemplates.
func claimTemplates(ts []corev1.PersistentVolumeClaim) []string {
	if len(ts) == 0 {
		return nil
	}
	out := make([]string, len(ts))
	for i := range ts {
		out[i] = ts[i].Name
	}
	return out
}

// loadBalancer returns the external addresses of a LoadBalancer Service.
func loadBalancer(s *corev1.Service) []string {
	if s.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return nil
	}
	var out []string
	for _, in := range s.Status.LoadBalancer.Ingress {
		switch {
		case in.IP != "":
			out = append(out, in.IP)
		case in.Hostname != "":
			out = append(out, in.Hostname)
		}
	}
	return out
}
