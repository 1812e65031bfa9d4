// Package lesson reads guided lessons: small YAML files of steps a speaker
// walks through (lesson.schema.json is their JSON schema). A step has a
// title and text in English and Chinese, what to focus, which layers to
// show, and optionally the command to type and the happening that completes
// it. A bad file is refused with its name, line and field, before anything
// is shown.
package lesson

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/podiumhq/podium/informers/graph"
)

// Schema is the lesson file's JSON schema (draft 2020-12), for editors.
//
//go:embed lesson.schema.json
var Schema []byte

// Version is the lesson format this package reads.
const Version = 1

// Bounds on a lesson file: a lesson is a talk, not a database.
const (
	MaxFileBytes = 1 << 20
	MaxSteps     = 200
	MaxText      = 4096 // bytes of one text
)

// Text is one text in the languages Podium speaks.
type Text struct {
	En   string `json:"en" yaml:"en"`
	ZhCN string `json:"zh-CN" yaml:"zh-CN"`
}

// Until is the happening that completes a step: its kind, and when given,
// the entity it is about and params that must all hold.
type Until struct {
	Kind   string            `json:"kind" yaml:"kind"`
	Ref    string            `json:"ref,omitempty" yaml:"ref"`
	Params map[string]string `json:"params,omitempty" yaml:"params"`
}

// Matches reports whether h completes a step waiting for u.
func (u *Until) Matches(h graph.Happening) bool {
	if u == nil || h.Kind != u.Kind || (u.Ref != "" && h.Ref != u.Ref) {
		return false
	}
	for k, v := range u.Params {
		if h.Params[k] != v {
			return false
		}
	}
	return true
}

// Step is one step of a lesson.
type Step struct {
	Title   Text     `json:"title" yaml:"title"`
	Text    Text     `json:"text" yaml:"text"`
	Focus   string   `json:"focus,omitempty" yaml:"focus"`     // an entity id
	Layers  []string `json:"layers,omitempty" yaml:"layers"`   // the layers to show; absent: leave them
	Command string   `json:"command,omitempty" yaml:"command"` // what the speaker types
	Until   *Until   `json:"until,omitempty" yaml:"until"`
}

// Lesson is a parsed, valid lesson.
type Lesson struct {
	Version int    `json:"version" yaml:"version"`
	Title   Text   `json:"title" yaml:"title"`
	Steps   []Step `json:"steps" yaml:"steps"`
}

// Error is what is wrong with a lesson file: where, which field, and why.
type Error struct {
	File  string
	Line  int // 0 when the problem is the file as a whole
	Col   int
	Field string // a path such as steps[2].until.kind; "" for the file
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Options are what a lesson may name: the layers the page knows.
type Options struct {
	Layers []string
}

// ReadFile reads and checks the lesson in path.
func ReadFile(path string, o Options) (*Lesson, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, b, o)
}

// Parse reads and checks a lesson; name is the file name errors give.
func Parse(name string, b []byte, o Options) (*Lesson, error) {
	if len(b) > MaxFileBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("larger than %d bytes: a lesson is a few steps", MaxFileBytes)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "empty file: a lesson needs version, title and steps"}
		}
		return nil, yamlError(name, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Line: more.Line, Col: more.Column, Msg: "more than one YAML document: a file holds one lesson"}
	}
	c := checker{name: name, opts: o}
	l := c.lesson(&doc)
	if c.err != nil {
		return nil, c.err
	}
	return l, nil
}

// yamlError turns a YAML syntax error into an Error with its line.
func yamlError(name string, err error) error {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = yamlLine.ReplaceAllString(msg, "")
	}
	msg = strings.Join(strings.Fields(strings.TrimPrefix(msg, "yaml: ")), " ")
	return &Error{File: name, Line: line, Col: 1, Msg: "not valid YAML: " + msg}
}

var yamlLine = regexp.MustCompile(`line (\d+):`)

// checker walks the YAML tree, building the lesson and keeping the first
// problem with its position: line numbers are why this is not a plain
// Unmarshal.
type checker struct {
	name string
	opts Options
	err  *Error
}

func (c *checker) fail(n *yaml.Node, field, format string, args ...any) {
	if c.err != nil {
		return
	}
	e := &Error{File: c.name, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	c.err = e
}

// fields returns a mapping's values by key, refusing keys not in allowed,
// repeated keys and non-mappings.
func (c *checker) fields(n *yaml.Node, field string, allowed ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		c.fail(n, field, "must be a mapping (key: value lines), not %s", kindName(n))
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		at := join(field, k.Value)
		if !slices.Contains(allowed, k.Value) {
			c.fail(k, at, "unknown field (known: %s)", strings.Join(allowed, ", "))
			return nil
		}
		if _, dup := out[k.Value]; dup {
			c.fail(k, at, "given twice")
			return nil
		}
		out[k.Value] = v
	}
	return out
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "empty"
	}
	return fmt.Sprintf("%q", n.Value)
}

// str reads a string scalar of at most MaxText bytes; required refuses an
// absent or empty one.
func (c *checker) str(n *yaml.Node, parent *yaml.Node, field string, required bool) string {
	if n == nil {
		if required {
			c.fail(parent, field, "missing")
		}
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		if required || n.Tag != "!!null" {
			c.fail(n, field, "must be text, not %s", kindName(n))
		}
		return ""
	}
	if len(n.Value) > MaxText {
		c.fail(n, field, "longer than %d bytes", MaxText)
		return ""
	}
	if required && strings.TrimSpace(n.Value) == "" {
		c.fail(n, field, "empty")
	}
	return n.Value
}

func (c *checker) text(n, parent *yaml.Node, field string) Text {
	if n == nil {
		c.fail(parent, field, "missing: give it in en and zh-CN")
		return Text{}
	}
	f := c.fields(n, field, "en", "zh-CN")
	if f == nil {
		return Text{}
	}
	return Text{En: c.str(f["en"], n, field+".en", true), ZhCN: c.str(f["zh-CN"], n, field+".zh-CN", true)}
}

func (c *checker) lesson(doc *yaml.Node) *Lesson {
	root := doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	f := c.fields(root, "", "version", "title", "steps")
	if f == nil {
		return nil
	}
	l := &Lesson{}
	if v := f["version"]; v == nil {
		c.fail(root, "version", "missing: this Podium reads version %d", Version)
	} else if v.Value != fmt.Sprint(Version) || v.Tag != "!!int" {
		c.fail(v, "version", "%s is not a version this Podium reads (%d)", kindName(v), Version)
	}
	l.Version = Version
	l.Title = c.text(f["title"], root, "title")
	steps := f["steps"]
	switch {
	case steps == nil:
		c.fail(root, "steps", "missing: a lesson has at least one step")
	case steps.Kind != yaml.SequenceNode:
		c.fail(steps, "steps", "must be a list of steps, not %s", kindName(steps))
	case len(steps.Content) == 0:
		c.fail(steps, "steps", "empty: a lesson has at least one step")
	case len(steps.Content) > MaxSteps:
		c.fail(steps, "steps", "%d steps, more than %d", len(steps.Content), MaxSteps)
	default:
		for i, s := range steps.Content {
			l.Steps = append(l.Steps, c.step(s, fmt.Sprintf("steps[%d]", i)))
		}
	}
	return l
}

func (c *checker) step(n *yaml.Node, field string) Step {
	f := c.fields(n, field, "title", "text", "focus", "layers", "command", "until")
	if f == nil {
		return Step{}
	}
	s := Step{
		Title:   c.text(f["title"], n, field+".title"),
		Text:    c.text(f["text"], n, field+".text"),
		Focus:   c.str(f["focus"], n, field+".focus", false),
		Command: c.str(f["command"], n, field+".command", false),
	}
	if s.Focus != "" && !validID(s.Focus) {
		c.fail(f["focus"], field+".focus", "%q is not an entity id such as Deployment/default/web or Node/worker-1", s.Focus)
	}
	if ls := f["layers"]; ls != nil {
		if ls.Kind != yaml.SequenceNode {
			c.fail(ls, field+".layers", "must be a list of layer names, not %s", kindName(ls))
		}
		s.Layers = []string{}
		for i, v := range ls.Content {
			at := fmt.Sprintf("%s.layers[%d]", field, i)
			name := c.str(v, ls, at, true)
			if name != "" && !slices.Contains(c.opts.Layers, name) {
				c.fail(v, at, "unknown layer %q (known: %s)", name, strings.Join(c.opts.Layers, ", "))
			}
			s.Layers = append(s.Layers, name)
		}
	}
	if u := f["until"]; u != nil {
		s.Until = c.until(u, field+".until")
	}
	return s
}

func (c *checker) until(n *yaml.Node, field string) *Until {
	f := c.fields(n, field, "kind", "ref", "params")
	if f == nil {
		return nil
	}
	u := &Until{Kind: c.str(f["kind"], n, field+".kind", true), Ref: c.str(f["ref"], n, field+".ref", false)}
	if u.Kind != "" && !slices.Contains(graph.HappeningKinds, u.Kind) {
		c.fail(f["kind"], field+".kind", "unknown happening kind %q (known: %s)", u.Kind, strings.Join(graph.HappeningKinds, ", "))
	}
	if u.Ref != "" && !validID(u.Ref) {
		c.fail(f["ref"], field+".ref", "%q is not an entity id such as Deployment/default/web", u.Ref)
	}
	if p := f["params"]; p != nil {
		if p.Kind != yaml.MappingNode {
			c.fail(p, field+".params", "must be a mapping of param: value, not %s", kindName(p))
			return u
		}
		u.Params = map[string]string{}
		for i := 0; i+1 < len(p.Content); i += 2 {
			k, v := p.Content[i], p.Content[i+1]
			at := field + ".params." + k.Value
			if _, dup := u.Params[k.Value]; dup {
				c.fail(k, at, "given twice")
			}
			u.Params[k.Value] = c.str(v, p, at, true)
		}
	}
	return u
}

// validID reports whether id has the form of an entity id: Kind/name or
// Kind/namespace/name, a kind starting with a capital letter.
func validID(id string) bool {
	return entityID.MatchString(id)
}

var entityID = regexp.MustCompile(`^[A-Z][A-Za-z]{0,62}/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9]([-a-z0-9.:]{0,251}[a-z0-9])?$`)

// Markers finds, for each step, the happening of a recording's timeline
// (oldest first) that completes it: the first match after the previous
// step's. A step without until gets -1 (it stays where the previous step
// is). A step whose happening the recording lacks is an error naming it,
// since a replayed lesson must be able to seek every step.
func (l *Lesson) Markers(name string, timeline []graph.Happening) ([]int, error) {
	out := make([]int, len(l.Steps))
	from := 0
	for i, s := range l.Steps {
		out[i] = -1
		if s.Until == nil {
			continue
		}
		j := slices.IndexFunc(timeline[from:], s.Until.Matches)
		if j < 0 {
			return nil, &Error{File: name, Field: fmt.Sprintf("steps[%d].until", i),
				Msg: fmt.Sprintf("no happening of the recording after the previous step's is %s", s.Until)}
		}
		out[i] = from + j
		from += j + 1
	}
	return out, nil
}

// String says what u waits for, as errors name it.
func (u *Until) String() string {
	s := "kind " + u.Kind
	if u.Ref != "" {
		s += ", ref " + u.Ref
	}
	keys := make([]string, 0, len(u.Params))
	for k := range u.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s += fmt.Sprintf(", %s=%s", k, u.Params[k])
	}
	return s
}
