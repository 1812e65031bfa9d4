package server

import (
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/server/lesson"
)

// LessonSource is the lesson a speaker gives (--lesson FILE), served at GET
// /api/lesson. The file is re-read when it changes, so a speaker can fix a
// typo mid-talk; a bad version never replaces the last good one and never
// stops the live view: it is reported beside it.
type LessonSource struct {
	path    string
	opts    lesson.Options
	markers func(*lesson.Lesson) ([]int, error) // replays tie steps to the timeline
	now     func() time.Time
	fixed   bool // not a file: never re-read

	mu      sync.Mutex // guards everything below
	checked time.Time
	mod     time.Time
	size    int64
	good    *lesson.Lesson
	marks   []int
	err     error
}

// NewLessonSource reads the lesson at path. markers, when set, ties each
// step to its happening on a replay's timeline; a step it cannot place
// makes the lesson bad. The error of the first read is returned for the
// caller to report, and kept for the page too.
func NewLessonSource(path string, opts lesson.Options, markers func(*lesson.Lesson) ([]int, error)) (*LessonSource, error) {
	l := &LessonSource{path: path, opts: opts, markers: markers, now: time.Now}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reloadLocked()
	return l, l.err
}

// NewFixedLessonSource serves a lesson that is not a file, such as the one
// built into `podium demo`: the caller has checked it and placed its steps
// (markers, nil when live), and it never changes.
func NewFixedLessonSource(l *lesson.Lesson, markers []int) *LessonSource {
	return &LessonSource{good: l, marks: markers, fixed: true, now: time.Now}
}

// LessonState is what GET /api/lesson answers: the lesson in force, the
// timeline marker of each step in a replay (-1: stay), and what is wrong
// with the file now, if anything.
type LessonState struct {
	Lesson  *lesson.Lesson `json:"lesson,omitempty"`
	Markers []int          `json:"markers,omitempty"`
	Error   string         `json:"error,omitempty"`
}

// Current returns the lesson in force, re-reading the file at most once a
// second when it changed.
func (l *LessonSource) Current() LessonState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.fixed && l.now().Sub(l.checked) >= time.Second {
		l.reloadLocked()
	}
	st := LessonState{Lesson: l.good, Markers: l.marks}
	if l.err != nil {
		st.Error = l.err.Error()
	}
	return st
}

func (l *LessonSource) reloadLocked() {
	l.checked = l.now()
	fi, err := os.Stat(l.path)
	if err != nil {
		l.err = &lesson.Error{File: l.path, Msg: err.Error()}
		return
	}
	if l.good != nil && fi.ModTime().Equal(l.mod) && fi.Size() == l.size {
		return
	}
	l.mod, l.size = fi.ModTime(), fi.Size()
	les, err := lesson.ReadFile(l.path, l.opts)
	var marks []int
	if err == nil && l.markers != nil {
		marks, err = l.markers(les)
	}
	if err != nil {
		l.err = err
		return
	}
	l.good, l.marks, l.err = les, marks, nil
}

// lessonJSON serves GET /api/lesson: 404 without --lesson, 422 while the
// file has never been good, else the lesson (and any newer error).
func (s *Server) lessonJSON(c echo.Context) error {
	if s.cfg.Lesson == nil {
		return echo.NewHTTPError(http.StatusNotFound, "no lesson: start Podium with --lesson FILE")
	}
	st := s.cfg.Lesson.Current()
	if st.Lesson == nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, st.Error)
	}
	return c.JSON(http.StatusOK, st)
}
