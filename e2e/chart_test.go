//go:build e2e

package e2e

// The Helm chart against the lab: every value set passes server-side
// validation, a real `helm install` (helm as a Go library) works, and the
// podium binary run exactly as the chart's pod would (the chart's
// ServiceAccount token from the TokenRequest API, the CA, KUBERNETES_SERVICE_*
// and the chart's own args) syncs and draws the cluster. Removing any one RBAC
// rule makes Podium report exactly that resource as denied, and namespace mode
// works with only its Roles plus Node read.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/cli/values"
	"helm.sh/helm/v4/pkg/getter"
	"helm.sh/helm/v4/pkg/kube"
	release "helm.sh/helm/v4/pkg/release/v1"
	appsv1 "k8s.io/api/apps/v1"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	ptrs "k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers"
	"github.com/podiumhq/podium/informers/graph"
)

// chartValueSets are the files under chart/ci.
var chartValueSets = []string{"default", "namespaced", "ingress", "auth", "platform"}

func chartDir(t testing.TB) string {
	t.Helper()
	root, err := labtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "chart")
}

func chartCIValues(t testing.TB, name string) string {
	return filepath.Join(chartDir(t), "ci", name+"-values.yaml")
}

// chartValues merges values files and inline YAML documents the way
// `helm install -f a.yaml -f b.yaml` does.
func chartValues(t testing.TB, files []string, inline ...string) map[string]any {
	t.Helper()
	dir := t.TempDir()
	for i, y := range inline {
		p := filepath.Join(dir, fmt.Sprintf("inline-%d.yaml", i))
		if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	vals, err := (&values.Options{ValueFiles: files}).MergeValues(getter.Providers{})
	if err != nil {
		t.Fatalf("values: %v", err)
	}
	return vals
}

var quietHelm = func(c *action.Configuration) { c.SetLogger(slog.NewTextHandler(io.Discard, nil)) }

// chartRender is `helm template` into namespace ns.
func chartRender(t testing.TB, ns string, vals map[string]any) (*release.Release, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir(t))
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	inst := action.NewInstall(action.NewConfiguration(quietHelm))
	inst.DryRunStrategy = action.DryRunClient
	inst.ReleaseName = "podium"
	inst.Namespace = ns
	inst.Replace = true
	kv, err := common.ParseKubeVersion("v1.37.2")
	if err != nil {
		t.Fatal(err)
	}
	inst.KubeVersion = kv
	rel, err := inst.RunWithContext(context.Background(), chrt, vals)
	if err != nil {
		return nil, err
	}
	return rel.(*release.Release), nil
}

// chartHelm returns a helm action configuration talking to the lab as admin.
func chartHelm(t testing.TB, ns string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	kc := lab.Kubeconfig()
	flags.KubeConfig = &kc
	flags.Namespace = &ns
	cfg := action.NewConfiguration(quietHelm)
	if err := cfg.Init(flags, ns, "secret"); err != nil {
		t.Fatalf("helm init: %v", err)
	}
	return cfg
}

// chartInstall is `helm install name ./chart -n ns` with vals (plus --wait
// when wait is set); the release is uninstalled when t ends.
func chartInstall(t testing.TB, ns, name string, vals map[string]any, wait bool) (*release.Release, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir(t))
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	cfg := chartHelm(t, ns)
	inst := action.NewInstall(cfg)
	inst.ReleaseName = name
	inst.Namespace = ns
	inst.WaitStrategy = kube.HookOnlyStrategy // helm install without --wait
	if wait {
		// Wait for the Deployment to be available: KWOK runs the pod, so this
		// proves the scheduler and the API accept the pod spec as rendered.
		// Generous: the lab shares two cores with everything else.
		inst.WaitStrategy = kube.StatusWatcherStrategy
		inst.Timeout = 4 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rel, err := inst.RunWithContext(ctx, chrt, vals)
	if rel != nil || err == nil {
		t.Cleanup(func() {
			un := action.NewUninstall(chartHelm(t, ns))
			un.WaitStrategy = kube.HookOnlyStrategy
			un.IgnoreNotFound = true // a test may have uninstalled it already
			if _, err := un.Run(name); err != nil {
				t.Errorf("helm uninstall %s: %v", name, err)
			}
		})
	}
	if err != nil {
		return nil, err
	}
	return rel.(*release.Release), nil
}

// chartUpgrade is `helm upgrade name ./chart -n ns` with vals (not reusing
// the previous values).
func chartUpgrade(t testing.TB, ns, name string, vals map[string]any) (*release.Release, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir(t))
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	up := action.NewUpgrade(chartHelm(t, ns))
	up.Namespace = ns
	// Like helm upgrade --reset-values: with no values given, helm would
	// otherwise keep the last release's, and "back to the defaults" would
	// change nothing.
	up.ResetValues = true
	up.WaitStrategy = kube.HookOnlyStrategy
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rel, err := up.RunWithContext(ctx, name, chrt, vals)
	if err != nil {
		return nil, err
	}
	return rel.(*release.Release), nil
}

// chartObjects splits a manifest stream into objects.
func chartObjects(t testing.TB, manifest string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(manifest, "\n---") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("manifest does not parse: %v\n%s", err, doc)
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	if len(out) == 0 {
		t.Fatal("manifest holds no objects")
	}
	return out
}

func chartObject[T any](t testing.TB, objs []*unstructured.Unstructured, kind string) []*T {
	t.Helper()
	var out []*T
	for _, o := range objs {
		if o.GetKind() != kind {
			continue
		}
		v := new(T)
		if err := chartDecode(o, v); err != nil {
			t.Fatalf("%s %s: %v", kind, o.GetName(), err)
		}
		out = append(out, v)
	}
	return out
}

func chartDecode(o *unstructured.Unstructured, into any) error {
	raw, err := o.MarshalJSON()
	if err != nil {
		return err
	}
	return yaml.Unmarshal(raw, into)
}

// chartEnsureNamespace creates namespace name unless it exists; it is removed
// when t ends only if this call created it.
func chartEnsureNamespace(t testing.TB, cs kubernetes.Interface, name string) {
	t.Helper()
	ctx := context.Background()
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: name, Labels: map[string]string{"podium.dev/e2e": "true"}}}, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
	case err != nil:
		t.Fatalf("create namespace %s: %v", name, err)
	default:
		t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	}
}

func TestChartServerSideDryRun(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	dyn, err := dynamic.NewForConfig(lab.Config())
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs.Discovery()))
	// The namespaced value set puts Roles into these; they must exist.
	for _, n := range []string{"team-a", "team-b"} {
		chartEnsureNamespace(t, cs, n)
	}
	restricted := labtest.Namespace(t, lab)
	rns, err := cs.CoreV1().Namespaces().Get(context.Background(), restricted, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rns.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	rns.Labels["pod-security.kubernetes.io/enforce-version"] = "latest"
	if _, err := cs.CoreV1().Namespaces().Update(context.Background(), rns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The ServiceAccount admission plugin wants the pod's account to exist.
	if _, err := cs.CoreV1().ServiceAccounts(restricted).Create(context.Background(),
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "podium"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Control: a bare pod is refused there, so the check below can fail.
	bare := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bare"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}}}
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().Pods(restricted).Create(ctx, bare, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil {
			return errors.New("a pod without a securityContext was admitted: PodSecurity admission is not enforcing")
		}
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "violates PodSecurity") {
			return err
		}
		return nil
	})
	for _, set := range chartValueSets {
		t.Run(set, func(t *testing.T) {
			rel, err := chartRender(t, ns, chartValues(t, []string{chartCIValues(t, set)}))
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			objs := chartObjects(t, rel.Manifest)
			for _, o := range objs {
				gvk := o.GroupVersionKind()
				m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
				if err != nil {
					t.Fatalf("%s: %v", gvk, err)
				}
				var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
				if m.Scope.Name() == meta.RESTScopeNameNamespace {
					if o.GetNamespace() == "" {
						t.Errorf("%s %s has no namespace", gvk.Kind, o.GetName())
					}
					ri = dyn.Resource(m.Resource).Namespace(o.GetNamespace())
				} else if o.GetNamespace() != "" {
					t.Errorf("cluster-scoped %s %s has namespace %q", gvk.Kind, o.GetName(), o.GetNamespace())
				}
				raw, err := o.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				// Server-side apply, dry run, strict field validation: the API
				// server's own schema and admission check every field.
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err = ri.Patch(ctx, o.GetName(), types.ApplyPatchType, raw, metav1.PatchOptions{
					DryRun: []string{metav1.DryRunAll}, FieldManager: "podium-chart-e2e", Force: ptrs.To(true),
					FieldValidation: "Strict",
				})
				cancel()
				if err != nil {
					t.Errorf("%s %s/%s does not pass server-side dry-run: %v", gvk.Kind, o.GetNamespace(), o.GetName(), err)
				}
			}
			// The pod itself passes the "restricted" Pod Security Standard,
			// enforced by the API server's PodSecurity admission.
			for _, d := range chartObject[appsv1.Deployment](t, objs, "Deployment") {
				pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: d.Name, Labels: d.Spec.Template.Labels}, Spec: d.Spec.Template.Spec}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := cs.CoreV1().Pods(restricted).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
				cancel()
				if err != nil {
					t.Errorf("the chart's pod is refused under the restricted Pod Security Standard: %v", err)
				}
			}
			// Dry run means nothing was created.
			for _, o := range objs {
				if o.GetKind() == "Deployment" {
					if _, err := cs.AppsV1().Deployments(o.GetNamespace()).Get(context.Background(), o.GetName(), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						t.Errorf("dry run left Deployment %s/%s behind (err %v)", o.GetNamespace(), o.GetName(), err)
					}
				}
			}
		})
	}
}

// chartCanI asks the API server whether the ServiceAccount may do verb on
// resource.group, cluster-wide (ns "") or in ns.
func chartCanI(ctx context.Context, cs kubernetes.Interface, saNS, sa, verb, qualified, ns string) (bool, error) {
	res, group, _ := strings.Cut(qualified, ".")
	sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
		User:   "system:serviceaccount:" + saNS + ":" + sa,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + saNS, "system:authenticated"},
		ResourceAttributes: &authzv1.ResourceAttributes{
			Namespace: ns, Verb: verb, Group: group, Resource: res,
		},
	}}
	out, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return out.Status.Allowed, nil
}

// chartRunAsPod starts the image's binary the way the chart's pod starts it:
// the chart's container args and env, a TokenRequest token for the chart's
// ServiceAccount and the CA in a service-account directory,
// KUBERNETES_SERVICE_HOST/PORT pointing at the lab, and no kubeconfig.
func chartRunAsPod(t testing.TB, ns string, dep *appsv1.Deployment) *podiumtest.Podium {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs := lab.Client()
	spec := dep.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("pod has %d containers, want 1", len(spec.Containers))
	}
	c := spec.Containers[0]
	var exp int64 = 3600
	for _, v := range spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil && s.ServiceAccountToken.ExpirationSeconds != nil {
				exp = *s.ServiceAccountToken.ExpirationSeconds
			}
		}
	}
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, spec.ServiceAccountName,
		&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for %s/%s: %v", ns, spec.ServiceAccountName, err)
	}
	dir := t.TempDir()
	saDir := filepath.Join(dir, "serviceaccount")
	if err := os.Mkdir(saDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := lab.Config()
	ca := cfg.CAData
	if len(ca) == 0 && cfg.CAFile != "" {
		if ca, err = os.ReadFile(cfg.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	if len(ca) == 0 {
		t.Fatal("the lab's client config has no CA")
	}
	for name, data := range map[string][]byte{"token": []byte(tok.Status.Token), "ca.crt": ca, "namespace": []byte(ns)} {
		if err := os.WriteFile(filepath.Join(saDir, name), data, 0o400); err != nil {
			t.Fatal(err)
		}
	}
	u, err := url.Parse(lab.Server())
	if err != nil {
		t.Fatal(err)
	}
	// Secret volumes are materialised as the kubelet would mount them, under
	// dir, and args naming files in them are pointed there.
	remap := map[string]string{}
	for _, m := range c.VolumeMounts {
		i := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i < 0 || spec.Volumes[i].Secret == nil {
			continue
		}
		vs := spec.Volumes[i].Secret
		sec, err := cs.CoreV1().Secrets(ns).Get(ctx, vs.SecretName, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("secret volume %s: %v", m.Name, err)
		}
		local := filepath.Join(dir, "mounts", m.Name)
		if err := os.MkdirAll(local, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, it := range vs.Items {
			data, ok := sec.Data[it.Key]
			if !ok {
				t.Fatalf("secret %s has no key %q", vs.SecretName, it.Key)
			}
			if err := os.WriteFile(filepath.Join(local, it.Path), data, 0o400); err != nil {
				t.Fatal(err)
			}
		}
		remap[strings.TrimSuffix(m.MountPath, "/")+"/"] = local + "/"
	}
	// The chart's args, with the listen address moved to a free loopback port
	// and file paths pointed at the materialised volumes.
	port := podiumtest.FreePort(t)
	args := []string{}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "--listen") {
			a = fmt.Sprintf("--listen=127.0.0.1:%d", port)
		}
		for from, to := range remap {
			a = strings.Replace(a, "="+from, "="+to, 1)
		}
		args = append(args, a)
	}
	args = append(args, "--serviceaccount-dir", saDir)
	// The container's environment and nothing else: the kubelet's service
	// variables, the chart's env (GOMEMLIMIT from the memory limit) and HOME=/
	// as for a UID without a passwd entry. No KUBECONFIG, no ~/.kube.
	env := []string{
		"HOME=/",
		"KUBERNETES_SERVICE_HOST=" + u.Hostname(),
		"KUBERNETES_SERVICE_PORT=" + u.Port(),
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+e.Value)
		case e.ValueFrom.ResourceFieldRef != nil && e.ValueFrom.ResourceFieldRef.Resource == "limits.memory":
			lim := c.Resources.Limits[corev1.ResourceMemory]
			env = append(env, fmt.Sprintf("%s=%d", e.Name, lim.Value()))
		default:
			t.Fatalf("env %s: this test cannot resolve %+v", e.Name, e.ValueFrom)
		}
	}
	// As the kubelet would: exactly these args and env, in /, stopped with
	// SIGTERM and expected to exit 0.
	return podiumtest.Start(t, podiumtest.Options{Binary: chartImageBinary(t), Command: args, Env: env, ExactEnv: true,
		Dir: "/", Addr: fmt.Sprintf("127.0.0.1:%d", port)})
}

var (
	chartImageOnce sync.Once
	chartImageBin  string
	chartImageErr  error
)

// chartImageBinary builds, once per test process, the binary the container
// image ships: .ci/image.sh is the Dockerfile's build step.
func chartImageBinary(t testing.TB) string {
	t.Helper()
	chartImageOnce.Do(func() {
		root, err := labtest.RepoRoot()
		if err != nil {
			chartImageErr = err
			return
		}
		// One directory per test process, so parallel runs do not overwrite
		// each other's running binary; those of finished processes are
		// removed here, so nothing piles up in /tmp.
		base := filepath.Join(os.TempDir(), "podium-e2e-image")
		if old, err := os.ReadDir(base); err == nil {
			for _, e := range old {
				pid, err := strconv.Atoi(e.Name())
				if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == syscall.ESRCH {
					_ = os.RemoveAll(filepath.Join(base, e.Name()))
				}
			}
		}
		dir := filepath.Join(base, strconv.Itoa(os.Getpid()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			chartImageErr = err
			return
		}
		chartImageBin = filepath.Join(dir, "podium")
		cmd := exec.Command(filepath.Join(root, ".ci", "image.sh"), chartImageBin)
		cmd.Env = append(os.Environ(), "VERSION=v0.0.0-e2e")
		if out, err := cmd.CombinedOutput(); err != nil {
			chartImageErr = fmt.Errorf(".ci/image.sh: %v\n%s", err, out)
		}
	})
	if chartImageErr != nil {
		t.Fatal(chartImageErr)
	}
	return chartImageBin
}

// chartWaitStatus polls /api/status until it is synced and denies exactly want.
func chartWaitStatus(t testing.TB, p *podiumtest.Podium, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		st, err := p.Status(ctx)
		if err != nil {
			return err
		}
		if !st.Synced || !slices.Equal(st.Denied, want) || st.APIServer != "connected" {
			return fmt.Errorf("status %+v; want connected, synced, denied %v", st, want)
		}
		return nil
	})
}

func chartDeployment(t testing.TB, rel *release.Release) *appsv1.Deployment {
	t.Helper()
	ds := chartObject[appsv1.Deployment](t, chartObjects(t, rel.Manifest), "Deployment")
	if len(ds) != 1 {
		t.Fatalf("release has %d Deployments, want 1", len(ds))
	}
	return ds[0]
}

func chartHas(g graph.Snapshot, id string) bool {
	return slices.ContainsFunc(g.Nodes, func(n *graph.Node) bool { return n.ID == id })
}

// TestChartInstall installs the default value set and runs Podium as its pod.
func TestChartInstall(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	rel, err := chartInstall(t, ns, "podium", chartValues(t, []string{chartCIValues(t, "default")}), true)
	if err != nil {
		t.Fatalf("helm install: %v", err)
	}
	if !strings.Contains(rel.Info.Notes, "port-forward service/podium") {
		t.Errorf("NOTES lack the port-forward line:\n%s", rel.Info.Notes)
	}
	objs := chartObjects(t, rel.Manifest)
	dep := chartDeployment(t, rel)
	crs := chartObject[rbacv1.ClusterRole](t, objs, "ClusterRole")
	if len(crs) != 1 {
		t.Fatalf("release has %d ClusterRoles, want 1", len(crs))
	}
	crName := crs[0].Name
	sa := dep.Spec.Template.Spec.ServiceAccountName
	ctx := context.Background()

	// What the API server holds, not just what was rendered: read-only, no
	// Secrets, ConfigMaps, wildcards or non-resource URLs.
	installed, err := cs.RbacV1().ClusterRoles().Get(ctx, crName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var granted []string
	for _, r := range installed.Rules {
		if len(r.NonResourceURLs) > 0 || !slices.Equal(r.Verbs, []string{"get", "list", "watch"}) {
			t.Errorf("rule %+v is not plain read-only", r)
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				if res == "secrets" || res == "configmaps" || strings.Contains(res+g, "*") {
					t.Errorf("rule grants %s in group %q", res, g)
				}
				granted = append(granted, strings.TrimSuffix(res+"."+g, "."))
			}
		}
	}
	slices.Sort(granted)
	want := slices.Sorted(slices.Values(informers.Resources()))
	if !slices.Equal(granted, want) {
		t.Errorf("ClusterRole grants %v; Podium reads %v", granted, want)
	}
	for _, c := range []struct{ verb, res string }{
		{"get", "secrets"}, {"list", "secrets"}, {"list", "configmaps"}, {"create", "pods"},
		{"delete", "pods"}, {"update", "deployments.apps"}, {"patch", "nodes"}, {"delete", "namespaces"},
		{"create", "serviceaccounts/token"}, {"create", "rolebindings.rbac.authorization.k8s.io"},
		{"bind", "clusterroles.rbac.authorization.k8s.io"}, {"escalate", "roles.rbac.authorization.k8s.io"},
	} {
		ok, err := chartCanI(ctx, cs, ns, sa, c.verb, c.res, "")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Errorf("the chart's ServiceAccount may %s %s", c.verb, c.res)
		}
	}

	// Something to draw besides Podium itself.
	app := labtest.Namespace(t, lab)
	chartApp(t, cs, app, "web", 2)

	t.Run("as the pod", func(t *testing.T) {
		p := chartRunAsPod(t, ns, dep)
		chartWaitStatus(t, p, nil)
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes.Items) == 0 {
			t.Fatal("the lab has no nodes")
		}
		labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
			g, err := p.Graph(ctx, "")
			if err != nil {
				return err
			}
			var missing []string
			for _, n := range nodes.Items {
				if id := graph.ID(graph.KindNode, "", n.Name); !chartHas(g, id) {
					missing = append(missing, id)
				}
			}
			for _, id := range []string{
				graph.ID(graph.KindDeployment, ns, dep.Name), // Podium's own release
				graph.ID(graph.KindService, ns, dep.Name),
				graph.ID(graph.KindDeployment, app, "web"),
				graph.ID(graph.KindService, app, "web"),
			} {
				if !chartHas(g, id) {
					missing = append(missing, id)
				}
			}
			pods := 0
			for _, n := range g.Nodes {
				if n.Kind == graph.KindPod && n.Namespace == app {
					pods++
				}
			}
			if pods != 2 {
				missing = append(missing, fmt.Sprintf("2 pods in %s (have %d)", app, pods))
			}
			if len(missing) > 0 {
				return fmt.Errorf("/api/graph lacks %v", missing)
			}
			return nil
		})
	})

	// Each resource removed in turn: Podium names exactly that one as denied.
	orig := installed.DeepCopy()
	for _, res := range want {
		t.Run("without "+res, func(t *testing.T) {
			cr, err := cs.RbacV1().ClusterRoles().Get(ctx, crName, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cr.Rules = chartWithout(orig.Rules, res)
			if _, err := cs.RbacV1().ClusterRoles().Update(ctx, cr, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { chartRestoreRules(t, cs, crName, orig.Rules, ns, sa, res) })
			// The authorizer caches roles; wait until it sees the change.
			labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
				ok, err := chartCanI(ctx, cs, ns, sa, "list", res, "")
				if err == nil && ok {
					err = errors.New("still allowed")
				}
				return err
			})
			p := chartRunAsPod(t, ns, dep)
			denied := []string{res}
			if strings.HasSuffix(res, "."+graph.GatewayGroup) {
				// The shared lab has no Gateway API CRDs (TestGatewayAPI
				// installs and removes them): Podium never reads what is
				// not served, so it is never denied.
				denied = nil
			}
			chartWaitStatus(t, p, denied)
		})
	}

	// helm uninstall leaves no permission behind.
	t.Run("uninstall", func(t *testing.T) {
		un := action.NewUninstall(chartHelm(t, ns))
		un.WaitStrategy = kube.HookOnlyStrategy
		if _, err := un.Run("podium"); err != nil {
			t.Fatalf("helm uninstall: %v", err)
		}
		for _, o := range objs {
			if o.GetNamespace() != "" {
				continue
			}
			var err error
			switch o.GetKind() {
			case "ClusterRole":
				_, err = cs.RbacV1().ClusterRoles().Get(ctx, o.GetName(), metav1.GetOptions{})
			case "ClusterRoleBinding":
				_, err = cs.RbacV1().ClusterRoleBindings().Get(ctx, o.GetName(), metav1.GetOptions{})
			default:
				t.Errorf("unexpected cluster-scoped %s %s", o.GetKind(), o.GetName())
				continue
			}
			if !apierrors.IsNotFound(err) {
				t.Errorf("%s %s is still there after uninstall (err %v)", o.GetKind(), o.GetName(), err)
			}
		}
		labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
			ok, err := chartCanI(ctx, cs, ns, sa, "list", "pods", "")
			if err == nil && ok {
				err = errors.New("the ServiceAccount may still list pods")
			}
			return err
		})
	})
}

// chartWithout drops one resource (resource.group) from rules, and any rule
// left empty.
func chartWithout(rules []rbacv1.PolicyRule, qualified string) []rbacv1.PolicyRule {
	res, group, _ := strings.Cut(qualified, ".")
	var out []rbacv1.PolicyRule
	for _, r := range rules {
		r = *r.DeepCopy()
		if slices.Contains(r.APIGroups, group) {
			r.Resources = slices.DeleteFunc(r.Resources, func(s string) bool { return s == res })
		}
		if len(r.Resources) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func chartRestoreRules(t testing.TB, cs kubernetes.Interface, name string, rules []rbacv1.PolicyRule, ns, sa, res string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cr, err := cs.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Errorf("restore %s: %v", name, err)
		return
	}
	cr.Rules = rules
	if _, err := cs.RbacV1().ClusterRoles().Update(ctx, cr, metav1.UpdateOptions{}); err != nil {
		t.Errorf("restore %s: %v", name, err)
		return
	}
	if err := labtest.Poll(ctx, 30*time.Second, func(ctx context.Context) error {
		ok, err := chartCanI(ctx, cs, ns, sa, "list", res, "")
		if err == nil && !ok {
			err = errors.New("not allowed yet")
		}
		return err
	}); err != nil {
		t.Errorf("restored %s, but %s is still denied: %v", name, res, err)
	}
}

// chartApp creates a Deployment with replicas pods and a Service selecting them.
func chartApp(t testing.TB, cs kubernetes.Interface, ns, name string, replicas int32) {
	t.Helper()
	ctx := context.Background()
	labels := map[string]string{"app": name}
	_, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:v1"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// TestChartNamespaceMode installs in cluster mode, upgrades to
// mode=namespaces and runs Podium as its pod: it needs nothing beyond the
// Roles and the ClusterRole of the cluster-scoped resources, and the upgrade
// leaves no cluster-wide read of anything else behind.
func TestChartNamespaceMode(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	watchA, watchB, other := labtest.Namespace(t, lab), labtest.Namespace(t, lab), labtest.Namespace(t, lab)
	chartApp(t, cs, watchA, "web", 2)
	chartApp(t, cs, other, "hidden", 1)

	if _, err := chartInstall(t, ns, "podium", chartValues(t, nil), false); err != nil {
		t.Fatalf("helm install: %v", err)
	}
	vals := chartValues(t, nil, fmt.Sprintf("mode: namespaces\nnamespaces: [%s, %s]\n", watchA, watchB))
	rel, err := chartUpgrade(t, ns, "podium", vals)
	if err != nil {
		t.Fatalf("helm upgrade: %v", err)
	}
	objs := chartObjects(t, rel.Manifest)
	dep := chartDeployment(t, rel)
	sa := dep.Spec.Template.Spec.ServiceAccountName

	// RBAC: Roles in the watched namespaces only; cluster-wide, the
	// cluster-scoped resources only. Polled, as the authorizer sees the
	// upgrade's RBAC changes a moment later.
	type check struct {
		verb, res, ns string
		want          bool
	}
	checks := []check{
		{"list", "pods", "", false},
		{"list", "pods", other, false},
		{"list", "deployments.apps", ns, false},
		{"list", "secrets", watchA, false},
		{"list", "configmaps", watchA, false},
		{"get", "secrets", watchB, false},
		{"create", "pods", watchA, false},
	}
	for _, res := range informers.Resources() {
		if slices.Contains(informers.ClusterResources(), res) {
			checks = append(checks, check{"watch", res, "", true})
			continue
		}
		checks = append(checks, check{"watch", res, watchA, true}, check{"list", res, watchB, true},
			check{"list", res, other, false}, check{"list", res, "", false})
	}
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		var wrong []string
		for _, c := range checks {
			ok, err := chartCanI(ctx, cs, ns, sa, c.verb, c.res, c.ns)
			if err != nil {
				return err
			}
			if ok != c.want {
				wrong = append(wrong, fmt.Sprintf("may %s %s in %q: %v, want %v", c.verb, c.res, c.ns, ok, c.want))
			}
		}
		if len(wrong) > 0 {
			return errors.New(strings.Join(wrong, "; "))
		}
		return nil
	})
	if n := len(chartObject[rbacv1.Role](t, objs, "Role")); n != 2 {
		t.Errorf("%d Roles, want 2", n)
	}

	p := chartRunAsPod(t, ns, dep)
	chartWaitStatus(t, p, nil)
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		g, err := p.Graph(ctx, "")
		if err != nil {
			return err
		}
		for _, id := range []string{graph.ID(graph.KindDeployment, watchA, "web"), graph.ID(graph.KindService, watchA, "web")} {
			if !chartHas(g, id) {
				return fmt.Errorf("/api/graph lacks %s", id)
			}
		}
		nodes := 0
		for _, n := range g.Nodes {
			if n.Namespace != "" && n.Namespace != watchA && n.Namespace != watchB {
				return fmt.Errorf("/api/graph shows %s outside the watched namespaces", n.ID)
			}
			if n.Kind == graph.KindNode {
				nodes++
			}
		}
		if nodes == 0 {
			return errors.New("/api/graph shows no Nodes")
		}
		return nil
	})
}

// TestChartBadValuesFailInstall: the schema stops bad values before anything
// reaches the cluster, with its own message.
func TestChartBadValuesFailInstall(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	cases := []struct{ name, values, want string }{
		{"wrong type", "replicaCount: two\n", "at '/replicaCount': got string, want integer"},
		{"negative replicas", "replicaCount: -1\n", "at '/replicaCount': minimum: got -1, want 0"},
		{"unknown mode", "mode: everything\n", "at '/mode': value must be one of 'cluster', 'namespaces'"},
		{"namespaces mode without namespaces", "mode: namespaces\n", "at '/namespaces': minItems: got 0, want 1"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := fmt.Sprintf("bad-%d", i)
			_, err := chartInstall(t, ns, name, chartValues(t, nil, c.values), false)
			if err == nil {
				t.Fatalf("helm install with %q succeeded", c.values)
			}
			if !strings.Contains(err.Error(), "values don't meet the specifications of the schema") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q lacks the schema's message %q", err, c.want)
			}
			// Nothing reached the cluster: no ServiceAccount, no release record.
			if _, err := cs.CoreV1().ServiceAccounts(ns).Get(context.Background(), name+"-podium", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("a ServiceAccount was created (err %v)", err)
			}
			secrets, err := cs.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm,name=" + name})
			if err != nil {
				t.Fatal(err)
			}
			if len(secrets.Items) > 0 {
				t.Errorf("helm recorded a release for bad values")
			}
		})
	}
}

// TestChartAuth installs the auth value set with a token Secret, and Podium
// run as its pod then requires that token for the UI and the API.
func TestChartAuth(t *testing.T) {
	cs := lab.Client()
	ctx := context.Background()
	ns := labtest.Namespace(t, lab)
	token := "e2e-" + strings.ReplaceAll(ns, "-", "")
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "podium-token"},
		StringData: map[string]string{"token": token},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A real install, waited for: the Deployment's pods (two, run by KWOK)
	// become available with the Secret volume the API server accepted.
	rel, err := chartInstall(t, ns, "podium", chartValues(t, []string{chartCIValues(t, "auth")}), true)
	if err != nil {
		t.Fatalf("helm install: %v", err)
	}
	dep := chartDeployment(t, rel)
	sa := dep.Spec.Template.Spec.ServiceAccountName
	live, err := cs.AppsV1().Deployments(ns).Get(ctx, dep.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if live.Status.AvailableReplicas != 2 {
		t.Errorf("%d available replicas after helm install --wait, want 2", live.Status.AvailableReplicas)
	}
	if !slices.ContainsFunc(live.Spec.Template.Spec.Volumes, func(v corev1.Volume) bool {
		return v.Secret != nil && v.Secret.SecretName == "podium-token"
	}) {
		t.Error("the installed Deployment does not mount Secret podium-token")
	}
	if !strings.Contains(rel.Info.Notes, `require the token stored in Secret "podium-token"`) {
		t.Errorf("NOTES do not say where the token is:\n%s", rel.Info.Notes)
	}
	// The token reaches the pod through the kubelet's mount, not through RBAC.
	if ok, err := chartCanI(ctx, cs, ns, sa, "get", "secrets", ns); err != nil || ok {
		t.Errorf("the ServiceAccount may read Secrets in its namespace (%v, %v)", ok, err)
	}
	p := chartRunAsPod(t, ns, dep)
	for _, c := range []struct {
		path, auth string
		want       int
	}{
		{"/api/graph", "", http.StatusUnauthorized},
		{"/api/graph", "Bearer wrong", http.StatusUnauthorized},
		{"/api/graph", "Bearer " + token, http.StatusOK},
		{"/api/status", "Bearer " + token, http.StatusOK},
		{"/healthz", "", http.StatusOK},
		{"/readyz", "", http.StatusOK},
	} {
		req, err := http.NewRequestWithContext(ctx, "GET", p.URL+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s with %q: %d, want %d", c.path, c.auth, resp.StatusCode, c.want)
		}
	}
}

// chartPeerPod creates a pod (never started: it only carries labels for the
// selectors to match) in ns.
func chartPeerPod(t testing.TB, cs kubernetes.Interface, ns, name string, lbls map[string]string) *corev1.Pod {
	t.Helper()
	p, err := cs.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "peer:v1"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// chartPeerSelects says whether a NetworkPolicyPeer selects pod, evaluated
// the way the API defines it against the real Namespace objects: a
// namespaceSelector alone means every pod there, a podSelector alone means
// pods in the policy's namespace, both means pods matching both.
func chartPeerSelects(t testing.TB, cs kubernetes.Interface, policyNS string, peer networkingv1.NetworkPolicyPeer, pod *corev1.Pod) bool {
	t.Helper()
	if peer.IPBlock != nil {
		return false
	}
	if peer.NamespaceSelector != nil {
		ns, err := cs.CoreV1().Namespaces().Get(context.Background(), pod.Namespace, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sel, err := metav1.LabelSelectorAsSelector(peer.NamespaceSelector)
		if err != nil {
			t.Fatal(err)
		}
		if !sel.Matches(labels.Set(ns.Labels)) {
			return false
		}
	} else if pod.Namespace != policyNS {
		return false
	}
	if peer.PodSelector == nil {
		return true
	}
	sel, err := metav1.LabelSelectorAsSelector(peer.PodSelector)
	if err != nil {
		t.Fatal(err)
	}
	return sel.Matches(labels.Set(pod.Labels))
}

// TestChartNetworkPolicy installs the chart with a NetworkPolicy for real:
// the API server accepts it, its podSelector selects exactly the Podium pods
// of the release, and its peers admit exactly the named pods. (The lab runs
// no network plugin, so this checks what the policy selects, as a matrix of
// real pods; whether packets are dropped is the plugin's job.)
func TestChartNetworkPolicy(t *testing.T) {
	cs := lab.Client()
	ctx := context.Background()
	ns := labtest.Namespace(t, lab)
	peers, other, controller := labtest.Namespace(t, lab), labtest.Namespace(t, lab), labtest.Namespace(t, lab)

	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "podium-token"},
		StringData: map[string]string{"token": "e2e-network-policy-token"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	viewer := map[string]string{"role": "viewer"}
	pods := map[string]*corev1.Pod{
		"named peer":                       chartPeerPod(t, cs, peers, "viewer", viewer),
		"other pod in the peer namespace":  chartPeerPod(t, cs, peers, "stranger", map[string]string{"role": "stranger"}),
		"same labels, another namespace":   chartPeerPod(t, cs, other, "viewer", viewer),
		"pod in Podium's namespace":        chartPeerPod(t, cs, ns, "neighbour", map[string]string{"app.kubernetes.io/name": "other"}),
		"ingress controller":               chartPeerPod(t, cs, controller, "controller", map[string]string{"app.kubernetes.io/name": "ingress-nginx"}),
		"other pod in the controller's ns": chartPeerPod(t, cs, controller, "sidecar", map[string]string{"app.kubernetes.io/name": "sidecar"}),
	}
	cases := []struct {
		name   string
		values string
		admit  []string // keys of pods
	}{
		{"default: nobody", "", nil},
		{"named peers", fmt.Sprintf("networkPolicy:\n  from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}\n      podSelector: {matchLabels: {role: viewer}}\n", peers),
			[]string{"named peer"}},
		{"ingress controller", fmt.Sprintf("ingress: {enabled: true}\nauth: {enabled: true, existingSecret: podium-token}\nnetworkPolicy:\n  enabled: true\n  ingressController: {namespace: %s, podSelector: {app.kubernetes.io/name: ingress-nginx}}\n", controller),
			[]string{"ingress controller"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := fmt.Sprintf("np%d", i)
			rel, err := chartInstall(t, ns, name, chartValues(t, nil, c.values), true)
			if err != nil {
				t.Fatalf("helm install: %v", err)
			}
			nps := chartObject[networkingv1.NetworkPolicy](t, chartObjects(t, rel.Manifest), "NetworkPolicy")
			if len(nps) != 1 {
				t.Fatalf("release has %d NetworkPolicies, want 1", len(nps))
			}
			// What the API server stored, not what was rendered.
			np, err := cs.NetworkingV1().NetworkPolicies(ns).Get(ctx, nps[0].Name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("the NetworkPolicy was not created: %v", err)
			}
			sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			if err != nil {
				t.Fatal(err)
			}
			all, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			dep := chartDeployment(t, rel)
			var podium, selected []string
			for _, p := range all.Items {
				if sel.Matches(labels.Set(p.Labels)) {
					selected = append(selected, p.Name)
				}
				if strings.HasPrefix(p.Name, dep.Name+"-") && p.Labels["app.kubernetes.io/instance"] == name {
					podium = append(podium, p.Name)
				}
			}
			if len(podium) == 0 {
				t.Fatalf("no pod of release %s in %s", name, ns)
			}
			slices.Sort(podium)
			slices.Sort(selected)
			if !slices.Equal(podium, selected) {
				t.Errorf("the policy selects pods %v; want exactly the release's Podium pods %v", selected, podium)
			}
			// Who is admitted, as a matrix.
			var wrong []string
			var matrix strings.Builder
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range pods {
					if !yield(k) {
						return
					}
				}
			})
			for _, k := range keys {
				admitted := false
				for _, rule := range np.Spec.Ingress {
					for _, peer := range rule.From {
						if chartPeerSelects(t, cs, ns, peer, pods[k]) {
							admitted = true
						}
					}
				}
				want := slices.Contains(c.admit, k)
				fmt.Fprintf(&matrix, "  %-34s admitted=%-5v want=%v\n", k, admitted, want)
				if admitted != want {
					wrong = append(wrong, k)
				}
			}
			if len(wrong) > 0 {
				t.Errorf("peers admitted wrongly: %v\n%s", wrong, matrix.String())
			}
			for _, rule := range np.Spec.Ingress {
				if len(rule.Ports) != 1 || rule.Ports[0].Port == nil || rule.Ports[0].Port.IntValue() != int(dep.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort) {
					t.Errorf("rule admits ports %v; want only Podium's container port", rule.Ports)
				}
			}
		})
	}
}

// chartClientAs is a client that authenticates as ServiceAccount sa in ns,
// with a token from the TokenRequest API, as the chart's pod would.
func chartClientAs(t testing.TB, ns, sa string) kubernetes.Interface {
	t.Helper()
	exp := int64(600)
	tok, err := lab.Client().CoreV1().ServiceAccounts(ns).CreateToken(context.Background(), sa,
		&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for %s/%s: %v", ns, sa, err)
	}
	admin := lab.Config()
	cfg := &rest.Config{Host: admin.Host, BearerToken: tok.Status.Token, TLSClientConfig: rest.TLSClientConfig{
		CAFile: admin.CAFile, CAData: admin.CAData, ServerName: admin.ServerName}}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// chartReview creates, as cs, the SubjectAccessReview Podium's per-user
// views send: may user alice list pods in ns?
func chartReview(ctx context.Context, cs kubernetes.Interface, ns string) error {
	_, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
		User: "alice", Groups: []string{"team-a"},
		ResourceAttributes: &authzv1.ResourceAttributes{Namespace: ns, Verb: "list", Resource: "pods"},
	}}, metav1.CreateOptions{})
	return err
}

// TestChartPerUserViewsRBAC: installed for real, the chart lets Podium's
// ServiceAccount create SubjectAccessReviews only with per-user views on,
// and upgrading the mode off takes the permission away again.
func TestChartPerUserViewsRBAC(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	const on = "authProxy: {enabled: true, cidrs: [10.0.0.0/8]}\nperUserViews: {enabled: true}\n"
	rel, err := chartInstall(t, ns, "podium", chartValues(t, nil), false)
	if err != nil {
		t.Fatalf("helm install: %v", err)
	}
	sa := chartDeployment(t, rel).Spec.Template.Spec.ServiceAccountName
	as := chartClientAs(t, ns, sa)
	forbidden := func(context.Context) error {
		// Each try has its own deadline, so a failure names what was seen
		// rather than the poll's own timeout.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := chartReview(ctx, as, ns)
		if err == nil {
			return errors.New("the ServiceAccount may create SubjectAccessReviews without per-user views")
		}
		if !apierrors.IsForbidden(err) {
			return err
		}
		return nil
	}
	allowed := func(ctx context.Context) error { return chartReview(ctx, as, ns) }

	labtest.Eventually(t, 30*time.Second, forbidden)

	rel, err = chartUpgrade(t, ns, "podium", chartValues(t, nil, on))
	if err != nil {
		t.Fatalf("helm upgrade to per-user views: %v", err)
	}
	labtest.Eventually(t, 30*time.Second, allowed)
	// And nothing else came with it.
	for _, c := range []struct{ verb, res string }{
		{"create", "pods"}, {"create", "serviceaccounts/token"},
		{"create", "localsubjectaccessreviews.authorization.k8s.io"}, {"get", "secrets"}, {"list", "configmaps"},
		{"create", "tokenreviews.authentication.k8s.io"}, {"impersonate", "users"},
	} {
		ok, err := chartCanI(context.Background(), cs, ns, sa, c.verb, c.res, ns)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Errorf("with per-user views the ServiceAccount may %s %s", c.verb, c.res)
		}
	}
	var crs []string
	for _, cr := range chartObject[rbacv1.ClusterRole](t, chartObjects(t, rel.Manifest), "ClusterRole") {
		crs = append(crs, cr.Name)
	}
	if len(crs) != 2 {
		t.Errorf("ClusterRoles %v; want the read-only one and the access review one", crs)
	}

	if _, err := chartUpgrade(t, ns, "podium", chartValues(t, nil)); err != nil {
		t.Fatalf("helm upgrade back: %v", err)
	}
	labtest.Eventually(t, 30*time.Second, forbidden)
}
