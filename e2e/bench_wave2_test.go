//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers"
	"github.com/podiumhq/podium/informers/graph"
)

// wave2Pod is the pod shape issue #12's budgets are set for: two
// containers, a ConfigMap volume and an env value from a Secret.
func wave2Pod(ns, name, node string, i int) *corev1.Pod {
	p := benchPod(ns, name, node, i)
	web := &p.Spec.Containers[0]
	web.VolumeMounts = []corev1.VolumeMount{{Name: "config", MountPath: "/etc/web"}}
	web.Env = append(web.Env, corev1.EnvVar{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "web-secret"}, Key: "token"}}})
	p.Spec.Containers = append(p.Spec.Containers, corev1.Container{
		Name: "log-shipper", Image: "registry.example/team/shipper:v0.9.1",
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("1m"), corev1.ResourceMemory: resource.MustParse("1Mi")}},
	})
	p.Spec.Volumes = []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
		ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}}}}}
	return p
}

// createWave2Pods creates the ConfigMap and Secret the pods reference
// (Podium never reads them; the kubelet would) and n wave2Pods.
func createWave2Pods(tb testing.TB, ns string, n int) {
	ctx := context.Background()
	cs := lab.Client()
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-config"},
		Data: map[string]string{"web.conf": "listen 8080"}}, metav1.CreateOptions{}); err != nil {
		tb.Fatal(err)
	}
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "web-secret"},
		StringData: map[string]string{"token": "not-a-real-token"}}, metav1.CreateOptions{}); err != nil {
		tb.Fatal(err)
	}
	createPodsOf(tb, ns, n, wave2Pod)
}

// BenchmarkScale10k measures issue #12's budgets with every informer
// running, at 10,000 pods of the wave2Pod shape: heap per pod (informer
// caches + model + log), the snapshot, and the release binary's first /ws
// snapshot; then what 50 Warning events a second cost that binary in CPU
// and memory.
func BenchmarkScale10k(b *testing.B) {
	const pods = 10000
	ns := scaleNamespace(b, pods, createWave2Pods)
	for range b.N {
		base := heapNow()
		pi := startInProcess(b, lab.Config(), informers.Options{Namespaces: []string{ns}})
		snap := pi.log.Snapshot(graph.NewFilter(ns))
		if got := count(snap, isPod); got != pods {
			b.Fatalf("synced with %d of %d pods in the graph", got, pods)
		}
		used := heapNow() - base
		b.ReportMetric(float64(used)/pods, "heap-B/pod")
		mounts := 0
		for _, e := range snap.Edges {
			if e.Kind == graph.EdgeMounts {
				mounts++
			}
		}
		b.Logf("in process: %d pods, %d mounts edges, heap %.1f MiB = %d B per pod", pods, mounts, float64(used)/(1<<20), used/pods)
		if mounts != 2*pods {
			b.Fatalf("%d mounts edges, want %d (a ConfigMap and a Secret per pod)", mounts, 2*pods)
		}
		t0 := time.Now()
		body, err := json.Marshal(pi.log.Snapshot(graph.Filter{}))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(body)), "snapshot-B")
		b.ReportMetric(ms(time.Since(t0)), "snapshot-ms")
		pi.stop()

		p := podiumtest.Start(b, podiumtest.Options{Binary: chartImageBinary(b), Kubeconfig: lab.Kubeconfig(),
			Args: []string{"--namespace", ns, "--log-level", "info"}})
		b.ReportMetric(metric(b, p, "process_resident_memory_bytes")/(1<<20), "MiB-rss")
		ready, wire, _ := firstSnapshot(b, p.URL, pods)
		b.ReportMetric(ms(ready), "snapshot-ready-ms")
		b.Logf("podium process: first /ws snapshot of %d pods (%d B) ready %s after dialling", pods, wire, ready)

		idle, churn, rssGrowth, heapGrowth := warningChurn(b, p, ns, pods, 50, 60*time.Second)
		b.ReportMetric(100*(churn-idle), "cpu-added-pct")
		b.ReportMetric(rssGrowth/(1<<20), "MiB-rss-added")
		b.ReportMetric(heapGrowth/(1<<20), "MiB-heap-added")
		b.Logf("50 Warning events/s for 60 s: CPU %.1f%% of a core idle, %.1f%% under churn; RSS +%.1f MiB, heap in use +%.1f MiB",
			100*idle, 100*churn, rssGrowth/(1<<20), heapGrowth/(1<<20))
		p.Stop()
	}
}

// warningChurn measures p's CPU (fraction of one core) for span idle, then
// for span while Warning Events are created and updated at rate per second
// about the pods of ns, and how much its RSS and heap in use grew.
func warningChurn(b *testing.B, p *podiumtest.Podium, ns string, pods, rate int, span time.Duration) (idle, churn, rss, heap float64) {
	cpu := func() float64 { return metric(b, p, "process_cpu_seconds_total") }
	measure := func(run func(stop <-chan struct{})) float64 {
		stop := make(chan struct{})
		done := make(chan struct{})
		c0, t0 := cpu(), time.Now()
		go func() { run(stop); close(done) }()
		time.Sleep(span) // the measuring window itself, not a wait for a condition
		close(stop)
		<-done
		return (cpu() - c0) / time.Since(t0).Seconds()
	}
	rss0 := metric(b, p, "process_resident_memory_bytes")
	heap0 := metric(b, p, "go_memstats_heap_inuse_bytes")
	idle = measure(func(stop <-chan struct{}) { <-stop })

	cfg := rest.CopyConfig(lab.Config())
	cfg.QPS, cfg.Burst = float32(4*rate), 4*rate
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	reasons := []string{"BackOff", "Unhealthy", "FailedMount", "FailedScheduling"}
	var mu sync.Mutex
	var sent, failed int
	churn = measure(func(stop <-chan struct{}) {
		// Each tick makes two writes, as kubelets mostly do: a new event,
		// then a bump of its count.
		tick := time.NewTicker(2 * time.Second / time.Duration(rate))
		defer tick.Stop()
		var wg sync.WaitGroup
		defer wg.Wait()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				pod := fmt.Sprintf("web-7d9c5b8f4-%05d", i%pods)
				now := metav1.Now()
				ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", pod, i), Namespace: ns},
					InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod, APIVersion: "v1"},
					Type:           corev1.EventTypeWarning, Reason: reasons[i%len(reasons)],
					Message: fmt.Sprintf("Readiness probe failed: HTTP probe failed with statuscode: 503 (%d)", i),
					Count:   1, FirstTimestamp: now, LastTimestamp: now,
					Source: corev1.EventSource{Component: "kubelet"}}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				created, err := cs.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{})
				writes, fails := 1, 0
				if err == nil {
					created.Count++
					created.LastTimestamp = metav1.Now()
					_, err = cs.CoreV1().Events(ns).Update(ctx, created, metav1.UpdateOptions{})
					writes++
				}
				if err != nil {
					fails++
				}
				mu.Lock()
				sent += writes
				failed += fails
				mu.Unlock()
			}(i)
		}
	})
	if failed > sent/20 {
		b.Fatalf("%d of %d event writes failed", failed, sent)
	}
	b.Logf("event writes: %d (%d failed)", sent, failed)
	return idle, churn, metric(b, p, "process_resident_memory_bytes") - rss0,
		metric(b, p, "go_memstats_heap_inuse_bytes") - heap0
}
