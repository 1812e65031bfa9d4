//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/podiumhq/podium/e2e/labtest"
)

// lab is the control plane every e2e test in this package shares. TestMain
// sets it before any test runs: it is the lab `make lab-up` started (same
// directory, .lab/ or $PODIUM_LAB_DIR), or one started for this test binary
// and stopped again after it ($PODIUM_LAB_KEEP=1 keeps it).
//
// Use lab.Client() / lab.Config() / lab.Kubeconfig(), and
// labtest.Namespace(t, lab) for a namespace of your own. Do not Stop or
// Restart the shared lab: tests that need that start a private lab in
// t.TempDir() (see lab_lifecycle_test.go).
var lab *labtest.Lab

func TestMain(m *testing.M) {
	if spec := os.Getenv(envLoadViewers); spec != "" {
		os.Exit(loadViewersMain(spec)) // a benchmark's load viewers: no lab
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	start := time.Now()
	l, err := labtest.Shared(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot start the lab:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: lab %s ready in %.1fs (started here: %v)\n", l.Server(), time.Since(start).Seconds(), l.Started())
	lab = l
	code := m.Run()
	if err := labtest.Release(l); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping the lab:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}
