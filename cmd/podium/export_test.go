package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/podiumhq/podium/informers/replay"
)

// segmentOf reads the segment an exported page carries.
func segmentOf(t *testing.T, page []byte) replay.Segment {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="podium-segment">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the page carries no segment:\n%.400s", page)
	}
	var seg replay.Segment
	if err := json.Unmarshal(m[1], &seg); err != nil {
		t.Fatalf("the page's segment: %v", err)
	}
	return seg
}

// exportCmd runs podium export with args and returns its output and error.
func exportCmd(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"export"}, args...), &out, &out)
	return out.String(), err
}

func TestExportWritesTheSegment(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "seg.html")
	msg, err := exportCmd("--demo", "--from", "1", "--to", "3", "--lang", "zh-CN", out)
	if err != nil {
		t.Fatalf("podium export: %v\n%s", err, msg)
	}
	if !strings.Contains(msg, "wrote "+out) || !strings.Contains(msg, "happenings 1 to 3") {
		t.Errorf("podium export said %q", msg)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	seg := segmentOf(t, page)
	if seg.From != 1 || seg.To != 3 || len(seg.Happenings) != 3 || seg.Happenings[0].Index != 1 {
		t.Errorf("the file holds happenings %d to %d (%d listed), want 1 to 3", seg.From, seg.To, len(seg.Happenings))
	}
	if !bytes.Contains(page, []byte(`<html lang="zh-CN"`)) {
		t.Errorf("--lang zh-CN: the page is not in Chinese")
	}
	// Defaults: the whole recording.
	all := filepath.Join(dir, "all.html")
	if msg, err := exportCmd("--demo", all); err != nil {
		t.Fatalf("podium export --demo: %v\n%s", err, msg)
	}
	whole, _ := os.ReadFile(all)
	rec, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	if s := segmentOf(t, whole); s.From != 0 || s.To != len(rec.Markers())-1 {
		t.Errorf("without --from and --to: happenings %d to %d, want 0 to %d", s.From, s.To, len(rec.Markers())-1)
	}
	t.Logf("the built-in demo's whole range: %d bytes", len(whole))
}

// TestExportBadInput: each mistake is named, and leaves no file behind
// (neither the output nor a temporary one).
func TestExportBadInput(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.jsonl")
	if err := os.WriteFile(corrupt, []byte("{\"format\":\"podium-recording\",\"version\":1}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	last := len(rec.Markers()) - 1
	out := filepath.Join(dir, "out.html")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"from after to", []string{"--demo", "--from", "3", "--to", "2", out}, "from 3 is after to 2"},
		{"to out of range", []string{"--demo", "--to", "999", out}, "to 999: the recording has"},
		{"negative from", []string{"--demo", "--from", "-1", out}, "from -1: the recording has"},
		{"no such recording", []string{filepath.Join(dir, "nope.jsonl.gz"), out}, "nope.jsonl.gz: no such file"},
		{"corrupt recording", []string{corrupt, out}, "corrupt.jsonl:2: corrupt line"},
		{"output directory missing", []string{"--demo", filepath.Join(dir, "no", "such", "dir", "x.html")}, "cannot write " + filepath.Join(dir, "no", "such", "dir", "x.html")},
		{"output is a directory", []string{"--demo", dir}, dir + " is a directory"},
		{"bad language", []string{"--demo", "--lang", "fr", out}, `--lang "fr": want en or zh-CN`},
		{"no output", []string{"--demo"}, "with --demo, give only the output file"},
		{"no recording", []string{out}, "want a recording and an output file"},
		{"bad limit", []string{"--max-frames", "0", corrupt, out}, "must be positive"},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg, err := exportCmd(c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("podium export %s = %v (%s), want an error with %q", strings.Join(c.args, " "), err, msg, c.want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "corrupt.jsonl" {
					t.Errorf("a failed export left %s behind", e.Name())
				}
			}
		})
	}
	if last < 1 {
		t.Fatalf("the demo has %d happenings", last+1)
	}
	// An unwritable directory: the temporary file cannot be made.
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := exportCmd("--demo", filepath.Join(ro, "x.html")); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("an unwritable directory: %v", err)
		}
	}
}

func TestExportHelpSaysWhatIsIncluded(t *testing.T) {
	out := help(t, "export")
	for _, want := range []string{"the state at happening N", "through happening M", "GET /api/replay", "--from", "--to", "--demo", "stops on the last frame"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("podium export --help lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(help(t), "export") {
		t.Errorf("podium --help does not list export")
	}
}

// TestReplayServesSegments: a replay serves GET /api/replay/segment with
// the file podium export writes for the same range.
func TestReplayServesSegments(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	base, _ := startCmd(t, "demo", "--listen", "127.0.0.1:0", "--paused")
	resp, err := http.Get(base + "/api/replay/segment?from=2&to=4")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="podium-segment-2-4.html"` {
		t.Fatalf("GET /api/replay/segment: %s %v\n%.300s", resp.Status, resp.Header, page)
	}
	out := filepath.Join(t.TempDir(), "cli.html")
	if msg, err := exportCmd("--demo", "--from", "2", "--to", "4", out); err != nil {
		t.Fatalf("podium export: %v\n%s", err, msg)
	}
	cli, _ := os.ReadFile(out)
	// The same segment; the page may differ in its title (the file name).
	a, b := segmentOf(t, page), segmentOf(t, cli)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("the server's segment differs from podium export's")
	}
	title := regexp.MustCompile(`<title>(.*?)</title>`).FindSubmatch(page)
	if title == nil || !strings.Contains(html.UnescapeString(string(title[1])), "2–4") {
		t.Errorf("the page's title %q does not name the range", title)
	}
}
