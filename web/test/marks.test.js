import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { aggEdges, Marks, markTargets } from '../static/marks.js';
import { layout } from '../static/layout.js';
import { app, graphOf } from './fixtures/build.js';

// fakeEl stands in for an SVG element: a class list that counts the
// changes made to it (each change restyles the element in a browser).
function fakeEl(name, ...classes) {
  const set = new Set(classes);
  const el = {
    name,
    writes: 0,
    classList: {
      contains: (c) => set.has(c),
      add: (c) => {
        el.writes++;
        set.add(c);
      },
      remove: (c) => {
        el.writes++;
        set.delete(c);
      },
    },
    // rewrite is the renderer setting the class attribute anew.
    rewrite: (...cs) => {
      set.clear();
      for (const c of cs) set.add(c);
    },
  };
  return el;
}

const writes = (els) => Object.fromEntries(els.filter((e) => e.writes).map((e) => [e.name, e.writes]));
const lit = (els, cls) => els.filter((e) => e.classList.contains(cls)).map((e) => e.name);

describe('Marks', () => {
  it('changes only the elements that gain or lose the mark', () => {
    const els = ['a', 'b', 'c', 'd', 'e'].map((n) => fakeEl(n, 'pod'));
    const [a, b, c, d] = els;
    const m = new Marks();
    m.set('match', [a, b, c]);
    assert.deepEqual(lit(els, 'match'), ['a', 'b', 'c']);
    for (const e of els) e.writes = 0;
    const changed = [];
    m.set('match', [b, c, d], (el) => changed.push(el.name));
    assert.deepEqual(lit(els, 'match'), ['b', 'c', 'd']);
    assert.deepEqual(writes(els), { a: 1, d: 1 }, 'b and c kept the mark untouched');
    assert.deepEqual(changed.sort(), ['a', 'd']);
  });

  it('clears with an empty set, and a second clear touches nothing', () => {
    const els = ['a', 'b'].map((n) => fakeEl(n));
    const m = new Marks();
    m.set('hl', els);
    m.set('hl', []);
    assert.deepEqual(lit(els, 'hl'), []);
    for (const e of els) e.writes = 0;
    m.set('hl', []);
    assert.deepEqual(writes(els), {});
  });

  it('keeps each class apart', () => {
    const els = ['a', 'b'].map((n) => fakeEl(n));
    const m = new Marks();
    m.set('hl', [els[0]]);
    m.set('match', [els[0], els[1]]);
    m.set('hl', []);
    assert.deepEqual(lit(els, 'hl'), []);
    assert.deepEqual(lit(els, 'match'), ['a', 'b'], 'clearing hover leaves the search marks');
  });

  it('marks again an element whose class the renderer rewrote', () => {
    const e = fakeEl('edge', 'edge', 'k-selects');
    const m = new Marks();
    m.set('hl', [e]);
    e.rewrite('edge', 'k-selects', 's-ready');
    const changed = [];
    m.set('hl', [e], (el) => changed.push(el.name));
    assert.ok(e.classList.contains('hl'));
    assert.deepEqual(changed, ['edge']);
  });

  it('does not unmark an element that lost the mark some other way', () => {
    const e = fakeEl('box', 'box');
    const m = new Marks();
    m.set('hl', [e]);
    e.rewrite('box', 'kind-Node');
    e.writes = 0;
    const changed = [];
    m.set('hl', [], (el) => changed.push(el.name));
    assert.equal(e.writes, 0);
    assert.deepEqual(changed, []);
  });
});

describe('markTargets', () => {
  const L = layout(graphOf(app({ pods: 150 })), null, {});
  const lane = 'ReplicaSet/default/web-abc123';
  const svc = 'Service/default/web';
  const pods = L.lanes.get(lane).pods;
  // items as the renderer keeps them: id → {el}.
  const items = { boxes: new Map(), pods: new Map(), lanes: new Map(), edges: new Map() };
  for (const id of L.boxes.keys()) items.boxes.set(id, { el: fakeEl(id) });
  for (const id of L.pods.keys()) items.pods.set(id, { el: fakeEl(id) });
  for (const id of L.lanes.keys()) items.lanes.set(id, { el: fakeEl(id) });
  for (const e of L.edges) items.edges.set(e.id, { el: fakeEl(e.id) });
  const names = (sel) => markTargets(sel, items, L).map((e) => e.name).sort();

  it('lists the boxes, pods, lanes and edges of a selection', () => {
    const edge = L.edges.find((e) => !e.agg).id;
    assert.deepEqual(names({ ids: new Set([svc, pods[3], lane, 'Pod/default/gone']), edgeIds: new Set([edge, 'selects:gone']) }),
      [svc, pods[3], lane, edge, `agg:selects:${svc}->${lane}`].sort());
  });

  it('lights an aggregated edge when both ends are lit, a lane by one of its pods', () => {
    const sel = (...ids) => ({ ids: new Set(ids), edgeIds: [] });
    const agg = `agg:selects:${svc}->${lane}`;
    assert.ok(names(sel(svc, pods[0])).includes(agg), "the Service and one of the lane's pods");
    assert.ok(!names(sel(svc)).includes(agg), 'the Service alone');
    assert.ok(!names(sel(pods[0])).includes(agg), 'a pod alone');
    assert.deepEqual(names(sel(lane, 'Node/node-1')).filter((n) => n.startsWith('agg:')), [`agg:runs-on:${lane}->Node/node-1`]);
  });

  it('is empty for no selection', () => {
    assert.deepEqual(markTargets(null, items, L), []);
    assert.deepEqual(markTargets({ ids: new Set([svc]) }, items, undefined).map((e) => e.name), [svc], 'before the first layout');
  });
});

describe('aggEdges', () => {
  it("is the layout's aggregated edges, found once per layout", () => {
    const L = layout(graphOf(app({ pods: 150 })), null, {});
    const list = aggEdges(L);
    assert.deepEqual(list.map((e) => e.id), L.edges.filter((e) => e.agg).map((e) => e.id));
    assert.ok(list.length > 0);
    assert.equal(aggEdges(L), list, 'the same list the second time');
    assert.deepEqual(aggEdges(null), []);
  });
});
