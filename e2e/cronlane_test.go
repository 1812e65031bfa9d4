//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/podiumhq/podium/informers/graph"
)

// TestJobBecomesItsCronJobsLane: a Job whose CronJob the page has not seen
// yet is a box of its own; when the CronJob arrives (its informer's event
// came second, as it did once in TestWave2Acceptance), the Job becomes a
// lane of the CronJob's box and an entity of its own, with data-id. The
// lane's element used to keep the id attributes of its first draw.
func TestJobBecomesItsCronJobsLane(t *testing.T) {
	const ns = "team-0"
	s := &synth{}
	s.node(synthNode("worker-1"))
	cron := graph.ID(graph.KindCronJob, ns, "nightly")
	job := graph.ID(graph.KindJob, ns, "nightly-manual")
	one := 1
	s.node(&graph.Node{ID: job, Kind: graph.KindJob, Namespace: ns, Name: "nightly-manual", UID: "u-job",
		Job: &graph.JobFields{Completions: &one, Parallelism: 1, Succeeded: 1, State: graph.JobComplete, Owner: cron, Images: []string{"busybox:1.37"}}})
	log, url := s.serve(t, "cronlane")
	br := newBrowser(t, false)
	br.open(url)
	sel := `[data-id="` + job + `"]`
	br.waitJS(`document.querySelector('`+sel+`')?.classList.contains('box') === true`, 30*time.Second, "the Job drawn as a box of its own")

	log.Append(graph.Delta{Upsert: graph.Items{
		Nodes: []*graph.Node{{ID: cron, Kind: graph.KindCronJob, Namespace: ns, Name: "nightly", UID: "u-cron",
			CronJob: &graph.CronJobFields{Schedule: "0 3 * * *", Images: []string{"busybox:1.37"}}}},
		Edges: []*graph.Edge{{ID: graph.EdgeID(graph.EdgeOwns, cron, job), Kind: graph.EdgeOwns, From: cron, To: job}},
	}})
	br.waitJS(`document.querySelector('[data-id="`+cron+`"]') !== null`, 30*time.Second, "the CronJob drawn")
	br.waitJS(`(() => { const e = document.querySelectorAll('`+sel+`'); return e.length === 1 && e[0].classList.contains('lane') && !e[0].hasAttribute('data-lane'); })()`,
		30*time.Second, "the Job, now a lane of its CronJob's box, to carry its data-id")
	if got := eval[string](br, `document.querySelector('`+sel+`').dataset.status || ''`); got != "Complete" {
		t.Errorf("the Job's lane has data-status %q, want Complete", got)
	}
}
