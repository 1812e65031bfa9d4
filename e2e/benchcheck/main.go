// Command benchcheck holds Podium's benchmark figures to the quality bars in
// DESIGN.md. It reads the output of `go test -bench` (files named on the
// command line, or standard input), prints each target's figure against the
// target with a verdict, and exits 1 when any figure misses its target or is
// missing from the output. With -report it prints the same table and exits 0
// on a miss: `make bench` ends with it, `make bench-check` with the verdict.
//
// Usage:
//
//	go run ./e2e/benchcheck [-report] e2e/artifacts/bench.txt e2e/artifacts/bench-model.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Target is one quality bar: a figure a benchmark reports with
// b.ReportMetric(value, Unit), and the bound it must keep.
type Target struct {
	Figure string  // what the bar is, as DESIGN.md says it
	Bench  string  // the benchmark's full name, without the -GOMAXPROCS suffix
	Unit   string  // the unit the benchmark reports the figure in
	Max    bool    // the figure must be at most Bound (else at least)
	Bound  float64 // the target, in Unit
}

// Targets are DESIGN.md's "Quality bars" that have a benchmark: the one home
// for their numbers. A benchmark that reports a figure under another name or
// unit shows here as missing, which is a miss.
var Targets = []Target{
	{"lone change: added over a raw watch, p50", "BenchmarkLatency", "added-p50-ms", true, 0.5},
	{"lone change: added over a raw watch, p99", "BenchmarkLatency", "added-p99-ms", true, 2},
	// Bytes on the connection, as a browser receives them (it negotiates
	// permessage-deflate); BenchmarkLatency reports the JSON text beside it.
	{"wire: a single-pod change", "BenchmarkLatency", "B/pod-change", true, 600},
	{"10 pod creates/s: added over a raw watch, p50", "BenchmarkCreateStream/rate=10", "added-p50-ms", true, 1},
	{"10 pod creates/s: added over a raw watch, p99", "BenchmarkCreateStream/rate=10", "added-p99-ms", true, 5},
	{"30 pod creates/s: added over a raw watch, p50", "BenchmarkCreateStream/rate=30", "added-p50-ms", true, 1},
	{"30 pod creates/s: added over a raw watch, p99", "BenchmarkCreateStream/rate=30", "added-p99-ms", true, 5},
	// Issue #15: the same stream with 5,000 pods in view, and with 500
	// more viewers of the namespace, each reading.
	{"10 pod creates/s, 5,000 pods in view: added, p50", "BenchmarkCreateStream/pods=5000/rate=10", "added-p50-ms", true, 1},
	{"10 pod creates/s, 5,000 pods in view: added, p99", "BenchmarkCreateStream/pods=5000/rate=10", "added-p99-ms", true, 5},
	{"30 pod creates/s, 5,000 pods in view: added, p50", "BenchmarkCreateStream/pods=5000/rate=30", "added-p50-ms", true, 1},
	{"30 pod creates/s, 5,000 pods in view: added, p99", "BenchmarkCreateStream/pods=5000/rate=30", "added-p99-ms", true, 5},
	{"10 pod creates/s, 500 viewers: added, p50", "BenchmarkCreateStream/viewers=500/rate=10", "added-p50-ms", true, 1},
	{"10 pod creates/s, 500 viewers: added, p99", "BenchmarkCreateStream/viewers=500/rate=10", "added-p99-ms", true, 5},
	{"30 pod creates/s, 500 viewers: added, p50", "BenchmarkCreateStream/viewers=500/rate=30", "added-p50-ms", true, 1},
	{"30 pod creates/s, 500 viewers: added, p99", "BenchmarkCreateStream/viewers=500/rate=30", "added-p99-ms", true, 5},
	// 500 viewers of a 5,000-pod graph during a scale-up (30 creates/s):
	// the measured viewer within 5 ms of the single-viewer p99 (issue #15),
	// and the process within the chart's default 256Mi memory limit.
	{"500 viewers, 5,000 pods, 30 creates/s: p99 over one viewer's", "BenchmarkCreateStream/pods=5000/viewers=500/rate=30", "p99-over-single-ms", true, 5},
	{"500 viewers, 5,000 pods, 30 creates/s: peak RSS", "BenchmarkCreateStream/pods=5000/viewers=500/rate=30", "MiB-peak-rss", true, 256},
	{"heap per cached pod (informer cache + model)", "BenchmarkScale5k", "heap-B/pod", true, 2048},
	{"RSS with 5,000 pods, idle after the first sync", "BenchmarkScale5k", "MiB-rss", true, 50},
	{"5,000-pod first snapshot on /ws, ready", "BenchmarkScale5k", "snapshot-ready-ms", true, 300},
	{"browser: 100-pod scale-up, slowest 500 ms window", "BenchmarkWebScaleUp100/base=small", "fps-min", false, 30},
	// Issue #15: big grids paint on canvases (web/static/canvaslane.js).
	{"browser: first draw of 20,000 pods", "BenchmarkWeb20000Pods", "ms/first-draw", true, 2000},
	// The input's work to its painted frame, median of 5 (web_bench_test.go inputWork).
	{"browser: hover at 5,000 pods", "BenchmarkWeb5000Pods", "ms/hover", true, 16},
	{"browser: search at 5,000 pods (1,000 matches)", "BenchmarkWeb5000Pods", "ms/search", true, 16},
	// Issue #11's load. 256 MiB is the chart's default memory limit: above
	// it the pod is killed. 250 ms is a change still "on the projector
	// before the speaker looks up" with 200 viewers on the same 2 cores.
	{"200 viewers on 5,000 pods: peak RSS", "BenchmarkLoad/viewers=200", "MiB-peak-rss", true, 256},
	{"200 viewers on 5,000 pods: measured viewer's delivery, p99", "BenchmarkLoad/viewers=200", "delivery-p99-ms", true, 250},
	{"8 concurrent SVGs of 5,000 pods: peak RSS", "BenchmarkLoad/svg=8", "MiB-peak-rss", true, 256},
	// Issue #15's 50,000 pods, on a private lab: the release binary's first
	// complete graph against a raw client-go informer's list of the same
	// pods (their ratio), heap per pod in process, and the first /ws
	// snapshot as a browser gets it.
	{"50,000 pods: first complete graph over a raw informer's list", "BenchmarkScale50k/pods=50000", "first-graph-ratio", true, 1.2},
	{"heap per cached pod at 50,000 pods", "BenchmarkScale50k/pods=50000", "heap-B/pod", true, 2048},
	{"50,000-pod first snapshot on /ws, ready", "BenchmarkScale50k/pods=50000", "snapshot-ready-ms", true, 1000},
	// Issue #16: two clusters of 5,000 pods in one process hold the budgets
	// of one: a create in either adds what it adds alone, and the RSS is
	// one cluster's budget per cluster.
	{"two clusters of 5,000 pods: RSS idle", "BenchmarkTwoClusters/clusters=2", "MiB-rss", true, 100},
	{"two clusters, a create in the first, 10/s: added, p50", "BenchmarkTwoClusters/clusters=2/stream/cluster=1/rate=10", "added-p50-ms", true, 1},
	{"two clusters, a create in the first, 10/s: added, p99", "BenchmarkTwoClusters/clusters=2/stream/cluster=1/rate=10", "added-p99-ms", true, 5},
	{"two clusters, a create in the second, 30/s: added, p50", "BenchmarkTwoClusters/clusters=2/stream/cluster=2/rate=30", "added-p50-ms", true, 1},
	{"two clusters, a create in the second, 30/s: added, p99", "BenchmarkTwoClusters/clusters=2/stream/cluster=2/rate=30", "added-p99-ms", true, 5},
	// Issue #12's budgets, with every wave-2 informer running; 10% of one
	// core is the CPU that 50 Warning events a second may add.
	{"heap per pod at 10,000 two-container pods with config refs, every informer on", "BenchmarkScale10k", "heap-B/pod", true, 2048},
	{"10,000-pod first snapshot on /ws, ready", "BenchmarkScale10k", "snapshot-ready-ms", true, 300},
	{"50 Warning events/s: CPU added (% of a core)", "BenchmarkScale10k", "cpu-added-pct", true, 10},
	// The server's own path, in process (bench-model.txt): BenchmarkScale10k
	// needs 10,000 pods created on the lab first, some 27 minutes.
	{"10,000-pod first snapshot, built and encoded, cold", "BenchmarkFirstSnapshot10k/cold", "snapshot-ms", true, 300},
	// Issue #13: who may reach one pod, among 10,000 with a policy or two
	// per namespace (the graph built in process; the server's path).
	{"/api/reachability for one pod among 10,000, p99", "BenchmarkReachability10k", "reach-p99-ms", true, 50},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run checks the benchmark output in the files args (stdin when none)
// against Targets and returns the exit code: 0 when every target is met (or
// on a miss with -report), 1 on a miss, 2 when the output cannot be read.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	report := fs.Bool("report", false, "print each figure beside its target, and exit 0 when one misses")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	figures := map[string][]float64{}
	var failed []string
	inputs := fs.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	for _, name := range inputs {
		r := stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintf(stderr, "benchcheck: %v\n", err)
				return 2
			}
			defer f.Close()
			r = f
		}
		if err := parse(r, figures, &failed); err != nil {
			fmt.Fprintf(stderr, "benchcheck: %s: %v\n", name, err)
			return 2
		}
	}
	code := check(Targets, figures, stdout)
	// A benchmark that failed is broken, not slow: even -report says so.
	if len(failed) > 0 {
		fmt.Fprintf(stdout, "benchcheck: benchmarks that failed: %s\n", strings.Join(failed, ", "))
		return 1
	}
	if *report {
		return 0
	}
	return code
}

// procs is the -GOMAXPROCS suffix go test adds to a benchmark's name.
var procs = regexp.MustCompile(`-\d+$`)

// key names one figure: a benchmark and a unit.
func key(bench, unit string) string { return bench + " " + unit }

// parse reads `go test -bench` output and adds every reported figure to
// figures, by key, and the name of every benchmark that failed to failed.
// Other lines (logs, PASS, pkg:) are skipped; a result line that does not
// parse is an error, naming it.
func parse(r io.Reader, figures map[string][]float64, failed *[]string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[0] == "---" && f[1] == "FAIL:" && strings.HasPrefix(f[2], "Benchmark") {
			*failed = append(*failed, f[2])
			continue
		}
		// A result: name, iterations, then value-unit pairs. A benchmark
		// that logs prints its name alone (or with "--- FAIL") first.
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		if len(f)%2 != 0 {
			return fmt.Errorf("line %d: a value without a unit: %q", line, sc.Text())
		}
		name := procs.ReplaceAllString(f[0], "")
		for i := 2; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("line %d: %q is not a number (unit %s)", line, f[i], f[i+1])
			}
			k := key(name, f[i+1])
			figures[k] = append(figures[k], v)
		}
	}
	return sc.Err()
}

// check prints each target's figure against its bound, and returns 1 if any
// misses (a missing figure does). A figure reported more than once (-count)
// is judged by its worst value.
func check(targets []Target, figures map[string][]float64, out io.Writer) int {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "figure\tmeasured\ttarget\tverdict")
	code := 0
	for _, t := range targets {
		op := "≤"
		if !t.Max {
			op = "≥"
		}
		target := fmt.Sprintf("%s %s %s", op, num(t.Bound), t.Unit)
		vs := figures[key(t.Bench, t.Unit)]
		if len(vs) == 0 {
			fmt.Fprintf(w, "%s\tmissing (%s %s)\t%s\tMISS\n", t.Figure, t.Bench, t.Unit, target)
			code = 1
			continue
		}
		worst := vs[0]
		for _, v := range vs[1:] {
			if (t.Max && v > worst) || (!t.Max && v < worst) {
				worst = v
			}
		}
		verdict := "ok"
		if (t.Max && worst > t.Bound) || (!t.Max && worst < t.Bound) {
			verdict, code = "MISS", 1
		}
		fmt.Fprintf(w, "%s\t%s %s\t%s\t%s\n", t.Figure, num(worst), t.Unit, target, verdict)
	}
	w.Flush()
	if code != 0 {
		fmt.Fprintln(out, "bench-check: a figure misses its target (DESIGN.md, Quality bars)")
	} else {
		fmt.Fprintln(out, "bench-check: every figure meets its target")
	}
	return code
}

// num prints a figure with the precision it deserves.
func num(v float64) string {
	switch {
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}
