package main

import (
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodelease "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	kwokv1alpha1 "sigs.k8s.io/kwok/pkg/apis/config/v1alpha1"
	kwokconfig "sigs.k8s.io/kwok/pkg/config"
	"sigs.k8s.io/yaml"
)

// Labels and annotations that select our stages. They are documented in
// README.md; e2e tests use the same strings.
const (
	labelNeverReady = "podium.dev/lab-never-ready"
	labelRestart    = "podium.dev/lab-restart"
	annReadyDelay   = "podium.dev/lab-ready-delay"
	annDeleteDelay  = "podium.dev/lab-delete-delay"
	labelFail       = "podium.dev/lab-fail"
	annRunDuration  = "podium.dev/lab-run-duration"
)

// podStages are our pod lifecycle Stages. They replace KWOK's fast
// pod-ready, pod-delete and pod-complete (which have no delays and no
// failure modes):
//
//	create (no delay)        Pending, ContainerCreating, IPs assigned
//	ready (ready delay)      Running and Ready
//	never-ready (ready delay) Running, readiness failing  [label never-ready]
//	restart (every interval)  restartCount+1, lastState terminated [label restart]
//	complete (run duration)  restartPolicy Never|OnFailure: exit 0, Succeeded
//	fail (run duration)      the same, exit 1, Failed     [label fail]
//	config-error, mount-error  held while the config check says a referenced
//	                         ConfigMap or Secret is missing (configcheck.go)
//	terminating (no delay)   a deleted pod stops being Ready (leaves endpoints)
//	delete (delete delay)    the pod object is removed
//
// Each selector excludes the others, because KWOK picks one matching stage
// at random (by weight). Placeholders __X__ are filled by kwokConfig; the
// {{ }} are KWOK's own templates.
//
//go:embed stages/pod-stages.yaml
var podStages string

// stageParams are the configurable delays of podStages.
type stageParams struct {
	ReadyDelay, DeleteDelay, RestartInterval, RunDuration time.Duration
}

var placeholder = regexp.MustCompile(`__[A-Z_]+__`)

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// kwokConfig renders KWOK's whole configuration: its options and every
// Stage, the module's shipped fast node stages plus ours.
func kwokConfig(p stageParams, l layout) (string, error) {
	r := strings.NewReplacer(
		"__READY_DELAY_MS__", ms(p.ReadyDelay),
		"__DELETE_DELAY_MS__", ms(p.DeleteDelay),
		"__RESTART_INTERVAL_MS__", ms(p.RestartInterval),
		"__RUN_DURATION_MS__", ms(p.RunDuration),
		"__LABEL_NEVER_READY__", labelNeverReady,
		"__LABEL_RESTART__", labelRestart,
		"__ANN_READY_DELAY__", annReadyDelay,
		"__ANN_DELETE_DELAY__", annDeleteDelay,
		"__LABEL_FAIL__", labelFail,
		"__ANN_RUN_DURATION__", annRunDuration,
	)
	opts, err := kwokOptions()
	if err != nil {
		return "", err
	}
	docs := []string{
		opts,
		nodefast.DefaultNodeInit,
		nodelease.DefaultNodeHeartbeatWithLease,
		r.Replace(podStages),
	}
	out := strings.Join(trimDocs(docs), "\n---\n") + "\n"
	if m := placeholder.FindString(out); m != "" {
		return "", fmt.Errorf("unfilled placeholder %s in KWOK stages", m)
	}
	// Parse it back, so a broken stage fails here with a clear message and
	// not deep inside KWOK.
	for i, doc := range strings.Split(out, "\n---\n") {
		if _, err := kwokconfig.Unmarshal([]byte(doc)); err != nil {
			return "", fmt.Errorf("KWOK config document %d: %w", i, err)
		}
	}
	return out, nil
}

func trimDocs(docs []string) []string {
	var out []string
	for _, d := range docs {
		for _, part := range strings.Split(d, "\n---\n") {
			part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "---"))
			if part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// kwokOptions renders KWOK's options with their defaults filled in (a
// KwokConfiguration read from a file is not defaulted, and zero
// parallelism settings make KWOK fail). They mirror the flags runKwok passes,
// so the file alone describes what KWOK runs with.
func kwokOptions() (string, error) {
	c := &kwokv1alpha1.KwokConfiguration{}
	kwokv1alpha1.SetObjectDefaults_KwokConfiguration(c)
	c.APIVersion = kwokv1alpha1.GroupVersion.String()
	c.Kind = kwokv1alpha1.KwokConfigurationKind
	manageAll := false
	c.Options.ManageAllNodes = &manageAll
	c.Options.ManageNodesWithAnnotationSelector = "kwok.x-k8s.io/node=fake"
	c.Options.NodeLeaseDurationSeconds = 40
	c.Options.ServerAddress = ""
	// Benchmarks create thousands of pods at once; 4 workers would make
	// KWOK, not Podium, the bottleneck.
	c.Options.PodPlayStageParallelism = 16
	b, err := yaml.Marshal(c)
	return string(b), err
}
