package web

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
)

// FuzzRenderSVG feeds /api/graph.svg's inputs (a focus from the URL, a
// language, and the graph) through the goja layout: bad input must give an
// error, never a panic or a hung runtime.
func FuzzRenderSVG(f *testing.F) {
	raw, err := os.ReadFile("test/fixtures/rollout.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw, "", "en")
	f.Add(raw, "Deployment/default/hellok8s-deployment", "zh-CN")
	f.Add(raw, "default", "zh")
	f.Add([]byte(`{"nodes":[{"id":"Pod/a/p","kind":"Pod","namespace":"a","name":"p","owner":"ReplicaSet/a/x"}],"edges":[{"id":"e","kind":"selects","from":"Pod/a/p","to":"Pod/a/p"}]}`), "Pod/a/p", "fr")
	f.Add([]byte(`{"nodes":null}`), "a/b/c/d", "")
	f.Fuzz(func(t *testing.T, graphJSON []byte, focus, lang string) {
		err := RenderSVG(context.Background(), io.Discard, graphJSON, nil, focus, lang)
		var fe *FocusError
		if err != nil && errors.As(err, &fe) && fe.Msg == "" {
			t.Fatalf("focus error without a message for %q", focus)
		}
	})
}
