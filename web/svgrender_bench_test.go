package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bigGraph builds a /api/graph snapshot as the informers would describe a
// large cluster: apps Deployments (one ReplicaSet and Service each) of
// podsEach ready pods, spread over nodeCount nodes in 5 namespaces, with
// every derived edge. bigGraph(50, 100, 100) is the 5,000-pod graph of the
// browser benchmarks (e2e/web_bench_test.go).
func bigGraph(tb testing.TB, apps, podsEach, nodeCount int) []byte {
	tb.Helper()
	type obj = map[string]any
	var nodes, edges []obj
	edge := func(kind, from, to, state string) {
		e := obj{"id": kind + ":" + from + "->" + to, "kind": kind, "from": from, "to": to}
		if state != "" {
			e["state"] = state
		}
		edges = append(edges, e)
	}
	var nodeIDs []string
	for i := range nodeCount {
		name := fmt.Sprintf("kwok-node-%03d", i)
		nodeIDs = append(nodeIDs, "Node/"+name)
		nodes = append(nodes, obj{"id": "Node/" + name, "kind": "Node", "name": name, "uid": "u-" + name,
			"ready": true, "roles": []string{"worker"}, "internalIP": "10.0.0.1", "unschedulable": false})
	}
	for a := range apps {
		ns, name := fmt.Sprintf("team-%d", a%5), fmt.Sprintf("app%03d", a)
		rsName := name + "-5d5545b69c"
		dep, rs, svc := "Deployment/"+ns+"/"+name, "ReplicaSet/"+ns+"/"+rsName, "Service/"+ns+"/"+name
		nodes = append(nodes,
			obj{"id": dep, "kind": "Deployment", "namespace": ns, "name": name, "uid": "u-" + dep,
				"replicas": podsEach, "updated": podsEach, "ready": podsEach, "available": podsEach, "revision": 1,
				"images": []string{"web:v1"}, "rollout": "complete",
				"strategy": obj{"type": "RollingUpdate", "maxSurge": "25%", "maxUnavailable": "25%"}},
			obj{"id": rs, "kind": "ReplicaSet", "namespace": ns, "name": rsName, "uid": "u-" + rs,
				"owner": dep, "revision": 1, "replicas": podsEach, "current": podsEach, "ready": podsEach, "images": []string{"web:v1"}},
			obj{"id": svc, "kind": "Service", "namespace": ns, "name": name, "uid": "u-" + svc,
				"type": "ClusterIP", "clusterIP": "10.96.0.1", "selector": obj{"app": name},
				"ports": []obj{{"port": 80, "targetPort": "8080", "protocol": "TCP"}}})
		edge("owns", dep, rs, "")
		for i := range podsEach {
			pname := fmt.Sprintf("%s-%05d", rsName, i)
			id, node := "Pod/"+ns+"/"+pname, nodeIDs[i%len(nodeIDs)]
			nodes = append(nodes, obj{"id": id, "kind": "Pod", "namespace": ns, "name": pname, "uid": "u-" + pname,
				"status": "Running", "ready": true, "readyContainers": 1, "containers": 1, "restarts": 0,
				"node": node, "owner": rs, "images": []string{"web:v1"}, "labels": obj{"app": name},
				"created": "2023-11-14T22:13:20Z"})
			edge("owns", rs, id, "")
			edge("selects", svc, id, "ready")
			edge("runs-on", id, node, "")
		}
	}
	raw, err := json.Marshal(obj{"type": "snapshot", "epoch": "e-bench", "seq": 1, "nodes": nodes, "edges": edges})
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS(tb testing.TB) int64 {
	tb.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// resetPeakRSS returns what it can of the heap to the OS and restarts
// VmHWM from the current RSS, so one benchmark's peak is its own.
func resetPeakRSS(tb testing.TB) {
	tb.Helper()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Logf("cannot reset the peak RSS (%v): it is the process's peak so far", err)
	}
}

// BenchmarkSVGConcurrent: eight requests at once, each for a different
// picture (no cache hit, no shared render) of the 5,000-pod graph. Each
// attempt makes its own copy of the JSON, as a server marshals the snapshot
// per request (the unbounded path) or per render started (the renderer).
// It reports the peak RSS, the wall time per picture, the slowest request,
// and the requests refused or failed. Run it in its own process, without
// GOMEMLIMIT:
//
//	go test -run '^$' -bench 'BenchmarkSVGConcurrent/renderer$' -benchtime 1x ./web/
//
// "renderer" goes through an SVGRenderer with the default bounds (the
// figure the 256 MiB target is for); "renderer-maxN" allows N renders at
// once, as the default does with 2N CPUs; a request answered ErrBusy retries
// after a pause, as a client honouring Retry-After would (the pause is
// shortened from a second to 50 ms). "unbounded" calls RenderSVG from eight
// goroutines, as /api/graph.svg did: on a busy machine its layouts run into
// their 10 s timeout, counted as failed.
func BenchmarkSVGConcurrent(b *testing.B) {
	const clients = 8
	raw := bigGraph(b, 50, 100, 100)
	for _, tc := range []struct {
		name string
		max  int // renders at once: 0 the default; -1 unbounded RenderSVG
	}{{"unbounded", -1}, {"renderer", 0}, {"renderer-max2", 2}, {"renderer-max4", 4}} {
		b.Run(tc.name, func(b *testing.B) {
			var peak, busy, failed, slowest, perPicture float64
			for b.Loop() {
				b.StopTimer()
				r := NewSVGRenderer(SVGOptions{MaxConcurrent: tc.max})
				render := func(i int) error {
					lang := []string{"en", "zh-CN"}[i%2]
					if tc.max < 0 {
						return RenderSVG(context.Background(), io.Discard, bytes.Clone(raw), nil, "", lang)
					}
					graphJSON := func() ([]byte, error) { return bytes.Clone(raw), nil }
					return r.Render(context.Background(), io.Discard, SVGKey{Epoch: "e-bench", Seq: uint64(i), Lang: lang}, graphJSON, nil, "", lang)
				}
				resetPeakRSS(b)
				b.StartTimer()
				var wg sync.WaitGroup
				var mu sync.Mutex
				start := time.Now()
				for i := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							err := render(i)
							mu.Lock()
							if errors.Is(err, ErrBusy) {
								busy++
								mu.Unlock()
								time.Sleep(50 * time.Millisecond)
								continue
							}
							if err != nil {
								failed++
								b.Log(err)
							}
							slowest = max(slowest, time.Since(start).Seconds())
							mu.Unlock()
							return
						}
					}()
				}
				wg.Wait()
				perPicture = time.Since(start).Seconds() / clients
				peak = max(peak, float64(peakRSS(b))/(1<<20))
			}
			b.ReportMetric(peak, "MiB-peak-rss")
			b.ReportMetric(perPicture*1000, "ms/picture")
			b.ReportMetric(slowest*1000, "ms-slowest")
			b.ReportMetric(busy/float64(b.N), "busy/op")
			b.ReportMetric(failed/float64(b.N), "failed/op")
		})
	}
}
