package web

import (
	"slices"
	"testing"
)

func TestLayersFromLayoutJS(t *testing.T) {
	got := Layers()
	for _, want := range []string{"storage", "config", "jobs"} {
		if !slices.Contains(got, want) {
			t.Errorf("Layers() = %v, missing %q", got, want)
		}
	}
}
