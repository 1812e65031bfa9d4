// The renderer's incremental draw (render.js BAND_MEMO): a box or lane of
// a namespace band that layout.js reused as is keeps what it drew, and
// everything a change could reach is drawn again.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as i18n from '../static/i18n.js';
import { layout } from '../static/layout.js';
import { app, graphOf } from './fixtures/build.js';
import { FakeElement, installFakeDOM } from './fixtures/dom.js';

installFakeDOM();
const { Renderer } = await import('../static/render.js');

// twoApps: namespaces a and b, each an Ingress, a Service, a Deployment
// of 3 pods.
function twoApps() {
  const a = app({ ns: 'a', name: 'web' });
  const b = app({ ns: 'b', name: 'api' });
  return { nodes: [...a.nodes, ...b.nodes.filter((n) => n.kind !== 'Node')], edges: [...a.edges, ...b.edges] };
}

// withPod is g with pod id replaced by a copy carrying extra (a delta).
function withPod(g, id, extra) {
  return { nodes: g.nodes.map((n) => (n.id === id ? { ...n, ...extra } : n)), edges: g.edges };
}

// scene renders g, and returns a function that renders the next graph
// (layout with the previous state, as app.js draws).
function scene(g) {
  const svg = new FakeElement('svg');
  const r = new Renderer(svg, { motion: false });
  let graph = graphOf(g);
  let L = layout(graph);
  r.render(L, graph);
  return {
    r,
    get L() { return L; },
    next(g2, opts = {}) {
      graph = graphOf(g2);
      L = layout(graph, L.state, opts);
      r.render(L, graph);
    },
    markup: (id) => r.items.boxes.get(id).body.innerHTML,
    lane: (id) => r.items.lanes.get(id).el,
  };
}

const A_DEP = 'Deployment/a/web';
const B_DEP = 'Deployment/b/api';
const B_POD = 'Pod/b/api-abc123-p001';
const B_LANE = 'ReplicaSet/b/api-abc123';

describe('incremental draw', () => {
  it('a change in one namespace redraws that namespace, and leaves the other band alone', () => {
    const g = twoApps();
    const s = scene(g);
    const before = s.markup(B_DEP);
    const status = s.r.items.boxes.get(B_DEP).el.getAttribute('data-status');
    assert.equal(status, 'complete');
    // Mark what the renderer set on the other band: a redraw would set it again.
    s.r.items.boxes.get(A_DEP).el.removeAttribute('data-status');
    s.r.items.lanes.get('ReplicaSet/a/web-abc123').el.removeAttribute('data-pods');
    const L1 = s.L;
    // A pod of b fails, and its Deployment counts it.
    s.next(withPod(withPod(g, B_POD, { status: 'CrashLoopBackOff', ready: false, readyContainers: 0 }), B_DEP, { ready: 2, available: 2 }));
    assert.equal(s.L.boxes.get(A_DEP), L1.boxes.get(A_DEP), 'layout.js reuses an unchanged band as the same objects');
    assert.equal(s.r.items.boxes.get(A_DEP).el.getAttribute('data-status'), null, 'the unchanged band was drawn again');
    assert.equal(s.lane('ReplicaSet/a/web-abc123').getAttribute('data-pods'), null, 'the unchanged lane was drawn again');
    // The changed namespace: its Deployment counts 2 of 3 ready now.
    assert.notEqual(s.markup(B_DEP), before, 'the changed Deployment kept its old markup');
    assert.match(s.markup(B_DEP), /2 ready/);
    assert.equal(s.r.items.boxes.get(B_DEP).el.getAttribute('data-status'), status);
    assert.equal(s.r.items.pods.get(B_POD).el.getAttribute('data-status'), 'CrashLoopBackOff');
    assert.equal(s.lane(B_LANE).getAttribute('data-pods'), '3');
  });

  it('a moved band redraws in its new place', () => {
    const g = twoApps();
    const s = scene(g);
    const y = s.L.boxes.get(B_DEP).y;
    // One more pod in a (the band above b) grows it: b moves down.
    const a = app({ ns: 'a', name: 'web', pods: 9 });
    const g2 = { nodes: [...a.nodes, ...g.nodes.filter((n) => n.namespace === 'b')], edges: [...a.edges, ...g.edges.filter((e) => e.from.split('/')[1] === 'b')] };
    s.next(g2);
    const y2 = s.L.boxes.get(B_DEP).y;
    assert.ok(y2 > y, `b moved from ${y} to ${y2}`);
    assert.match(s.r.items.boxes.get(B_DEP).el.style.transform, new RegExp(`,${y2}px\\)`));
  });

  it('the warnings layer and the language redraw every box', () => {
    const g = withPod(twoApps(), 'Deployment/a/web', { warnings: [{ reason: 'FailedCreate', message: 'quota', count: 2, last: '2026-11-25T12:00:00Z' }] });
    const s = scene(g);
    assert.match(s.markup(A_DEP), /warn/, 'the badge is drawn');
    s.r.warnings = false;
    s.next(g);
    assert.doesNotMatch(s.markup(A_DEP), /warn/, 'the warnings layer turned off, the badge stayed');
    s.r.warnings = true;
    s.next(g);
    assert.match(s.markup(A_DEP), /warn/);
    const en = s.markup(B_DEP);
    i18n.setLang('zh-CN');
    try {
      s.r.drawHeadings(); // as app.js relabel() does
      s.next(g);
      assert.notEqual(s.markup(B_DEP), en, 'a language switch kept the English box');
    } finally {
      i18n.setLang('en');
    }
  });
});

describe('incremental draw: what lies outside the band', () => {
  it('a compact lane counts its Nodes again when a Node comes, though its band is unchanged', () => {
    // 30 pods: a compact grid, whose counts line names its Nodes.
    const a = app({ ns: 'a', name: 'web', pods: 30, nodes: ['node-1', 'node-2'] });
    const s = scene(a);
    const lid = 'ReplicaSet/a/web-abc123';
    assert.equal(s.L.lanes.get(lid).compact, true);
    const before = s.lane(lid).innerHTML;
    assert.match(before, /2 nodes/i);
    // The Node the pods run on leaves the graph (its pods' edges stay, as
    // they would for a moment in a real cluster): only one Node is drawn.
    const g2 = { nodes: a.nodes.filter((n) => n.id !== 'Node/node-2'), edges: a.edges };
    const lane1 = s.L.lanes.get(lid);
    s.next(g2);
    assert.equal(s.L.lanes.get(lid), lane1, 'the band was reused as the same objects');
    assert.match(s.lane(lid).innerHTML, /1 node/i, 'the lane still counts the Node that left');
  });
});
