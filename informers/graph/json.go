package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// nodeMeta is the common fields, for decoding (appendMeta writes them).
type nodeMeta struct {
	ID        string `json:"id"`
	Kind      Kind   `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	UID       string `json:"uid"`
}

// MarshalJSON writes the common fields and the kind's fields as one flat
// object.
func (n *Node) MarshalJSON() ([]byte, error) {
	return appendNode(make([]byte, 0, 768), n)
}

// appendNode writes n as MarshalJSON does: compact and HTML-escaped, as
// json.Marshal leaves it. A pod's fields are written by hand
// (appendPodFields), every other kind's by reflection.
func appendNode(b []byte, n *Node) ([]byte, error) {
	b = appendMeta(b, n)
	if n.Kind == KindPod && n.Pod != nil {
		var err error
		if b, err = appendPodFields(b, n.Pod); err != nil {
			return nil, err
		}
	} else if k, ok := kindInfoOf(n); ok {
		if f := k.fields(n); f != nil {
			body, err := json.Marshal(f)
			if err != nil {
				return nil, err
			}
			b = appendBody(b, body)
		}
	}
	if len(n.Warnings) > 0 {
		body, err := json.Marshal(struct {
			Warnings []Warning `json:"warnings"`
		}{n.Warnings})
		if err != nil {
			return nil, err
		}
		b = appendBody(b, body)
	}
	return append(b, '}'), nil
}

// appendBody appends the members of the JSON object body to an object
// being written (its closing brace not yet).
func appendBody(b, body []byte) []byte {
	if len(body) <= 2 { // "{}"
		return b
	}
	b = append(b, ',')
	return append(b, body[1:len(body)-1]...)
}

// UnmarshalJSON reads the flat object that MarshalJSON writes.
func (n *Node) UnmarshalJSON(b []byte) error {
	var m nodeMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*n = Node{ID: m.ID, Kind: m.Kind, Namespace: m.Namespace, Name: m.Name, UID: m.UID}
	k, ok := kinds[m.Kind]
	if !ok {
		// A custom owner's kind is its own (customowner.go); it has a group.
		var c CustomOwnerFields
		if err := json.Unmarshal(b, &c); err != nil || c.Group == "" {
			return fmt.Errorf("node %q: unknown kind %q", m.ID, m.Kind)
		}
		k = customKind
	}
	if m.ID == "" {
		return fmt.Errorf("node without id")
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(k.newFields(n)); err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(`"warnings"`)) {
		return nil // most nodes: spare a second decoding
	}
	var w struct {
		Warnings []Warning `json:"warnings"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("node %q: warnings: %w", m.ID, err)
	}
	n.Warnings = w.Warnings
	return nil
}
