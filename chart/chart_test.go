package chart_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/cli/values"
	"helm.sh/helm/v4/pkg/getter"
	release "helm.sh/helm/v4/pkg/release/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/podiumhq/podium/informers"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current chart")

// The value sets under ci/, each rendered against testdata/<name>.golden.yaml.
var valueSets = []string{"default", "namespaced", "ingress", "auth", "platform"}

const (
	releaseName      = "podium"
	releaseNamespace = "podium"
	kubeVersion      = "v1.37.2" // the lab's version
)

// rendered is what `helm template` prints, split per object.
type rendered struct {
	Manifest string // the whole stream, as helm template prints it
	Notes    string
	Objects  []runtime.Object
}

// render runs the same code path as `helm template` (a client-only dry-run
// install) with the given values files and extra YAML documents as values.
func render(t *testing.T, valueFiles []string, extraYAML ...string) (*rendered, error) {
	t.Helper()
	dir := t.TempDir()
	for i, y := range extraYAML {
		p := filepath.Join(dir, fmt.Sprintf("extra-%d.yaml", i))
		if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		valueFiles = append(valueFiles, p)
	}
	vals, err := (&values.Options{ValueFiles: valueFiles}).MergeValues(getter.Providers{})
	if err != nil {
		t.Fatalf("reading values: %v", err)
	}
	chrt, err := loader.Load(".")
	if err != nil {
		t.Fatalf("loading chart: %v", err)
	}
	// Helm logs through slog; keep test output to what the tests say.
	cfg := action.NewConfiguration(func(c *action.Configuration) { c.SetLogger(slog.NewTextHandler(io.Discard, nil)) })
	inst := action.NewInstall(cfg)
	inst.DryRunStrategy = action.DryRunClient
	inst.ReleaseName = releaseName
	inst.Namespace = releaseNamespace
	inst.Replace = true
	// Pin the cluster version so the output does not depend on how helm's
	// default capabilities were stamped at build time.
	kv, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	inst.KubeVersion = kv
	rel, err := inst.RunWithContext(context.Background(), chrt, vals)
	if err != nil {
		return nil, err
	}
	r, ok := rel.(*release.Release)
	if !ok {
		t.Fatalf("unexpected release type %T", rel)
	}
	out := &rendered{Manifest: strings.TrimSpace(r.Manifest) + "\n", Notes: r.Info.Notes}
	for _, doc := range strings.Split(r.Manifest, "\n---\n") {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode([]byte(doc), nil, nil)
		if err != nil {
			t.Fatalf("rendered object does not decode: %v\n%s", err, doc)
		}
		out.Objects = append(out.Objects, obj)
	}
	return out, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func mustRender(t *testing.T, valueFiles []string, extraYAML ...string) *rendered {
	t.Helper()
	r, err := render(t, valueFiles, extraYAML...)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return r
}

func ciValues(name string) []string { return []string{filepath.Join("ci", name+"-values.yaml")} }

func TestGolden(t *testing.T) {
	for _, name := range valueSets {
		t.Run(name, func(t *testing.T) {
			r := mustRender(t, ciValues(name))
			got := r.Manifest + "---\n# NOTES.txt\n" + commentOut(r.Notes)
			golden := filepath.Join("testdata", name+".golden.yaml")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./chart -run TestGolden -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("helm template with ci/%s-values.yaml differs from %s (-want +got); rerun with -update if the change is intended:\n%s", name, golden, diff)
			}
		})
	}
}

// commentOut keeps NOTES.txt in the golden file while the file stays valid YAML.
func commentOut(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	return b.String()
}

// The golden files must stay parseable YAML, one document per object.
func TestGoldenFilesAreYAML(t *testing.T) {
	for _, name := range valueSets {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".golden.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(raw, []byte("\n---\n")) {
			var v any
			if err := yaml.Unmarshal(doc, &v); err != nil {
				t.Errorf("%s document %d: %v", name, i, err)
			}
		}
	}
}

func TestBadValuesFailWithSchemaMessage(t *testing.T) {
	cases := []struct {
		name   string
		values string
		want   []string // all must appear in the error
	}{
		{"replicas wrong type", "replicaCount: two\n", []string{"/replicaCount", "got string, want integer"}},
		{"negative replicas", "replicaCount: -1\n", []string{"/replicaCount", "minimum"}},
		{"unknown mode", "mode: everything\n", []string{"/mode", "value must be one of", "'cluster'", "'namespaces'"}},
		{"namespaces mode without namespaces", "mode: namespaces\n", []string{"/namespaces"}},
		{"namespaces given in cluster mode", "namespaces: [a]\n", []string{"/namespaces", "maxItems"}},
		{"namespace not a DNS label", "mode: namespaces\nnamespaces: [Team_A]\n", []string{"/namespaces/0", "does not match pattern"}},
		{"namespaces wrong type", "mode: namespaces\nnamespaces: team-a\n", []string{"/namespaces", "got string, want array"}},
		{"auth without secret", "auth: {enabled: true}\n", []string{"/auth", "existingSecret"}},
		{"auth enabled wrong type", "auth: {enabled: \"yes\", existingSecret: s}\n", []string{"/auth/enabled", "got string, want boolean"}},
		{"unknown service type", "service: {type: External}\n", []string{"/service/type", "value must be one of"}},
		{"port out of range", "service: {port: 70000}\n", []string{"/service/port", "maximum"}},
		{"typo in a key", "replicas: 2\n", []string{"additional properties 'replicas' not allowed"}},
		{"ingress without paths", "ingress: {enabled: true, hosts: [{host: a.example.com, paths: []}]}\n", []string{"/ingress/hosts/0/paths", "minItems"}},
		{"existing ServiceAccount without a name", "serviceAccount: {create: false}\n", []string{"/serviceAccount/name", "minLength"}},
		{"short token lifetime", "tokenExpirationSeconds: 60\n", []string{"/tokenExpirationSeconds", "minimum"}},
		{"ingress namespace not a DNS label", "ingressNamespace: Ingress_NS\n", []string{"/ingressNamespace"}},
		{"cluster without its Secret", "clusters: [{name: staging}]\n", []string{"/clusters/0", "secret"}},
		{"cluster name not a DNS label", "clusters: [{name: Staging_1, secret: s}]\n", []string{"/clusters/0/name", "does not match pattern"}},
		{"cluster with a typo", "clusters: [{name: staging, secretName: s}]\n", []string{"/clusters/0", "additional properties 'secretName' not allowed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(t, nil, c.values)
			if err == nil {
				t.Fatalf("values %q rendered; want a schema error", c.values)
			}
			msg := err.Error()
			if !strings.Contains(msg, "values don't meet the specifications of the schema") {
				t.Errorf("error is not the schema's: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// Every value set, and values at the edges of the schema, must still render.
func TestGoodValuesRender(t *testing.T) {
	cases := map[string]string{
		"zero replicas":       "replicaCount: 0\n",
		"nodeport":            "service: {type: NodePort, nodePort: 30080}\n",
		"digest":              "image: {repository: example/podium, digest: \"sha256:" + strings.Repeat("a", 64) + "\"}\n",
		"existing sa":         "serviceAccount: {create: false, name: podium-sa}\n",
		"scheduling":          "nodeSelector: {kubernetes.io/os: linux}\ntolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]\naffinity: {nodeAffinity: {}}\n",
		"rbac off":            "rbac: {create: false}\n",
		"origins and env":     "allowedOrigins: [https://a.example.com, https://b.example.com]\nextraEnv: [{name: TZ, value: UTC}]\nextraArgs: [--log-level=debug]\n",
		"ingress without TLS": "ingress: {enabled: true, hosts: [{paths: [{path: /, pathType: Prefix}]}]}\n",
		"ingress namespace":   "ingressNamespace: ingress-nginx\n",
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			mustRender(t, nil, v)
		})
	}
}

func objectsOf[T runtime.Object](r *rendered) []T {
	var out []T
	for _, o := range r.Objects {
		if v, ok := o.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func deploymentOf(t *testing.T, r *rendered) *appsv1.Deployment {
	t.Helper()
	ds := objectsOf[*appsv1.Deployment](r)
	if len(ds) != 1 {
		t.Fatalf("want 1 Deployment, got %d", len(ds))
	}
	return ds[0]
}

// allRules gathers every PolicyRule of every Role and ClusterRole, keyed by
// where it came from.
func allRules(r *rendered) map[string][]rbacv1.PolicyRule {
	out := map[string][]rbacv1.PolicyRule{}
	for _, cr := range objectsOf[*rbacv1.ClusterRole](r) {
		out["ClusterRole/"+cr.Name] = cr.Rules
	}
	for _, ro := range objectsOf[*rbacv1.Role](r) {
		out["Role/"+ro.Namespace+"/"+ro.Name] = ro.Rules
	}
	return out
}

// readable flattens rules into "resource.group" strings (core: just resource).
func readable(rules []rbacv1.PolicyRule) []string {
	var out []string
	for _, ru := range rules {
		for _, g := range ru.APIGroups {
			for _, res := range ru.Resources {
				if g == "" {
					out = append(out, res)
				} else {
					out = append(out, res+"."+g)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// What Podium's informers read is the source of truth: adding an informer
// without the matching rule fails here, and so does a rule no informer needs.
var (
	allResources        = slices.Sorted(slices.Values(informers.Resources()))
	clusterResources    = slices.Sorted(slices.Values(informers.ClusterResources()))
	namespacedResources = slices.DeleteFunc(slices.Clone(allResources), func(r string) bool { return slices.Contains(clusterResources, r) })
)

// TestResourceListIsPodiums holds README.md's permission table (cluster
// mode) to what Podium reads.
func TestResourceListIsPodiums(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Permissions granted")
	section, _, _ = strings.Cut(section, "\n## ")
	_, table, ok := strings.Cut(section, "| API group")
	if !ok {
		t.Fatal("README.md's Permissions granted section has no API group table")
	}
	var listed []string
	for _, line := range strings.Split(table, "\n")[2:] {
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			break // the end of the table
		}
		group := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if strings.HasPrefix(group, `""`) {
			group = ""
		}
		for _, r := range strings.Split(cells[2], ",") {
			r = strings.Trim(strings.TrimSpace(r), "`")
			if group != "" {
				r += "." + group
			}
			listed = append(listed, r)
		}
	}
	slices.Sort(listed)
	if diff := cmp.Diff(listed, allResources); diff != "" {
		t.Errorf("Podium reads a different set of resources than README.md's permission table lists; update the table (-readme +informers):\n%s", diff)
	}
}

// TestRBACGroupedByAPIGroup: each rule names one API group, and no group
// has two rules in one Role, so a reviewer reads one line per group.
func TestRBACGroupedByAPIGroup(t *testing.T) {
	for _, name := range valueSets {
		t.Run(name, func(t *testing.T) {
			for where, rs := range allRules(mustRender(t, ciValues(name))) {
				seen := map[string]bool{}
				for _, ru := range rs {
					if len(ru.APIGroups) != 1 {
						t.Errorf("%s: a rule names groups %q, want one", where, ru.APIGroups)
						continue
					}
					if g := ru.APIGroups[0]; seen[g] {
						t.Errorf("%s: API group %q has more than one rule", where, g)
					}
					seen[ru.APIGroups[0]] = true
				}
			}
		})
	}
}

func TestRBACIsReadOnlyAndMinimal(t *testing.T) {
	for _, name := range valueSets {
		t.Run(name, func(t *testing.T) {
			r := mustRender(t, ciValues(name))
			rules := allRules(r)
			if len(rules) == 0 {
				t.Fatal("no Roles or ClusterRoles rendered")
			}
			for where, rs := range rules {
				for _, ru := range rs {
					if len(ru.NonResourceURLs) > 0 {
						t.Errorf("%s grants nonResourceURLs %v", where, ru.NonResourceURLs)
					}
					if len(ru.ResourceNames) > 0 {
						t.Errorf("%s has resourceNames %v; the rules are meant to be plain", where, ru.ResourceNames)
					}
					// The one exception, and only with per-user views:
					// TestAccessReviewRuleOnlyWithPerUserViews.
					if cmp.Equal(ru, accessReviewRule) {
						continue
					}
					if diff := cmp.Diff([]string{"get", "list", "watch"}, ru.Verbs); diff != "" {
						t.Errorf("%s verbs (-want +got):\n%s", where, diff)
					}
					for _, s := range slices.Concat(ru.APIGroups, ru.Resources, ru.Verbs) {
						if strings.Contains(s, "*") {
							t.Errorf("%s has a wildcard %q", where, s)
						}
					}
					for _, res := range ru.Resources {
						if res == "secrets" || res == "configmaps" || strings.Contains(res, "/") {
							t.Errorf("%s grants %q", where, res)
						}
					}
				}
			}
		})
	}
}

func TestRBACByMode(t *testing.T) {
	t.Run("cluster", func(t *testing.T) {
		r := mustRender(t, ciValues("default"))
		if n := len(objectsOf[*rbacv1.Role](r)); n != 0 {
			t.Errorf("cluster mode rendered %d Roles", n)
		}
		crs := objectsOf[*rbacv1.ClusterRole](r)
		if len(crs) != 1 {
			t.Fatalf("want 1 ClusterRole, got %d", len(crs))
		}
		if diff := cmp.Diff(allResources, readable(crs[0].Rules)); diff != "" {
			t.Errorf("ClusterRole resources (-want +got):\n%s", diff)
		}
		crbs := objectsOf[*rbacv1.ClusterRoleBinding](r)
		if len(crbs) != 1 || crbs[0].RoleRef.Name != crs[0].Name {
			t.Fatalf("ClusterRoleBinding does not bind the ClusterRole: %+v", crbs)
		}
		wantSubject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "podium", Namespace: releaseNamespace}}
		if diff := cmp.Diff(wantSubject, crbs[0].Subjects); diff != "" {
			t.Errorf("subjects (-want +got):\n%s", diff)
		}
		for _, a := range deploymentOf(t, r).Spec.Template.Spec.Containers[0].Args {
			if strings.HasPrefix(a, "--namespace") {
				t.Errorf("cluster mode passes %q", a)
			}
		}
	})
	t.Run("namespaces", func(t *testing.T) {
		r := mustRender(t, ciValues("namespaced"))
		crs := objectsOf[*rbacv1.ClusterRole](r)
		if len(crs) != 1 {
			t.Fatalf("want 1 ClusterRole (the cluster-scoped resources), got %d", len(crs))
		}
		if diff := cmp.Diff(clusterResources, readable(crs[0].Rules)); diff != "" {
			t.Errorf("namespace mode's ClusterRole must grant the cluster-scoped resources only (-want +got):\n%s", diff)
		}
		roles := objectsOf[*rbacv1.Role](r)
		var nss []string
		for _, ro := range roles {
			nss = append(nss, ro.Namespace)
			if diff := cmp.Diff(namespacedResources, readable(ro.Rules)); diff != "" {
				t.Errorf("Role in %s (-want +got):\n%s", ro.Namespace, diff)
			}
		}
		if diff := cmp.Diff([]string{"team-a", "team-b"}, nss); diff != "" {
			t.Errorf("Role namespaces (-want +got):\n%s", diff)
		}
		rbs := objectsOf[*rbacv1.RoleBinding](r)
		if len(rbs) != 2 {
			t.Fatalf("want 2 RoleBindings, got %d", len(rbs))
		}
		for _, rb := range rbs {
			if rb.RoleRef.Kind != "Role" || rb.RoleRef.Name != roles[0].Name {
				t.Errorf("RoleBinding %s/%s refers to %+v", rb.Namespace, rb.Name, rb.RoleRef)
			}
			if len(rb.Subjects) != 1 || rb.Subjects[0].Namespace != releaseNamespace {
				t.Errorf("RoleBinding %s/%s subjects %+v", rb.Namespace, rb.Name, rb.Subjects)
			}
		}
		args := deploymentOf(t, r).Spec.Template.Spec.Containers[0].Args
		if !slices.Contains(args, "--namespace=team-a,team-b") {
			t.Errorf("namespace mode args %v lack --namespace=team-a,team-b", args)
		}
	})
	t.Run("rbac off", func(t *testing.T) {
		r := mustRender(t, nil, "rbac: {create: false}\n")
		if n := len(allRules(r)); n != 0 {
			t.Errorf("rbac.create=false rendered %d roles", n)
		}
	})
}

func TestDeploymentIsHardened(t *testing.T) {
	for _, name := range valueSets {
		t.Run(name, func(t *testing.T) {
			r := mustRender(t, ciValues(name))
			d := deploymentOf(t, r)
			ps := d.Spec.Template.Spec
			if ps.AutomountServiceAccountToken == nil || *ps.AutomountServiceAccountToken {
				t.Error("pod automounts the ServiceAccount token")
			}
			for _, sa := range objectsOf[*corev1.ServiceAccount](r) {
				if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
					t.Errorf("ServiceAccount %s automounts its token", sa.Name)
				}
			}
			if psc := ps.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot ||
				psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("pod securityContext not hardened: %+v", psc)
			}
			if len(ps.Containers) != 1 {
				t.Fatalf("want 1 container, got %d", len(ps.Containers))
			}
			c := ps.Containers[0]
			sc := c.SecurityContext
			switch {
			case sc == nil:
				t.Fatal("container has no securityContext")
			case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
				t.Error("container may run as root")
			case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
				t.Error("root filesystem is writable")
			case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
				t.Error("privilege escalation allowed")
			case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
				t.Errorf("capabilities %+v; want drop [ALL], add nothing", sc.Capabilities)
			case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
				t.Error("container seccomp is not RuntimeDefault")
			}
			if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
				t.Errorf("liveness probe %+v; want GET /healthz", c.LivenessProbe)
			}
			if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
				t.Errorf("readiness probe %+v; want GET /readyz", c.ReadinessProbe)
			}
			for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				if _, ok := c.Resources.Requests[res]; !ok {
					t.Errorf("no %s request", res)
				}
				if _, ok := c.Resources.Limits[res]; !ok {
					t.Errorf("no %s limit", res)
				}
			}
			// The only token in the pod is the projected one, mounted where
			// in-cluster config looks for it.
			var tokens int
			for _, v := range ps.Volumes {
				if v.Projected == nil {
					continue
				}
				for _, s := range v.Projected.Sources {
					if s.ServiceAccountToken != nil {
						tokens++
						if s.ServiceAccountToken.Audience != "" {
							t.Errorf("token audience %q; the API server would reject it", s.ServiceAccountToken.Audience)
						}
					}
				}
			}
			if tokens != 1 {
				t.Errorf("want exactly 1 projected ServiceAccount token, got %d", tokens)
			}
			if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
				return m.MountPath == "/var/run/secrets/kubernetes.io/serviceaccount" && m.ReadOnly
			}) {
				t.Error("token volume is not mounted read-only at the in-cluster path")
			}
		})
	}
}

func TestServiceDefaultsToClusterIP(t *testing.T) {
	r := mustRender(t, ciValues("default"))
	svcs := objectsOf[*corev1.Service](r)
	if len(svcs) != 1 || svcs[0].Spec.Type != corev1.ServiceTypeClusterIP {
		t.Fatalf("want one ClusterIP Service, got %+v", svcs)
	}
	if !strings.Contains(r.Notes, "kubectl --namespace podium port-forward service/podium 8080:80") {
		t.Errorf("NOTES.txt lacks the port-forward line:\n%s", r.Notes)
	}
}

func TestAuthMountsTheNamedSecret(t *testing.T) {
	r := mustRender(t, ciValues("auth"))
	d := deploymentOf(t, r)
	ps := d.Spec.Template.Spec
	args := ps.Containers[0].Args
	if !slices.Contains(args, "--auth-token-file=/etc/podium/auth/token") {
		t.Errorf("args %v lack --auth-token-file", args)
	}
	if !slices.ContainsFunc(ps.Volumes, func(v corev1.Volume) bool {
		return v.Secret != nil && v.Secret.SecretName == "podium-token"
	}) {
		t.Error("Secret podium-token is not mounted")
	}
	if *d.Spec.Replicas != 2 {
		t.Errorf("replicas %d, want 2", *d.Spec.Replicas)
	}
	// Without auth, nothing mentions a token file.
	plain := deploymentOf(t, mustRender(t, ciValues("default")))
	for _, a := range plain.Spec.Template.Spec.Containers[0].Args {
		if strings.Contains(a, "auth") {
			t.Errorf("default args contain %q", a)
		}
	}
}

func TestIngressNamespaceReachesTheArgs(t *testing.T) {
	args := func(values string) []string {
		return deploymentOf(t, mustRender(t, nil, values)).Spec.Template.Spec.Containers[0].Args
	}
	if got := args("ingressNamespace: ingress-nginx\n"); !slices.Contains(got, "--ingress-namespace=ingress-nginx") {
		t.Errorf("ingressNamespace: args %v lack --ingress-namespace=ingress-nginx", got)
	}
	if got := args(""); slices.ContainsFunc(got, func(a string) bool { return strings.HasPrefix(a, "--ingress-namespace") }) {
		t.Errorf("default args %v name an ingress namespace", got)
	}
}

func TestIngressWithoutAuthWarns(t *testing.T) {
	r := mustRender(t, nil, "ingress: {enabled: true}\n")
	if !strings.Contains(r.Notes, "WARNING: the Ingress is enabled but auth is not") {
		t.Errorf("NOTES.txt does not warn about an open Ingress:\n%s", r.Notes)
	}
	if strings.Contains(mustRender(t, ciValues("ingress")).Notes, "WARNING") {
		t.Error("the ingress value set (auth on) still warns")
	}
}

// .helmignore keeps the Go tests and golden files out of the chart.
func TestChartPackageHoldsNoTests(t *testing.T) {
	chrt, err := loader.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range chrt.Raw {
		names = append(names, f.Name)
	}
	if !slices.Contains(names, "values.schema.json") || !slices.Contains(names, "templates/rbac.yaml") {
		t.Fatalf("chart files look wrong: %v", names)
	}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") || strings.HasPrefix(n, "testdata/") {
			t.Errorf("chart package contains %s", n)
		}
	}
}

// `make chart-lint` lints the defaults; this lints every value set the same
// way (helm lint --strict: warnings fail too).
func TestLintStrictEveryValueSet(t *testing.T) {
	for _, name := range valueSets {
		t.Run(name, func(t *testing.T) {
			vals, err := (&values.Options{ValueFiles: ciValues(name)}).MergeValues(getter.Providers{})
			if err != nil {
				t.Fatal(err)
			}
			lint := action.NewLint()
			lint.Strict = true
			lint.Namespace = releaseNamespace
			res := lint.Run([]string{"."}, vals)
			if res.TotalChartsLinted != 1 {
				t.Fatalf("linted %d charts: %v", res.TotalChartsLinted, res.Errors)
			}
			for _, e := range res.Errors {
				t.Errorf("helm lint --strict: %v", e)
			}
		})
	}
	// And a bad value set does fail lint, so the check above can fail.
	lint := action.NewLint()
	lint.Strict = true
	if res := lint.Run([]string{"."}, map[string]any{"replicaCount": -1}); len(res.Errors) == 0 {
		t.Error("helm lint accepted replicaCount: -1")
	}
}

// The pinned helm CLI (`go tool helm`, what users and `make chart-lint` run)
// prints exactly the golden manifests, and stops bad values with the schema's
// message.
func TestPinnedHelmCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool helm; skipped with -short")
	}
	helm := func(args ...string) (string, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", append([]string{"tool", "helm"}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	for _, name := range valueSets {
		out, errOut, err := helm("template", releaseName, ".", "--namespace", releaseNamespace,
			"--kube-version", kubeVersion, "-f", ciValues(name)[0])
		if err != nil {
			t.Fatalf("helm template (%s): %v\n%s", name, err, errOut)
		}
		golden, err := os.ReadFile(filepath.Join("testdata", name+".golden.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		manifest, _, _ := strings.Cut(string(golden), "---\n# NOTES.txt\n")
		if diff := cmp.Diff(manifest, out); diff != "" {
			t.Errorf("go tool helm template with ci/%s-values.yaml differs from the golden file (-golden +cli):\n%s", name, diff)
		}
	}
	_, errOut, err := helm("template", releaseName, ".", "--set", "replicaCount=-1")
	if err == nil {
		t.Fatal("helm template accepted replicaCount=-1")
	}
	if !strings.Contains(errOut, "at '/replicaCount': minimum: got -1, want 0") {
		t.Errorf("helm template's error lacks the schema's message:\n%s", errOut)
	}
}

func TestSchedulingValuesReachThePod(t *testing.T) {
	r := mustRender(t, nil, `replicaCount: 3
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Equal, value: podium, effect: NoSchedule}]
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector: {matchLabels: {app.kubernetes.io/name: podium}}
priorityClassName: system-cluster-critical
`)
	d := deploymentOf(t, r)
	ps := d.Spec.Template.Spec
	if *d.Spec.Replicas != 3 {
		t.Errorf("replicas %d, want 3", *d.Spec.Replicas)
	}
	if diff := cmp.Diff(map[string]string{"kubernetes.io/os": "linux"}, ps.NodeSelector); diff != "" {
		t.Errorf("nodeSelector (-want +got):\n%s", diff)
	}
	wantTol := []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "podium", Effect: corev1.TaintEffectNoSchedule}}
	if diff := cmp.Diff(wantTol, ps.Tolerations); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	if ps.Affinity == nil || ps.Affinity.PodAntiAffinity == nil || len(ps.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 1 {
		t.Errorf("affinity not passed through: %+v", ps.Affinity)
	}
	if ps.PriorityClassName != "system-cluster-critical" {
		t.Errorf("priorityClassName %q", ps.PriorityClassName)
	}
	// And none of it by default.
	def := deploymentOf(t, mustRender(t, ciValues("default"))).Spec.Template.Spec
	if def.NodeSelector != nil || def.Tolerations != nil || def.Affinity != nil || def.PriorityClassName != "" {
		t.Errorf("defaults schedule with constraints: %+v %+v %+v %q", def.NodeSelector, def.Tolerations, def.Affinity, def.PriorityClassName)
	}
}
