// Kind toggles (kinds.js): ?hide= parsing, and a hidden kind's objects and
// edges left out of the picture with nothing drawn to nowhere.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { setLang } from '../static/i18n.js';
import { formatHide, hideKinds, KINDS, pageHide, parseHide, withHide } from '../static/kinds.js';
import { layout } from '../static/layout.js';
import { ingressStatus, missingServices } from '../static/status.js';
import { app, graphOf } from './fixtures/build.js';

// dangling lists the drawn edges with an end that is not drawn.
function dangling(L) {
  const drawn = (id) => L.boxes.has(id) || L.pods.has(id) || L.lanes.has(id) || L.ghosts.some((g) => g.id === id);
  return L.edges.filter((e) => !drawn(e.from) || !drawn(e.to)).map((e) => e.id);
}
const kindsDrawn = (L) => new Set([...L.boxes.values()].map((b) => b.kind).concat(L.pods.size ? ['Pod'] : []));

describe('kinds: ?hide=', () => {
  it('reads kinds in any case and says which names it did not know', () => {
    const { hide, unknown } = parseHide(' replicaset,NODE,,Bogus,Pod ');
    assert.deepEqual([...hide].sort(), ['Node', 'Pod', 'ReplicaSet']);
    assert.deepEqual(unknown, ['Bogus']);
    assert.deepEqual(parseHide(null), { hide: new Set(), unknown: [] });
    assert.deepEqual(parseHide(',,,').unknown, []);
  });

  it('reports bad values in the page address without throwing', () => {
    setLang('en');
    const st = pageHide('http://h/?hide=Node,%3Cb%3E,ConfigMap');
    assert.deepEqual([...st.hide], ['Node']);
    assert.deepEqual(st.problems, ['Unknown kinds in hide=, ignored: <b>, ConfigMap']);
    assert.deepEqual(pageHide('http://h/').problems, []);
  });

  it('writes kinds in column order, readable; nothing hidden is no parameter', () => {
    assert.equal(formatHide(new Set(['Node', 'Ingress', 'ReplicaSet'])), 'Ingress,ReplicaSet,Node');
    const href = withHide('http://h/?namespace=a,b', new Set(['Node', 'ReplicaSet']));
    assert.equal(href, 'http://h/?namespace=a,b&hide=ReplicaSet,Node');
    assert.deepEqual([...pageHide(href).hide].sort(), ['Node', 'ReplicaSet']);
    assert.equal(withHide(href, new Set()), 'http://h/?namespace=a,b');
    assert.equal(KINDS.length, 8);
  });

  it('hides nothing with nothing hidden: the same maps', () => {
    const g = graphOf(app());
    assert.equal(hideKinds(g, new Set()), g);
    assert.equal(hideKinds(g, null), g);
  });
});

describe('kinds: in the layout', () => {
  const g = graphOf(app({ pods: 4 }));

  it('hide=Node: no Node, no runs-on edge', () => {
    const L = layout(g, null, { hide: new Set(['Node']) });
    assert.ok(!kindsDrawn(L).has('Node'));
    assert.equal(L.edges.filter((e) => e.kind === 'runs-on').length, 0);
    assert.equal(L.pods.size, 4);
    assert.deepEqual(dangling(L), []);
    // The control: without hide, the same graph draws its Nodes and their edges.
    const all = layout(g);
    assert.ok(kindsDrawn(all).has('Node') && all.edges.some((e) => e.kind === 'runs-on'));
  });

  it('hide=Service: no Service, no ghost in its place, the Ingress not dangling', () => {
    const L = layout(g, null, { hide: new Set(['Service']) });
    assert.ok(!kindsDrawn(L).has('Service'));
    assert.deepEqual(L.ghosts, []);
    assert.equal(L.edges.filter((e) => e.kind === 'routes' || e.kind === 'selects').length, 0);
    assert.equal(ingressStatus(g.nodes.get('Ingress/default/web'), missingServices(L, 'default')), 'Ready');
    assert.deepEqual(dangling(L), []);
  });

  it('hide=ReplicaSet: the pods stay, their edges to it go', () => {
    const L = layout(g, null, { hide: new Set(['ReplicaSet']) });
    assert.ok(!kindsDrawn(L).has('ReplicaSet'));
    assert.equal(L.pods.size, 4);
    assert.ok(![...L.lanes.keys()].some((id) => id.startsWith('ReplicaSet/')));
    assert.deepEqual(dangling(L), []);
  });

  it('hide=Pod,Deployment: neither drawn, nothing dangling', () => {
    const L = layout(g, null, { hide: new Set(['Pod', 'Deployment']) });
    assert.equal(L.pods.size, 0);
    assert.ok(!kindsDrawn(L).has('Deployment'));
    assert.equal(L.edges.filter((e) => e.kind === 'selects' || e.kind === 'runs-on').length, 0);
    assert.deepEqual(dangling(L), []);
  });
});
