package web

import (
	"context"
	"strings"
	"testing"
)

// TestRenderSVGCustomOwner: the server's SVG draws a custom owner's box
// (customowner.js is bundled), titled with its kind and name, with its
// ReplicaSet's lane inside.
func TestRenderSVGCustomOwner(t *testing.T) {
	raw := []byte(`{"epoch":"e","seq":1,"nodes":[
	 {"id":"Widget/app/web","kind":"Widget","namespace":"app","name":"web","uid":"w","group":"podium-test.example.com","version":"podium-test.example.com/v1"},
	 {"id":"ReplicaSet/app/web-1","kind":"ReplicaSet","namespace":"app","name":"web-1","uid":"r","owner":"Widget/app/web","revision":1,"replicas":1,"current":1,"ready":1,"images":["web:v1"]},
	 {"id":"Pod/app/web-1-a","kind":"Pod","namespace":"app","name":"web-1-a","uid":"p","status":"Running","ready":true,"restarts":0,"node":"","owner":"ReplicaSet/app/web-1","images":["web:v1"]}
	],"edges":[{"id":"owns:Widget/app/web->ReplicaSet/app/web-1","kind":"owns","from":"Widget/app/web","to":"ReplicaSet/app/web-1"}]}`)
	var buf strings.Builder
	if err := RenderSVG(context.Background(), &buf, raw, nil, "", "en"); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	ids, _ := svgIDs(t, svg)
	for _, id := range []string{"Widget/app/web", "ReplicaSet/app/web-1", "Pod/app/web-1-a"} {
		if !ids[id] {
			t.Errorf("the SVG has no data-id %q", id)
		}
	}
	for _, s := range []string{"Widget web", "podium-test.example.com<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("the SVG lacks %q", s)
		}
	}
}
