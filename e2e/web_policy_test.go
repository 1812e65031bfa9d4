//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The picture of issue #13 ("who may talk to whom, who may do what")
// against a served fixture: web/test/fixtures/policy.json (made by
// policy.gen.js) holds every new kind, played by `podium replay`, so the
// page's layers, edges, reachability lighting and the Node drain work
// without the model's new informers. The reachability endpoint is stubbed
// in the page (window.fetch), with the JSON shape DESIGN.md pins.

// policyPodium serves the fixture as a paused recording and returns its URL.
func policyPodium(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../web/test/fixtures/policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	rawDrain, err := os.ReadFile("../web/test/fixtures/policy-drain.json")
	if err != nil {
		t.Fatal(err)
	}
	var drain map[string]any
	if err := json.Unmarshal(rawDrain, &drain); err != nil {
		t.Fatal(err)
	}
	hdr := `{"format":"podium-recording","version":1,"podiumVersion":"dev","clusterVersion":"v1.37.2","start":"2026-12-01T12:00:00Z","namespaces":["shop"]}`
	msg, _ := json.Marshal(map[string]any{"t": 0, "msg": snap})
	// The drain comes a second into playing (the test presses play).
	msg2, _ := json.Marshal(map[string]any{"t": 1000, "msg": drain})
	rec := filepath.Join(t.TempDir(), "policy.jsonl")
	if err := os.WriteFile(rec, []byte(hdr+"\n"+string(msg)+"\n"+string(msg2)+"\n"+`{"t":600000,"end":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "replay", rec, "--listen", addr, "--paused")
	return p.URL
}

// reachStubJS answers /api/reachability in the page: web pods may be
// reached by api pods on TCP/8080 (policy web-allow-api, its first rule)
// and reach DNS beyond the cluster. Any other pod gets a 500, which the
// panel must show as a message. ?service= says no web pod is reachable from
// the ingress controller's namespace.
const reachStubJS = `(() => {
  const real = window.fetch;
  window.reachAsked = [];
  window.fetch = (u, o) => {
    const url = new URL(String(u), location.href);
    if (url.pathname !== '/api/reachability') return real(u, o);
    const svc = url.searchParams.get('service');
    if (svc) {
      const web = [...window.podium.store.nodes.values()].filter((n) => n.kind === 'Pod' && n.labels?.app === 'web').map((n) => n.id);
      return Promise.resolve(new Response(JSON.stringify({ service: svc, from: 'Namespace/ingress-nginx', reachable: [], unreachable: web }), { status: 200 }));
    }
    const pod = url.searchParams.get('pod');
    window.reachAsked.push(pod);
    if (!pod.startsWith('Pod/shop/web-')) return Promise.resolve(new Response(JSON.stringify({ error: 'no such pod: ' + pod }), { status: 500 }));
    const api = [...window.podium.store.nodes.values()].filter((n) => n.kind === 'Pod' && n.labels?.app === 'api').map((n) => n.id);
    return Promise.resolve(new Response(JSON.stringify({
      pod,
      ingress: { isolated: true, allowed: api.map((id) => ({ from: id, policy: 'NetworkPolicy/shop/web-allow-api', rule: 0, ports: ['TCP/8080'] })), beyond: [] },
      egress: { isolated: true, allowed: [], beyond: [{ ipBlock: { cidr: '0.0.0.0/0' }, policy: 'NetworkPolicy/shop/web-allow-api', rule: 0, ports: ['UDP/53'] }] },
    }), { status: 200, headers: { 'Content-Type': 'application/json' } }));
  };
  return true;
})()`

// docShot takes a screenshot and keeps it as e2e/artifacts/<name>.png too,
// the name the README's pictures are taken from.
func docShot(b *browser, name string) {
	b.t.Helper()
	path := b.shot(name)
	if path == "" {
		return
	}
	raw, err := os.ReadFile(path)
	if err == nil {
		err = os.WriteFile(filepath.Join(filepath.Dir(path), name+".png"), raw, 0o644)
	}
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

func dblclick(b *browser, id string) {
	b.t.Helper()
	sel := fmt.Sprintf(`[data-id="%s"] .pod-hit, [data-id="%s"]`, id, id)
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%s).dispatchEvent(new MouseEvent('dblclick', { bubbles: true })), true)`, jsString(sel)))
}

func text(b *browser, sel string) string {
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%s)?.textContent || '')`, jsString(sel)))
}

// TestWebPolicy: the three layers of issue #13 (identity, netpol, quotas),
// each new kind and edge with its DOM contract, the risky flags, the
// reachability lighting of a focused pod (and its error), both languages,
// and a Node cordoned and drained with its happenings; screenshots for the
// README (e2e/artifacts/policy-*.png).
func TestWebPolicy(t *testing.T) {
	base := policyPodium(t)
	br := newBrowser(t, true)
	if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1600, 1000)); err != nil {
		t.Fatal(err)
	}
	live := `document.querySelector('[data-testid=banner]').dataset.state === 'live' && document.querySelector('[data-id="Deployment/shop/web"]') !== null`
	br.open(base + "/")
	br.waitJS(live, 20*time.Second, "the policy fixture drawn")

	// Defaults: quotas on (the namespace band and the budget), identity
	// and network policy off.
	if got := eval[string](br, `document.body.dataset.layers`); got != "storage,jobs,autoscaling,warnings,quotas" {
		t.Errorf("default layers %q", got)
	}
	for _, sel := range []string{`[data-id="Namespace/shop"][data-status="Full"]`, `[data-id="PodDisruptionBudget/shop/web"][data-status="Allowed"]`, `[data-testid=quota].full`, `[data-testid=pss-badge][data-level=baseline]`, `[data-testid=limit-ranges]`} {
		if drawn(br, sel) == 0 {
			t.Errorf("by default the page draws %s: it does not", sel)
		}
	}
	for _, sel := range []string{`[data-id^="ServiceAccount/"]`, `[data-id^="NetworkPolicy/"]`, `[data-edge^="grants:"]`, `[data-agg^="agg:runs-as:"]`, `[data-agg^="agg:isolates:"]`} {
		if n := drawn(br, sel); n != 0 {
			t.Errorf("identity and netpol are off by default, yet %d of %s are drawn", n, sel)
		}
	}
	if got := text(br, `[data-id="PodDisruptionBudget/shop/web"] [data-testid=side-line]`); !strings.Contains(got, "1 disruption allowed") {
		t.Errorf("the budget says %q, want 1 disruption allowed", got)
	}

	// Nodes for real: pods against capacity, cordon, conditions, taints.
	node1 := `[data-id="Node/node-1"]`
	if drawn(br, node1+`[data-cordoned=true].cordoned`) != 1 || !strings.Contains(text(br, node1+` [data-testid=node-status]`), "MemoryPressure") || drawn(br, node1+` [data-testid=node-status].bad`) != 1 {
		t.Errorf("node-1 (cordoned, MemoryPressure) reads %q", text(br, node1+` [data-testid=node-status]`))
	}
	// The line is cut to the box; the box's title says all of it.
	if got := text(br, node1+` [data-testid=node-taints]`); !strings.HasPrefix(got, "SchedulingDisabled · ") {
		t.Errorf("node-1's taints read %q", got)
	}
	if got := text(br, node1+` title`); !strings.Contains(got, "SchedulingDisabled · dedicated=gpu:NoSchedule") || !strings.Contains(got, "cpu 3800m · mem 15Gi") {
		t.Errorf("node-1's title reads %q", got)
	}
	if got := text(br, `[data-id="Node/node-2"] [data-testid=node-capacity]`); !strings.HasPrefix(got, "3/3 pods") || drawn(br, `[data-id="Node/node-2"] [data-testid=node-capacity].bad`) != 1 {
		t.Errorf("node-2 (3 pods of 3) reads %q, want 3/3 pods in warning colour", got)
	}
	docShot(br, "policy-quotas")

	// Identity: i.
	br.key("i")
	br.waitJS(`document.querySelector('[data-id="ServiceAccount/shop/web"]') !== null`, 5*time.Second, "ServiceAccounts after i")
	for _, sel := range []string{
		`[data-id="ServiceAccount/shop/api"][data-status=Risky][data-risky=secrets]`,
		`[data-id="Role/shop/secret-reader"][data-status=Risky]`,
		`[data-id="Role/shop/pod-exec"]`,
		`[data-id="ClusterRole/view"][data-status=Ready]`,
		`[data-id="ClusterRole/cluster-admin"][data-status=Risky]`,
		`[data-id="User/alice"]`,
		`[data-edge="grants:ServiceAccount/shop/web->ClusterRole/view@RoleBinding/shop/web-view"][data-status=namespaced]`,
		`[data-edge="grants:User/alice->Role/shop/pod-exec@RoleBinding/shop/alice-exec"]`,
		`[data-agg="agg:runs-as:Deployment/shop/web->ServiceAccount/shop/web"][data-token=true][data-count="3"]`,
		`[data-agg="agg:runs-as:Deployment/shop/api->ServiceAccount/shop/api"][data-token=false]`,
		`[data-edge="runs-as:Pod/shop/debug->ServiceAccount/shop/default"]`,
	} {
		if drawn(br, sel) != 1 {
			t.Errorf("with identity on, %s is not drawn once", sel)
		}
	}
	// Cluster-wide identity nobody in view is granted stays out.
	for _, sel := range []string{`[data-id="Group/system:nodes"]`, `[data-id="ClusterRole/system:node"]`} {
		if drawn(br, sel) != 0 {
			t.Errorf("%s is drawn though nothing in view is bound to it", sel)
		}
	}
	if got := text(br, `[data-id="Role/shop/secret-reader"] [data-testid=risky-badge] text`); !strings.Contains(got, "can read Secrets") {
		t.Errorf("the secret reader's badge says %q", got)
	}
	if got := text(br, `[data-id="Role/shop/secret-reader"] [data-testid=side-line]`); !strings.HasPrefix(got, "get,list,watch secrets") {
		t.Errorf("the secret reader's rules read %q", got)
	}
	if got := text(br, `[data-edge="grants:ServiceAccount/shop/web->ClusterRole/view@RoleBinding/shop/web-view"] text`); got != "web-view in shop" {
		t.Errorf("the RoleBinding of a ClusterRole is labelled %q, want web-view in shop", got)
	}
	if got := text(br, `[data-id="ServiceAccount/shop/web"] [data-testid=side-line]`); got != "token mounted · 3 pods" {
		t.Errorf("the web account says %q", got)
	}
	docShot(br, "policy-identity")

	// Network policy: n.
	eval[bool](br, reachStubJS)
	br.key("n")
	br.waitJS(`document.querySelector('[data-id="NetworkPolicy/shop/web-allow-api"]') !== null`, 5*time.Second, "policies after n")
	for _, sel := range []string{
		`[data-id="NetworkPolicy/shop/web-allow-api"][data-status="Ingress+Egress"]`,
		`[data-id="NetworkPolicy/shop/default-deny"][data-status="Ingress"]`,
		`[data-agg="agg:isolates:NetworkPolicy/shop/web-allow-api->Deployment/shop/web"][data-count="3"]`,
		`[data-agg="agg:isolates:NetworkPolicy/shop/default-deny->Deployment/shop/api"]`,
		`[data-edge="isolates:NetworkPolicy/shop/default-deny->Pod/shop/debug"]`,
	} {
		if drawn(br, sel) != 1 {
			t.Errorf("with netpol on, %s is not drawn once", sel)
		}
	}
	if got := text(br, `[data-id="NetworkPolicy/shop/web-allow-api"] [data-testid=side-line]`); !strings.Contains(got, "from app=api :TCP/8080") {
		t.Errorf("the policy's rules read %q", got)
	}
	if got := text(br, `[data-testid=netpol-note]`); !strings.Contains(got, "depends on the cluster's network plugin") {
		t.Errorf("the caveat reads %q", got)
	}
	web0 := "Pod/shop/web-6f7c8d-p0"
	dblclick(br, web0)
	br.waitJS(`document.querySelector('[data-testid=canvas]').classList.contains('has-reach') && document.querySelectorAll('.pod.reach-in').length === 2`, 5*time.Second, "the api pods lit as reaching the focused web pod")
	if n := drawn(br, `.pod.reach-self[data-id="`+web0+`"]`); n != 1 {
		t.Error("the focused pod is not marked reach-self")
	}
	if n := drawn(br, `.pod.reach-in[data-id^="Pod/shop/web-"], .pod.reach-in[data-id="Pod/shop/debug"]`); n != 0 {
		t.Errorf("%d pods that may not reach it are lit", n)
	}
	br.waitJS(`document.querySelectorAll('[data-testid=reach-ingress] li').length === 2`, 5*time.Second, "the allowed peers listed")
	if got := text(br, `[data-testid=reach-ingress] li`); !strings.Contains(got, "web-allow-api rule 1") || !strings.Contains(got, "TCP/8080") {
		t.Errorf("a peer reads %q, want the policy, rule and port", got)
	}
	if got := text(br, `[data-testid=reach] [data-testid=reach-caveat]`); !strings.Contains(got, "Policy as declared") {
		t.Errorf("the panel's caveat reads %q", got)
	}
	eval[bool](br, `(document.querySelector('[data-testid=reach]').scrollIntoView(), true)`)
	docShot(br, "policy-netpol")
	// Focus cleared: nothing lit.
	br.key(kb.Escape)
	br.waitJS(`!document.querySelector('[data-testid=canvas]').classList.contains('has-reach') && !document.body.dataset.focus`, 5*time.Second, "the lighting cleared with the focus")
	// An error is a message, and the page carries on.
	dblclick(br, "Pod/shop/debug")
	br.waitJS(`(document.querySelector('[data-testid=reach-error]')?.textContent || '').includes('500')`, 5*time.Second, "the error shown")
	if st := eval[string](br, `document.querySelector('[data-testid=banner]').dataset.state`); st != "live" {
		t.Errorf("after a failed reachability request the banner is %q", st)
	}
	if drawn(br, `.canvas.has-reach`) != 0 {
		t.Error("a failed request still lights pods")
	}
	// Bounded: one request per focused pod, however many frames drew.
	if asked := eval[[]string](br, `window.reachAsked`); len(asked) != 2 {
		t.Errorf("reachability asked %d times (%v), want once per focus", len(asked), asked)
	}
	// A Service whose pods the ingress controller's namespace cannot reach
	// is flagged.
	dblclick(br, "Service/shop/web")
	br.waitJS(`document.querySelector('[data-id="Service/shop/web"][data-reach=unreachable] [data-testid=unreachable-flag] title')?.textContent === 'unreachable from ingress-nginx'`, 5*time.Second, "the Service flagged unreachable")
	br.key(kb.Escape)
	br.waitJS(`!document.body.dataset.focus && document.body.dataset.presenter !== 'true' && !document.querySelector('[data-testid=unreachable-flag]')`, 5*time.Second, "the focus and the flag cleared")

	// Quotas: q hides the namespace's quotas and the budget.
	br.key("q")
	br.waitJS(`document.querySelector('[data-id="Namespace/shop"]') === null && document.querySelector('[data-id="PodDisruptionBudget/shop/web"]') === null`, 5*time.Second, "quotas off after q")
	br.key("q")

	// A Node cordoned and drained (the recording's next message, played):
	// happenings in words, the evicted pod out, its replacement on another
	// Node.
	replayControl(t, base, `{"action":"play"}`)
	br.waitJS(`document.querySelector('[data-id="Node/node-2"][data-cordoned=true]') !== null && document.querySelector('[data-id="Pod/shop/web-6f7c8d-p0"]') === null && document.querySelector('[data-id="Pod/shop/web-6f7c8d-p9"][data-node="Node/node-3"]') !== null`, 5*time.Second, "node-2 cordoned, its pod replaced on node-3")
	ticker := text(br, `[data-testid=ticker]`)
	for _, want := range []string{"Node node-2 cordoned", "drain node-2: Pod shop/web-6f7c8d-p0 evicted", "drain node-2: held back by budget shop/web (0 disruptions allowed)"} {
		if !strings.Contains(ticker, want) {
			t.Errorf("the ticker lacks %q: %q", want, ticker)
		}
	}
	docShot(br, "policy-node-drain")

	// Chinese.
	br.open(base + "/?lang=zh-CN&layers=identity,netpol,quotas")
	br.waitJS(live+` && document.querySelector('[data-id="Role/shop/secret-reader"]') !== null`, 20*time.Second, "the page in Chinese")
	for sel, want := range map[string]string{
		`[data-id="Role/shop/secret-reader"] [data-testid=risky-badge] text`:                            "可读取 Secret",
		`[data-testid=pss-badge] text`:                                                                  "Pod 安全级别",
		`[data-id="PodDisruptionBudget/shop/web"] [data-testid=side-line]`:                              "允许 1 次中断",
		`[data-edge="grants:ServiceAccount/shop/web->ClusterRole/view@RoleBinding/shop/web-view"] text`: "web-view（限 shop）",
		`[data-testid=netpol-note]`:                                                                     "网络插件",
		`[data-id="Node/node-1"] [data-testid=node-taints]`:                                             "禁止调度",
	} {
		if got := text(br, sel); !strings.Contains(got, want) {
			t.Errorf("zh-CN: %s reads %q, want %q in it", sel, got, want)
		}
	}
}

// TestWebPolicyFit: in presenter mode at 1280×720 and 1920×1080, in English
// and Chinese, with the three new layers on, no text of the picture
// overlaps another or leaves its box, and the picture fits the stage.
func TestWebPolicyFit(t *testing.T) {
	base := policyPodium(t)
	for _, size := range [][2]int64{{1280, 720}, {1920, 1080}} {
		for _, lang := range []string{"en", "zh-CN"} {
			t.Run(fmt.Sprintf("%dx%d-%s", size[0], size[1], lang), func(t *testing.T) {
				br := newBrowser(t, true)
				if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
					t.Fatal(err)
				}
				br.open(base + "/?presenter=1&layers=warnings,identity,netpol,quotas&lang=" + lang)
				br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live' && document.querySelector('[data-id="Role/shop/secret-reader"]') !== null`, 20*time.Second, "the policy fixture drawn")
				br.waitJS(quietJS, 5*time.Second, "animations done")
				// Known miss, not this issue's: at 1280×720 presenter type is
				// taller than a lane's label row, and each ReplicaSet lane's
				// label overlaps its first pod (the same miss TestWave2Fit
				// holds with its ratchet). Everything issue #13 draws must fit.
				known := 0
				if size[0] == 1280 {
					known = 2
				}
				checkFitAllowing(t, br, lang, known)
				br.shot("policy-fit")
			})
		}
	}
}
