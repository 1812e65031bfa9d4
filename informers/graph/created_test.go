package graph

import (
	"fmt"
	"testing"
	"time"
)

// kindsOf lists "kind ref params[to]" of each happening of kinds in want.
func happeningsOf(d Delta, kinds ...string) []string {
	var out []string
	for _, h := range d.Happenings {
		for _, k := range kinds {
			if h.Kind == k {
				out = append(out, fmt.Sprintf("%s %s %s", h.Kind, h.Ref, h.Params[ParamTo]))
			}
		}
	}
	return out
}

func TestCreatedAndDeletedHappenings(t *testing.T) {
	m := NewModel()
	now := time.Unix(100, 0)
	m.Set(mkDeployment("shop", "web", 1, "1", "web:v1"), now)
	m.Set(mkService("shop", "web", map[string]string{"app": "web"}), now)
	if got := happeningsOf(m.Flush(), HappeningCreated, HappeningDeleted); got != nil {
		t.Errorf("the initial lists gave %v: before Synced nothing is news", got)
	}
	m.Synced()
	m.Set(mkDeployment("shop", "api", 1, "1", "api:v1"), now)
	m.Set(mkRunning("shop", "api-1"), now) // pods are not news
	d := m.Flush()
	if got := happeningsOf(d, HappeningCreated, HappeningDeleted); len(got) != 1 || got[0] != "created Deployment/shop/api " {
		t.Errorf("after a kubectl create: %v, want the Deployment's created", got)
	}
	m.Delete(Services, "shop", "web", now)
	m.Delete(Pods, "shop", "api-1", now)
	if got := happeningsOf(m.Flush(), HappeningCreated, HappeningDeleted); len(got) != 1 || got[0] != "deleted Service/shop/web " {
		t.Errorf("after a kubectl delete: %v, want the Service's deleted", got)
	}
	// Re-created under the same name (a new uid): deleted, then created.
	re := mkDeployment("shop", "api", 1, "1", "api:v1")
	re.UID = "other"
	m.Set(re, now)
	if got := happeningsOf(m.Flush(), HappeningCreated, HappeningDeleted); len(got) != 2 {
		t.Errorf("a re-created Deployment: %v, want deleted and created", got)
	}
}

func TestEndpointsHappenings(t *testing.T) {
	m := NewModel()
	now := time.Unix(100, 0)
	m.Set(mkService("shop", "web", map[string]string{"app": "web"}), now)
	m.Set(mkRunning("shop", "web-1"), now)
	m.Set(mkSlice("shop", "web-x", "web", map[string]string{"web-1": EndpointReady}), now)
	if got := happeningsOf(m.Flush(), HappeningEndpoints); got != nil {
		t.Errorf("the initial lists gave %v", got)
	}
	m.Synced()
	m.Set(mkRunning("shop", "web-2"), now)
	if got := happeningsOf(m.Flush(), HappeningEndpoints); got != nil {
		t.Errorf("a pod not yet an endpoint: %v", got)
	}
	m.Set(mkSlice("shop", "web-x", "web", map[string]string{"web-1": EndpointReady, "web-2": EndpointReady}), now)
	if got := happeningsOf(m.Flush(), HappeningEndpoints); len(got) != 1 || got[0] != "endpoints Service/shop/web 2" {
		t.Errorf("a second ready endpoint: %v, want endpoints 1 → 2", got)
	}
	m.Set(mkSlice("shop", "web-x", "web", map[string]string{"web-1": EndpointReady, "web-2": EndpointTerminating}), now)
	d := m.Flush()
	if got := happeningsOf(d, HappeningEndpoints); len(got) != 1 || got[0] != "endpoints Service/shop/web 1" {
		t.Errorf("an endpoint terminating: %v, want endpoints 2 → 1", got)
	}
	for _, h := range d.Happenings {
		if h.Kind == HappeningEndpoints && (h.Params[ParamFrom] != "2" || h.Params[ParamName] != "shop/web" || h.Time != now) {
			t.Errorf("endpoints happening %+v: want from 2, name shop/web, at the change's time", h)
		}
	}
	// A Service created after the sync starts routing: 0 → 1.
	m.Set(mkService("shop", "api", map[string]string{"app": "web"}), now)
	m.Set(mkSlice("shop", "api-x", "api", map[string]string{"web-1": EndpointReady}), now)
	if got := happeningsOf(m.Flush(), HappeningEndpoints); len(got) != 1 || got[0] != "endpoints Service/shop/api 1" {
		t.Errorf("a new Service's first endpoint: %v", got)
	}
}
