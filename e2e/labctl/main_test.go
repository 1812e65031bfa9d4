package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunArguments(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"no verb", nil, 2, "", "usage:"},
		{"help", []string{"help"}, 0, "", "usage:"},
		{"unknown verb", []string{"launch"}, 2, "", `unknown command "launch"`},
		{"extra argument", []string{"up", "now"}, 2, "", `unexpected argument "now"`},
		{"bad flag", []string{"down", "--port=1"}, 2, "", "flag provided but not defined"},
		// An empty directory holds no lab: status says so with exit 3, and
		// down is a no-op that succeeds (what `make lab-down` needs).
		{"status of nothing", []string{"status", "--dir=" + dir}, 3, "not running", ""},
		{"down of nothing", []string{"down", "--dir=" + dir}, 0, "", "is down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.wantStdout) {
				t.Errorf("stdout %q, want it to contain %q", stdout.String(), tc.wantStdout)
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tc.wantStderr)
			}
		})
	}
}
