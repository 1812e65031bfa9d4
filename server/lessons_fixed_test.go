package server

import (
	"slices"
	"testing"

	"github.com/podiumhq/podium/server/lesson"
)

// TestFixedLessonSource: a lesson that is not a file (the demo's built-in
// one) is served as given, with its markers, and never looked for on disk.
func TestFixedLessonSource(t *testing.T) {
	l := &lesson.Lesson{Version: 1, Title: lesson.Text{En: "Talk", ZhCN: "分享"},
		Steps: []lesson.Step{{Title: lesson.Text{En: "One", ZhCN: "一"}, Text: lesson.Text{En: "A pod.", ZhCN: "一个 Pod。"}}}}
	src := NewFixedLessonSource(l, []int{-1})
	for range 2 {
		st := src.Current()
		if st.Lesson != l || !slices.Equal(st.Markers, []int{-1}) || st.Error != "" {
			t.Fatalf("Current() = %+v; want the lesson given, its markers, no error", st)
		}
	}
}
