package lesson

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podiumhq/podium/informers/graph"
)

var opts = Options{Layers: []string{"storage", "config", "identity"}}

const good = `version: 1
title: {en: Hello Kubernetes, zh-CN: 你好 Kubernetes}
steps:
  - title: {en: Scale, zh-CN: 扩容}
    text:
      en: Three replicas.
      zh-CN: 三个副本。
    focus: Deployment/default/web
    layers: [config, identity]
    command: kubectl scale deployment web --replicas=3
    until: {kind: scaled, ref: Deployment/default/web, params: {to: "3"}}
  - title: {en: Look, zh-CN: 看}
    text: {en: The nodes., zh-CN: 节点。}
    focus: Node/worker-1
`

func TestParseGood(t *testing.T) {
	l, err := Parse("talk.yaml", []byte(good), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Steps) != 2 || l.Title.ZhCN != "你好 Kubernetes" {
		t.Fatalf("parsed %+v", l)
	}
	s := l.Steps[0]
	if s.Focus != "Deployment/default/web" || !slices.Equal(s.Layers, []string{"config", "identity"}) ||
		s.Command != "kubectl scale deployment web --replicas=3" || s.Until == nil || s.Until.Params["to"] != "3" {
		t.Errorf("step 0 parsed as %+v", s)
	}
	if l.Steps[1].Until != nil || l.Steps[1].Layers != nil {
		t.Errorf("step 1: absent until and layers must stay absent: %+v", l.Steps[1])
	}
	scaled := graph.Happening{Kind: graph.HappeningScaled, Ref: "Deployment/default/web", Params: map[string]string{"to": "3", "from": "1"}}
	if !s.Until.Matches(scaled) {
		t.Error("the step's happening does not complete it")
	}
	for _, h := range []graph.Happening{
		{Kind: graph.HappeningScaled, Ref: "Deployment/default/web", Params: map[string]string{"to": "2"}},
		{Kind: graph.HappeningScaled, Ref: "Deployment/default/api", Params: map[string]string{"to": "3"}},
		{Kind: graph.HappeningRollout, Ref: "Deployment/default/web", Params: map[string]string{"to": "3"}},
	} {
		if s.Until.Matches(h) {
			t.Errorf("%+v completes a step waiting for %+v", h, s.Until)
		}
	}
}

// TestParseBad: every bad file is refused with its name, line and field.
func TestParseBad(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"empty", "", "x.yaml: empty file"},
		{"not yaml", "version: 1\ntitle: [unclosed\n", "x.yaml:1:1: not valid YAML: did not find"},
		{"a list", "- a\n- b\n", "x.yaml:1:1: must be a mapping"},
		{"two documents", good + "---\nversion: 1\n", "x.yaml:15:1: more than one YAML document"},
		{"no version", strings.Replace(good, "version: 1\n", "", 1), "x.yaml:1:1: version: missing"},
		{"version 2", strings.Replace(good, "version: 1", "version: 2", 1), `x.yaml:1:10: version: "2" is not a version`},
		{"version as text", strings.Replace(good, "version: 1", `version: "1"`, 1), "x.yaml:1:10: version:"},
		{"unknown top field", good + "speaker: me\n", "x.yaml:15:1: speaker: unknown field"},
		{"no steps", "version: 1\ntitle: {en: a, zh-CN: b}\n", "x.yaml:1:1: steps: missing"},
		{"steps empty", "version: 1\ntitle: {en: a, zh-CN: b}\nsteps: []\n", "x.yaml:3:8: steps: empty"},
		{"title without zh-CN", strings.Replace(good, "title: {en: Hello Kubernetes, zh-CN: 你好 Kubernetes}", "title: {en: Hello}", 1), "x.yaml:2:8: title.zh-CN: missing"},
		{"step text empty", strings.Replace(good, "text: {en: The nodes., zh-CN: 节点。}", "text: {en: '', zh-CN: 节点。}", 1), "x.yaml:13:16: steps[1].text.en: empty"},
		{"unknown step field", strings.Replace(good, "    focus: Node/worker-1\n", "    focus: Node/worker-1\n    wait: 3\n", 1), "x.yaml:15:5: steps[1].wait: unknown field"},
		{"bad focus", strings.Replace(good, "focus: Node/worker-1", "focus: worker-1", 1), `x.yaml:14:12: steps[1].focus: "worker-1" is not an entity id`},
		{"unknown layer", strings.Replace(good, "[config, identity]", "[config, netpoll]", 1), `x.yaml:9:22: steps[0].layers[1]: unknown layer "netpoll"`},
		{"layers not a list", strings.Replace(good, "[config, identity]", "config", 1), "x.yaml:9:13: steps[0].layers: must be a list"},
		{"unknown happening", strings.Replace(good, "kind: scaled", "kind: scaledd", 1), `x.yaml:11:19: steps[0].until.kind: unknown happening kind "scaledd"`},
		{"until without kind", strings.Replace(good, "{kind: scaled, ", "{", 1), "x.yaml:11:12: steps[0].until.kind: missing"},
		{"bad ref", strings.Replace(good, "ref: Deployment/default/web", "ref: web", 1), `steps[0].until.ref: "web" is not an entity id`},
		{"params not a mapping", strings.Replace(good, `params: {to: "3"}`, "params: [3]", 1), "steps[0].until.params: must be a mapping"},
		{"repeated key", strings.Replace(good, "    command:", "    command: a\n    command:", 1), "x.yaml:11:5: steps[0].command: given twice"},
		{"text too long", strings.Replace(good, "Three replicas.", strings.Repeat("x", MaxText+1), 1), "steps[0].text.en: longer than 4096 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(c.file), opts)
			if err == nil {
				t.Fatalf("accepted:\n%s", c.file)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(filepath.Join(dir, "missing.yaml"), opts); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a missing file: %v, want an error naming it", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileBytes+10), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(big, opts); err == nil || !strings.Contains(err.Error(), "big.yaml: larger than") {
		t.Errorf("a huge file: %v", err)
	}
	ok := filepath.Join(dir, "ok.yaml")
	if err := os.WriteFile(ok, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := ReadFile(ok, opts); err != nil || len(l.Steps) != 2 {
		t.Errorf("a good file: %v", err)
	}
}

// TestSchemaNamesTheHappenings: the schema's happening kinds are the
// protocol's, and it parses as JSON.
func TestSchemaNamesTheHappenings(t *testing.T) {
	var s struct {
		Defs struct {
			Step struct {
				Properties struct {
					Until struct {
						Properties struct {
							Kind struct {
								Enum []string `json:"enum"`
							} `json:"kind"`
						} `json:"properties"`
					} `json:"until"`
				} `json:"properties"`
			} `json:"step"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema, &s); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(s.Defs.Step.Properties.Until.Properties.Kind.Enum))
	want := slices.Sorted(slices.Values(graph.HappeningKinds))
	if !slices.Equal(got, want) {
		t.Errorf("schema's happening kinds %v, want graph.HappeningKinds %v", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("version: 1\nsteps: [{title: *a}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse("f.yaml", b, opts)
		if err == nil && (l == nil || len(l.Steps) == 0) {
			t.Fatalf("accepted a lesson without steps: %q", b)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}

func TestMarkers(t *testing.T) {
	l, err := Parse("talk.yaml", []byte(good+`  - title: {en: Again, zh-CN: 再}
    text: {en: Scale again., zh-CN: 再扩容。}
    until: {kind: scaled, ref: Deployment/default/web}
`), opts)
	if err != nil {
		t.Fatal(err)
	}
	web := "Deployment/default/web"
	timeline := []graph.Happening{
		{Kind: graph.HappeningCreated, Ref: web},
		{Kind: graph.HappeningScaled, Ref: web, Params: map[string]string{"to": "2"}},
		{Kind: graph.HappeningScaled, Ref: web, Params: map[string]string{"to": "3"}},
		{Kind: graph.HappeningScaled, Ref: web, Params: map[string]string{"to": "1"}},
	}
	got, err := l.Markers("talk.yaml", timeline)
	if err != nil || !slices.Equal(got, []int{2, -1, 3}) {
		t.Errorf("Markers = %v, %v; want [2 -1 3] (the step after the first takes the next scaled)", got, err)
	}
	_, err = l.Markers("talk.yaml", timeline[:3])
	if err == nil || !strings.Contains(err.Error(), "talk.yaml: steps[2].until: no happening") || !strings.Contains(err.Error(), "kind scaled, ref Deployment/default/web") {
		t.Errorf("a recording without the last step's happening: %v", err)
	}
}
