// Presenter type (issue #14): text measured, wrapped and never cut; boxes
// sized from it in lines; the picture laid out for the stage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { estimateWidth, setMeasure, setTextScale, textWidth, wrapText } from '../static/format.js';
import { setLang } from '../static/i18n.js';
import { GEOM, layout, presenterGeom } from '../static/layout.js';
import { fitLayout } from '../static/presenter.js';
import { podMarkup, presenterType } from '../static/render.js';
import { app, fixture, graphOf, pod } from './fixtures/build.js';

// inPresenterType runs fn with the renderer in presenter type.
function inPresenterType(fn) {
  setTextScale(20 / 14.5);
  try {
    return fn();
  } finally {
    setTextScale(1);
  }
}

describe('textWidth: one home for measuring text', () => {
  it('estimates without a measurer: CJK 1 em, Latin 0.6 em', () => {
    assert.equal(textWidth('ab', 20), 24);
    assert.equal(textWidth('中文', 20), 40);
    assert.equal(textWidth('ab', 20), estimateWidth('ab', 20));
  });

  it('uses the page measurer when one is set, and the estimate again after', () => {
    assert.equal(setMeasure((s, px) => s.length * px), true);
    assert.equal(textWidth('abc', 10), 30);
    setMeasure(null);
    assert.equal(textWidth('abc', 10), 18);
  });
});

describe('wrapText: never cuts', () => {
  const cases = [
    ['rollout', 'revision 1 → 2 · hellok8s:v1 → hellok8s:v2', 200],
    ['node port', 'NodePort 3000 → :30000', 150],
    ['a 40-character name', 'a-very-long-deployment-name-of-forty-ch', 150],
    ['Chinese', '滚动升级 · 修订版本 1 → 2 · hellok8s:v1 → v2', 150],
    ['one long word', 'abcdefghijklmnopqrstuvwxyzabcdefghij', 100],
  ];
  for (const [name, s, w] of cases) {
    it(name, () => {
      const lines = wrapText(s, w, 20);
      assert.equal(lines.join('').replace(/ /g, ''), s.replace(/ /g, ''), `lines ${JSON.stringify(lines)} lose text`);
      for (const l of lines) assert.ok(textWidth(l, 20) <= w, `${JSON.stringify(l)} is wider than ${w}`);
      assert.ok(!lines.some((l) => l.includes('…')));
    });
  }

  it('breaks between the parts of a line first', () => {
    assert.deepEqual(wrapText('revision 1 → 2 · hellok8s:v2', 200, 20), ['revision 1 → 2 ·', 'hellok8s:v2']);
  });

  it('keeps a line that fits whole', () => {
    assert.deepEqual(wrapText('NodePort 3000 → :30000', 400, 20), ['NodePort 3000 → :30000']);
  });
});

describe('presenter layout: boxes measured in lines of presenter type', () => {
  setLang('en');
  const g = graphOf(fixture('rollout.json'));

  it('scales the columns to the width asked for, keeping their order', () => {
    const G = presenterGeom({ width: 1280, row: 40, laneHeader: 30, boxH: () => null, laneHead: () => 30 });
    assert.equal(G.width, 1280);
    assert.ok(G.col.ingress.x < G.col.service.x && G.col.service.x < G.col.work.x && G.col.work.x < G.col.node.x);
    assert.ok(G.col.node.x + G.col.node.w <= 1280);
  });

  it('sizes each box from its text: a long name and a wrapped line make it taller', () => {
    const L = inPresenterType(() => layout(g, null, { type: presenterType(g, 1280) }));
    assert.equal(L.width, 1280);
    assert.notEqual(L.geom, GEOM);
    const svc = [...L.boxes.values()].find((b) => b.kind === 'Service');
    const long = graphOf(fixture('rollout.json'));
    const n = long.nodes.get(svc.id);
    long.nodes.set(svc.id, { ...n, name: 'a-service-name-of-exactly-forty-chars-xx' });
    const L2 = inPresenterType(() => layout(long, null, { type: presenterType(long, 1280) }));
    assert.ok(L2.boxes.get(svc.id).h > svc.h, `a 40-character name: ${L2.boxes.get(svc.id).h} ≤ ${svc.h}`);
  });

  it('gives pod rows the height of a line of pod type', () => {
    const L = inPresenterType(() => layout(g, null, { type: presenterType(g, 1280) }));
    const lane = [...L.lanes.values()].find((l) => l.pods.length > 1);
    const ys = lane.pods.map((id) => L.pods.get(id).y).sort((a, b) => a - b);
    assert.ok(ys[1] - ys[0] >= 22 * 1.2, `rows ${ys[1] - ys[0]} apart`);
  });

  it('fits the stage: as large as it can be, never under presenter type', () => {
    const { nodes, edges } = app({ pods: 3 });
    const small = graphOf({ nodes, edges });
    const L = inPresenterType(() => fitLayout(small, null, {}, 1280, 640));
    const k = Math.min(1280 / L.width, 640 / L.height);
    assert.ok(k >= 1, `zoom ${k}`);
    assert.ok(L.width < 1280, `a small picture is laid out narrower (${L.width}) so it is drawn larger`);
  });
});

describe('pod rows name their node in every mode', () => {
  const p = pod('default', 'web-abc-x1', 'ReplicaSet/default/web-abc', 'kind-worker-two');
  const lane = { x: 0, w: 520 };
  const geo = { x: 30, y: 0, r: 12 };
  for (const [mode, scale] of [['dashboard', 1], ['presenter', 20 / 14.5]]) {
    it(mode, () => {
      setTextScale(scale);
      try {
        const s = podMarkup(p, geo, lane, null, { colour: 1 });
        assert.match(s, /<text[^>]*data-fact="node">kind-worker-two<\/text>/);
      } finally {
        setTextScale(1);
      }
    });
  }
  it('a node the layout does not draw gets no chip, an unscheduled pod says so', () => {
    assert.doesNotMatch(podMarkup(p, geo, lane, null, null), /data-fact="node"/);
    assert.match(podMarkup({ ...p, node: '' }, geo, lane, null, null), /chip-none/);
  });
});
