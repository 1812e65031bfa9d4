import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fetchLesson, Lesson, matches, Panel, pick } from '../static/lesson.js';

const state = {
  lesson: {
    version: 1,
    title: { en: 'Talk', 'zh-CN': '讲座' },
    steps: [
      { title: { en: 'Look', 'zh-CN': '看' }, text: { en: 'The cluster.', 'zh-CN': '集群。' } },
      { title: { en: 'Scale', 'zh-CN': '扩容' }, text: { en: 'Three.', 'zh-CN': '三个。' }, command: 'kubectl scale deployment web --replicas=3',
        until: { kind: 'scaled', ref: 'Deployment/default/web', params: { to: '3' } } },
    ],
  },
  markers: [-1, 4],
};

describe('lesson', () => {
  it('matches a happening as the server does', () => {
    const u = state.lesson.steps[1].until;
    assert.ok(matches(u, { kind: 'scaled', ref: 'Deployment/default/web', params: { to: '3', from: '1' } }));
    assert.ok(!matches(u, { kind: 'scaled', ref: 'Deployment/default/web', params: { to: '2' } }));
    assert.ok(!matches(u, { kind: 'scaled', ref: 'Deployment/default/api', params: { to: '3' } }));
    assert.ok(!matches(u, { kind: 'rollout', ref: 'Deployment/default/web', params: { to: '3' } }));
    assert.ok(matches({ kind: 'scaled' }, { kind: 'scaled', ref: 'x' }));
    assert.ok(!matches(undefined, { kind: 'scaled' }));
  });
  it('speaks both languages', () => {
    assert.equal(pick(state.lesson.title, 'zh-TW'), '讲座');
    assert.equal(pick(state.lesson.title, 'en-GB'), 'Talk');
    assert.equal(pick(undefined, 'en'), '');
  });
  it('walks the steps and completes one on its happening', () => {
    const l = new Lesson(state);
    assert.equal(l.view('en').step, 'Step 1 of 2');
    assert.equal(l.view('en').state, '', 'a step without until waits for nothing');
    assert.equal(l.prev(), null, 'no step before the first');
    assert.equal(l.next().title.en, 'Scale');
    assert.equal(l.marker(), 4);
    assert.equal(l.view('zh-CN').step, '第 2 步，共 2 步');
    assert.equal(l.view('en').state, 'Waiting for the cluster…');
    assert.equal(l.view('en').command, 'kubectl scale deployment web --replicas=3');
    assert.equal(l.happened([{ kind: 'scaled', ref: 'Deployment/default/web', params: { to: '2' } }]), false);
    assert.equal(l.happened([{ kind: 'node' }, { kind: 'scaled', ref: 'Deployment/default/web', params: { to: '3' } }]), true);
    assert.equal(l.happened([{ kind: 'scaled', ref: 'Deployment/default/web', params: { to: '3' } }]), false, 'done once');
    assert.equal(l.view('en').state, 'Done — that was the last step');
    assert.equal(l.next(), null, 'no step after the last');
    l.prev();
    assert.equal(l.marker(), -1);
  });
  it('shows a problem with the file', () => {
    const l = new Lesson({ ...state, error: 'talk.yaml:6:19: steps[1].until.kind: unknown happening kind "scaledd"' });
    assert.match(l.view('en').error, /The lesson file has a problem: talk.yaml:6:19/);
    assert.match(l.view('zh-CN').error, /课程文件有问题/);
  });
});

// fakeNode is the little of the DOM the panel touches.
function fakeNode() {
  const kids = new Map();
  const n = {
    textContent: '', hidden: false, dataset: {}, attrs: new Set(), listeners: {},
    toggleAttribute(a, on) { if (on) this.attrs.add(a); else this.attrs.delete(a); },
    addEventListener(type, fn) { this.listeners[type] = fn; },
    querySelector(sel) {
      if (!kids.has(sel)) kids.set(sel, fakeNode());
      return kids.get(sel);
    },
  };
  return n;
}
const tid = (el, id) => el.querySelector(`[data-testid="${id}"]`);

describe('the lesson panel', () => {
  const steps = {
    lesson: {
      version: 1,
      title: { en: 'Talk', 'zh-CN': '讲座' },
      steps: [
        { title: { en: 'Create', 'zh-CN': '创建' }, text: { en: 'A Deployment.', 'zh-CN': '一个 Deployment。' }, command: 'kubectl create deployment web --image=nginx',
          until: { kind: 'created', ref: 'Deployment/default/web' } },
        { title: { en: 'Scale', 'zh-CN': '扩容' }, text: { en: 'Three.', 'zh-CN': '三个。' }, focus: 'Deployment/default/web', layers: ['jobs'],
          until: { kind: 'scaled', ref: 'Deployment/default/web', params: { to: '3' } } },
        { title: { en: 'Look', 'zh-CN': '看' }, text: { en: 'Done.', 'zh-CN': '完成。' } },
      ],
    },
  };
  const make = (state, opts = {}) => {
    const el = fakeNode();
    let lang = 'en';
    const log = [];
    const p = new Panel({ el, lang: () => lang, apply: (s) => log.push(`apply ${s.title.en}`), seek: (m) => log.push(`seek ${m}`), moved: () => log.push('moved'), ...opts });
    p.take(state);
    return { el, p, log, setLang: (l) => { lang = l; } };
  };

  it('shows the step, waits for the cluster, and offers the next step when it happened', () => {
    const { el, p, log, setLang } = make(steps);
    assert.equal(el.hidden, false);
    assert.deepEqual(log, ['apply Create', 'moved'], 'the first step is entered when the lesson arrives, without a seek');
    assert.equal(tid(el, 'lesson-step').textContent, 'Step 1 of 3');
    assert.equal(tid(el, 'lesson-title').textContent, 'Create');
    assert.equal(tid(el, 'lesson-command').querySelector('code').textContent, 'kubectl create deployment web --image=nginx');
    assert.equal(el.dataset.state, 'waiting');
    assert.equal(tid(el, 'lesson-state').textContent, 'Waiting for the cluster…');
    assert.ok(tid(el, 'lesson-prev').attrs.has('disabled'));
    p.happened([{ kind: 'created', ref: 'Deployment/default/other' }]);
    assert.equal(el.dataset.state, 'waiting');
    p.happened([{ kind: 'created', ref: 'Deployment/default/web' }]);
    assert.equal(el.dataset.state, 'done');
    assert.equal(tid(el, 'lesson-state').textContent, 'Done — → for the next step');
    setLang('zh-CN');
    p.draw();
    assert.equal(tid(el, 'lesson-state').textContent, '完成 — 按 → 进入下一步');
    assert.equal(tid(el, 'lesson-title').textContent, '创建');
    assert.equal(p.move(1), true);
    assert.deepEqual(log.slice(2), ['apply Scale', 'moved'], 'live: no seek');
    assert.equal(tid(el, 'lesson-step').textContent, '第 2 步，共 3 步');
    assert.equal(tid(el, 'lesson-command').hidden, true, 'a step without a command shows none');
    assert.equal(p.move(1), true);
    assert.equal(el.dataset.state, 'none', 'a step without until waits for nothing');
    assert.equal(p.move(1), false, 'no step after the last');
    assert.ok(tid(el, 'lesson-next').attrs.has('disabled'));
  });

  it('in a replay, seeks each step to its marker and calls it done', () => {
    const { el, p, log } = make({ ...steps, markers: [3, 9, -1] });
    assert.ok(!log.includes('seek 3'), 'opening the page does not move the replay');
    p.move(1);
    assert.deepEqual(log.slice(2), ['apply Scale', 'seek 9', 'moved']);
    assert.equal(el.dataset.state, 'done');
    p.move(-1);
    assert.ok(log.includes('seek 3'));
    p.move(1);
    p.move(1);
    assert.ok(!log.includes('seek -1'), 'a step without a marker stays where the replay is');
  });

  it('a follower only shows the presenter\'s step', () => {
    const { el, p, log } = make(steps, { follower: true });
    assert.deepEqual(log, [], 'nothing applied, sought or led');
    assert.equal(p.move(1), false);
    p.show(2);
    assert.equal(el.dataset.step, '2');
    assert.deepEqual(log, []);
    p.show(0);
    assert.equal(el.dataset.state, 'waiting', 'live: done only on the happening');
    const replay = make({ ...steps, markers: [3, 9, -1] }, { follower: true });
    replay.p.show(1, true);
    assert.equal(replay.el.dataset.state, 'done', 'the presenter\'s replay shows the step\'s happening');
  });

  it('shows a bad file beside the lesson, or alone, and keeps the step', () => {
    const { el, p } = make(steps);
    p.move(1);
    p.take({ ...steps, error: 'talk.yaml:9:13: steps[1].until.kind: unknown happening kind "scaledd"' });
    assert.equal(el.dataset.step, '1');
    assert.equal(tid(el, 'lesson-error').textContent, 'The lesson file has a problem: talk.yaml:9:13: steps[1].until.kind: unknown happening kind "scaledd"');
    assert.equal(tid(el, 'lesson-error').hidden, false);
    p.take(steps);
    assert.equal(tid(el, 'lesson-error').hidden, true, 'fixed');
    const bad = make({ error: 'talk.yaml:2:8: title.zh-CN: missing' });
    assert.equal(bad.el.hidden, false);
    assert.equal(bad.el.dataset.state, 'error');
    assert.equal(bad.p.has, false, 'no steps: the arrows stay the replay\'s');
    assert.match(tid(bad.el, 'lesson-error').textContent, /talk.yaml:2:8: title.zh-CN: missing/);
    const none = make(null);
    assert.equal(none.el.hidden, true);
  });
});

describe('GET api/lesson', () => {
  const answer = (status, body) => async (url) => ({ url, ok: status === 200, status, json: async () => body });
  it('reads a lesson, none, and a file that was never good', async () => {
    assert.deepEqual(await fetchLesson(answer(200, state), 'http://p/x/?a=1'), state);
    assert.equal(await fetchLesson(answer(404, { error: 'no lesson' }), 'http://p/'), null);
    assert.deepEqual(await fetchLesson(answer(422, { error: 'talk.yaml:1:1: version: missing' }), 'http://p/'), { error: 'talk.yaml:1:1: version: missing' });
    await assert.rejects(fetchLesson(answer(500, {}), 'http://p/'), /500/);
    let asked = '';
    await fetchLesson(async (u) => { asked = u; return { ok: true, status: 200, json: async () => state }; }, 'http://p/podium/?lang=en');
    assert.equal(asked, 'http://p/podium/api/lesson');
  });
});
