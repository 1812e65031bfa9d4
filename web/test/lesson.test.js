import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Lesson, matches, pick } from '../static/lesson.js';

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
