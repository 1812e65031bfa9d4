package graph

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func runsAsSA(name string, automount *bool) podOpt {
	return func(p *corev1.Pod) {
		p.Spec.ServiceAccountName = name
		p.Spec.AutomountServiceAccountToken = automount
	}
}

// runsAsView lists the runs-as edges of a model, or of a delta, with their
// token.
func runsAsView(es []*Edge) []string {
	out := []string{}
	for _, e := range es {
		if e.Kind == EdgeRunsAs {
			s := e.ID + " token=false"
			if e.Token {
				s = e.ID + " token=true"
			}
			out = append(out, s)
		}
	}
	return out
}

func TestRunsAs(t *testing.T) {
	const (
		dflt = "runs-as:Pod/ns/a->ServiceAccount/ns/default"
		app  = "runs-as:Pod/ns/b->ServiceAccount/ns/app"
		pin  = "runs-as:Pod/ns/c->ServiceAccount/ns/app" // the pod says true
		off  = "runs-as:Pod/ns/d->ServiceAccount/ns/app" // the pod says false
	)
	pods := []op{set(mkRunning("ns", "a")), set(mkRunning("ns", "b", runsAsSA("app", nil))),
		set(mkRunning("ns", "c", runsAsSA("app", ptr.To(true)))), set(NewCachedPod(mkRunning("ns", "d", runsAsSA("app", ptr.To(false)))))}
	tests := []struct {
		name   string
		before []op
		ops    []op
		delta  []string // runs-as edges upserted
		remove []string
		want   []string // runs-as edges after
	}{
		{
			name:  "a pod runs as its ServiceAccount, default when unnamed; the token as the pod says, else mounted",
			ops:   pods,
			delta: []string{dflt + " token=true", app + " token=true", pin + " token=true", off + " token=false"},
			want:  []string{dflt + " token=true", app + " token=true", pin + " token=true", off + " token=false"},
		},
		{
			name:   "a ServiceAccount that turns automount off changes the pods that leave it the choice",
			before: pods,
			ops:    []op{set(mkSA("ns", "app", ptr.To(false)))},
			delta:  []string{app + " token=false"},
			want:   []string{dflt + " token=true", app + " token=false", pin + " token=true", off + " token=false"},
		},
		{
			name:   "a ServiceAccount that says nothing changes nothing",
			before: pods,
			ops:    []op{set(mkSA("ns", "app", nil)), set(mkSA("ns", "default", ptr.To(true)))},
			want:   []string{dflt + " token=true", app + " token=true", pin + " token=true", off + " token=false"},
		},
		{
			name:   "the ServiceAccount gone, its pods mount the token again",
			before: append([]op{set(mkSA("ns", "app", ptr.To(false)))}, pods...),
			ops:    []op{del(ServiceAccounts, "ns", "app")},
			delta:  []string{app + " token=true"},
			want:   []string{dflt + " token=true", app + " token=true", pin + " token=true", off + " token=false"},
		},
		{
			name:   "a ServiceAccount that changes twice in a flush ends where it started: nothing sent",
			before: append([]op{set(mkSA("ns", "app", nil))}, pods...),
			ops:    []op{set(mkSA("ns", "app", ptr.To(false))), set(mkSA("ns", "app", nil))},
			want:   []string{dflt + " token=true", app + " token=true", pin + " token=true", off + " token=false"},
		},
		{
			name:   "a pod's status change sends no runs-as edge",
			before: pods,
			ops:    []op{set(mkRunning("ns", "b", runsAsSA("app", nil), restarts(3)))},
			want:   []string{dflt + " token=true", app + " token=true", pin + " token=true", off + " token=false"},
		},
		{
			name:   "a pod deleted takes its runs-as edge",
			before: pods,
			ops:    []op{del(Pods, "ns", "b")},
			remove: []string{app},
			want:   []string{dflt + " token=true", pin + " token=true", off + " token=false"},
		},
		{
			name:   "a pod re-created under another ServiceAccount moves the edge",
			before: pods,
			ops:    []op{del(Pods, "ns", "b"), set(mkRunning("ns", "b", runsAsSA("other", nil)))},
			delta:  []string{"runs-as:Pod/ns/b->ServiceAccount/ns/other token=true"},
			remove: []string{app},
			want: []string{dflt + " token=true", "runs-as:Pod/ns/b->ServiceAccount/ns/other token=true",
				pin + " token=true", off + " token=false"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewModel()
			for _, o := range tt.before {
				o.apply(m, t0)
			}
			m.Flush()
			for _, o := range tt.ops {
				o.apply(m, t0)
			}
			d := m.Flush()
			var removed []string
			for _, id := range d.Remove.Edges {
				if strings.HasPrefix(id, EdgeRunsAs+":") {
					removed = append(removed, id)
				}
			}
			if diff := cmp.Diff(normalize(summary{Edges: tt.delta, RemoveEdges: tt.remove}),
				normalize(summary{Edges: runsAsView(d.Upsert.Edges), RemoveEdges: removed})); diff != "" {
				t.Errorf("Flush (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, runsAsView(m.Edges())); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
			for _, e := range m.Edges() {
				if e.Kind == EdgeRunsAs {
					if got := m.edge(e.ID); got == nil || !edgeEqual(got, e) {
						t.Errorf("edge(%s) = %+v, want %+v", e.ID, got, e)
					}
					if e.Detail != tokenMounted && e.Detail != tokenUnmounted {
						t.Errorf("edge %s has a Detail of its own", e.ID)
					}
				}
			}
		})
	}
}
