package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	kwokconfig "sigs.k8s.io/kwok/pkg/config"
)

func TestKwokConfigRendersEveryStage(t *testing.T) {
	p := stageParams{ReadyDelay: 1500 * time.Millisecond, DeleteDelay: 0, RestartInterval: 5 * time.Second, RunDuration: 700 * time.Millisecond}
	out, err := kwokConfig(p, layout(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]*internalversion.Stage{}
	var options int
	for _, doc := range strings.Split(out, "\n---\n") {
		obj, err := kwokconfig.Unmarshal([]byte(doc))
		if err != nil {
			t.Fatalf("document does not parse: %v\n%s", err, doc)
		}
		switch o := obj.(type) {
		case *internalversion.Stage:
			if _, dup := stages[o.Name]; dup {
				t.Errorf("stage %s defined twice", o.Name)
			}
			stages[o.Name] = o
		case *internalversion.KwokConfiguration:
			options++
			if o.Options.ManageNodesWithAnnotationSelector != "kwok.x-k8s.io/node=fake" {
				t.Errorf("annotation selector %q", o.Options.ManageNodesWithAnnotationSelector)
			}
		}
	}
	if options != 1 {
		t.Errorf("%d KwokConfiguration documents, want 1", options)
	}
	want := []string{
		"node-initialize", "node-heartbeat-with-lease",
		"podium-pod-create", "podium-pod-ready", "podium-pod-never-ready",
		"podium-pod-restart", "podium-pod-terminating", "podium-pod-delete",
		"podium-pod-complete", "podium-pod-fail", "podium-pod-config-error", "podium-pod-mount-error",
	}
	for _, name := range want {
		if stages[name] == nil {
			t.Errorf("stage %s missing", name)
		}
	}
	if len(stages) != len(want) {
		t.Errorf("%d stages, want %d", len(stages), len(want))
	}
	// KWOK's own fast pod-ready/pod-delete/pod-complete must not compete with ours.
	for _, gone := range []string{"pod-ready", "pod-delete", "pod-complete"} {
		if stages[gone] != nil {
			t.Errorf("shipped stage %s still present", gone)
		}
	}
	delayOf := func(name string) time.Duration {
		s := stages[name]
		if s == nil || s.Spec.Delay == nil || s.Spec.Delay.DurationMilliseconds == nil {
			t.Fatalf("stage %s has no delay", name)
		}
		return time.Duration(*s.Spec.Delay.DurationMilliseconds) * time.Millisecond
	}
	for name, want := range map[string]time.Duration{
		"podium-pod-ready":       p.ReadyDelay,
		"podium-pod-never-ready": p.ReadyDelay,
		"podium-pod-delete":      p.DeleteDelay,
		"podium-pod-restart":     p.RestartInterval,
		"podium-pod-complete":    p.RunDuration,
		"podium-pod-fail":        p.RunDuration,
	} {
		if got := delayOf(name); got != want {
			t.Errorf("stage %s delay %s, want %s", name, got, want)
		}
	}
	for _, s := range []string{labelNeverReady, labelRestart, annReadyDelay, annDeleteDelay, labelFail, annRunDuration} {
		if !strings.Contains(out, s) {
			t.Errorf("%s is not used by any stage", s)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	good := []string{"--dir=/tmp/x", "--etcd-port=1", "--etcd-peer-port=2", "--apiserver-port=3", "--controller-manager-port=4", "--scheduler-port=5"}
	for name, tc := range map[string]struct {
		args    []string
		wantErr string
	}{
		"ok":             {good, ""},
		"no dir":         {good[1:], "--dir"},
		"missing port":   {good[:5], "--scheduler-port"},
		"duplicate port": {append(good[:5:5], "--scheduler-port=1"), "both use port 1"},
		"negative delay": {append(good, "--ready-delay=-1s"), "--ready-delay"},
		"tiny restart":   {append(good, "--restart-interval=1ms"), "--restart-interval"},
		"negative run":   {append(good, "--run-duration=-1s"), "--run-duration"},
	} {
		t.Run(name, func(t *testing.T) {
			var o options
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o.register(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := o.validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}
