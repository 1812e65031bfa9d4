package graph

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// reflectNodeJSON is a node's JSON by reflection alone: the common fields
// and the kind's fields struct as json.Marshal writes them, merged, as
// MarshalJSON wrote every node before pods had their own encoder.
func reflectNodeJSON(t *testing.T, n *Node) string {
	t.Helper()
	meta, err := json.Marshal(nodeMeta{n.ID, n.Kind, n.Namespace, n.Name, n.UID})
	if err != nil {
		t.Fatal(err)
	}
	out := meta[:len(meta)-1]
	if n.Pod != nil {
		body, err := json.Marshal(n.Pod)
		if err != nil {
			t.Fatal(err)
		}
		out = appendBody(out, body)
	}
	if len(n.Warnings) > 0 {
		body, _ := json.Marshal(struct {
			Warnings []Warning `json:"warnings"`
		}{n.Warnings})
		out = appendBody(out, body)
	}
	return string(append(out, '}'))
}

// TestPodJSONMatchesMarshal holds the hand-written pod encoder to
// json.Marshal of PodFields, byte for byte: with every field set, then
// with each field changed in turn (a string longer, a number up, a bool
// flipped, a list shorter, a pointer nil), with empty and nil lists and
// maps, and with strings that need escaping. A field added to PodFields
// and not to appendPodFields fails here.
func TestPodJSONMatchesMarshal(t *testing.T) {
	check := func(name string, n *Node) {
		t.Helper()
		got, err := n.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := reflectNodeJSON(t, n); string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
		var v any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Errorf("%s: not JSON: %v", name, err)
		}
	}
	pod := func(f *PodFields) *Node {
		return &Node{ID: "Pod/a/web-1", Kind: KindPod, Namespace: "a", Name: "web-1", UID: "u-1", Pod: f}
	}
	full := func() *PodFields {
		f := new(PodFields)
		fill(reflect.ValueOf(f).Elem(), 1)
		return f
	}
	check("every field set", pod(full()))
	f := full()
	leaves(reflect.ValueOf(f).Elem(), "PodFields", func(path string, change func()) {
		f = full()
		n := pod(f)
		// leaves' change closes over the value it visited: rebuild it
		// from a fresh fill and apply the change at the same path.
		at := 0
		leaves(reflect.ValueOf(f).Elem(), "PodFields", func(p string, ch func()) {
			if p == path && at == 0 {
				ch()
				at++
			}
		})
		check(path, n)
	})
	check("zero fields", pod(&PodFields{}))
	check("empty lists and maps", pod(&PodFields{Images: []string{}, Containers: []Container{}, InitContainers: []Container{},
		Labels: map[string]string{}}))
	check("a container with nothing optional", pod(&PodFields{Containers: []Container{{Name: "web", Ports: []ContainerPort{}}}}))
	check("exit code 0, port without a name", pod(&PodFields{Containers: []Container{{Name: "job", State: "terminated", ExitCode: new(0),
		Ports: []ContainerPort{{Port: 53, Protocol: "UDP"}, {Name: "h", Port: 80, HostPort: 8080}}}}}))
	check("strings to escape", pod(&PodFields{Status: "<Init:0/1>", Node: "Node/n&m", Owner: "ReplicaSet/a/\"q\"\\",
		Images: []string{"\u2028é\x01\xff"}, Labels: map[string]string{"b": "<", "a": ">", "日本": "&", "": "x"},
		Containers: []Container{{Name: "\t", Image: "i<>", State: "w", Reason: "&"}}, ServiceAccount: "\u2029"}))
	check("negative counts", pod(&PodFields{Restarts: -1, ReadyContainers: -2, MoreContainers: -3, MoreInitContainers: -4,
		Containers: []Container{{Restarts: -5, ExitCode: new(-6), Ports: []ContainerPort{{Port: -7, HostPort: -8}}}}}))
	check("created with nanoseconds and a zone", pod(&PodFields{Created: time.Date(2026, 12, 2, 12, 9, 17, 123456789, time.FixedZone("x", 3600))}))
	check("no common namespace, with warnings", &Node{ID: "Pod/x", Kind: KindPod, Name: "x", Pod: &PodFields{Status: "Running"},
		Warnings: []Warning{{Reason: "BackOff", Message: "<restarting>", Count: 3, Last: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}})
	check("a pod without fields", &Node{ID: "Pod/a/b", Kind: KindPod, Namespace: "a", Name: "b"})

	if _, err := pod(&PodFields{Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}).MarshalJSON(); err == nil {
		t.Error("a created time past year 9999 encoded; json.Marshal refuses it")
	}
}
