package graph

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeWave1Containers: wave 1 wrote a pod's containers as a count.
func TestDecodeWave1Containers(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    []Container
		more    int32
		wantErr string
	}{
		{name: "list", json: `{"containers":[{"name":"web","image":"w:1","state":"running","ready":true,"restarts":0}]}`,
			want: []Container{{Name: "web", Image: "w:1", State: ContainerRunning, Ready: true}}},
		{name: "count with images", json: `{"containers":2,"images":["a:1","b:2"]}`,
			want: []Container{{Image: "a:1"}, {Image: "b:2"}}},
		{name: "count beyond images", json: `{"containers":2,"images":["a:1"]}`,
			want: []Container{{Image: "a:1"}, {}}},
		{name: "zero", json: `{"containers":0}`, want: []Container{}},
		{name: "null", json: `{"containers":null}`},
		{name: "absent", json: `{}`},
		{name: "huge count is capped", json: `{"containers":1000000000}`,
			want: make([]Container, MaxContainers), more: 1000000000 - MaxContainers},
		{name: "negative", json: `{"containers":-1}`, wantErr: "pod containers: -1 is neither a list nor a count"},
		{name: "fraction", json: `{"containers":1.5}`, wantErr: "pod containers: 1.5 is neither"},
		{name: "string", json: `{"containers":"two"}`, wantErr: `pod containers: "two" is neither`},
		{name: "bad list", json: `{"containers":[1]}`, wantErr: "cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f PodFields
			err := json.Unmarshal([]byte(tt.json), &f)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, f.Containers); diff != "" {
				t.Errorf("containers (-want +got):\n%s", diff)
			}
			if f.MoreContainers != tt.more {
				t.Errorf("moreContainers = %d, want %d", f.MoreContainers, tt.more)
			}
		})
	}
}

// TestDecodeWave1PodNode reads a whole wave-1 pod node, as a recording
// holds it.
func TestDecodeWave1PodNode(t *testing.T) {
	const wave1 = `{"id":"Pod/hellok8s/web-1","kind":"Pod","namespace":"hellok8s","name":"web-1","uid":"u1",` +
		`"status":"Running","ready":true,"readyContainers":1,"containers":1,"restarts":0,"node":"Node/worker-1",` +
		`"owner":"ReplicaSet/hellok8s/web-7d9c","images":["guangzhengli/hellok8s:v1"],"ip":"10.244.1.7"}`
	var n Node
	if err := json.Unmarshal([]byte(wave1), &n); err != nil {
		t.Fatal(err)
	}
	want := &PodFields{Status: "Running", Ready: true, ReadyContainers: 1, Node: "Node/worker-1",
		Owner: "ReplicaSet/hellok8s/web-7d9c", Images: []string{"guangzhengli/hellok8s:v1"}, IP: "10.244.1.7",
		Containers: []Container{{Image: "guangzhengli/hellok8s:v1"}}}
	if diff := cmp.Diff(want, n.Pod); diff != "" {
		t.Errorf("pod fields (-want +got):\n%s", diff)
	}
}
