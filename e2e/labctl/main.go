// Command labctl starts and stops Podium's lab control plane; the Makefile's
// lab-up and lab-down targets run it.
//
//	go run ./e2e/labctl up     [--dir DIR]   start (idempotent); prints the KUBECONFIG export
//	go run ./e2e/labctl down   [--dir DIR]   stop, also after a crash; leaves nothing running
//	go run ./e2e/labctl status [--dir DIR]   running or not; exit 3 when not running
//
// The lab directory defaults to $PODIUM_LAB_DIR, else <repo>/.lab. Delays for
// a new lab come from PODIUM_LAB_READY_DELAY, PODIUM_LAB_DELETE_DELAY and
// PODIUM_LAB_RESTART_INTERVAL (Go durations).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/podiumhq/podium/e2e/labtest"
)

const usage = `usage: labctl up|down|status [--dir DIR] [--quiet]

  up      start the lab if it is not running (builds podium-lab if needed)
          and print: export KUBECONFIG=<dir>/kubeconfig
  down    stop the lab and every podium-lab process of DIR
  status  print whether the lab runs; exit status 3 when it does not
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	verb := args[0]
	fs := flag.NewFlagSet("labctl "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "lab directory (default $PODIUM_LAB_DIR, else <repo>/.lab)")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "labctl: unexpected argument %q\n%s", fs.Arg(0), usage)
		return 2
	}
	var logw io.Writer = stderr
	if *quiet {
		logw = io.Discard
	}
	opts := labtest.Options{Dir: *dir, Log: logw}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch verb {
	case "up":
		start := time.Now()
		lab, err := labtest.Start(ctx, opts)
		if err != nil {
			fmt.Fprintln(stderr, "labctl up:", err)
			return 1
		}
		pid, _ := lab.PID()
		state := "already running"
		if lab.Started() {
			state = "started"
		}
		fmt.Fprintf(stderr, "labctl: lab %s (pid %d, %s, %.1fs); logs in %s\n", state, pid, lab.Server(), time.Since(start).Seconds(), lab.LogFile())
		fmt.Fprintf(stdout, "export KUBECONFIG=%s\n", lab.Kubeconfig())
		return 0
	case "down":
		lab, err := labtest.Open(opts)
		if err != nil {
			fmt.Fprintln(stderr, "labctl down:", err)
			return 1
		}
		if err := lab.Down(); err != nil {
			fmt.Fprintln(stderr, "labctl down:", err)
			return 1
		}
		fmt.Fprintf(stderr, "labctl: lab in %s is down\n", lab.Dir())
		return 0
	case "status":
		lab, err := labtest.Open(opts)
		if err != nil {
			fmt.Fprintln(stderr, "labctl status:", err)
			return 1
		}
		pid, err := lab.PID()
		if err != nil {
			fmt.Fprintf(stdout, "lab in %s: not running\n", lab.Dir())
			return 3
		}
		ready := "ready"
		if err := lab.Ready(ctx); err != nil {
			ready = "not ready: " + err.Error()
		}
		fmt.Fprintf(stdout, "lab in %s: running, pid %d, %s, %s\nexport KUBECONFIG=%s\n", lab.Dir(), pid, lab.Server(), ready, lab.Kubeconfig())
		return 0
	default:
		fmt.Fprintf(stderr, "labctl: unknown command %q\n%s", verb, usage)
		return 2
	}
}
