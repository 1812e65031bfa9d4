package chart_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClusters: clusters adds other clusters from kubeconfig Secrets the
// user names: each mounted read-only by the kubelet at its own path and
// given as --kubeconfig, with this cluster kept as clusterName; the Secrets
// are exactly those named, and Podium's RBAC gains nothing (no Secrets).
func TestClusters(t *testing.T) {
	const vals = "clusters: [{name: staging, secret: podium-staging}, {name: eu, secret: eu-kubeconfig, key: config}]\nclusterName: prod\n"
	r := mustRender(t, nil, vals)
	d := deploymentOf(t, r)
	args := d.Spec.Template.Spec.Containers[0].Args
	var got []string
	for _, a := range args {
		if strings.HasPrefix(a, "--kubeconfig") || strings.HasPrefix(a, "--in-cluster-as") {
			got = append(got, a)
		}
	}
	want := []string{"--in-cluster-as=prod", "--kubeconfig=/etc/podium/clusters/staging/kubeconfig", "--kubeconfig=/etc/podium/clusters/eu/config"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	secrets := map[string]string{} // volume → Secret
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secrets[v.Name] = v.Secret.SecretName
			if len(v.Secret.Items) != 1 || *v.Secret.DefaultMode != 0o440 {
				t.Errorf("volume %s: items %v, mode %o; want the one key, 0440", v.Name, v.Secret.Items, *v.Secret.DefaultMode)
			}
		}
	}
	if diff := cmp.Diff(map[string]string{"cluster-staging": "podium-staging", "cluster-eu": "eu-kubeconfig"}, secrets); diff != "" {
		t.Errorf("Secret volumes (-want +got):\n%s", diff)
	}
	mounts := map[string]string{}
	for _, m := range d.Spec.Template.Spec.Containers[0].VolumeMounts {
		if strings.HasPrefix(m.Name, "cluster-") {
			mounts[m.Name] = m.MountPath
			if !m.ReadOnly {
				t.Errorf("mount %s is writable", m.Name)
			}
		}
	}
	if diff := cmp.Diff(map[string]string{"cluster-staging": "/etc/podium/clusters/staging", "cluster-eu": "/etc/podium/clusters/eu"}, mounts); diff != "" {
		t.Errorf("mounts (-want +got):\n%s", diff)
	}
	for where, rs := range allRules(r) {
		if slices.Contains(readable(rs), "secrets") {
			t.Errorf("%s grants Secrets with clusters", where)
		}
	}

	// Without clusters: one cluster, as before.
	for _, a := range deploymentOf(t, mustRender(t, nil)).Spec.Template.Spec.Containers[0].Args {
		if strings.HasPrefix(a, "--kubeconfig") || strings.HasPrefix(a, "--in-cluster-as") {
			t.Errorf("args hold %q without clusters", a)
		}
	}
	// A name twice is refused, naming it.
	if _, err := render(t, nil, "clusters: [{name: a, secret: s1}, {name: a, secret: s2}]\n"); err == nil || !strings.Contains(err.Error(), `the name "a" is given twice`) {
		t.Errorf("a cluster name twice: %v", err)
	}
}
