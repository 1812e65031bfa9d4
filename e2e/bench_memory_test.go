//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/podiumhq/podium/e2e/podiumtest"
)

// idleMemory waits until the podium process p is idle after its first sync
// (over 3 s its resident memory moved by less than 256 KiB and it used less
// than 3% of a core), then reports where its resident memory goes:
//
//   - MiB-rss: VmRSS, what DESIGN.md's ≤ 50 MiB is about;
//   - MiB-rss-anon: the anonymous part (the Go heap, stacks, the runtime's
//     own structures);
//   - MiB-rss-file: the binary's own pages (code, type data, pclntab) that
//     are mapped in, mostly by the init of client-go's scheme of every API
//     group;
//   - MiB-heap-inuse, MiB-heap-released, MiB-stacks: the Go runtime's view.
//
// Resident memory right after /readyz still holds the first list's garbage;
// idle is what a wall screen's Podium holds between changes.
func idleMemory(b *testing.B, p *podiumtest.Podium) {
	b.Helper()
	pid := p.Pid()
	start := time.Now()
	deadline := start.Add(2 * time.Minute)
	for {
		rss0, cpu0 := procStatusKB(b, pid, "VmRSS"), procCPU(b, pid)
		// The window is the measurement's, not a wait for a condition that
		// could be polled instead: idleness is a property of an interval.
		time.Sleep(3 * time.Second)
		rss1, cpu1 := procStatusKB(b, pid, "VmRSS"), procCPU(b, pid)
		if (abs(rss1-rss0) < 256 && (cpu1-cpu0)/3 < 0.03) || time.Now().After(deadline) {
			if time.Now().After(deadline) {
				b.Logf("podium was not idle within 2 minutes of its first sync; measuring anyway")
			}
			break
		}
	}
	mib := func(kb float64) float64 { return kb / 1024 }
	rss, anon, file := mib(procStatusKB(b, pid, "VmRSS")), mib(procStatusKB(b, pid, "RssAnon")), mib(procStatusKB(b, pid, "RssFile"))
	m := func(name string) float64 { return metric(b, p, name) / (1 << 20) }
	inuse, released, stacks, goal := m("go_memstats_heap_inuse_bytes"), m("go_memstats_heap_released_bytes"), m("go_memstats_stack_inuse_bytes"), m("go_memstats_next_gc_bytes")
	gcsys, other := m("go_memstats_gc_sys_bytes"), m("go_memstats_other_sys_bytes")
	b.ReportMetric(rss, "MiB-rss")
	b.ReportMetric(anon, "MiB-rss-anon")
	b.ReportMetric(file, "MiB-rss-file")
	b.ReportMetric(inuse, "MiB-heap-inuse")
	b.ReportMetric(released, "MiB-heap-released")
	b.ReportMetric(stacks, "MiB-stacks")
	b.Logf("idle %s after the first sync: RSS %.1f MiB = %.1f anonymous + %.1f of the binary's pages; heap in use %.1f MiB (next GC at %.1f), released to the OS %.1f, stacks %.1f, GC metadata %.1f, other runtime %.1f",
		time.Since(start).Round(time.Second), rss, anon, file, inuse, goal, released, stacks, gcsys, other)
}

func abs(x float64) float64 { return max(x, -x) }
