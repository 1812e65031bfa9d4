package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podiumhq/podium/server/lesson"
)

const lessonFile = `version: 1
title: {en: Talk, zh-CN: 讲座}
steps:
  - title: {en: Scale, zh-CN: 扩容}
    text: {en: Three., zh-CN: 三。}
    until: {kind: scaled}
`

func getLesson(t *testing.T, h http.Handler) (int, LessonState, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "http://podium.test/api/lesson", nil)
	req.Host = "podium.test"
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	var st LessonState
	if rr.Code == http.StatusOK {
		if err := json.Unmarshal(rr.Body.Bytes(), &st); err != nil {
			t.Fatalf("GET /api/lesson: %v in %s", err, rr.Body)
		}
	}
	return rr.Code, st, rr.Body.String()
}

// TestLessonEndpoint: the lesson is served; a bad edit keeps the last good
// lesson beside the error naming its line; a file never good is a 422
// naming the problem; no --lesson is a 404.
func TestLessonEndpoint(t *testing.T) {
	if code, _, body := getLesson(t, New(Config{}).Handler()); code != http.StatusNotFound || !strings.Contains(body, "--lesson") {
		t.Errorf("without a lesson: %d %s", code, body)
	}

	path := filepath.Join(t.TempDir(), "talk.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(lessonFile)
	src, err := NewLessonSource(path, lesson.Options{}, func(l *lesson.Lesson) ([]int, error) { return []int{7}, nil })
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	src.now = func() time.Time { return clock }
	h := New(Config{Lesson: src}).Handler()
	code, st, body := getLesson(t, h)
	if code != http.StatusOK || st.Lesson == nil || len(st.Lesson.Steps) != 1 || st.Lesson.Steps[0].Title.ZhCN != "扩容" ||
		len(st.Markers) != 1 || st.Markers[0] != 7 || st.Error != "" {
		t.Fatalf("a good lesson: %d %s", code, body)
	}

	write(strings.Replace(lessonFile, "kind: scaled", "kind: scaledd", 1))
	clock = clock.Add(2 * time.Second)
	code, st, body = getLesson(t, h)
	if code != http.StatusOK || st.Lesson == nil || st.Lesson.Steps[0].Until.Kind != "scaled" ||
		!strings.Contains(st.Error, "talk.yaml:6:") || !strings.Contains(st.Error, "steps[0].until.kind") {
		t.Errorf("after a bad edit: %d %s; want the last good lesson and the error with its line", code, body)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src2, err := NewLessonSource(bad, lesson.Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("a bad first read: %v, want an error naming the file", err)
	}
	if code, _, body := getLesson(t, New(Config{Lesson: src2}).Handler()); code != http.StatusUnprocessableEntity || !strings.Contains(body, "bad.yaml:1:1: title: missing") {
		t.Errorf("a lesson never good: %d %s, want 422 naming the problem", code, body)
	}
}
