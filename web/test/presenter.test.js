// Pure parts of the presenter features: focus chains, shortcuts, the
// latency meter and the export helpers.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { fileName, pngScale, styleText, transformAttr } from '../static/export.js';
import { chain, focusRect, parseFocus, withLayout } from '../static/focus.js';
import { messages } from '../static/i18n.js';
import { actionFor, nextLang, SHORTCUTS } from '../static/keys.js';
import { eventsIn, Meter, percentile } from '../static/latency.js';
import { layout } from '../static/layout.js';
import { CAPTION_MS, captionToDrop, urlFlag } from '../static/presenter.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures', 'rollout.json'), 'utf8'));
const sorted = (s) => [...s].sort();

describe('focus', () => {
  test('parseFocus reads the URL forms and refuses the rest', () => {
    assert.deepEqual(parseFocus('Deployment/default/web'), { kind: 'Deployment', ns: 'default', name: 'web', id: 'Deployment/default/web' });
    assert.deepEqual(parseFocus('Namespace/kube-system'), { kind: 'Namespace', ns: 'kube-system', name: 'kube-system', id: 'Namespace/kube-system' });
    assert.equal(parseFocus('default').kind, 'Namespace');
    assert.equal(parseFocus('Node/worker-1').id, 'Node/worker-1');
    assert.equal(parseFocus(''), null);
    assert.equal(parseFocus(null), null);
    for (const bad of ['a/b/c/d', '<script>', 'Deployment//web', '/x', 'x'.repeat(400)]) {
      assert.throws(() => parseFocus(bad), Error, bad);
    }
  });

  test('a Deployment: its ReplicaSets, Pods, their Services, Ingresses and Nodes, nothing else', () => {
    const sel = chain(parseFocus('Deployment/default/hellok8s-deployment'), fixture.nodes, fixture.edges);
    const ids = sorted(sel.ids);
    const kinds = new Set(ids.map((id) => id.split('/')[0]));
    assert.deepEqual(sorted(kinds), ['Deployment', 'Ingress', 'Node', 'Pod', 'ReplicaSet', 'Service']);
    assert.ok(ids.includes('Service/default/service-hellok8s'));
    assert.ok(ids.includes('Ingress/default/hello-ingress'));
    // The bare nginx pod and its own Service are not in the chain.
    assert.ok(!ids.some((id) => id.includes('nginx')), `chain leaks: ${ids}`);
    // Every chosen edge has both ends in the chain, and none is left out.
    for (const e of fixture.edges) {
      assert.equal(sel.edgeIds.has(e.id), sel.ids.has(e.from) && sel.ids.has(e.to), e.id);
    }
  });

  test('a Service: the pods it selects, their owners and Nodes, and its Ingress', () => {
    const sel = chain(parseFocus('Service/default/nginx-svc'), fixture.nodes, fixture.edges);
    assert.ok(sel.ids.has('Ingress/default/hello-ingress'));
    assert.ok([...sel.ids].some((id) => id.startsWith('Pod/default/nginx')));
    assert.ok(!sel.ids.has('Deployment/default/hellok8s-deployment'));
  });

  test('a namespace, and entities that are not there', () => {
    const sel = chain(parseFocus('default'), fixture.nodes, fixture.edges);
    const inNs = fixture.nodes.filter((n) => n.namespace === 'default').map((n) => n.id);
    for (const id of inNs) assert.ok(sel.ids.has(id), id);
    assert.equal(chain(parseFocus('Deployment/default/nope'), fixture.nodes, fixture.edges), null);
    assert.equal(chain(parseFocus('Namespace/empty'), fixture.nodes, fixture.edges), null);
  });

  test('withLayout and focusRect: the focused part of the picture, smaller than the whole', () => {
    const L = layout({ nodes: fixture.nodes, edges: fixture.edges });
    const sel = withLayout(chain(parseFocus('Deployment/default/hellok8s-deployment'), fixture.nodes, fixture.edges), L);
    const r = focusRect(L, sel.ids);
    assert.ok(r.w > 0 && r.h > 0);
    assert.ok(r.h < L.height, `focus rect ${JSON.stringify(r)} is as tall as the picture (${L.height})`);
    const dep = L.boxes.get('Deployment/default/hellok8s-deployment');
    assert.ok(r.x <= dep.x && r.y <= dep.y && r.x + r.w >= dep.x + dep.w && r.y + r.h >= dep.y + dep.h, 'rect misses the Deployment');
    assert.equal(focusRect(L, new Set(['Pod/none/x'])), null);
  });
});

describe('URL flags', () => {
  test('present and not 0/false/no means on', () => {
    const p = new URLSearchParams('presenter=1&latency=&a=0&b=false&c=No&d=yes');
    assert.equal(urlFlag(p, 'presenter'), true);
    assert.equal(urlFlag(p, 'latency'), true, 'a bare ?latency turns it on');
    assert.equal(urlFlag(p, 'a'), false);
    assert.equal(urlFlag(p, 'b'), false);
    assert.equal(urlFlag(p, 'c'), false);
    assert.equal(urlFlag(p, 'd'), true);
    assert.equal(urlFlag(p, 'missing'), false);
  });
  test('a full caption band takes down what only follows from another first', () => {
    assert.equal(captionToDrop(['scaled', 'endpoints', 'endpoints']), 1);
    assert.equal(captionToDrop(['scaled', 'created', 'endpoints']), 2);
    assert.equal(captionToDrop(['scaled', 'created', 'deleted']), 0);
    assert.equal(captionToDrop(['endpoints', 'scaled', 'endpoints']), 0);
  });

  test('captions last a few seconds, as presenter.css fades them', () => {
    assert.ok(CAPTION_MS >= 3000 && CAPTION_MS <= 10000);
    const css = readFileSync(join(here, '..', 'static', 'presenter.css'), 'utf8');
    const m = css.match(/animation: caption-life ([\d.]+)s/);
    assert.ok(m, 'no caption-life animation in presenter.css');
    assert.equal(Number(m[1]) * 1000, CAPTION_MS, 'the fade and the removal disagree');
  });
});

describe('keys', () => {
  const ev = (key, extra = {}) => ({ key, target: { tagName: 'BODY' }, ...extra });
  test('the issue\'s keys map to actions; typing and chords do not', () => {
    assert.equal(actionFor(ev('?')), 'help');
    assert.equal(actionFor(ev('p')), 'presenter');
    assert.equal(actionFor(ev('l')), 'lang');
    assert.equal(actionFor(ev('d')), 'latency');
    assert.equal(actionFor(ev('ArrowLeft')), 'prev');
    assert.equal(actionFor(ev('ArrowRight')), 'next');
    assert.equal(actionFor(ev('Escape')), 'escape');
    assert.equal(actionFor(ev('f')), '', 'f belongs to app.js');
    assert.equal(actionFor(ev('p', { ctrlKey: true })), '');
    assert.equal(actionFor(ev('p', { target: { tagName: 'INPUT' } })), '');
    assert.equal(actionFor(null), '');
  });
  test('the help lists every key of the issue, each with text in both languages', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    for (const k of ['?', 'p', 'f', '/', 'l', 't', '←', '→']) assert.ok(keys.includes(k), `help lacks ${k}`);
    for (const s of SHORTCUTS) {
      assert.ok(messages.en[s.id] && messages['zh-CN'][s.id], s.id);
    }
  });
  test('l flips between English and Chinese', () => {
    assert.equal(nextLang('en'), 'zh-CN');
    assert.equal(nextLang('zh-CN'), 'en');
    assert.equal(nextLang(''), 'zh-CN');
  });
});

describe('latency', () => {
  test('percentile', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(percentile([5], 95), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
    assert.equal(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 95), 10);
  });
  test('Meter keeps a window of events and a bounded list of latencies', () => {
    const m = new Meter(3, 1000);
    for (const v of [10, 20, 30, 40]) m.latency(v);
    m.latency(-5); // clock skew counts as 0, not as a negative delay
    m.latency(NaN);
    assert.deepEqual(m.samples, [30, 40, 0]);
    m.events(4, 0);
    m.events(6, 500);
    assert.equal(m.rate(900), 10);
    assert.equal(m.rate(1200), 6);
    assert.equal(m.rate(5000), 0);
    const s = m.summary(5000);
    assert.equal(s.count, 3);
    assert.equal(s.last, 0);
  });
  test('eventsIn counts what a delta touched', () => {
    assert.equal(eventsIn({ type: 'delta', added: new Set([1, 2]), updated: new Map([[3, 0]]), removed: new Map() }), 3);
    assert.equal(eventsIn({ type: 'snapshot' }), 0);
    assert.equal(eventsIn(undefined), 0);
  });
});

describe('export helpers', () => {
  const cs = (o) => ({ getPropertyValue: (p) => o[p] ?? '' });
  test('styleText keeps what differs from SVG defaults', () => {
    const s = styleText(cs({ fill: 'rgb(1, 2, 3)', opacity: '1', display: 'none', 'font-size': '20px' }));
    assert.match(s, /fill:rgb\(1, 2, 3\);/);
    assert.match(s, /display:none;/);
    assert.match(s, /font-size:20px;/);
    assert.doesNotMatch(s, /opacity/);
  });
  test('transformAttr carries CSS placement into the file', () => {
    assert.equal(transformAttr(cs({ transform: 'matrix(1, 0, 0, 1, 660, 64)' })), 'matrix(1, 0, 0, 1, 660, 64)');
    assert.equal(transformAttr(cs({ transform: 'none' })), '');
  });
  test('fileName and pngScale', () => {
    const d = new Date('2026-11-25T14:03:09.123Z');
    assert.equal(fileName('svg', d), 'podium-cluster-20261125T140309Z.svg');
    assert.equal(fileName('png', d, 'Deployment default/web'), 'podium-Deployment_default_web-20261125T140309Z.png');
    assert.equal(pngScale(1600, 900), 2);
    assert.ok(pngScale(1600, 20000) * 20000 <= 8000);
    assert.ok(pngScale(6000, 6000) ** 2 * 36e6 <= 32e6 + 1);
  });
});
