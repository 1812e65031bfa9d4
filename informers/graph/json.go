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
	if k, ok := kinds[n.Kind]; ok {
		f = k.fields(n)
	}
	if f == nil {
		return meta, nil
	}
	body, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	if len(body) <= 2 { // "{}"
		return meta, nil
	}
	out := make([]byte, 0, len(meta)+len(body))
	out = append(out, meta[:len(meta)-1]...)
	out = append(out, ',')
	return append(out, body[1:]...), nil
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
		return fmt.Errorf("node %q: unknown kind %q", m.ID, m.Kind)
	}
	if m.ID == "" {
		return fmt.Errorf("node without id")
	}
	return json.NewDecoder(bytes.NewReader(b)).Decode(k.newFields(n))
}
