package web

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/podiumhq/podium/informers/graph"
)

// TestPictureSnapshotDrawsTheSame: the server-side SVG export lays out
// graph.PictureSnapshot, pods without what only the details panel reads;
// the picture drawn from it must be the one drawn from the whole snapshot,
// in both languages, so a layout that starts to read a dropped field fails
// here. The scenes are the talk's (web/test/fixtures), whose pods carry
// containers, images, IPs, service accounts, restarts and warnings.
func TestPictureSnapshotDrawsTheSame(t *testing.T) {
	for _, name := range []string{"talk-33.json", "talk-65.json"} {
		raw, err := os.ReadFile("test/fixtures/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var snap graph.Snapshot
		if err := json.Unmarshal(raw, &snap); err != nil {
			t.Fatal(err)
		}
		full, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		trimmed, err := json.Marshal(graph.PictureSnapshot(snap))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{`"image":"`, `"hostIP"`, `"serviceAccount"`} {
			if !bytes.Contains(full, []byte(f)) || bytes.Contains(trimmed, []byte(f)) {
				t.Errorf("%s: %s is in the whole snapshot: %v, in the picture's: %v", name, f, bytes.Contains(full, []byte(f)), bytes.Contains(trimmed, []byte(f)))
			}
		}
		for _, lang := range []string{"en", "zh-CN"} {
			var a, b bytes.Buffer
			if err := RenderSVG(context.Background(), &a, full, nil, "", lang); err != nil {
				t.Fatal(err)
			}
			if err := RenderSVG(context.Background(), &b, trimmed, nil, "", lang); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s (%s): the picture drawn from graph.PictureSnapshot differs from the whole snapshot's (%d and %d bytes)", name, lang, b.Len(), a.Len())
			}
		}
	}
}
