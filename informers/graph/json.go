package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
)

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
	meta, err := json.Marshal(nodeMeta{n.ID, n.Kind, n.Namespace, n.Name, n.UID})
	if err != nil {
		return nil, err
	}
	var f any
	if k, ok := kindInfoOf(n); ok {
		f = k.fields(n)
	}
	out := meta
	if f != nil {
		body, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		out = appendFields(out, body)
	}
	if len(n.Warnings) > 0 {
		body, err := json.Marshal(struct {
			Warnings []Warning `json:"warnings"`
		}{n.Warnings})
		if err != nil {
			return nil, err
		}
		out = appendFields(out, body)
	}
	return out, nil
}

// appendFields merges the JSON object body into the JSON object obj.
func appendFields(obj, body []byte) []byte {
	if len(body) <= 2 { // "{}"
		return obj
	}
	out := make([]byte, 0, len(obj)+len(body))
	out = append(out, obj[:len(obj)-1]...)
	out = append(out, ',')
	return append(out, body[1:]...)
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
