package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/kubesteps"
	"github.com/podiumhq/podium/e2e/labtest"
)

// The talk's names. The lesson (cmd/podium/demo/talk.lesson.yaml) names
// the same objects: rename one, rename both (the recorder refuses a lesson
// that no longer finds its happenings).
const (
	nsMain = "demo"      // every chapter but the quota's
	nsTeam = "demo-team" // LimitRange and quota, deleted as the Namespace chapter

	deployName = "hellok8s-deployment"
	image      = "guangzhengli/hellok8s"

	// The talk's nodes carry poolKey=poolValue and a NoSchedule taint of
	// the same: only the talk's pods (which tolerate it and require the
	// label) run there, so draining one moves no one else's pod.
	poolKey   = "podium.dev/talk"
	poolValue = "demo"
	drainNode = "demo-node-3"

	clusterRole = "demo-secret-reader"
	roleBinding = "demo-hellok8s-reads-secrets"
	pvPrefix    = "demo-data"
)

func nodeNames() []string { return []string{"demo-node-1", "demo-node-2", "demo-node-3"} }

var hellok8sLabels = map[string]string{"app": "hellok8s"}

// place puts a pod spec on the talk's nodes.
func place(s *corev1.PodSpec) {
	s.Tolerations = append(s.Tolerations, corev1.Toleration{Key: poolKey, Operator: corev1.TolerationOpEqual, Value: poolValue, Effect: corev1.TaintEffectNoSchedule})
	s.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
			Key: poolKey, Operator: corev1.NodeSelectorOpIn, Values: []string{poolValue}}}}}}}}
}

// pin puts a pod spec on the first of the talk's nodes: the pods that are
// not the drain's subject stay off the node that is drained.
func pin(s *corev1.PodSpec) {
	place(s)
	s.NodeSelector = map[string]string{"kubernetes.io/hostname": nodeNames()[0]}
}

// cleanUp deletes everything of the talk's and waits until it is gone.
func cleanUp(ctx context.Context, cs kubernetes.Interface) error {
	var errs []error
	ignore := func(err error) {
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	for _, ns := range []string{nsMain, nsTeam} {
		ignore(cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}))
	}
	ignore(cs.RbacV1().ClusterRoleBindings().Delete(ctx, roleBinding, metav1.DeleteOptions{}))
	ignore(cs.RbacV1().ClusterRoles().Delete(ctx, clusterRole, metav1.DeleteOptions{}))
	if err := labtest.Poll(ctx, 120*time.Second, func(ctx context.Context) error {
		for _, ns := range []string{nsMain, nsTeam} {
			if _, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("namespace %s still terminating (%v)", ns, err)
			}
		}
		return nil
	}); err != nil {
		errs = append(errs, err)
	}
	for i := range 2 {
		ignore(cs.CoreV1().PersistentVolumes().Delete(ctx, fmt.Sprintf("%s-%d", pvPrefix, i), metav1.DeleteOptions{}))
	}
	for _, n := range nodeNames() {
		ignore(cs.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{}))
	}
	return errors.Join(errs...)
}

// setUp makes what is there before the talk starts: the nodes, the
// volumes the StatefulSet will claim, namespace demo, and the pod of the
// first chapter, ready, so the recording opens on it.
func setUp(ctx context.Context, cs kubernetes.Interface) error {
	for i, name := range nodeNames() {
		if err := createNode(ctx, cs, i, name); err != nil {
			return err
		}
	}
	if err := labtest.EnsureStorageClass(ctx, cs); err != nil {
		return err
	}
	for i := range 2 {
		name := fmt.Sprintf("%s-%d", pvPrefix, i)
		if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{poolKey: poolValue}},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
				AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				StorageClassName:              labtest.StorageClass,
				PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/podium-demo/" + name}},
			},
		}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	if err := createNamespace(ctx, cs, nsMain); err != nil {
		return err
	}
	if _, err := cs.CoreV1().Pods(nsMain).Create(ctx, nginxPod(), metav1.CreateOptions{}); err != nil {
		return err
	}
	if err := labtest.Poll(ctx, 60*time.Second, podsReady(cs, nsMain, "app=nginx", 1)); err != nil {
		return fmt.Errorf("pod nginx ready: %w", err)
	}
	return nil
}

func createNode(ctx context.Context, cs kubernetes.Interface, i int, name string) error {
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("16Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	cidr := fmt.Sprintf("10.252.%d.0/24", i)
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels: map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
				"node-role.kubernetes.io/worker": "", "type": "kwok", poolKey: poolValue},
			Annotations: map[string]string{labtest.FakeNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"}},
		Spec: corev1.NodeSpec{PodCIDR: cidr, PodCIDRs: []string{cidr},
			Taints: []corev1.Taint{{Key: poolKey, Value: poolValue, Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Capacity: res, Allocatable: res, Addresses: []corev1.NodeAddress{
			// 192.0.2.0/24 is TEST-NET-1: documentation only; the lab's own
			// workers are .11 to .13.
			{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("192.0.2.%d", 21+i)},
			{Type: corev1.NodeHostName, Address: name},
		}},
	}
	if _, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create node %s: %w", name, err)
	}
	if err := labtest.Poll(ctx, 60*time.Second, func(ctx context.Context) error {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !labtest.NodeReady(n) {
			return fmt.Errorf("node %s not Ready", name)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	return nil
}

func createNamespace(ctx context.Context, cs kubernetes.Interface, ns string) error {
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	// Pods cannot be created before the default ServiceAccount exists.
	return labtest.Poll(ctx, 30*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

// nginxPod is chapter 1's pod: an init container that writes the page, the
// web server, and a sidecar that ships its logs (a native sidecar: an init
// container that keeps running).
func nginxPod() *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "nginx", Namespace: nsMain, Labels: map[string]string{"app": "nginx"}},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{
				{Name: "init-html", Image: "busybox:1.36"},
				{Name: "log-shipper", Image: "fluent/fluent-bit:3.1", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)},
			},
			Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.27", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}},
		},
	}
	pin(&p.Spec)
	return p
}

// podsReady waits for exactly n pods matching selector, all ready and none
// terminating.
func podsReady(cs kubernetes.Interface, ns, selector string, n int) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return err
		}
		if len(pods.Items) != n {
			return fmt.Errorf("%d pods %s, want %d", len(pods.Items), selector, n)
		}
		for _, p := range pods.Items {
			if p.DeletionTimestamp != nil || !labtest.PodReady(&p) {
				return fmt.Errorf("pod %s not ready yet", p.Name)
			}
		}
		return nil
	}
}

func hellok8s() *appsv1.Deployment {
	tmpl := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: hellok8sLabels},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "hellok8s-container", Image: image + ":v1",
				Ports: []corev1.ContainerPort{{ContainerPort: 3000}}}},
			// One pod per node before any node has two, counted per
			// revision (a rollout's new pods spread among themselves), and
			// only over nodes that take pods (a cordoned node does not):
			// so every node runs a pod of the Deployment when the Node
			// chapter drains one.
			TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
				MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.DoNotSchedule,
				LabelSelector:    &metav1.LabelSelector{MatchLabels: hellok8sLabels},
				MatchLabelKeys:   []string{appsv1.DefaultDeploymentUniqueLabelKey},
				NodeTaintsPolicy: ptr.To(corev1.NodeInclusionPolicyHonor),
			}},
		},
	}
	place(&tmpl.Spec)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: deployName, Namespace: nsMain},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: hellok8sLabels},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromInt32(1)), MaxUnavailable: ptr.To(intstr.FromInt32(1))}},
			// Few empty ReplicaSet lanes left behind by the talk's rollouts.
			RevisionHistoryLimit: ptr.To(int32(2)),
			Template:             tmpl,
		},
	}
}

func chapters(cs kubernetes.Interface) []step {
	apps := cs.AppsV1()
	core := cs.CoreV1()
	settled := func(ctx context.Context) error {
		return kubesteps.Settled(ctx, cs, nsMain, deployName, "app=hellok8s", "", false)
	}
	update := func(change func(d *appsv1.Deployment)) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return labtest.Poll(ctx, 20*time.Second, func(ctx context.Context) error {
				return kubesteps.UpdateDeployment(ctx, cs, nsMain, deployName, change)
			})
		}
	}
	scale := func(ns, name string, n int32) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return labtest.Poll(ctx, 20*time.Second, func(ctx context.Context) error {
				return kubesteps.UpdateDeployment(ctx, cs, ns, name, func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(n) })
			})
		}
	}
	service := func(name string, typ corev1.ServiceType, selector map[string]string, port, target, nodePort int32) *corev1.Service {
		s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: nsMain},
			Spec: corev1.ServiceSpec{Type: typ, Selector: selector,
				Ports: []corev1.ServicePort{{Port: port, TargetPort: intstr.FromInt32(target), NodePort: nodePort}}}}
		if typ == "" {
			s.Spec.ClusterIP = corev1.ClusterIPNone // headless
		}
		return s
	}
	create := func(objs ...any) func(ctx context.Context) error {
		return func(ctx context.Context) error { return createAll(ctx, cs, objs...) }
	}
	endpoints := func(svc, selector string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return kubesteps.Settled(ctx, cs, nsMain, deployName, selector, svc, false)
		}
	}

	return []step{
		// 2. Deployment, scale, rolling update and rollback.
		{name: "kubectl apply -f deployment.yaml (1 replica)", do: create(hellok8s()), wait: settled},
		{name: "kubectl scale deployment hellok8s-deployment --replicas=3", do: scale(nsMain, deployName, 3), wait: settled},
		{name: "kubectl set image deployment hellok8s-deployment hellok8s-container=guangzhengli/hellok8s:v2",
			do: update(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = image + ":v2" }), wait: settled},
		{name: "kubectl rollout undo deployment hellok8s-deployment", do: rollback(cs), wait: settled},

		// 3. StatefulSet: identity and storage that stay.
		{name: "kubectl apply -f statefulset.yaml (db, 2 replicas, volumeClaimTemplates data)",
			do:   create(service("db", "", map[string]string{"app": "db"}, 5432, 5432, 0), statefulSet()),
			wait: statefulSetReady(cs, 2)},
		deleteDB1(cs),

		// 4. Services: ClusterIP, the set follows the scale; a Deployment's
		// pod comes back under a new name; NodePort; Ingress.
		{name: "kubectl apply -f service-hellok8s-clusterip.yaml",
			do:   create(service("service-hellok8s-clusterip", corev1.ServiceTypeClusterIP, hellok8sLabels, 3000, 3000, 0)),
			wait: endpoints("service-hellok8s-clusterip", "app=hellok8s")},
		{name: "kubectl scale deployment hellok8s-deployment --replicas=4", do: scale(nsMain, deployName, 4),
			wait: endpoints("service-hellok8s-clusterip", "app=hellok8s")},
		{name: "kubectl delete pod hellok8s-deployment-… (one of four)", do: func(ctx context.Context) error {
			pods, err := core.Pods(nsMain).List(ctx, metav1.ListOptions{LabelSelector: "app=hellok8s"})
			if err != nil {
				return err
			}
			if len(pods.Items) == 0 {
				return errors.New("no pod to delete")
			}
			return core.Pods(nsMain).Delete(ctx, pods.Items[0].Name, metav1.DeleteOptions{})
		}, wait: endpoints("service-hellok8s-clusterip", "app=hellok8s")},
		{name: "kubectl apply -f service-hellok8s-nodeport.yaml (nodePort 30000)",
			do:   create(service("service-hellok8s-nodeport", corev1.ServiceTypeNodePort, hellok8sLabels, 3000, 3000, 30000)),
			wait: endpoints("service-hellok8s-nodeport", "app=hellok8s")},
		{name: "kubectl apply -f ingress.yaml (service-nginx-clusterip and hello-ingress)",
			do: create(service("service-nginx-clusterip", corev1.ServiceTypeClusterIP, map[string]string{"app": "nginx"}, 4000, 80, 0), ingress())},
		{name: "kubectl delete ingress, services (the next chapters do not need them)", quick: true, do: func(ctx context.Context) error {
			if err := cs.NetworkingV1().Ingresses(nsMain).Delete(ctx, "hello-ingress", metav1.DeleteOptions{}); err != nil {
				return err
			}
			for _, s := range []string{"service-nginx-clusterip", "service-hellok8s-nodeport", "service-hellok8s-clusterip"} {
				if err := core.Services(nsMain).Delete(ctx, s, metav1.DeleteOptions{}); err != nil {
					return err
				}
			}
			return nil
		}},

		// 5. ConfigMap, Secret and volumes: the pods mount them, by name.
		{name: "kubectl apply -f configmap.yaml -f secret.yaml -f deployment.yaml (mounts them)", do: func(ctx context.Context) error {
			if err := createAll(ctx, cs,
				&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "hellok8s-config", Namespace: nsMain}, Data: map[string]string{"DB_URL": "http://db:5432"}},
				&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "hellok8s-secret", Namespace: nsMain}, StringData: map[string]string{"DB_PASSWORD": "not-for-slides"}},
			); err != nil {
				return err
			}
			return update(func(d *appsv1.Deployment) {
				s := &d.Spec.Template.Spec
				s.Volumes = []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "hellok8s-config"}}}}}
				c := &s.Containers[0]
				c.VolumeMounts = []corev1.VolumeMount{{Name: "config", MountPath: "/etc/hellok8s"}}
				c.Env = []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: "hellok8s-secret"}, Key: "DB_PASSWORD"}}}}
			})(ctx)
		}, wait: settled},
		{name: "kubectl delete statefulset db, service db, pvc data-db-0 data-db-1", quick: true, do: func(ctx context.Context) error {
			if err := apps.StatefulSets(nsMain).Delete(ctx, "db", metav1.DeleteOptions{}); err != nil {
				return err
			}
			if err := core.Services(nsMain).Delete(ctx, "db", metav1.DeleteOptions{}); err != nil {
				return err
			}
			for i := range 2 {
				if err := core.PersistentVolumeClaims(nsMain).Delete(ctx, fmt.Sprintf("data-db-%d", i), metav1.DeleteOptions{}); err != nil {
					return err
				}
			}
			return nil
		}, wait: func(ctx context.Context) error {
			if err := podsReady(cs, nsMain, "app=db", 0)(ctx); err != nil {
				return err
			}
			// The volumes are the talk's own: gone with their claims.
			for i := range 2 {
				name := fmt.Sprintf("%s-%d", pvPrefix, i)
				if err := core.PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
					return err
				}
				if _, err := core.PersistentVolumes().Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					return fmt.Errorf("volume %s still there (%v)", name, err)
				}
			}
			return nil
		}},

		// 6. ServiceAccount bound to a ClusterRole that reads Secrets.
		{name: "kubectl apply -f serviceaccount.yaml -f clusterrole.yaml -f clusterrolebinding.yaml; the pods run as hellok8s-sa", do: func(ctx context.Context) error {
			if err := createAll(ctx, cs,
				&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "hellok8s-sa", Namespace: nsMain}},
				&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: clusterRole}, Rules: []rbacv1.PolicyRule{
					{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}},
					{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"secrets"}},
				}},
				&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: roleBinding},
					RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
					Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "hellok8s-sa", Namespace: nsMain}}},
			); err != nil {
				return err
			}
			return update(func(d *appsv1.Deployment) { d.Spec.Template.Spec.ServiceAccountName = "hellok8s-sa" })(ctx)
		}, wait: settled},

		// 7. LimitRange and quota, in a namespace of their own.
		{name: "kubectl create namespace demo-team; kubectl apply -f limitrange.yaml -f quota.yaml -f web.yaml (2 replicas)", do: func(ctx context.Context) error {
			if err := createNamespace(ctx, cs, nsTeam); err != nil {
				return err
			}
			if err := createAll(ctx, cs,
				&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "defaults", Namespace: nsTeam}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
					Type:           corev1.LimitTypeContainer,
					Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
					DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				}}}},
				&corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "budget", Namespace: nsTeam}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
					corev1.ResourcePods: resource.MustParse("3"), corev1.ResourceRequestsCPU: resource.MustParse("1"),
				}}},
			); err != nil {
				return err
			}
			// The quota's usage must be counted before a pod is admitted
			// against it.
			if err := labtest.Poll(ctx, 30*time.Second, func(ctx context.Context) error {
				q, err := core.ResourceQuotas(nsTeam).Get(ctx, "budget", metav1.GetOptions{})
				if err != nil {
					return err
				}
				if _, ok := q.Status.Used[corev1.ResourcePods]; !ok {
					return errors.New("quota usage not computed yet")
				}
				return nil
			}); err != nil {
				return err
			}
			return createAll(ctx, cs, teamWeb())
		}, wait: podsReady(cs, nsTeam, "app=web", 2)},
		// The ReplicaSet retries the refused pod, each time with a warning:
		// enough of them to read, then back within the quota.
		{name: "kubectl scale deployment web -n demo-team --replicas=4 (the quota admits one more)", quick: true, do: scale(nsTeam, "web", 4),
			wait: func(ctx context.Context) error {
				if err := podsReady(cs, nsTeam, "app=web", 3)(ctx); err != nil {
					return err
				}
				ev, err := core.Events(nsTeam).List(ctx, metav1.ListOptions{FieldSelector: "reason=FailedCreate"})
				if err != nil {
					return err
				}
				if len(ev.Items) == 0 {
					return errors.New("no FailedCreate event yet")
				}
				return nil
			}},
		{name: "(the refusals are read)", quick: true, do: func(ctx context.Context) error { sleep(ctx, time.Second); return nil }},
		{name: "kubectl scale deployment web -n demo-team --replicas=3 (within the quota)", do: scale(nsTeam, "web", 3),
			wait: podsReady(cs, nsTeam, "app=web", 3)},

		// 8. NetworkPolicy: hellok8s takes traffic from nginx only.
		{name: "kubectl apply -f networkpolicy.yaml -f client.yaml", do: create(networkPolicy(), client()), wait: podsReady(cs, nsMain, "app=client", 1)},

		// 9. Node: cordon, then drain; the pods move.
		{name: "kubectl cordon " + drainNode, do: func(ctx context.Context) error { return kubesteps.Cordon(ctx, cs, drainNode) }},
		{name: "kubectl drain " + drainNode + " --ignore-daemonsets", do: func(ctx context.Context) error {
			res, err := kubesteps.Drain(ctx, cs, drainNode, kubesteps.DrainOptions{Timeout: time.Minute})
			if err != nil {
				return err
			}
			if len(res.Evicted) == 0 {
				return errors.New("the drain evicted nothing: the chapter shows no pod moving")
			}
			return nil
		}, wait: func(ctx context.Context) error {
			if err := settled(ctx); err != nil {
				return err
			}
			pods, err := core.Pods(nsMain).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + drainNode})
			if err != nil {
				return err
			}
			if len(pods.Items) > 0 {
				return fmt.Errorf("%d pods still on %s", len(pods.Items), drainNode)
			}
			return nil
		}},

		// 10. Namespace: delete one, and everything in it goes.
		{name: "kubectl delete namespace demo-team", do: func(ctx context.Context) error {
			return core.Namespaces().Delete(ctx, nsTeam, metav1.DeleteOptions{})
		}, wait: func(ctx context.Context) error {
			if _, err := core.Namespaces().Get(ctx, nsTeam, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("namespace %s still terminating (%v)", nsTeam, err)
			}
			return nil
		}},
	}
}

// deleteDB1 deletes db-1 and waits for the StatefulSet to bring it back:
// the same name, a new pod (uid).
func deleteDB1(cs kubernetes.Interface) step {
	pods := cs.CoreV1().Pods(nsMain)
	var old string
	return step{name: "kubectl delete pod db-1", do: func(ctx context.Context) error {
		p, err := pods.Get(ctx, "db-1", metav1.GetOptions{})
		if err != nil {
			return err
		}
		old = string(p.UID)
		return pods.Delete(ctx, "db-1", metav1.DeleteOptions{})
	}, wait: func(ctx context.Context) error {
		p, err := pods.Get(ctx, "db-1", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if string(p.UID) == old {
			return errors.New("db-1 is still the old pod")
		}
		return statefulSetReady(cs, 2)(ctx)
	}}
}

// rollback does what `kubectl rollout undo` does: put the previous
// revision's pod template back.
func rollback(cs kubernetes.Interface) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		tmpl, err := kubesteps.PreviousTemplate(ctx, cs, nsMain, deployName)
		if err != nil {
			return err
		}
		return labtest.Poll(ctx, 20*time.Second, func(ctx context.Context) error {
			return kubesteps.UpdateDeployment(ctx, cs, nsMain, deployName, func(d *appsv1.Deployment) { d.Spec.Template = *tmpl })
		})
	}
}

func statefulSet() *appsv1.StatefulSet {
	lbl := map[string]string{"app": "db"}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "postgres", Image: "postgres:16", Ports: []corev1.ContainerPort{{ContainerPort: 5432}},
			VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/postgresql/data"}}}}}}
	pin(&tmpl.Spec)
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: nsMain},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(int32(2)), ServiceName: "db",
			Selector: &metav1.LabelSelector{MatchLabels: lbl},
			Template: tmpl,
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					StorageClassName: ptr.To(labtest.StorageClass),
					// Only the talk's volumes: other tests' static volumes
					// of the lab's class are theirs.
					Selector:  &metav1.LabelSelector{MatchLabels: map[string]string{poolKey: poolValue}},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}},
		},
	}
}

// statefulSetReady waits for db's n pods, ready, on bound claims.
func statefulSetReady(cs kubernetes.Interface, n int) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := podsReady(cs, nsMain, "app=db", n)(ctx); err != nil {
			return err
		}
		for i := range n {
			c, err := cs.CoreV1().PersistentVolumeClaims(nsMain).Get(ctx, fmt.Sprintf("data-db-%d", i), metav1.GetOptions{})
			if err != nil {
				return err
			}
			if c.Status.Phase != corev1.ClaimBound {
				return fmt.Errorf("claim %s is %s", c.Name, c.Status.Phase)
			}
		}
		return nil
	}
}

func ingress() *networkingv1.Ingress {
	prefix := networkingv1.PathTypePrefix
	path := func(p, svc string, port int32) networkingv1.HTTPIngressPath {
		return networkingv1.HTTPIngressPath{Path: p, PathType: &prefix, Backend: networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: svc, Port: networkingv1.ServiceBackendPort{Number: port}}}}
	}
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "hello-ingress", Namespace: nsMain},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), Rules: []networkingv1.IngressRule{{
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
				path("/hello", "service-hellok8s-clusterip", 3000), path("/", "service-nginx-clusterip", 4000),
			}}}}}},
	}
}

func teamWeb() *appsv1.Deployment {
	lbl := map[string]string{"app": "web"}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "web", Image: image + ":v2"}}}}
	pin(&tmpl.Spec)
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: nsTeam}, Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To(int32(2)), Selector: &metav1.LabelSelector{MatchLabels: lbl}, Template: tmpl}}
}

// networkPolicy lets only nginx reach hellok8s, on port 3000.
func networkPolicy() *networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "hellok8s-from-nginx", Namespace: nsMain},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: hellok8sLabels},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "nginx"}}}},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(3000))}},
			}},
		},
	}
}

// client is a pod the policy does not let in.
func client() *appsv1.Deployment {
	lbl := map[string]string{"app": "client"}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "curl", Image: "curlimages/curl:8.10.1"}}}}
	pin(&tmpl.Spec)
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "client", Namespace: nsMain}, Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To(int32(1)), Selector: &metav1.LabelSelector{MatchLabels: lbl}, Template: tmpl}}
}

// createAll creates each object, in order.
func createAll(ctx context.Context, cs kubernetes.Interface, objs ...any) error {
	for _, o := range objs {
		var err error
		switch o := o.(type) {
		case *appsv1.Deployment:
			_, err = cs.AppsV1().Deployments(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *appsv1.StatefulSet:
			_, err = cs.AppsV1().StatefulSets(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.Service:
			_, err = cs.CoreV1().Services(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.ConfigMap:
			_, err = cs.CoreV1().ConfigMaps(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.Secret:
			_, err = cs.CoreV1().Secrets(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.ServiceAccount:
			_, err = cs.CoreV1().ServiceAccounts(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.LimitRange:
			_, err = cs.CoreV1().LimitRanges(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *corev1.ResourceQuota:
			_, err = cs.CoreV1().ResourceQuotas(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *networkingv1.Ingress:
			_, err = cs.NetworkingV1().Ingresses(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *networkingv1.NetworkPolicy:
			_, err = cs.NetworkingV1().NetworkPolicies(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		case *rbacv1.ClusterRole:
			_, err = cs.RbacV1().ClusterRoles().Create(ctx, o, metav1.CreateOptions{})
		case *rbacv1.ClusterRoleBinding:
			_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, o, metav1.CreateOptions{})
		default:
			err = fmt.Errorf("createAll: %T is not a kind the talk creates", o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
