package graph

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// appendEdges writes edges as json.Marshal writes a []*Edge, byte for byte
// (TestAppendEdgesMatchesMarshal holds it to that): edges are most of a
// snapshot's items, and reflection over each was most of its time.
func appendEdges(b []byte, edges []*Edge) []byte {
	if edges == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, e := range edges {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEdge(b, e)
	}
	return append(b, ']')
}

func appendEdge(b []byte, e *Edge) []byte {
	if e == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"kind":`...)
	b = appendString(b, e.Kind)
	b = append(b, `,"from":`...)
	b = appendString(b, e.From)
	b = append(b, `,"to":`...)
	b = appendString(b, e.To)
	if e.State != "" {
		b = append(b, `,"state":`...)
		b = appendString(b, e.State)
	}
	if d := e.Detail; d != nil {
		b = appendField(b, "label", d.Label)
		b = appendField(b, "as", d.As)
		if len(d.Containers) > 0 {
			b = append(b, `,"containers":[`...)
			for i, c := range d.Containers {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, c)
			}
			b = append(b, ']')
		}
		if d.Broken {
			b = append(b, `,"broken":true`...)
		}
		if d.Token {
			b = append(b, `,"token":true`...)
		}
		b = appendField(b, "binding", d.Binding)
		b = appendField(b, "namespace", d.Namespace)
		b = appendField(b, "accepted", d.Accepted)
		b = appendInt(b, "weight", d.Weight)
		b = appendInt(b, "share", d.Share)
	}
	return append(b, '}')
}

// appendField writes ,"name":value unless value is empty (omitempty).
func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendInt writes ,"name":value unless value is nil (omitempty).
func appendInt(b []byte, name string, value *int) []byte {
	if value == nil {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, int64(*value), 10)
}

// edgeSize is about how many bytes appendEdge writes for e, to size a
// buffer once.
func edgeSize(e *Edge) int {
	n := 48 + len(e.ID) + len(e.Kind) + len(e.From) + len(e.To) + len(e.State)
	if d := e.Detail; d != nil {
		n += 64 + len(d.Label) + len(d.As) + len(d.Binding) + len(d.Namespace) + len(d.Accepted) + 40
		for _, c := range d.Containers {
			n += 3 + len(c)
		}
	}
	return n
}

// appendString writes s as a JSON string exactly as encoding/json does,
// in one pass. Ids are ASCII, with "->" in every edge id, which
// encoding/json escapes for HTML: those are written here; anything rarer
// (control characters, quotes, backslashes, non-ASCII) goes through
// encoding/json itself.
func appendString(b []byte, s string) []byte {
	mark := len(b)
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plainJSON[c] {
			continue
		}
		var esc string
		switch c {
		case '<':
			esc = `\u003c`
		case '>':
			esc = `\u003e`
		case '&':
			esc = `\u0026`
		default:
			q, _ := json.Marshal(s) // a string always marshals
			return append(b[:mark], q...)
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plainJSON says which bytes encoding/json writes as they are in a string:
// printable ASCII but for the quote, the backslash and <, > and &.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
