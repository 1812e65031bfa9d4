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

// fields returns the kind-specific struct of n, or nil.
func (n *Node) fields() any {
	switch {
	case n.Pod != nil:
		return n.Pod
	case n.Deployment != nil:
		return n.Deployment
	case n.ReplicaSet != nil:
		return n.ReplicaSet
	case n.StatefulSet != nil:
		return n.StatefulSet
	case n.DaemonSet != nil:
		return n.DaemonSet
	case n.Service != nil:
		return n.Service
	case n.Ingress != nil:
		return n.Ingress
	case n.Node != nil:
		return n.Node
	}
	return nil
}

// MarshalJSON writes the common fields and the kind's fields as one flat
// object.
func (n *Node) MarshalJSON() ([]byte, error) {
	meta, err := json.Marshal(nodeMeta{n.ID, n.Kind, n.Namespace, n.Name, n.UID})
	if err != nil {
		return nil, err
	}
	f := n.fields()
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
	var dst any
	switch m.Kind {
	case KindPod:
		n.Pod = &PodFields{}
		dst = n.Pod
	case KindDeployment:
		n.Deployment = &DeploymentFields{}
		dst = n.Deployment
	case KindReplicaSet:
		n.ReplicaSet = &ReplicaSetFields{}
		dst = n.ReplicaSet
	case KindStatefulSet:
		n.StatefulSet = &SetFields{}
		dst = n.StatefulSet
	case KindDaemonSet:
		n.DaemonSet = &SetFields{}
		dst = n.DaemonSet
	case KindService:
		n.Service = &ServiceFields{}
		dst = n.Service
	case KindIngress:
		n.Ingress = &IngressFields{}
		dst = n.Ingress
	case KindNode:
		n.Node = &NodeFields{}
		dst = n.Node
	default:
		return fmt.Errorf("node %q: unknown kind %q", m.ID, m.Kind)
	}
	if m.ID == "" {
		return fmt.Errorf("node without id")
	}
	return json.NewDecoder(bytes.NewReader(b)).Decode(dst)
}
