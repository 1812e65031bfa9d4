//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/labtest"
)

// Pod anatomy (issue 12): a pod as the tutorial draws it, in the details
// panel and, focused in presenter mode, over the whole stage. A real pod in
// the lab (KWOK runs its containers): one init container, one sidecar, two
// app containers with three ports, one of them a host port, a ConfigMap
// volume and a Secret env. Podium never reads the ConfigMap or the Secret;
// they exist so the pod is what a real one would be.

// anatomyNamespace makes a namespace of the lab named anatomy-…, deleted
// when t ends.
func anatomyNamespace(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "anatomy-" + rand.String(6), Labels: map[string]string{"podium.dev/e2e": "true"}}}
	if _, err := cs.CoreV1().Namespaces().Create(apiCtx(t), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := cs.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil {
			t.Logf("delete namespace %s: %v", ns.Name, err)
		}
	})
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().ServiceAccounts(ns.Name).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
	return ns.Name
}

// anatomyPod is the tutorial's pod, grown: migrate (init) → log-shipper
// (sidecar) beside web and metrics. It stays ContainerCreating for
// readyDelay, so a viewer sees it become ready.
func anatomyPod(ns, readyDelay string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: ns, Labels: map[string]string{"app": "web"},
			Annotations: map[string]string{"podium.dev/lab-ready-delay": readyDelay}},
		Spec: corev1.PodSpec{
			ServiceAccountName: "web-runner",
			InitContainers: []corev1.Container{
				{Name: "migrate", Image: "registry.example/shop/migrate:v3"},
				{Name: "log-shipper", Image: "fluent/fluent-bit:3.1", RestartPolicy: ptrs.To(corev1.ContainerRestartPolicyAlways),
					Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 2020}}},
			},
			Containers: []corev1.Container{
				{Name: "web", Image: "registry.example/shop/web:v3",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, HostPort: 18080}},
					Env: []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "db-password"}, Key: "password"}}}},
					VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/web"}}},
				{Name: "metrics", Image: "registry.example/shop/metrics:1.2",
					Ports: []corev1.ContainerPort{{Name: "dns", ContainerPort: 9153, Protocol: corev1.ProtocolUDP}}},
			},
			Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}}}}},
		},
	}
}

// manyPod has 40 app containers: the anatomy must cut it, not freeze.
func manyPod(ns string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "many-0", Namespace: ns, Annotations: map[string]string{"podium.dev/lab-ready-delay": "0s"}}}
	for i := range 40 {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: fmt.Sprintf("worker-%02d", i), Image: "registry.example/shop/worker:v1",
			Ports: []corev1.ContainerPort{{ContainerPort: int32(9000 + i)}}})
	}
	return p
}

// anatomyFitJS lists what does not fit in the anatomy under root: the
// root scrolling, an element outside its root, box or the window, and a text
// wider than its own box. Empty means everything fits.
const anatomyFitJS = `((sel) => {
  const root = document.querySelector(sel);
  if (!root) return ['no ' + sel];
  const bad = [];
  const R = root.getBoundingClientRect();
  const name = (el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' "' + el.textContent.trim().slice(0, 30) + '"';
  if (R.right > innerWidth + 1 || R.bottom > innerHeight + 1 || R.left < -1 || R.top < -1) bad.push('the anatomy is outside the window: ' + JSON.stringify(R));
  if (root.scrollHeight > root.clientHeight + 1 || root.scrollWidth > root.clientWidth + 1) {
    bad.push('the anatomy scrolls: ' + root.scrollWidth + 'x' + root.scrollHeight + ' in ' + root.clientWidth + 'x' + root.clientHeight);
  }
  const inside = (r, B) => r.left >= B.left - 1 && r.right <= B.right + 1 && r.top >= B.top - 1 && r.bottom <= B.bottom + 1;
  for (const el of root.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (!inside(r, R)) bad.push(name(el) + ' is outside the anatomy');
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) bad.push(name(el) + ' overflows its box: ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  for (const box of root.querySelectorAll('.anat-c, .anat-pod, .anat-node, .anat-side, .anat-headline')) {
    const B = box.getBoundingClientRect();
    for (const el of box.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if ((r.width || r.height) && !inside(r, B)) bad.push(name(el) + ' sticks out of ' + name(box));
    }
  }
  return bad;
})`

// anatomyCard is one container as the page draws it.
type anatomyCard struct {
	Name, Kind, State, Tone, StateText, Image string
	Ready                                     string
	Restarts                                  string
	Ports                                     []string
	HostPorts                                 []string
}

const anatomyCardsJS = `((sel) => [...document.querySelectorAll(sel + ' .anat-c')].map((c) => ({
  Name: c.dataset.container, Kind: c.dataset.kind, State: c.dataset.state, Tone: c.dataset.tone,
  StateText: c.querySelector('[data-testid=container-state]').textContent,
  Image: c.querySelector('.anat-image')?.textContent || '',
  Ready: c.querySelector('.anat-ready')?.dataset.ready || '',
  Restarts: c.querySelector('.anat-restarts')?.dataset.restarts || '',
  Ports: [...c.querySelectorAll('.anat-port')].map((p) => p.textContent),
  HostPorts: [...c.querySelectorAll('.anat-port[data-host-port]')].map((p) => p.dataset.hostPort),
})))`

func TestPodAnatomy(t *testing.T) {
	cs := lab.Client()
	ns := anatomyNamespace(t, cs)
	ctx := context.Background() // each call below is quick; the lab answers or the test times out
	for _, err := range []error{
		create(cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "web-runner"}}, metav1.CreateOptions{})),
		create(cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-config"}, Data: map[string]string{"greeting": "hello"}}, metav1.CreateOptions{})),
		create(cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db-password"}, StringData: map[string]string{"password": "not-for-podium"}}, metav1.CreateOptions{})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	base := startPodium(t, lab.Kubeconfig(), ns)
	br := page(t, base, ns)
	// Created once the page is live, and kept waiting long enough to be seen
	// waiting; short enough to wait out.
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, anatomyPod(ns, "10s"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	podID := "Pod/" + ns + "/web-0"
	panel := `[data-testid=details] [data-testid=anatomy][data-for="` + podID + `"]`
	br.waitJS(countJS(`.pod[data-id="`+podID+`"]`)+` === 1`, 30*time.Second, "the pod drawn")
	eval[bool](br, `document.querySelector('.pod[data-id="`+podID+`"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))`)
	br.waitJS(countJS(panel)+` === 1`, 10*time.Second, "the pod's anatomy in the details panel")

	t.Run("before it is ready: its containers wait, live", func(t *testing.T) {
		br := br.with(t)
		cards := eval[[]anatomyCard](br, anatomyCardsJS+`(`+jsString(panel)+`)`)
		if len(cards) != 4 {
			t.Fatalf("%d containers drawn, want 4: %+v", len(cards), cards)
		}
		waiting := 0
		for _, c := range cards {
			if c.State == "waiting" {
				waiting++
			}
		}
		if waiting == 0 {
			t.Errorf("no container is waiting right after the pod was created (ready delay 10s): %+v", cards)
		}
		br.shot("panel-waiting")
	})

	// The same panel, never reopened: it follows the pod.
	br.waitJS(`[...document.querySelectorAll(`+jsString(panel+` .anat-c[data-kind=app]`)+`)].every((c) => c.dataset.state === 'running' && c.querySelector('.anat-ready').dataset.ready === 'true') && `+countJS(panel+` .anat-c[data-kind=app]`)+` === 2`, 45*time.Second, "both app containers running and ready, in the open panel")
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, "web-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pod.Status.HostIP == "" || pod.Status.PodIP == "" {
		t.Fatalf("the lab gave the pod no IPs: host %q pod %q", pod.Status.HostIP, pod.Status.PodIP)
	}

	t.Run("the details panel: every container in order, its state, readiness, restarts and ports", func(t *testing.T) {
		br := br.with(t)
		cards := eval[[]anatomyCard](br, anatomyCardsJS+`(`+jsString(panel)+`)`)
		var got []string
		for _, c := range cards {
			got = append(got, fmt.Sprintf("%s %s %s %q ready=%s restarts=%s ports=%v host=%v", c.Kind, c.Name, c.State, c.StateText, c.Ready, c.Restarts, c.Ports, c.HostPorts))
		}
		want := []string{
			`init migrate terminated "Completed · exit 0" ready= restarts= ports=[] host=[]`,
			`sidecar log-shipper running "Running" ready=true restarts=0 ports=[2020] host=[]`,
			`app web running "Running" ready=true restarts=0 ports=[8080 (host 18080)] host=[18080]`,
			`app metrics running "Running" ready=true restarts=0 ports=[9153/UDP] host=[]`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("containers drawn:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		images := map[string]string{}
		for _, c := range cards {
			images[c.Name] = c.Image
		}
		if images["web"] != "web:v3" || images["log-shipper"] != "fluent-bit:3.1" {
			t.Errorf("images drawn: %v", images)
		}
	})

	t.Run("the sandbox and the node side: pod IP, pause, node IP, host ports, service account", func(t *testing.T) {
		br := br.with(t)
		text := func(sel string) string {
			return eval[string](br, `document.querySelector(`+jsString(panel+` `+sel)+`)?.textContent || ''`)
		}
		sandbox := text(`[data-testid=anatomy-sandbox]`)
		for _, want := range []string{"pause", pod.Status.PodIP, "localhost"} {
			if !strings.Contains(sandbox, want) {
				t.Errorf("sandbox text %q lacks %q", sandbox, want)
			}
		}
		if got := text(`[data-testid=anatomy-pod-ip]`); got != "Pod IP "+pod.Status.PodIP {
			t.Errorf("pod IP %q, want %q", got, "Pod IP "+pod.Status.PodIP)
		}
		if got := text(`[data-testid=anatomy-node-ip]`); got != "node IP "+pod.Status.HostIP {
			t.Errorf("node IP %q, want %q", got, "node IP "+pod.Status.HostIP)
		}
		if got := eval[string](br, `document.querySelector(`+jsString(panel+` [data-testid=anatomy-node-head]`)+`).dataset.node`); got != pod.Spec.NodeName {
			t.Errorf("node %q, want %q", got, pod.Spec.NodeName)
		}
		if got, want := text(`[data-testid=anatomy-host-ports]`), pod.Status.HostIP+":18080 → web:8080"; got != want {
			t.Errorf("host ports %q, want %q", got, want)
		}
		if got := text(`[data-testid=anatomy-host-network]`); !strings.HasPrefix(got, "hostNetwork: no") {
			t.Errorf("hostNetwork line %q", got)
		}
		if got := text(`[data-testid=anatomy-sa]`); got != "web-runner" {
			t.Errorf("service account %q, want web-runner", got)
		}
		if got := eval[string](br, `document.querySelector('[data-testid=details] [data-testid=details-labels]')?.textContent || ''`); got != "app=web" {
			t.Errorf("labels %q, want app=web", got)
		}
	})

	t.Run("references: the ConfigMap volume and the Secret env, by name, with their containers", func(t *testing.T) {
		br := br.with(t)
		refs := `(() => [...document.querySelectorAll(` + jsString(panel+` [data-testid=anatomy-refs] li[data-ref]`) + `)].map((li) => li.dataset.ref + ' broken=' + li.dataset.broken + ' ' + li.querySelector('.anat-how').textContent).join('\n'))()`
		want := strings.Join([]string{
			"ConfigMap/" + ns + "/web-config broken=false volume · used by web",
			"Secret/" + ns + "/db-password broken=false env · used by web",
		}, "\n")
		br.waitJS(refs+` === `+jsString(want), 20*time.Second, "the two references")
	})

	t.Run("the panel fits: nothing wider than the panel", func(t *testing.T) {
		br := br.with(t)
		if w := eval[[]float64](br, `(() => { const d = document.querySelector('[data-testid=details]'); return [d.scrollWidth, d.clientWidth]; })()`); w[0] > w[1]+1 {
			t.Errorf("the details panel scrolls sideways: %v wide in %v", w[0], w[1])
		}
		br.shot("panel-ready")
		// The whole panel, tall enough not to scroll, for docs/img/anatomy-panel.png.
		if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1600, 1500)); err != nil {
			t.Fatal(err)
		}
		br.shotOf(`[data-testid=details]`, "anatomy-panel")
	})

	t.Run("restarts show live in the open panel", func(t *testing.T) {
		br := br.with(t)
		patch := []byte(`{"metadata":{"labels":{"podium.dev/lab-restart":"true"}}}`)
		if _, err := cs.CoreV1().Pods(ns).Patch(ctx, "web-0", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		br.waitJS(`Number(document.querySelector(`+jsString(panel+` .anat-c[data-container=web] .anat-restarts`)+`).dataset.restarts) >= 1`, 30*time.Second, "web's restart count to climb in the open panel")
		if got := eval[string](br, `document.querySelector(`+jsString(panel+` .anat-c[data-container=web] .anat-restarts`)+`).textContent`); !strings.HasPrefix(got, "restarts ") {
			t.Errorf("restarts text %q", got)
		}
		// Stop the restarts: the presenter checks below want a still pod.
		patch = []byte(`{"metadata":{"labels":{"podium.dev/lab-restart":null}}}`)
		if _, err := cs.CoreV1().Pods(ns).Patch(ctx, "web-0", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		br.shot("panel-restarted")
	})

	t.Run("presenter mode: the focused pod fills the stage and fits, in English, Chinese and at 1920×1080", func(t *testing.T) {
		pbr := presenterPage(t, base, ns, "presenter=1&lang=en&focus="+podID, "", true)
		stage := `[data-testid=anatomy-stage]`
		pbr.waitJS(countJS(stage+`:not([hidden]) [data-testid=anatomy][data-for="`+podID+`"]`)+` === 1 && `+quietJS, 20*time.Second, "the pod's anatomy on the stage")
		for _, step := range []struct {
			name, lang string
			w, h       int64
		}{{"en-1280", "en", 1280, 720}, {"zh-1280", "zh-CN", 1280, 720}, {"zh-1920", "zh-CN", 1920, 1080}, {"en-1920", "en", 1920, 1080}} {
			t.Run(step.name, func(t *testing.T) {
				br := pbr.with(t)
				if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(step.w, step.h)); err != nil {
					t.Fatal(err)
				}
				if eval[string](br, `document.documentElement.lang`) != step.lang {
					br.key("l")
				}
				br.waitJS(`document.documentElement.lang === `+jsString(step.lang)+` && innerWidth === `+fmt.Sprint(step.w), 5*time.Second, "language and size")
				sandbox := "pause 这些容器共用一个网络"
				if step.lang == "en" {
					sandbox = "pause One network for all these containers"
				}
				br.waitJS(`(document.querySelector(`+jsString(stage+` [data-testid=anatomy-sandbox]`)+`)?.textContent || '').startsWith(`+jsString(sandbox)+`)`, 5*time.Second, "the sandbox sentence in "+step.lang)
				for _, bad := range eval[[]string](br, anatomyFitJS+`(`+jsString(stage)+`)`) {
					t.Error(bad)
				}
				// The pod of the issue fits whole: nothing cut, nothing "+N more".
				if n := eval[float64](br, countJS(stage+` .anat-c`)); n != 4 {
					t.Errorf("%v containers on the stage, want 4", n)
				}
				if n := eval[float64](br, countJS(stage+` .anat-port`)); n != 3 {
					t.Errorf("%v ports on the stage, want 3", n)
				}
				if n := eval[float64](br, countJS(stage+` [data-testid=anatomy-refs] li[data-ref]`)); n != 2 {
					t.Errorf("%v references on the stage, want 2", n)
				}
				if n := eval[float64](br, countJS(stage+` .anat-more`)); n != 0 {
					t.Errorf("%v '+N more' on the stage, want none", n)
				}
				if got := eval[string](br, `document.querySelector(`+jsString(stage)+`).dataset.step`); got != "0" {
					t.Errorf("the stage stepped down to %s to fit, want 0", got)
				}
				for _, x := range eval[[]textSize](br, visibleTextJS) {
					if x.Px < 20 {
						t.Errorf("%.1f px: %q (%s)", x.Px, x.Text, x.Cls)
					}
				}
				br.shot("presenter-" + step.name)
			})
		}
	})

	t.Run("40 containers: cut with a count, in the panel and on the stage, never frozen", func(t *testing.T) {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, manyPod(ns), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		manyID := "Pod/" + ns + "/many-0"
		br := br.with(t)
		br.waitJS(countJS(`.pod[data-id="`+manyID+`"][data-state=ready]`)+` === 1`, 45*time.Second, "the 40-container pod ready")
		eval[bool](br, `document.querySelector('.pod[data-id="`+manyID+`"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))`)
		many := `[data-testid=details] [data-testid=anatomy][data-for="` + manyID + `"]`
		br.waitJS(countJS(many+` .anat-c`)+` === 16 && document.querySelector(`+jsString(many+` [data-testid=anatomy-more-run]`)+`)?.dataset.count === '24'`, 10*time.Second, "16 containers and '+24 more' in the panel")
		if s := eval[[]float64](br, `(() => { const d = document.querySelector('[data-testid=details]'); return [d.scrollHeight, d.clientHeight, d.scrollWidth, d.clientWidth]; })()`); s[2] > s[3]+1 {
			t.Errorf("the panel scrolls sideways: %v", s)
		} else if s[0] <= s[1] {
			t.Logf("the panel holds the 16 without scrolling: %v", s)
		}
		br.shot("panel-40")

		pbr := presenterPage(t, base, ns, "presenter=1&lang=zh-CN&focus="+manyID, "", true)
		stage := `[data-testid=anatomy-stage]`
		pbr.waitJS(countJS(stage+` [data-testid=anatomy][data-for="`+manyID+`"]`)+` === 1 && `+quietJS, 20*time.Second, "the 40-container pod on the stage")
		for _, bad := range eval[[]string](pbr, anatomyFitJS+`(`+jsString(stage)+`)`) {
			t.Error(bad)
		}
		shown := eval[float64](pbr, countJS(stage+` .anat-c`))
		more := eval[string](pbr, `document.querySelector(`+jsString(stage+` [data-testid=anatomy-more-run]`)+`)?.dataset.count || ''`)
		if shown < 1 || more != fmt.Sprint(40-int(shown)) {
			t.Errorf("%v containers on the stage and '+%s more', want them to add up to 40", shown, more)
		}
		// The page still answers at once: a frame is drawn within a second.
		if !eval[bool](pbr, `new Promise((ok) => { const t0 = performance.now(); requestAnimationFrame(() => ok(performance.now() - t0 < 1000)); })`) {
			t.Error("no frame within a second: the page is stuck")
		}
		pbr.shot("presenter-40-zh")
	})
}

// shotOf saves a screenshot of the element sel to e2e/artifacts/name.png.
func (b *browser) shotOf(sel, name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.Screenshot(sel))
	if err == nil {
		err = os.WriteFile(filepath.Join("artifacts", name+".png"), buf, 0o644)
	}
	if err != nil {
		b.t.Errorf("screenshot of %s: %v", sel, err)
	}
}

// create drops the object of a Create call, keeping its error.
func create[T any](_ T, err error) error { return err }
