import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  budgetInUse, ellipsize, formatAge, formatTime, idParts, imageDiff, ordinal, POD_STATES, podState, resolveBudget,
  rsHash, shortImage, shortPodName,
} from '../static/format.js';
import { fill, happeningText, messages, setLang, t } from '../static/i18n.js';
import { detailsRows, esc, glyph, podMarkup, podStatusText, related } from '../static/render.js';
import { edge, pod } from './fixtures/build.js';

describe('format: pod states', () => {
  const cases = [
    ['Running', true, 'ready'],
    ['Running', false, 'notready'],
    ['Pending', false, 'pending'],
    ['', false, 'pending'],
    ['ContainerCreating', false, 'creating'],
    ['PodInitializing', false, 'creating'],
    ['Init:0/2', false, 'creating'],
    ['Init:CrashLoopBackOff', false, 'failed'],
    ['Terminating', false, 'terminating'],
    ['Terminating', true, 'terminating'],
    ['CrashLoopBackOff', false, 'failed'],
    ['Error', false, 'failed'],
    ['ImagePullBackOff', false, 'failed'],
    ['OOMKilled', false, 'failed'],
    ['ExitCode:137', false, 'failed'],
    ['Completed', false, 'completed'],
    ['NotReady', false, 'notready'],
  ];
  for (const [status, ready, want] of cases) {
    it(`${status || '(empty)'} ready=${ready} → ${want}`, () => assert.equal(podState({ status, ready }), want));
  }
  it('survives a missing pod', () => assert.equal(podState(undefined), 'pending'));
});

describe('format: names and images', () => {
  it('shortens pod names under their owner', () => {
    assert.equal(shortPodName('hellok8s-66799848c4-kpc6q', 'hellok8s-66799848c4'), '…-kpc6q');
    assert.equal(shortPodName('nginx', ''), 'nginx');
    assert.equal(shortPodName('web-0', 'db'), 'web-0');
    assert.equal(shortPodName('web', 'web'), 'web');
  });
  it('takes the pod-template-hash from a ReplicaSet name', () => {
    assert.equal(rsHash('hellok8s-9c57c7f56', 'hellok8s'), '9c57c7f56');
    assert.equal(rsHash('lonely', ''), 'lonely');
  });
  it('ellipsizes at either end', () => {
    const long = 'x'.repeat(60) + 'END';
    assert.equal(ellipsize(long, 10).length, 10);
    assert.ok(ellipsize(long, 10).endsWith('…'));
    assert.ok(ellipsize(long, 10, true).endsWith('END'));
    assert.equal(ellipsize('short', 10), 'short');
    assert.equal(ellipsize(null, 5), '');
  });
  it('shortens images', () => {
    assert.equal(shortImage('registry.example:5000/team/hellok8s:v3'), 'hellok8s:v3');
    assert.equal(shortImage('nginx'), 'nginx');
    assert.equal(shortImage('app@sha256:0123456789abcdef0123'), 'app@01234567');
    assert.deepEqual(imageDiff('x/hellok8s:v2', 'x/hellok8s:v3'), ['hellok8s:v2', 'v3']);
    assert.deepEqual(imageDiff('a:v1', 'b:v1'), ['a:v1', 'b:v1']);
  });
  it('reads ordinals and ids', () => {
    assert.equal(ordinal('pg-12', 'pg'), 12);
    assert.equal(ordinal('other-1', 'pg'), -1);
    assert.equal(ordinal('pg', 'pg'), -1);
    assert.deepEqual(idParts('Pod/default/web-1'), { kind: 'Pod', namespace: 'default', name: 'web-1' });
    assert.deepEqual(idParts('Node/worker-1'), { kind: 'Node', namespace: '', name: 'worker-1' });
    assert.deepEqual(idParts('junk'), { kind: 'junk', namespace: '', name: '' });
  });
});

describe('format: times', () => {
  it('formats RFC 3339 as HH:MM:SS', () => {
    assert.equal(formatTime('2026-11-25T12:01:03Z', true), '12:01:03');
    assert.equal(formatTime('2026-11-25T12:01:03.5+02:00', true), '10:01:03');
    assert.equal(formatTime('not a time', true), '--:--:--');
    assert.equal(formatTime(undefined, true), '--:--:--');
  });
  it('formats ages like kubectl', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    assert.equal(formatAge('2026-11-25T11:59:15Z', now), '45s');
    assert.equal(formatAge('2026-11-25T11:30:00Z', now), '30m');
    assert.equal(formatAge('2026-11-25T07:00:00Z', now), '5h');
    assert.equal(formatAge('2026-11-20T12:00:00Z', now), '5d');
    assert.equal(formatAge('2026-11-25T12:00:10Z', now), '0s', 'clock skew never goes negative');
    assert.equal(formatAge('bad', now), '');
  });
});

describe('format: rollout budget', () => {
  it('resolves budgets like the Deployment controller', () => {
    assert.equal(resolveBudget('25%', 10, true), 3);
    assert.equal(resolveBudget('25%', 10, false), 2);
    assert.equal(resolveBudget('1', 10, true), 1);
    assert.equal(resolveBudget('', 10, true), 0);
    assert.equal(resolveBudget('x%', 10, true), 0);
  });
  it('reports budget in use', () => {
    const d = { replicas: 3, available: 2, strategy: { maxSurge: '1', maxUnavailable: '1' } };
    assert.deepEqual(budgetInUse(d, 4), { surge: 1, unavailable: 1, surgeUsed: 1, unavailableUsed: 1 });
    assert.deepEqual(budgetInUse({ replicas: 0 }, 0), { surge: 0, unavailable: 0, surgeUsed: 0, unavailableUsed: 0 });
  });
});

describe('i18n', () => {
  it('fills placeholders and marks missing ones', () => {
    assert.equal(t('deploy.progress', { updated: 1, ready: 2, desired: 3 }), '1 updated · 2 ready · 3 desired');
    assert.equal(t('svc.ready', {}), '? ready');
    assert.equal(t('no.such.id'), 'no.such.id');
    assert.equal(fill('{a}-{b}', { a: 1 }), null);
  });
  it('picks plural forms', () => {
    assert.equal(t('node.pods', { count: 1 }), '1 pod');
    assert.equal(t('node.pods', { count: 0 }), '0 pods');
    assert.equal(t('node.pods', { count: 5 }), '5 pods');
  });
  it('falls back to English for an unknown language', () => {
    assert.equal(setLang('xx-YY'), 'en');
    assert.equal(setLang('en-GB'), 'en');
  });
  it('renders happenings from kind + params, else the server text', () => {
    // Params as informers/graph/happen.go sends them.
    assert.equal(happeningText({ kind: 'scaled', ref: 'Deployment/default/web', params: { name: 'default/web', kind: 'Deployment', from: '3', to: '6' }, text: 'x' }), 'Deployment default/web scaled 3 → 6');
    assert.equal(happeningText({ kind: 'scaled', ref: 'Deployment/default/web', params: { from: '3', to: '6' } }), 'Deployment default/web scaled 3 → 6', 'name and kind fall back to the ref');
    assert.equal(happeningText({ kind: 'scaled', ref: 'Deployment/default/web', text: 'server text' }), 'server text');
    assert.equal(happeningText({ kind: 'rollout', ref: 'Deployment/d/web', params: { name: 'd/web', state: 'started', fromRevision: '2', toRevision: '3' } }), 'rollout d/web: revision 2 → 3');
    assert.equal(happeningText({ kind: 'rollout', ref: 'Deployment/d/web', params: { name: 'd/web', state: 'started', fromRevision: '2', toRevision: '3', fromImage: 'a:v2', toImage: 'a:v3' } }), 'rollout d/web: revision 2 → 3, image a:v2 → a:v3');
    assert.equal(happeningText({ kind: 'rollout', ref: 'Deployment/d/web', params: { name: 'd/web', state: 'complete' } }), 'rollout d/web complete');
    assert.equal(happeningText({ kind: 'restarted', ref: 'Pod/d/p', params: { name: 'd/p', restarts: '4' } }), 'Pod d/p restarted (4)');
    assert.equal(happeningText({ kind: 'failed', ref: 'Pod/d/p', params: { name: 'd/p', reason: 'Evicted' } }), 'Pod d/p failed: Evicted');
    assert.equal(happeningText({ kind: 'node', ref: 'Node/w2', params: { name: 'w2', state: 'NotReady' } }), 'Node w2 NotReady');
    assert.equal(happeningText({ kind: 'brand-new', text: 'something' }), 'something');
    assert.equal(happeningText(null), '');
  });
  it('has no empty messages', () => {
    for (const [id, v] of Object.entries(messages.en)) assert.ok(typeof v === 'string' && v.length > 0, id);
  });
});

describe('render: markup', () => {
  it('gives every pod state its own shape', () => {
    const shapes = new Set(POD_STATES.map((s) => glyph(s, 10)));
    assert.equal(shapes.size, POD_STATES.length);
  });
  it('escapes what it draws', () => {
    assert.equal(esc('<a href="x">&\''), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const p = pod('ns', '<script>', '', '');
    const m = podMarkup(p, { x: 0, y: 0, r: 12 }, { x: 0, w: 500 }, null, null);
    assert.ok(!m.includes('<script>'));
    assert.ok(m.includes('&lt;script&gt;'));
  });
  it('says how a pod is doing', () => {
    assert.equal(podStatusText({ status: 'Running', ready: false, readyContainers: 1, containers: [{ name: 'a' }, { name: 'b' }] }), 'Running 1/2');
    // A wave-1 recording sent the count.
    assert.equal(podStatusText({ status: 'Running', ready: false, readyContainers: 1, containers: 2 }), 'Running 1/2');
    assert.equal(podStatusText({ status: 'Running', ready: true, containers: 1 }), 'Running');
    assert.equal(podStatusText({}), 'Unknown');
  });
  it('shows the restart badge only after a restart', () => {
    const geo = { x: 0, y: 0, r: 12 };
    assert.ok(!podMarkup(pod('n', 'a', '', ''), geo, { x: 0, w: 500 }, null, null).includes('badge'));
    assert.match(podMarkup(pod('n', 'a', '', '', { restarts: 4 }), geo, { x: 0, w: 500 }, null, null), /class="badge"[^]*>4</);
  });
  it('lists details with labels left to their own section', () => {
    const rows = detailsRows(pod('ns', 'a', '', 'n1', { labels: { app: 'x' } }));
    const keys = rows.map(([k]) => k);
    assert.ok(keys.includes('Status') && keys.includes('Node') && keys.includes('UID'), keys.join(','));
    assert.ok(!keys.includes('labels') && !keys.includes('Labels'));
    // A field the table does not know keeps its wire name.
    assert.ok(detailsRows({ id: 'Pod/a/b', kind: 'Pod', name: 'b', brandNew: 'x' }).some(([k, v]) => k === 'brandNew' && v === 'x'));
  });
  it('finds the whole path through a pod', () => {
    const nodes = new Map([['Pod/a/p', { id: 'Pod/a/p', kind: 'Pod' }]]);
    const edges = new Map([
      edge('routes', 'Ingress/a/i', 'Service/a/s'),
      edge('selects', 'Service/a/s', 'Pod/a/p'),
      edge('selects', 'Service/a/s', 'Pod/a/other'),
      edge('runs-on', 'Pod/a/p', 'Node/n1'),
      edge('runs-on', 'Pod/a/other', 'Node/n2'),
    ].map((e) => [e.id, e]));
    const { ids } = related('Pod/a/p', nodes, edges, null);
    assert.deepEqual([...ids].sort(), ['Ingress/a/i', 'Node/n1', 'Pod/a/p', 'Service/a/s']);
    const fromSvc = related('Service/a/s', nodes, edges, null);
    assert.deepEqual([...fromSvc.ids].sort(), ['Ingress/a/i', 'Node/n1', 'Node/n2', 'Pod/a/other', 'Pod/a/p', 'Service/a/s']);
  });
});
