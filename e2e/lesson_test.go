//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/server/lesson"
)

// Guided lessons on the page (issue #14): the panel follows a live lesson
// on the cluster's own happenings, seeks a replay per step, and shows a bad
// file's problem without stopping the picture.

// writeLesson writes a lesson file for the test and returns its path.
func writeLesson(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// liveLesson is the tutorial's first minutes in namespace ns: each step's
// until is a happening the cluster makes when its command runs.
func liveLesson(ns string) string {
	return fmt.Sprintf(`version: 1
title: {en: Hello Kubernetes, zh-CN: 你好 Kubernetes}
steps:
  - title: {en: A Deployment, zh-CN: 一个 Deployment}
    text:
      en: A Deployment asks for one pod. Its ReplicaSet makes it, and the scheduler puts it on a Node.
      zh-CN: Deployment 要求一个 Pod。它的 ReplicaSet 创建 Pod，调度器把它放到一个节点上。
    command: kubectl create deployment web --image=hellok8s:v1 -n %[1]s
    until: {kind: created, ref: Deployment/%[1]s/web}
  - title: {en: Scale up, zh-CN: 扩容}
    text:
      en: Three replicas. Watch two new pods appear beside the first.
      zh-CN: 三个副本。看两个新 Pod 出现在第一个旁边。
    focus: Deployment/%[1]s/web
    layers: [jobs, warnings]
    command: kubectl scale deployment web --replicas=3 -n %[1]s
    until: {kind: scaled, ref: Deployment/%[1]s/web, params: {to: "3"}}
  - title: {en: A Service, zh-CN: 一个 Service}
    text:
      en: The Service selects the pods by their labels and routes to the ready ones.
      zh-CN: Service 按标签选择 Pod，并把流量路由到就绪的 Pod。
    layers: [storage, jobs, autoscaling, warnings, quotas]
    command: kubectl expose deployment web --port=80 --target-port=3000 -n %[1]s
    until: {kind: endpoints, ref: Service/%[1]s/web}
  - title: {en: A StatefulSet, zh-CN: 一个 StatefulSet}
    text:
      en: Each pod of a StatefulSet has a stable name, db-0, and keeps it.
      zh-CN: StatefulSet 的每个 Pod 都有一个稳定的名字，比如 db-0，并一直保留它。
    command: kubectl apply -f db.yaml -n %[1]s
    until: {kind: created, ref: StatefulSet/%[1]s/db}
  - title: {en: Delete db-0, zh-CN: 删除 db-0}
    text:
      en: The StatefulSet makes db-0 again, with the same name and a new uid.
      zh-CN: StatefulSet 重新创建 db-0：同样的名字，新的 uid。
    focus: StatefulSet/%[1]s/db
    command: kubectl delete pod db-0 -n %[1]s
    until: {kind: replaced, ref: Pod/%[1]s/db-0}
`, ns)
}

// builtinLesson reads GET /api/lesson of a Podium serving the built-in demo:
// its lesson and each step's marker on the recording's timeline (-1: a
// step without until stays where the step before it is).
func builtinLesson(t *testing.T, base string) (lesson.Lesson, []int) {
	t.Helper()
	var got struct {
		Lesson  lesson.Lesson `json:"lesson"`
		Markers []int         `json:"markers"`
		Error   string        `json:"error"`
	}
	resp, err := http.Get(base + "/api/lesson")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/lesson: %s; the demo serves its built-in lesson", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Error != "" || len(got.Lesson.Steps) < 3 || len(got.Markers) != len(got.Lesson.Steps) {
		t.Fatalf("GET /api/lesson: error %q, %d steps, markers %v; want a good lesson with a marker per step", got.Error, len(got.Lesson.Steps), got.Markers)
	}
	return got.Lesson, got.Markers
}

// stepState is the panel's state for step s with marker m in a replay: a
// step without until has none; one with it is done once sought.
func stepState(s lesson.Step, m int) string {
	if s.Until == nil {
		return "none"
	}
	if m >= 0 {
		return "done"
	}
	return "waiting"
}

// firstState is the panel's state for step s before anything moved.
func firstState(s lesson.Step) string {
	if s.Until == nil {
		return "none"
	}
	return "waiting"
}

// replayAtJS: the replay shows happening m (or one recorded at the same
// instant).
func replayAtJS(m int) string {
	return fmt.Sprintf(`(() => { const r = window.podiumReplay, i = Number(r.bar.dataset.happening), hs = r.info.happenings; return i >= 0 && hs[i].time === hs[%d].time; })()`, m)
}

// lessonBrowser opens url at w×h and waits for the app.
func lessonBrowser(t *testing.T, url string, w, h int64) *browser {
	t.Helper()
	br := newBrowser(t, true)
	if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatal(err)
	}
	br.open(url)
	return br
}

// panelJS reads the lesson panel as the audience sees it.
const panelJS = `(() => {
  const p = document.querySelector('[data-testid=lesson]');
  const txt = (id) => { const n = p.querySelector('[data-testid=' + id + ']'); return n && !n.hidden ? n.textContent : ''; };
  return { shown: !p.hidden && p.getBoundingClientRect().height > 0, step: Number(p.dataset.step), state: p.dataset.state || '',
    title: txt('lesson-title'), text: txt('lesson-text'), status: txt('lesson-state'), error: txt('lesson-error'),
    command: p.querySelector('[data-testid=lesson-command]').hidden ? '' : p.querySelector('[data-testid=lesson-command] code').textContent };
})()`

type panelView struct {
	Shown                                      bool
	Step                                       int
	State, Title, Text, Status, Error, Command string
}

// waitPanel waits until the panel shows step (0-based) in state. The
// deadline is long: the lab is shared, and under another test's thousands
// of pods it takes a minute or more to make a pod ready.
func waitPanel(br *browser, step int, state, what string) {
	br.t.Helper()
	br.waitJS(fmt.Sprintf(`(() => { const p = document.querySelector('[data-testid=lesson]'); return !p.hidden && p.dataset.step === '%d' && p.dataset.state === '%s'; })()`, step, state), 3*time.Minute, what)
}

// bandFitJS lists what of the band is not readable: text under 20 px, text
// cut off (the panel or a line scrolls), or the band off the screen.
const bandFitJS = `(() => {
  const bad = [];
  const band = document.querySelector('[data-testid=band]');
  const r = band.getBoundingClientRect();
  if (r.height === 0) bad.push('the band is not shown');
  if (r.bottom > innerHeight + 1 || r.right > innerWidth + 1) bad.push('the band runs off the screen: ' + JSON.stringify(r));
  // The band and the panel scroll rather than clip: text is cut when they do.
  for (const el of [band, ...band.querySelectorAll('.lesson, .audience')]) {
    if (el.hidden || el.getClientRects().length === 0) continue;
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) bad.push('cut: ' + (el.className || el.tagName) + ' ' + el.scrollWidth + 'x' + el.scrollHeight + ' in ' + el.clientWidth + 'x' + el.clientHeight);
  }
  const w = document.createTreeWalker(band, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    const el = n.parentElement;
    if (!n.nodeValue.trim() || el.getClientRects().length === 0 || getComputedStyle(el).display === 'none') continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 20) bad.push(px + ' px: ' + n.nodeValue.trim().slice(0, 40));
  }
  return bad;
})()`

// checkBand fails t for every unreadable part of the band, in presenter
// mode, in both languages (switching with l).
func checkBand(t *testing.T, br *browser, what string) {
	t.Helper()
	was := eval[string](br, `document.documentElement.lang`)
	for _, lang := range []string{"en", "zh-CN"} {
		if eval[string](br, `document.documentElement.lang`) != lang {
			br.key("l")
			br.waitJS(`document.documentElement.lang === `+jsString(lang), 5*time.Second, "language "+lang)
		}
		br.waitJS(quietJS, 5*time.Second, "the page to be still")
		for _, b := range eval[[]string](br, bandFitJS) {
			t.Errorf("%s, %s: %s", what, lang, b)
		}
		p := eval[panelView](br, panelJS)
		if p.Error != "" && !strings.HasPrefix(p.Error, map[string]string{"en": "The lesson file has a problem: ", "zh-CN": "课程文件有问题: "}[lang]) {
			t.Errorf("%s, %s: the problem is not in the page's language: %q", what, lang, p.Error)
		}
		if cjk := regexp.MustCompile(`\p{Han}`).MatchString(p.Title + p.Text); p.Title+p.Text != "" && cjk != (lang == "zh-CN") {
			t.Errorf("%s, %s: the panel's text %q is not in the page's language", what, lang, p.Title+" "+p.Text)
		}
		br.shot(what + "-" + lang)
	}
	if eval[string](br, `document.documentElement.lang`) != was {
		br.key("l")
		br.waitJS(`document.documentElement.lang === `+jsString(was), 5*time.Second, "the page's language again")
	}
}

// TestLessonLive: a live lesson against the lab. The test types each step's
// command (with client-go); the page says the step is done when the
// cluster's own happening arrives, → moves on and applies the step's focus
// and layers. At 1024×768 in presenter mode the panel's text is readable in
// both languages.
func TestLessonLive(t *testing.T) {
	ns := labtest.NamespacePrefixed(t, lab, "lesson")
	cs := lab.Client()
	file := writeLesson(t, "talk.yaml", liveLesson(ns))
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--namespace", ns, "--lesson", file}})
	br := lessonBrowser(t, p.URL+"/?presenter=1&lang=en&namespace="+ns, 1024, 768)
	waitPanel(br, 0, "waiting", "the first step, waiting for the cluster")
	if got := eval[panelView](br, panelJS); got.Title != "A Deployment" || !strings.HasPrefix(got.Command, "kubectl create deployment web") || got.Status != "Waiting for the cluster…" {
		t.Errorf("step 1: %+v", got)
	}
	checkBand(t, br, "step-1")

	// → before the step is done moves on anyway (the speaker leads), and ←
	// comes back: the arrows are the lesson's, not the replay's.
	br.key(kb.ArrowRight)
	waitPanel(br, 1, "waiting", "→ to step 2")
	br.key(kb.ArrowLeft)
	waitPanel(br, 0, "waiting", "← back to step 1")

	ctx := context.Background()
	labels := map[string]string{"app": "web"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptrs.To(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "hellok8s:v1", Ports: []corev1.ContainerPort{{ContainerPort: 3000}}}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPanel(br, 0, "done", "step 1 done on the Deployment's creation")
	if got := eval[panelView](br, panelJS); got.Status != "Done — → for the next step" {
		t.Errorf("step 1 done says %q", got.Status)
	}
	br.waitJS(countJS(fmt.Sprintf(`.pod[data-id^="Pod/%s/web-"]`, ns))+` === 1`, 3*time.Minute, "the pod drawn")

	br.key(kb.ArrowRight)
	waitPanel(br, 1, "waiting", "step 2")
	br.waitJS(fmt.Sprintf(`window.podiumPresenter.focus && window.podiumPresenter.focus.id === 'Deployment/%s/web'`, ns), 10*time.Second, "step 2's focus")
	br.waitJS(`document.body.dataset.layers === 'jobs,warnings'`, 10*time.Second, "step 2's layers (only jobs and warnings)")
	updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(3)) })
	waitPanel(br, 1, "done", "step 2 done on the scale to 3")
	br.waitJS(countJS(fmt.Sprintf(`.pod[data-id^="Pod/%s/web-"]`, ns))+` === 3`, 3*time.Minute, "three pods drawn")
	checkBand(t, br, "step-2-done")

	br.key(kb.ArrowRight)
	waitPanel(br, 2, "waiting", "step 3")
	br.waitJS(`document.body.dataset.layers === 'storage,jobs,autoscaling,warnings,quotas'`, 10*time.Second, "step 3's layers")
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(3000)}}},
	}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPanel(br, 2, "done", "step 3 done when the Service gets endpoints")
	br.waitJS(fmt.Sprintf(`document.querySelector('[data-id="Service/%s/web"]') !== null`, ns), 30*time.Second, "the Service drawn")

	br.key(kb.ArrowRight)
	waitPanel(br, 3, "waiting", "step 4")
	dbLabels := map[string]string{"app": "db"}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Spec: appsv1.StatefulSetSpec{
		Replicas: ptrs.To(int32(1)), ServiceName: "db", Selector: &metav1.LabelSelector{MatchLabels: dbLabels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: dbLabels},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "db", Image: "db:v1"}}}}}}
	if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPanel(br, 3, "done", "step 4 done on the StatefulSet's creation")
	// db-0 need not run to be replaced: it only has to exist.
	br.waitJS(countJS(fmt.Sprintf(`.pod[data-id="Pod/%s/db-0"]`, ns))+` === 1`, 3*time.Minute, "db-0 drawn")

	br.key(kb.ArrowRight)
	waitPanel(br, 4, "waiting", "step 5")
	br.waitJS(fmt.Sprintf(`window.podiumPresenter.focus && window.podiumPresenter.focus.id === 'StatefulSet/%s/db'`, ns), 10*time.Second, "step 5's focus")
	if err := cs.CoreV1().Pods(ns).Delete(ctx, "db-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPanel(br, 4, "done", "step 5 done when db-0 comes back")
	if got := eval[panelView](br, panelJS); got.Status != "Done — that was the last step" {
		t.Errorf("the last step done says %q", got.Status)
	}
	checkBand(t, br, "last-step-done")
}

// TestLessonReplay: over a recording (the built-in demo with its built-in
// lesson, paused) each step seeks the replay to its happening; the arrows
// move between steps, not happenings. The steps and their markers are read
// from GET /api/lesson.
func TestLessonReplay(t *testing.T) {
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused")
	les, markers := builtinLesson(t, p.URL)
	steps := les.Steps
	sought := 0
	for i, m := range markers {
		if m >= 0 {
			sought++
		} else if steps[i].Until != nil {
			t.Errorf("step %d waits for %+v but has no marker", i+1, *steps[i].Until)
		}
	}
	if sought == 0 {
		t.Fatalf("no step of the built-in lesson has a marker: %v", markers)
	}
	br := lessonBrowser(t, p.URL+"/?lang=zh-CN", 1280, 720)
	br.waitJS(fmt.Sprintf(`window.podiumReplay !== undefined && window.podium.lesson && window.podium.lesson.markers.length === %d`, len(markers)), 30*time.Second, "the replay and its lesson")
	if got := eval[[]int](br, `window.podium.lesson.markers`); fmt.Sprint(got) != fmt.Sprint(markers) {
		t.Fatalf("the page's markers %v, GET /api/lesson's %v", got, markers)
	}
	start := eval[string](br, `window.podiumReplay.bar.dataset.happening`)
	waitPanel(br, 0, firstState(steps[0]), "the first step")
	if got := eval[string](br, `window.podiumReplay.bar.dataset.happening`); got != start {
		t.Errorf("opening the page moved the replay from happening %s to %s", start, got)
	}
	// Every step forward, back to the first, and forward again to the third.
	last := len(steps) - 1
	var path []int
	for i := 1; i <= last; i++ {
		path = append(path, i)
	}
	for i := last - 1; i >= 0; i-- {
		path = append(path, i)
	}
	path = append(path, 1, 2)
	step := 0
	for _, to := range path {
		if to > step {
			br.key(kb.ArrowRight)
		} else {
			br.key(kb.ArrowLeft)
		}
		step = to
		s, m := steps[step], markers[step]
		if m >= 0 {
			br.waitJS(replayAtJS(m), 20*time.Second, fmt.Sprintf("step %d's seek to happening %d", step+1, m))
		}
		waitPanel(br, step, stepState(s, m), fmt.Sprintf("step %d shown", step+1))
		if got := eval[panelView](br, panelJS); got.Title != s.Title.ZhCN {
			t.Errorf("step %d's title %q, want %q", step+1, got.Title, s.Title.ZhCN)
		}
		if s.Focus != "" && m >= 0 {
			br.waitJS(fmt.Sprintf(`window.podiumPresenter.focus !== null && window.podiumPresenter.focus.id === %s`, jsString(s.Focus)), 10*time.Second, fmt.Sprintf("step %d's focus %s", step+1, s.Focus))
		}
		if len(s.Layers) > 0 {
			want := append([]string(nil), s.Layers...)
			sort.Strings(want)
			br.waitJS(fmt.Sprintf(`document.body.dataset.layers.split(',').filter(Boolean).sort().join(',') === %s`, jsString(strings.Join(want, ","))), 10*time.Second, fmt.Sprintf("step %d's layers %v", step+1, s.Layers))
		}
		if step == last && s.Until != nil {
			if got := eval[panelView](br, panelJS); got.Status != "完成 — 这是最后一步" {
				t.Errorf("the last step in Chinese says %q", got.Status)
			}
			br.shot("replay-lesson-zh")
		}
	}
}

// TestLessonBadFile: a lesson file with a mistake shows the problem in the
// panel, with its file, line and field, while the picture keeps following
// the cluster; fixed, the lesson appears; broken again, the good version
// stays with the new problem beside it.
func TestLessonBadFile(t *testing.T) {
	ns := labtest.NamespacePrefixed(t, lab, "lesson")
	cs := lab.Client()
	bad := strings.Replace(liveLesson(ns), "{kind: created, ref: Deployment", "{kind: creatd, ref: Deployment", 1)
	file := writeLesson(t, "talk.yaml", bad)
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--namespace", ns, "--lesson", file}})
	br := lessonBrowser(t, p.URL+"/?presenter=1&lang=en&namespace="+ns, 1024, 768)
	br.waitJS(`document.querySelector('[data-testid=lesson]').dataset.state === 'error'`, 20*time.Second, "the panel to show the file's problem")
	got := eval[panelView](br, panelJS)
	if want := regexp.MustCompile(`^The lesson file has a problem: .*talk\.yaml:\d+:\d+: steps\[0\]\.until\.kind: unknown happening kind "creatd"`); !got.Shown || !want.MatchString(got.Error) {
		t.Errorf("the panel says %+v; want %s", got, want)
	}
	checkBand(t, br, "bad-file")

	// The picture keeps updating beside it.
	createApp(t, cs, ns, "web", 2)
	br.waitJS(countJS(fmt.Sprintf(`.pod[data-id^="Pod/%s/web-"]`, ns))+` === 2`, 3*time.Minute, "the pods drawn beside the bad lesson")
	br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live'`, 5*time.Second, "the page live")

	// Fixed: the lesson appears (the page asks again every few seconds).
	if err := os.WriteFile(file, []byte(liveLesson(ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitPanel(br, 0, "waiting", "the fixed lesson")
	if got := eval[panelView](br, panelJS); got.Error != "" {
		t.Errorf("the fixed lesson still shows a problem: %q", got.Error)
	}
	br.key(kb.ArrowRight)
	waitPanel(br, 1, "waiting", "step 2")
	// Broken again: the good lesson stays, at its step, with the problem.
	if err := os.WriteFile(file, []byte(strings.Replace(liveLesson(ns), "layers: [jobs, warnings]", "layers: [jobs, warnngs]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	br.waitJS(`document.querySelector('[data-testid=lesson]').dataset.error === 'true'`, 20*time.Second, "the new problem beside the lesson")
	got = eval[panelView](br, panelJS)
	if got.Step != 1 || got.Title != "Scale up" || !strings.Contains(got.Error, `steps[1].layers[1]: unknown layer "warnngs"`) {
		t.Errorf("broken again: %+v", got)
	}
	checkBand(t, br, "broken-again")
}
