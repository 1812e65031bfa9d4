//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
)

// BenchmarkTwoClusters is issue #16's "memory and latency budgets hold with
// two clusters of 5,000 pods each": a second lab beside the shared one, each
// with 5,000 pods in a namespace of the same name, and the release binary
// watching both (two kubeconfigs). It reports the idle RSS as
// BenchmarkScale5k does for one cluster (idleMemory), the first /ws
// snapshot of one cluster, and the create stream's added latency in each
// cluster in turn, measured as BenchmarkCreateStream measures it (the other
// cluster's 5,000 pods in the same process).
func BenchmarkTwoClusters(b *testing.B) {
	const pods = 5000
	ctx := context.Background()
	second, err := labtest.Start(ctx, labtest.Options{Dir: b.TempDir(), Log: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := second.Down(); err != nil {
			b.Errorf("the second lab: down: %v", err)
		}
	})
	ns := scaleNamespace(b, pods, createPods)
	if _, err := second.Client().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	createPodsOn(b, second, labtest.NodeNames, ns, pods, benchPod)

	type cluster struct {
		name string
		cs   kubernetes.Interface
	}
	all := []cluster{{"podium-lab", lab.Client()}, {"podium-lab-2", second.Client()}}
	start := func(b *testing.B, n int) *podiumtest.Podium {
		args := []string{"--namespace", ns, "--log-level", "info"}
		if n == 2 {
			args = append(args, "--kubeconfig", second.Kubeconfig())
		}
		return podiumtest.Start(b, podiumtest.Options{Binary: chartImageBinary(b), Kubeconfig: lab.Kubeconfig(), Args: args})
	}
	// One cluster, then both, each in a process of its own, so that what
	// the second cluster costs is read in the same run; first memory and
	// the snapshot, while each cluster holds its 5,000 pods exactly.
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("clusters=%d", n), func(b *testing.B) {
			p := start(b, n)
			defer p.Stop()
			for _, c := range all[:n] {
				g, err := p.Graph(ctx, "cluster="+c.name+"&namespace="+ns)
				if err != nil {
					b.Fatal(err)
				}
				if got := count(g, isPod); got != pods {
					b.Fatalf("%s: /api/graph has %d of %d pods", c.name, got, pods)
				}
			}
			idleMemory(b, p)
			ready, wire, _ := firstSnapshot(b, p.URL, pods)
			b.ReportMetric(ms(ready), "snapshot-ready-ms")
			b.Logf("%d cluster(s) of %d pods: the first's /ws snapshot (%d B of JSON) read %s after dialling", n, pods, wire, ready)
		})
	}
	// Then the create streams: in the first cluster watched alone, and in
	// each cluster of the two watched together.
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("clusters=%d/stream", n), func(b *testing.B) {
			p := start(b, n)
			defer p.Stop()
			for i, c := range all[:n] {
				for _, rate := range []int{10, 30} {
					b.Run(fmt.Sprintf("cluster=%d/rate=%d", i+1, rate), func(b *testing.B) {
						for iter := range b.N {
							createStreamOn(b, p, c.cs, "cluster="+c.name+"&namespace="+ns, ns, rate, fmt.Sprintf("n%dc%dr%d-%d", n, i+1, rate, iter)).report(b, 0, nil)
						}
					})
				}
			}
		})
	}
}
