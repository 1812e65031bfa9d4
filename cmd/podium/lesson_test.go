package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
	"github.com/podiumhq/podium/server"
)

// TestLessonFlag: --lesson ties a lesson to a replay's timeline (the demo's
// here); one that does not fit the recording is shown with what is wrong
// while the demo plays on; a file that is not there is a flag error.
func TestLessonFlag(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	dir := t.TempDir()
	write := func(name, until string) string {
		p := filepath.Join(dir, name)
		body := "version: 1\ntitle: {en: Demo, zh-CN: 演示}\nsteps:\n" +
			"  - title: {en: Watch, zh-CN: 看}\n    text: {en: The cluster., zh-CN: 集群。}\n" +
			"  - title: {en: Scale, zh-CN: 扩容}\n    text: {en: More pods., zh-CN: 更多 Pod。}\n    until: " + until + "\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	base, stop := startCmd(t, "demo", "--listen", "127.0.0.1:0", "--paused", "--lesson", write("good.yaml", "{kind: scaled}"))
	var st server.LessonState
	getJSON(t, base+"/api/lesson", &st)
	if st.Lesson == nil || len(st.Markers) != 2 || st.Markers[0] != -1 || st.Markers[1] < 0 || st.Error != "" {
		t.Errorf("the demo with a lesson: %+v; want step 2 tied to the demo's first scaled happening", st)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// A kind of happening the demo's recording has none of.
	rec, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	missing := ""
	for _, k := range graph.HappeningKinds {
		if !slices.ContainsFunc(rec.Markers(), func(m replay.Marker) bool { return m.Kind == k }) {
			missing = k
			break
		}
	}
	if missing == "" {
		t.Fatal("the demo has a happening of every kind: no lesson step can miss")
	}
	base, stop = startCmd(t, "demo", "--listen", "127.0.0.1:0", "--paused", "--lesson", write("misfit.yaml", "{kind: "+missing+"}"))
	resp, err := http.Get(base + "/api/lesson")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "misfit.yaml: steps[1].until: no happening") {
		t.Errorf("a lesson the recording cannot follow: %d %s", resp.StatusCode, body)
	}
	if resp, err := http.Get(base + "/api/graph"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the demo must play on beside a bad lesson: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	err = run(context.Background(), []string{"demo", "--listen", "127.0.0.1:0", "--lesson", filepath.Join(dir, "nope.yaml")}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--lesson") || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("a missing lesson file: %v, want a flag error naming it", err)
	}
}
