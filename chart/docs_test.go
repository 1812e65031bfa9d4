package chart_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// Maps whose keys are passed through to Kubernetes as they are: documented as
// one value, not key by key.
var opaqueValues = []string{"podSecurityContext", "securityContext", "resources.requests", "resources.limits"}

// valueKeys lists the documented keys of values.yaml: every leaf, with the
// opaque maps counted as leaves.
func valueKeys(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		key := prefix + k
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 && !slices.Contains(opaqueValues, key) {
			out = append(out, valueKeys(key+".", sub)...)
			continue
		}
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}

var keyLine = regexp.MustCompile(`^( *)([A-Za-z][A-Za-z0-9_]*):`)

// TestEveryValueIsDocumented: each value has a comment right above it in
// values.yaml and a row in README.md's table, and no row names a value that
// does not exist.
func TestEveryValueIsDocumented(t *testing.T) {
	raw, err := os.ReadFile("values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var vals map[string]any
	if err := yaml.Unmarshal(raw, &vals); err != nil {
		t.Fatal(err)
	}
	keys := valueKeys("", vals)
	if len(keys) < 20 {
		t.Fatalf("found only %d values: %v", len(keys), keys)
	}

	// Comment above each key: walk values.yaml keeping the path by indentation.
	commented := map[string]bool{}
	var path []string
	lines := strings.Split(string(raw), "\n")
	for i, l := range lines {
		m := keyLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		depth := len(m[1]) / 2
		if depth > len(path) {
			continue // inside a list item or an opaque block's deeper levels
		}
		path = append(path[:depth], m[2])
		if i > 0 && strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#") {
			commented[strings.Join(path, ".")] = true
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	// Only the Values section's table counts.
	_, section, ok := strings.Cut(string(readme), "\n## Values\n")
	if !ok {
		t.Fatal("README.md has no \"## Values\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, k := range keys {
		if !commented[k] {
			t.Errorf("values.yaml: %s has no comment above it", k)
		}
		if !strings.Contains(section, "| `"+k+"` |") {
			t.Errorf("README.md: no row for %s", k)
		}
	}
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllStringSubmatch(section, -1) {
		if !slices.Contains(keys, m[1]) {
			t.Errorf("README.md documents %s, which values.yaml does not have", m[1])
		}
	}
}
