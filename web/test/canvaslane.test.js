import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CANVAS_CELLS_ABOVE, CanvasLane, canvasScale, cellAt, cellGeom, cellRect, drawCells, paintedSize } from '../static/canvaslane.js';
import { GEOM, layout } from '../static/layout.js';
import { app, graphOf } from './fixtures/build.js';

const LANE = 'ReplicaSet/default/web-abc123';

// bigLane lays out one Deployment of n pods, on a wall screen's grid if wall.
function bigLane(n, wall) {
  const L = layout(graphOf(app({ pods: n })), null, wall ? { wall } : {});
  return { L, lane: L.lanes.get(LANE) };
}

describe('canvas lane: cell geometry', () => {
  for (const [name, wall] of [['dashboard', null], ['wall pitch 6', { k: 1, p: 6 }]]) {
    it(`puts every cell where layout.js puts its pod (${name})`, () => {
      const { L, lane } = bigLane(150, wall);
      const G = L.geom || GEOM;
      if (wall) assert.equal(G.cell, 6, 'the wall pitch is used');
      assert.equal(lane.compact, true);
      assert.ok(lane.pods.length > CANVAS_CELLS_ABOVE, 'the lane is big enough for a canvas');
      const g = cellGeom(lane, G);
      for (const id of lane.pods) {
        const p = L.pods.get(id);
        const r = cellRect(g, p.slot);
        // The pod's centre, relative to the lane, is its cell's centre.
        assert.equal(r.x + r.w / 2, p.x - lane.x, `x of ${id}`);
        assert.equal(r.y + r.h / 2, p.y - lane.y, `y of ${id}`);
        assert.equal(r.w, p.r * 2);
        // The cell fits in the lane.
        assert.ok(r.x + r.w <= lane.w && r.y + r.h <= lane.h, `${id} inside the lane`);
      }
    });
  }

  it('hit-tests a point to the cell under it', () => {
    const { L, lane } = bigLane(150);
    const g = cellGeom(lane, L.geom || GEOM);
    for (const id of lane.pods) {
      const p = L.pods.get(id);
      const x = p.x - lane.x;
      const y = p.y - lane.y;
      assert.equal(cellAt(g, x, y), p.slot, `centre of ${id}`);
      // The cell's corners are in it; a point just past it is not.
      assert.equal(cellAt(g, x - p.r, y - p.r), p.slot);
      assert.equal(cellAt(g, x + p.r - 0.01, y + p.r - 0.01), p.slot);
    }
  });

  it('finds no cell in the gaps, the header or left of the grid', () => {
    const g = { ox: 12, oy: 40, pitch: 13, size: 10, cols: 5, w: 100, h: 100 };
    assert.equal(cellAt(g, 12 + 10.5, 45), -1, 'the gap between two cells');
    assert.equal(cellAt(g, 15, 40 + 11), -1, 'the gap between two rows');
    assert.equal(cellAt(g, 15, 10), -1, 'the lane header');
    assert.equal(cellAt(g, 5, 45), -1, 'left of the grid');
    assert.equal(cellAt(g, 12 + 5 * 13 + 2, 45), -1, 'right of the last column');
    assert.equal(cellAt(g, 12 + 13 + 1, 40 + 2 * 13 + 1), 2 * 5 + 1);
  });
});

describe('canvas lane: the pod under the pointer', () => {
  // A lane canvas without a document, shown at twice its size from
  // viewport point 50,30.
  const g = { ox: 12, oy: 40, pitch: 13, size: 10, cols: 5, w: 100, h: 80 };
  const pal = { ready: 'green', sig: '' };
  const lane = () => {
    const cv = Object.create(CanvasLane.prototype);
    const ctx = recorder().ctx;
    ctx.setTransform = () => {};
    cv.fo = { setAttribute() {} };
    cv.canvas = {
      ownerDocument: { defaultView: { devicePixelRatio: 1 } },
      style: {},
      getContext: () => ctx,
      getBoundingClientRect() {
        return { left: 50, top: 30, width: 2 * parseFloat(this.style.width), height: 2 * parseFloat(this.style.height) };
      },
    };
    cv.size = cv.sig = '';
    cv.cells = [];
    cv.g = cv.bySlot = null;
    return cv;
  };
  const at = (x, y) => [50 + 2 * x, 30 + 2 * y]; // lane units to the viewport

  it('finds the pod whose cell is under the point, whatever the zoom', () => {
    const cv = lane();
    assert.equal(cv.podAt(...at(17, 45)), '', 'nothing before the first draw');
    cv.draw(g, [{ slot: 0, state: 'ready', id: 'Pod/a' }, { slot: 6, state: 'ready', id: 'Pod/b' }], pal);
    assert.equal(cv.podAt(...at(17, 45)), 'Pod/a');
    assert.equal(cv.podAt(...at(12 + 13 + 5, 40 + 13 + 5)), 'Pod/b', 'slot 6: second row, second column');
    assert.equal(cv.podAt(...at(12 + 10.5, 45)), '', 'a gap');
    assert.equal(cv.podAt(...at(12 + 2 * 13 + 5, 45)), '', 'a slot with no pod (reserved)');
    assert.equal(cv.podAt(...at(17, 10)), '', 'the lane header');
  });

  it('follows the cells of the last draw', () => {
    const cv = lane();
    cv.draw(g, [{ slot: 0, state: 'ready', id: 'Pod/a' }], pal);
    assert.equal(cv.podAt(...at(17, 45)), 'Pod/a');
    cv.draw(g, [{ slot: 0, state: 'ready', id: 'Pod/c' }], pal);
    assert.equal(cv.podAt(...at(17, 45)), 'Pod/c');
  });
});

// recorder is a 2D context that records what is drawn.
function recorder() {
  const calls = [];
  const ctx = { globalAlpha: 1, fillStyle: '', strokeStyle: '', lineWidth: 1 };
  for (const m of ['clearRect', 'fillRect', 'strokeRect', 'setLineDash']) {
    ctx[m] = (...a) => calls.push({ m, a, fill: ctx.fillStyle, stroke: ctx.strokeStyle, alpha: ctx.globalAlpha, width: ctx.lineWidth });
  }
  return { ctx, calls };
}

describe('canvas lane: painting', () => {
  const g = { ox: 12, oy: 40, pitch: 13, size: 10, cols: 5, w: 100, h: 100 };
  const pal = { ready: 'green', notready: 'lime', pending: 'grey', creating: 'blue', terminating: 'brown', failed: 'red', completed: 'teal', accent: 'cyan', dim: 'dimgrey', text: 'white' };

  it('paints each state as the SVG cells do', () => {
    const { ctx, calls } = recorder();
    drawCells(ctx, g, [{ slot: 0, state: 'ready' }, { slot: 1, state: 'pending' }, { slot: 7, state: 'failed' }], pal);
    assert.deepEqual(calls[0], { m: 'clearRect', a: [0, 0, 100, 100], fill: '', stroke: '', alpha: 1, width: 1 });
    const fills = calls.filter((c) => c.m === 'fillRect');
    assert.deepEqual(fills.map((c) => [c.a, c.fill]), [[[12, 40, 10, 10], 'green'], [[12 + 2 * 13, 40 + 13, 10, 10], 'red']]);
    // Pending is an outline only; failed is outlined in the text colour.
    const strokes = calls.filter((c) => c.m === 'strokeRect');
    assert.deepEqual(strokes.map((c) => c.stroke), ['grey', 'white']);
  });

  it('outlines lit cells, dims the rest and fades what a focused pod cannot reach', () => {
    const { ctx, calls } = recorder();
    drawCells(ctx, g, [{ slot: 0, state: 'ready', lit: true }, { slot: 1, state: 'ready', dim: true }, { slot: 2, state: 'ready', faint: true }], pal);
    const fills = calls.filter((c) => c.m === 'fillRect');
    assert.deepEqual(fills.map((c) => [c.fill, c.alpha]), [['green', 1], ['dimgrey', 1], ['green', 0.22]]);
    const lit = calls.filter((c) => c.m === 'strokeRect');
    assert.equal(lit.length, 1);
    assert.equal(lit[0].stroke, 'cyan');
    assert.ok(lit[0].width > 2);
  });
});

describe('canvas lane: backing store', () => {
  for (const [name, n, wall] of [['dashboard, 150 pods', 150, null], ['dashboard, 2,000 pods', 2000, null], ['wall pitch 6', 700, { k: 1, p: 6 }]]) {
    it(`covers every cell and its lit outline, and no more width than the grid (${name})`, () => {
      const { L, lane } = bigLane(n, wall);
      const g = cellGeom(lane, L.geom || GEOM);
      const { w, h } = paintedSize(g);
      assert.ok(w <= lane.w && h <= lane.h, 'inside the lane');
      for (let slot = 0; slot < lane.cap; slot++) {
        const r = cellRect(g, slot);
        // The lit outline is 2.5 wide around the cell, from 0.25 outside it.
        assert.ok(r.x + r.w + 1.5 <= w && r.y + r.h + 1.5 <= h, `slot ${slot} (${r.x},${r.y}) inside ${w}x${h}`);
      }
      const lastRight = cellRect(g, g.cols - 1);
      assert.ok(w - (lastRight.x + lastRight.w) < g.pitch, `${w} wide: only the grid, the lane is ${lane.w}`);
    });
  }

  it('backs a layout unit with 2 pixels on a plain screen, 3 on a HiDPI one', () => {
    assert.equal(canvasScale(1), 2);
    assert.equal(canvasScale(undefined), 2);
    assert.equal(canvasScale(0.5), 2, 'zoomed-out browser: never under 2');
    assert.equal(canvasScale(1.25), 2.5);
    assert.equal(canvasScale(2), 3);
    assert.equal(canvasScale(3), 3, 'capped: a bigger store costs more to allocate than it shows');
  });
});
