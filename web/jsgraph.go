package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dop251/goja"
)

// The layout reads the graph as JavaScript objects. JSON.parse in goja makes
// each one an ordinary object: a property map, a key list and a boxed value
// per field, about 1 KiB a pod or edge, 27 MiB of the 5,000-pod graph, the
// largest part of a render's memory (issue #15). decodeGraph instead makes
// each node and edge a goja dynamic object over a slice of its values: the
// objects share their key lists (every edge has the same keys), equal
// strings share one value (ids recur as edge ends, owners and nodes), and a
// nested object or array (a pod's labels, a Service's ports) stays JSON text
// until the layout first reads it. To the script they behave as JSON.parse's
// objects would: the same keys in the same order, the same values, and
// writable.

// jsShape is the ordered key list of objects decoded with the same keys.
// Objects share a shape until one of them adds or deletes a key, and then
// takes a copy of its own (owner).
type jsShape struct {
	keys  []string
	index map[string]int
	owner *jsObject // the one object that may change this shape, or nil
}

func newShape(keys []string) *jsShape {
	s := &jsShape{keys: keys, index: make(map[string]int, len(keys))}
	for i, k := range keys {
		s.index[k] = i
	}
	return s
}

// maxLazy is how many leading fields of an object can stay JSON text (lazy
// has a bit each); nested values after them are parsed at once.
const maxLazy = 64

// jsObject is one node or edge of the graph, as a goja.DynamicObject.
type jsObject struct {
	shape *jsShape
	vals  []goja.Value
	// lazy has bit i set while vals[i] holds the JSON text of a nested
	// object or array, which parse turns into its value on first read.
	lazy  uint64
	parse *jsParse
}

// jsParse is the runtime's JSON.parse, shared by a graph's objects.
type jsParse struct {
	rt *goja.Runtime
	fn goja.Callable
}

func (o *jsObject) Get(key string) goja.Value {
	i, ok := o.shape.index[key]
	if !ok {
		return nil
	}
	if i < maxLazy && o.lazy&(1<<i) != 0 {
		v, err := o.parse.fn(goja.Undefined(), o.vals[i])
		if err != nil {
			// Not reached: the text was valid JSON when it was decoded, and
			// goja checks for interrupts only between script instructions.
			panic(o.parse.rt.NewGoError(err))
		}
		o.vals[i] = v
		o.lazy &^= 1 << i
	}
	return o.vals[i]
}

func (o *jsObject) Set(key string, val goja.Value) bool {
	if i, ok := o.shape.index[key]; ok {
		o.vals[i] = val
		if i < maxLazy {
			o.lazy &^= 1 << i
		}
		return true
	}
	o.own()
	o.shape.index[key] = len(o.shape.keys)
	o.shape.keys = append(o.shape.keys, key)
	o.vals = append(o.vals, val)
	return true
}

func (o *jsObject) Has(key string) bool {
	_, ok := o.shape.index[key]
	return ok
}

func (o *jsObject) Delete(key string) bool {
	i, ok := o.shape.index[key]
	if !ok {
		return true
	}
	o.own()
	keys := append(o.shape.keys[:i:i], o.shape.keys[i+1:]...)
	*o.shape = *newShape(keys)
	o.shape.owner = o
	o.vals = append(o.vals[:i:i], o.vals[i+1:]...)
	if i < maxLazy {
		low := o.lazy & (1<<i - 1)
		o.lazy = low | (o.lazy>>(i+1))<<i
	}
	return true
}

func (o *jsObject) Keys() []string {
	return append([]string(nil), o.shape.keys...)
}

// own gives o a shape of its own before it changes its keys.
func (o *jsObject) own() {
	if o.shape.owner == o {
		return
	}
	s := newShape(append([]string(nil), o.shape.keys...))
	s.owner = o
	o.shape = s
}

// graphDecoder turns a /api/graph snapshot into the layout's input.
type graphDecoder struct {
	rt      *goja.Runtime
	raw     []byte
	dec     *json.Decoder
	parse   *jsParse
	strings map[string]goja.Value // each distinct string once
	shapes  map[string]*jsShape   // by their keys joined with NUL
	keys    []string              // the object being decoded's keys
	vals    []goja.Value          // and its values
	join    []byte
	wasLazy bool // the last value read was kept as JSON text
}

// decodeGraph reads graphJSON's nodes and edges into JavaScript arrays of
// dynamic objects in rt, for the layout (svgview.js). A missing or null
// list is empty, as `g.nodes || []` made it; anything that is not JSON, or
// not an object whose lists are arrays, is an error naming the problem.
func decodeGraph(rt *goja.Runtime, graphJSON []byte) (nodes, edges goja.Value, err error) {
	parseFn, ok := goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("parse"))
	if !ok {
		return nil, nil, errors.New("graph: the runtime has no JSON.parse")
	}
	d := &graphDecoder{
		rt: rt, raw: graphJSON, dec: json.NewDecoder(bytes.NewReader(graphJSON)),
		parse:   &jsParse{rt: rt, fn: parseFn},
		strings: map[string]goja.Value{}, shapes: map[string]*jsShape{},
	}
	lists := map[string][]any{"nodes": nil, "edges": nil}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("graph: %w", err)
	}
	if tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("graph: want a JSON object, got %s", describe(tok))
	}
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("graph: %w", err)
		}
		if tok == json.Delim('}') {
			break
		}
		key, _ := tok.(string)
		if _, list := lists[key]; !list {
			if _, err := d.value(false); err != nil {
				return nil, nil, fmt.Errorf("graph: %s: %w", key, err)
			}
			continue
		}
		items, err := d.list()
		if err != nil {
			return nil, nil, fmt.Errorf("graph: %s: %w", key, err)
		}
		lists[key] = items
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, nil, errors.New("graph: data after the JSON object")
	}
	return rt.NewArray(lists["nodes"]...), rt.NewArray(lists["edges"]...), nil
}

// list reads the nodes or edges: an array, or a falsy value for none.
func (d *graphDecoder) list() ([]any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case nil, false, 0.0, "":
		return nil, nil
	case json.Delim('['):
	default:
		return nil, fmt.Errorf("want an array, got %s", describe(tok))
	}
	var items []any
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		var v goja.Value
		if tok == json.Delim('{') {
			v, err = d.object()
		} else {
			v, err = d.token(tok, false)
		}
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	_, err = d.dec.Token() // ']'
	return items, err
}

// object reads an object's fields, its '{' read, as a dynamic object.
func (d *graphDecoder) object() (goja.Value, error) {
	d.keys, d.vals = d.keys[:0], d.vals[:0]
	var lazy uint64
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim('}') {
			break
		}
		key, _ := tok.(string)
		i := len(d.keys)
		for j, k := range d.keys {
			if k == key { // JSON.parse: the last value wins, in the first's place
				i = j
			}
		}
		v, err := d.value(i < maxLazy)
		if err != nil {
			return nil, err
		}
		if i == len(d.keys) {
			d.keys = append(d.keys, key)
			d.vals = append(d.vals, v)
		} else {
			d.vals[i] = v
			lazy &^= 1 << i
		}
		if d.wasLazy {
			lazy |= 1 << i
		}
	}
	vals := append(make([]goja.Value, 0, len(d.vals)), d.vals...) // no room to spare: there are 20,000 of these
	return d.rt.NewDynamicObject(&jsObject{shape: d.shape(), vals: vals, lazy: lazy, parse: d.parse}), nil
}

// shape returns the shared shape of d.keys.
func (d *graphDecoder) shape() *jsShape {
	d.join = d.join[:0]
	for _, k := range d.keys {
		d.join = append(append(d.join, k...), 0)
	}
	if s, ok := d.shapes[string(d.join)]; ok {
		return s
	}
	s := newShape(append([]string(nil), d.keys...))
	d.shapes[string(d.join)] = s
	return s
}

// value reads the next value. A nested object or array is kept as its
// JSON text when lazy (wasLazy then says so), and parsed at once otherwise.
func (d *graphDecoder) value(lazy bool) (goja.Value, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	return d.token(tok, lazy)
}

func (d *graphDecoder) token(tok json.Token, lazy bool) (goja.Value, error) {
	d.wasLazy = false
	switch t := tok.(type) {
	case json.Delim:
		if t != '{' && t != '[' {
			return nil, fmt.Errorf("unexpected %q", rune(t))
		}
		start := d.dec.InputOffset() - 1
		for depth := 1; depth > 0; {
			tok, err := d.dec.Token()
			if err != nil {
				return nil, err
			}
			switch tok {
			case json.Delim('{'), json.Delim('['):
				depth++
			case json.Delim('}'), json.Delim(']'):
				depth--
			}
		}
		text := d.rt.ToValue(string(d.raw[start:d.dec.InputOffset()]))
		if lazy {
			d.wasLazy = true
			return text, nil
		}
		return d.parse.fn(goja.Undefined(), text)
	case string:
		if v, ok := d.strings[t]; ok {
			return v, nil
		}
		v := d.rt.ToValue(t)
		d.strings[t] = v
		return v, nil
	case float64, bool, nil:
		return d.rt.ToValue(t), nil // a number is an integer value when it is one, as JSON.parse's
	}
	return nil, fmt.Errorf("unexpected %s", describe(tok))
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return strings.NewReplacer("[", "an array", "{", "an object").Replace(string(t))
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T %v", tok, tok)
}
