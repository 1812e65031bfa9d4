package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
)

// Bounds on what a pod entity keeps, so that a pod with hundreds of
// containers or ports (bad input, or a generator gone wrong) costs a bounded
// amount of memory and wire. Counts stay exact: MoreContainers and
// MoreInitContainers say how many were left off the lists.
const (
	MaxContainers = 16 // per list (app, init)
	MaxPorts      = 8  // per container
)

// Container states.
const (
	ContainerWaiting    = "waiting"
	ContainerRunning    = "running"
	ContainerTerminated = "terminated"
)

// podContainers derives the containers of one list (app or init) from the
// spec and the statuses, at most MaxContainers of them, and how many more
// the spec has. A container without a status yet (the pod is not scheduled
// or its sandbox not created) is waiting with no reason.
func podContainers(specs []corev1.Container, statuses []corev1.ContainerStatus, init bool) (out []Container, more int32) {
	n := min(len(specs), MaxContainers)
	if n == 0 {
		return nil, 0
	}
	out = make([]Container, n)
	for i := range out {
		s := &specs[i]
		c := &out[i]
		c.Name, c.Image = internID(s.Name), internID(s.Image)
		c.Sidecar = init && isRestartableInit(s)
		c.Ports = containerPorts(s.Ports)
		c.State = ContainerWaiting
		st := containerStatus(statuses, i, s.Name)
		if st == nil {
			continue
		}
		c.Ready, c.Restarts = st.Ready, int(st.RestartCount)
		switch w, r, t := st.State.Waiting, st.State.Running, st.State.Terminated; {
		case t != nil:
			c.State, c.Reason = ContainerTerminated, internID(t.Reason)
			code := int(t.ExitCode)
			c.ExitCode = &code
		case r != nil:
			c.State = ContainerRunning
		case w != nil:
			c.Reason = internID(w.Reason)
		}
	}
	return internContainers(out), int32(len(specs) - n) // an object of 2 GiB containers is not served
}

// containerLists interns container lists: the replicas of a template that
// run alike (the common case: running, ready, no restarts) share one.
var containerLists struct {
	sync.Mutex
	m map[string][]Container
}

// internContainers returns a shared list equal to cs. The table is dropped
// when it grows large, which costs only sharing, never correctness.
func internContainers(cs []Container) []Container {
	var b strings.Builder
	for i := range cs {
		c := &cs[i]
		exit := "-"
		if c.ExitCode != nil {
			exit = strconv.Itoa(*c.ExitCode)
		}
		fmt.Fprintf(&b, "%q %q %s %q %s %t %d %t %d\x00", c.Name, c.Image, c.State, c.Reason, exit, c.Ready, c.Restarts, c.Sidecar, len(c.Ports))
		for _, p := range c.Ports {
			fmt.Fprintf(&b, "%q %d %q %d\x00", p.Name, p.Port, p.Protocol, p.HostPort)
		}
	}
	key := b.String()
	containerLists.Lock()
	defer containerLists.Unlock()
	if s, ok := containerLists.m[key]; ok {
		return s
	}
	if containerLists.m == nil || len(containerLists.m) >= 16384 {
		containerLists.m = map[string][]Container{}
	}
	containerLists.m[key] = cs
	return cs
}

// containerStatus finds the status of container name, looking first at
// index i, where the kubelet usually puts it.
func containerStatus(sts []corev1.ContainerStatus, i int, name string) *corev1.ContainerStatus {
	if i < len(sts) && sts[i].Name == name {
		return &sts[i]
	}
	for j := range sts {
		if sts[j].Name == name {
			return &sts[j]
		}
	}
	return nil
}

// containerPorts keeps at most MaxPorts declared ports.
func containerPorts(ps []corev1.ContainerPort) []ContainerPort {
	n := min(len(ps), MaxPorts)
	if n == 0 {
		return nil
	}
	out := make([]ContainerPort, n)
	for i := range out {
		p := &ps[i]
		out[i] = ContainerPort{Name: internID(p.Name), Port: int(p.ContainerPort), HostPort: int(p.HostPort)}
		if p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
			out[i].Protocol = internID(string(p.Protocol))
		}
	}
	return out
}

// UnmarshalJSON reads a Pod's fields. Recordings made before wave 2 carry
// "containers" as an integer count: it becomes that many containers (at
// most MaxContainers, the rest counted in MoreContainers) whose details are
// unknown, except the image, which wave 1's "images" lists per container.
// Their state is "" (unknown), so nothing claims they were waiting or
// running.
func (f *PodFields) UnmarshalJSON(b []byte) error {
	type plain PodFields // without this method
	aux := struct {
		*plain
		Containers json.RawMessage `json:"containers"`
	}{plain: (*plain)(f)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	raw := bytes.TrimSpace(aux.Containers)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		f.Containers = nil
	case raw[0] == '[':
		f.Containers = nil
		if err := json.Unmarshal(raw, &f.Containers); err != nil {
			return err
		}
	default:
		n, err := strconv.Atoi(string(raw))
		if err != nil || n < 0 {
			return fmt.Errorf("pod containers: %s is neither a list nor a count", truncate(raw, 40))
		}
		f.Containers = make([]Container, min(n, MaxContainers))
		for i := range f.Containers {
			if i < len(f.Images) {
				f.Containers[i].Image = f.Images[i]
			}
		}
		f.MoreContainers = int32(min(n-len(f.Containers), math.MaxInt32))
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
