package chart_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
)

// TestExtraResources: the custom owner resources listed in extraResources
// get get/list/watch, exactly those (in the ClusterRole in cluster mode, in
// each namespace's Role in namespaces mode), and readStatus reaches the
// args as --read-status.
func TestExtraResources(t *testing.T) {
	const vals = "extraResources: [{group: argoproj.io, resources: [rollouts, analysisruns]}, {group: postgresql.cnpg.io, resources: [clusters]}]\n" +
		"readStatus: [argoproj.io/rollouts]\n"
	extra := []string{"analysisruns.argoproj.io", "clusters.postgresql.cnpg.io", "rollouts.argoproj.io"}
	t.Run("cluster", func(t *testing.T) {
		r := mustRender(t, nil, vals)
		crs := objectsOf[*rbacv1.ClusterRole](r)
		if len(crs) != 1 {
			t.Fatalf("want 1 ClusterRole, got %d", len(crs))
		}
		want := slices.Sorted(slices.Values(append(slices.Clone(allResources), extra...)))
		if diff := cmp.Diff(want, readable(crs[0].Rules)); diff != "" {
			t.Errorf("ClusterRole resources (-want +got):\n%s", diff)
		}
		args := deploymentOf(t, r).Spec.Template.Spec.Containers[0].Args
		if !slices.Contains(args, "--read-status=argoproj.io/rollouts") {
			t.Errorf("args %v lack --read-status=argoproj.io/rollouts", args)
		}
	})
	t.Run("namespaces", func(t *testing.T) {
		r := mustRender(t, nil, vals+"mode: namespaces\nnamespaces: [team-a]\n")
		for _, ro := range objectsOf[*rbacv1.Role](r) {
			want := slices.Sorted(slices.Values(append(slices.Clone(namespacedResources), extra...)))
			if diff := cmp.Diff(want, readable(ro.Rules)); diff != "" {
				t.Errorf("Role in %s (-want +got):\n%s", ro.Namespace, diff)
			}
		}
		if got := readable(objectsOf[*rbacv1.ClusterRole](r)[0].Rules); slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, ".argoproj.io") }) {
			t.Errorf("namespaces mode's ClusterRole grants custom resources: %v", got)
		}
	})
	t.Run("none", func(t *testing.T) {
		r := mustRender(t, nil)
		for where, rs := range allRules(r) {
			for _, ru := range rs {
				if slices.Contains(ru.APIGroups, "argoproj.io") {
					t.Errorf("%s grants %v without extraResources", where, ru)
				}
			}
		}
		for _, a := range deploymentOf(t, r).Spec.Template.Spec.Containers[0].Args {
			if strings.HasPrefix(a, "--read-status") {
				t.Errorf("args hold %q without readStatus", a)
			}
		}
	})
}

// TestExtraResourcesBadValues: the schema names what is wrong.
func TestExtraResourcesBadValues(t *testing.T) {
	for _, c := range []struct {
		name, values string
		want         []string
	}{
		{"not a list", "extraResources: {group: argoproj.io, resources: [rollouts]}\n", []string{"/extraResources", "got object, want array"}},
		{"missing group", "extraResources: [{resources: [rollouts]}]\n", []string{"/extraResources/0", "missing property 'group'"}},
		{"no resources", "extraResources: [{group: argoproj.io, resources: []}]\n", []string{"/extraResources/0/resources", "minItems"}},
		{"a Kubernetes group", "extraResources: [{group: networking.k8s.io, resources: [ingresses]}]\n", []string{"/extraResources/0/group"}},
		{"a wildcard", "extraResources: [{group: argoproj.io, resources: ['*']}]\n", []string{"/extraResources/0/resources/0"}},
		{"a typo", "extraResources: [{group: argoproj.io, resource: [rollouts]}]\n", []string{"/extraResources/0", "'resource' not allowed"}},
		{"readStatus without a group", "readStatus: [rollouts]\n", []string{"/readStatus/0", "does not match pattern"}},
		{"readStatus not a list", "readStatus: argoproj.io/rollouts\n", []string{"/readStatus", "got string, want array"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(t, nil, c.values)
			if err == nil {
				t.Fatalf("values %q rendered; want a schema error", c.values)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}
