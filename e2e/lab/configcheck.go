package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
)

// The config check is the part of a kubelet that KWOK does not emulate:
// before a pod's containers start, the kubelet reads the ConfigMaps and
// Secrets the pod references, and a missing one stops it there.
//
//   - A missing volume source (configMap, secret, or a projected source):
//     the volume cannot be mounted, every container waits ContainerCreating,
//     the condition PodReadyToStartContainers is False, and a Warning
//     FailedMount event says why.
//   - A missing env or envFrom source: the container waits with reason
//     CreateContainerConfigError and the message `configmap "x" not found`,
//     and a Warning Failed event says "Error: ..." (the kubelet's words).
//
// Optional references are skipped, as the kubelet does; missing keys inside
// an existing object are not checked. Until the object exists, the stages
// podium-pod-config-error and podium-pod-mount-error hold the pod where it
// is; once it exists, the check releases the pod (ContainerCreating,
// PodReadyToStartContainers True) and KWOK's ready stage runs it. Unlike a
// kubelet, the lab also keeps a held pod's other containers waiting.
//
// The check runs once KWOK's create stage gave the pod its IP. A pod whose
// ready delay is 0 may already be Running by then; the check still stops it
// while it is young (startedRecently), because its containers could not have
// started. An older Running pod is left alone: a kubelet does not stop a
// container when its ConfigMap is deleted later.

const (
	condReadyToStart  corev1.PodConditionType = "PodReadyToStartContainers"
	reasonConfigError                         = "CreateContainerConfigError"
	reasonCreating                            = "ContainerCreating"
	startedRecently                           = 30 * time.Second
)

// missingRef is one reference to an object that does not exist.
type missingRef struct {
	kind, name string // "configmap" | "secret", as the kubelet's errors say
	volume     string // the volume that references it, "" for env
	container  string // the container whose env references it, "" for volumes
}

// notFound is the kubelet's error text for it (the API's NotFound message).
func (m missingRef) notFound() string { return fmt.Sprintf("%s %q not found", m.kind, m.name) }

// exists reports whether the object kind ("configmap" | "secret") named
// namespace/name exists.
type exists func(kind, namespace, name string) bool

// missingRefs lists what pod references but does not exist, volumes first
// (the kubelet mounts volumes before it creates any container).
func missingRefs(pod *corev1.Pod, have exists) []missingRef {
	var out []missingRef
	ns := pod.Namespace
	check := func(kind, name string, optional *bool, volume, container string) {
		if name == "" || (optional != nil && *optional) || have(kind, ns, name) {
			return
		}
		out = append(out, missingRef{kind: kind, name: name, volume: volume, container: container})
	}
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.ConfigMap != nil:
			check("configmap", v.ConfigMap.Name, v.ConfigMap.Optional, v.Name, "")
		case v.Secret != nil:
			check("secret", v.Secret.SecretName, v.Secret.Optional, v.Name, "")
		case v.Projected != nil:
			for _, s := range v.Projected.Sources {
				if s.ConfigMap != nil {
					check("configmap", s.ConfigMap.Name, s.ConfigMap.Optional, v.Name, "")
				}
				if s.Secret != nil {
					check("secret", s.Secret.Name, s.Secret.Optional, v.Name, "")
				}
			}
		}
	}
	containers := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range containers {
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				check("configmap", e.ConfigMapRef.Name, e.ConfigMapRef.Optional, "", c.Name)
			}
			if e.SecretRef != nil {
				check("secret", e.SecretRef.Name, e.SecretRef.Optional, "", c.Name)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				check("configmap", r.Name, r.Optional, "", c.Name)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				check("secret", r.Name, r.Optional, "", c.Name)
			}
		}
	}
	return out
}

// held reports whether the check holds pod (its status carries one of the
// markers the hold stages select).
func held(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == condReadyToStart && c.Status == corev1.ConditionFalse {
			return true
		}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason == reasonConfigError {
			return true
		}
	}
	return false
}

// holdStatus returns pod's status with the kubelet's view of missing (not
// empty), and the Warning events to record as reason → message.
func holdStatus(pod *corev1.Pod, missing []missingRef, now time.Time) (corev1.PodStatus, [][2]string) {
	st := *pod.Status.DeepCopy()
	st.Phase = corev1.PodPending
	mounts := missing[0].volume != ""
	var events [][2]string
	waiting := map[string]*corev1.ContainerStateWaiting{}
	if mounts {
		for _, m := range missing {
			if m.volume != "" {
				events = append(events, [2]string{"FailedMount", fmt.Sprintf("MountVolume.SetUp failed for volume %q : %s", m.volume, m.notFound())})
			}
		}
	} else {
		for _, m := range missing {
			if waiting[m.container] == nil {
				waiting[m.container] = &corev1.ContainerStateWaiting{Reason: reasonConfigError, Message: m.notFound()}
				events = append(events, [2]string{"Failed", "Error: " + m.notFound()})
			}
		}
	}
	setCondition(&st, condReadyToStart, !mounts, "", now)
	setCondition(&st, corev1.ContainersReady, false, "ContainersNotReady", now)
	setCondition(&st, corev1.PodReady, false, "ContainersNotReady", now)
	st.ContainerStatuses = waitingStatuses(pod.Spec.Containers, pod.Status.ContainerStatuses, waiting)
	return st, events
}

// releaseStatus returns a held pod's status once nothing is missing: the
// containers are being created, and KWOK's ready stage takes it from there.
func releaseStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	st := *pod.Status.DeepCopy()
	setCondition(&st, condReadyToStart, true, "", now)
	st.ContainerStatuses = waitingStatuses(pod.Spec.Containers, pod.Status.ContainerStatuses, nil)
	return st
}

func waitingStatuses(containers []corev1.Container, old []corev1.ContainerStatus, waiting map[string]*corev1.ContainerStateWaiting) []corev1.ContainerStatus {
	restarts := map[string]int32{}
	for _, o := range old {
		restarts[o.Name] = o.RestartCount
	}
	out := make([]corev1.ContainerStatus, 0, len(containers))
	for _, c := range containers {
		w := waiting[c.Name]
		if w == nil {
			w = &corev1.ContainerStateWaiting{Reason: reasonCreating}
		}
		out = append(out, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, RestartCount: restarts[c.Name],
			State: corev1.ContainerState{Waiting: w},
		})
	}
	return out
}

func setCondition(st *corev1.PodStatus, t corev1.PodConditionType, ok bool, reason string, now time.Time) {
	status := corev1.ConditionFalse
	if ok {
		status = corev1.ConditionTrue
		reason = ""
	}
	for i := range st.Conditions {
		c := &st.Conditions[i]
		if c.Type != t {
			continue
		}
		if c.Status != status {
			c.LastTransitionTime = metav1.NewTime(now)
		}
		c.Status, c.Reason = status, reason
		return
	}
	st.Conditions = append(st.Conditions, corev1.PodCondition{Type: t, Status: status, Reason: reason, LastTransitionTime: metav1.NewTime(now)})
}

// configCheck watches pods on KWOK's nodes and the names of ConfigMaps and
// Secrets (metadata only: it never needs their data).
type configCheck struct {
	cs       kubernetes.Interface
	pods     cache.Indexer
	objects  map[string]cache.Indexer // "configmap" | "secret" → metadata store
	queue    workqueue.TypedRateLimitingInterface[string]
	recorder record.EventRecorder

	mu sync.Mutex
	// heldIn guards nothing but itself: namespace → keys of held pods, so
	// a ConfigMap or Secret appearing wakes only the pods waiting for it.
	heldIn map[string]map[string]bool
}

func runConfigCheck(ctx context.Context, o options) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", o.layout().kubeconfig())
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 1000, 2000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		return err
	}
	pf := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTransform(stripManagedFields))
	mf := metadatainformer.NewSharedInformerFactory(mc, 0)
	podInf := pf.Core().V1().Pods().Informer()
	cmInf := mf.ForResource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Informer()
	secInf := mf.ForResource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Informer()

	b := record.NewBroadcaster(record.WithContext(ctx))
	defer b.Shutdown()
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
	c := &configCheck{
		cs:       cs,
		pods:     podInf.GetIndexer(),
		objects:  map[string]cache.Indexer{"configmap": cmInf.GetIndexer(), "secret": secInf.GetIndexer()},
		queue:    workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		recorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet"}),
		heldIn:   map[string]map[string]bool{},
	}
	defer c.queue.ShutDown()
	enqueuePod := func(obj any) {
		if p, ok := obj.(*corev1.Pod); ok && p.Spec.NodeName != "" {
			if key, err := cache.MetaNamespaceKeyFunc(p); err == nil {
				c.queue.Add(key)
			}
		}
	}
	if _, err := podInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueuePod,
		UpdateFunc: func(_, obj any) { enqueuePod(obj) },
	}); err != nil {
		return err
	}
	wake := func(obj any) {
		m, err := meta(obj)
		if err != nil {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for key := range c.heldIn[m.GetNamespace()] {
			c.queue.Add(key)
		}
	}
	for _, inf := range []cache.SharedIndexInformer{cmInf, secInf} {
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: wake}); err != nil {
			return err
		}
	}
	pf.Start(ctx.Done())
	mf.Start(ctx.Done())
	defer pf.Shutdown()
	defer mf.Shutdown()
	for _, inf := range []cache.SharedIndexInformer{podInf, cmInf, secInf} {
		if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
			return ctx.Err()
		}
	}
	for range 4 {
		go c.work(ctx)
	}
	<-ctx.Done()
	return ctx.Err()
}

// stripManagedFields keeps the pod cache small: with 10,000 pods, managed
// fields are most of each object.
func stripManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

func meta(obj any) (metav1.Object, error) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T has no object metadata", obj)
	}
	return m, nil
}

func (c *configCheck) have(kind, namespace, name string) bool {
	_, ok, err := c.objects[kind].GetByKey(namespace + "/" + name)
	return ok && err == nil
}

func (c *configCheck) work(ctx context.Context) {
	for {
		key, quit := c.queue.Get()
		if quit {
			return
		}
		if err := c.sync(ctx, key); err != nil {
			fmt.Printf("podium-lab: config check %s: %v\n", key, err)
			c.queue.AddRateLimited(key)
		} else {
			c.queue.Forget(key)
		}
		c.queue.Done(key)
	}
}

func (c *configCheck) setHeld(pod *corev1.Pod, key string, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set := c.heldIn[pod.Namespace]
	if on {
		if set == nil {
			set = map[string]bool{}
			c.heldIn[pod.Namespace] = set
		}
		set[key] = true
		return
	}
	delete(set, key)
	if len(set) == 0 {
		delete(c.heldIn, pod.Namespace)
	}
}

func (c *configCheck) sync(ctx context.Context, key string) error {
	obj, ok, err := c.pods.GetByKey(key)
	if err != nil {
		return err
	}
	if !ok {
		ns, _, _ := cache.SplitMetaNamespaceKey(key)
		c.setHeld(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns}}, key, false)
		return nil
	}
	pod := obj.(*corev1.Pod)
	// Only pods KWOK's create stage has set up, and not ended or ending.
	if pod.DeletionTimestamp != nil || pod.Status.PodIP == "" ||
		pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		c.setHeld(pod, key, false)
		return nil
	}
	now := time.Now()
	missing := missingRefs(pod, c.have)
	isHeld := held(pod)
	c.setHeld(pod, key, len(missing) > 0)
	switch {
	case len(missing) == 0 && isHeld:
		return c.updateStatus(ctx, pod, releaseStatus(pod, now))
	case len(missing) == 0 || isHeld:
		return nil
	case pod.Status.Phase == corev1.PodRunning && (pod.Status.StartTime == nil || now.Sub(pod.Status.StartTime.Time) > startedRecently):
		return nil
	}
	st, events := holdStatus(pod, missing, now)
	if err := c.updateStatus(ctx, pod, st); err != nil {
		return err
	}
	for _, e := range events {
		c.recorder.Event(pod, corev1.EventTypeWarning, e[0], e[1])
	}
	return nil
}

func (c *configCheck) updateStatus(ctx context.Context, pod *corev1.Pod, st corev1.PodStatus) error {
	p := pod.DeepCopy()
	p.Status = st
	_, err := c.cs.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	// A conflict means a newer pod is on its way through the informer,
	// which enqueues it again.
	if apierrors.IsConflict(err) {
		return nil
	}
	return err
}
