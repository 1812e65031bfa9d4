import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assignSlots, GEOM, layout, stickyOrder } from '../static/layout.js';
import { addPods, app, deployment, edge, fixture, graphOf, ingress, node, pod, removePods, replicaSet, service } from './fixtures/build.js';

// plain turns a layout into comparable plain data.
const plain = (L) => JSON.stringify({
  w: L.width, h: L.height, bands: L.bands,
  boxes: [...L.boxes], lanes: [...L.lanes], pods: [...L.pods], ghosts: L.ghosts, edges: L.edges,
});
const podXY = (L) => new Map([...L.pods].map(([id, p]) => [id, [p.x, p.y]]));

describe('layout: determinism', () => {
  it('gives the same picture for the same graph', () => {
    const g = graphOf(fixture('rollout.json'));
    assert.equal(plain(layout(g)), plain(layout(g)));
  });

  it('does not depend on the order objects arrive in', () => {
    const f = fixture('rollout.json');
    const a = layout(graphOf(f));
    const b = layout(graphOf({ nodes: f.nodes.slice().reverse(), edges: f.edges.slice().reverse() }));
    assert.equal(plain(a), plain(b));
  });

  it('puts the columns in order: Ingress | Service | workloads | Node', () => {
    const L = layout(graphOf(fixture('rollout.json')));
    const x = (id) => L.boxes.get(id).x;
    const ing = x('Ingress/default/hello-ingress');
    const svc = x('Service/default/service-hellok8s');
    const podX = L.pods.get('Pod/default/hellok8s-deployment-9c57c7f56-rww7k').x;
    const nd = x('Node/node1');
    assert.ok(ing < svc && svc < podX && podX < nd, `${ing} < ${svc} < ${podX} < ${nd}`);
  });
});

describe('layout: stability', () => {
  const rsId = 'ReplicaSet/default/web-abc123';

  it('keeps existing pods where they were after a scale-up', () => {
    const g3 = app({ pods: 3 });
    const L1 = layout(graphOf(g3));
    // The Deployment's spec changes first, then the pods arrive.
    const g6 = addPods(g3, rsId, 3);
    g6.nodes = g6.nodes.map((n) => (n.id === rsId ? { ...n, replicas: 6 } : n.kind === 'Deployment' ? { ...n, replicas: 6 } : n));
    const L2 = layout(graphOf(g6), L1.state);
    const before = podXY(L1);
    const after = podXY(L2);
    assert.equal(after.size, 6);
    for (const [id, xy] of before) assert.deepEqual(after.get(id), xy, `${id} moved`);
    // New pods sort before the old ones by name, yet they fill new slots.
    const newYs = [...after].filter(([id]) => !before.has(id)).map(([, xy]) => xy[1]);
    const oldMax = Math.max(...[...before.values()].map((xy) => xy[1]));
    for (const y of newYs) assert.ok(y > oldMax, 'new pods appear beside (after) their siblings');
    // Nothing unrelated moved: the Nodes and the Deployment box's top.
    for (const id of ['Node/node-1', 'Node/node-2', 'Deployment/default/web', 'Service/default/web']) {
      assert.deepEqual([L2.boxes.get(id).x, L2.boxes.get(id).y], [L1.boxes.get(id).x, L1.boxes.get(id).y], `${id} moved`);
    }
  });

  it('reserves the desired count so the lane grows once, not per pod', () => {
    const g3 = app({ pods: 3 });
    const L1 = layout(graphOf(g3));
    const scaled = { ...g3, nodes: g3.nodes.map((n) => (n.id === rsId ? { ...n, replicas: 6 } : n)) };
    const L2 = layout(graphOf(scaled), L1.state);
    const L3 = layout(graphOf(addPods(scaled, rsId, 1)), L2.state);
    assert.ok(L2.lanes.get(rsId).h > L1.lanes.get(rsId).h);
    assert.equal(L3.lanes.get(rsId).h, L2.lanes.get(rsId).h);
  });

  it('keeps the remaining pods where they were after a scale-down', () => {
    const g6 = app({ pods: 6 });
    const L1 = layout(graphOf(g6));
    const gone = ['Pod/default/web-abc123-p001', 'Pod/default/web-abc123-p004'];
    const g4 = removePods(g6, gone);
    const L2 = layout(graphOf(g4), L1.state);
    const before = podXY(L1);
    const after = podXY(L2);
    assert.equal(after.size, 4);
    for (const [id, xy] of after) assert.deepEqual(xy, before.get(id), `${id} moved`);
    // A replacement takes the first hole.
    const L3 = layout(graphOf(addPods(g4, rsId, 1)), L2.state);
    assert.deepEqual(L3.pods.get('Pod/default/web-abc123-a0').y, before.get(gone[0])[1]);
  });

  it('does not move other namespaces or workloads when one scales', () => {
    const a = app({ ns: 'alpha', name: 'a', pods: 2 });
    const b = app({ ns: 'beta', name: 'b', pods: 2 });
    const both = { nodes: [...a.nodes, ...b.nodes.filter((n) => n.kind !== 'Node')], edges: [...a.edges, ...b.edges] };
    const L1 = layout(graphOf(both));
    const grown = addPods(both, 'ReplicaSet/beta/b-abc123', 4);
    const L2 = layout(graphOf(grown), L1.state);
    for (const [id, xy] of podXY(L1)) assert.deepEqual(podXY(L2).get(id), xy, `${id} moved`);
  });

  it('stickyOrder and assignSlots are stable', () => {
    assert.deepEqual(stickyOrder(['b', 'a', 'x'], ['a', 'b', 'c']), ['b', 'a', 'c']);
    const s1 = assignSlots(null, ['p1', 'p2', 'p3']);
    assert.deepEqual([...s1], [['p1', 0], ['p2', 1], ['p3', 2]]);
    const s2 = assignSlots(s1, ['n1', 'p1', 'p3', 'n2']);
    assert.deepEqual([...s2].sort(), [['n1', 1], ['n2', 3], ['p1', 0], ['p3', 2]]);
  });
});

describe('layout: reuse of unchanged namespaces', () => {
  const two = () => {
    const a = app({ ns: 'alpha', name: 'a', pods: 2 });
    const b = app({ ns: 'beta', name: 'b', pods: 2 });
    return { nodes: [...a.nodes, ...b.nodes.filter((n) => n.kind !== 'Node')], edges: [...a.edges, ...b.edges] };
  };
  const fresh = (state) => ({ ...state, bands: new Map() });

  it('reuses a namespace that did not change, as the very same objects', () => {
    const g = two();
    const L1 = layout(graphOf(g));
    const g2 = addPods(g, 'ReplicaSet/beta/b-abc123', 3);
    const L2 = layout(graphOf(g2), L1.state);
    assert.equal(L2.pods.get('Pod/alpha/a-abc123-p000'), L1.pods.get('Pod/alpha/a-abc123-p000'));
    assert.equal(plain(L2), plain(layout(graphOf(g2), fresh(L1.state))), 'reuse gives what a fresh layout gives');
  });

  it('shifts a reused namespace when one above it grows', () => {
    const g = two();
    const L1 = layout(graphOf(g));
    const g2 = addPods(g, 'ReplicaSet/alpha/a-abc123', 8);
    const L2 = layout(graphOf(g2), L1.state);
    const id = 'Pod/beta/b-abc123-p000';
    assert.ok(L2.pods.get(id).y > L1.pods.get(id).y, 'beta moved down');
    assert.equal(plain(L2), plain(layout(graphOf(g2), fresh(L1.state))));
  });

  it('recomputes a namespace whose object changed in place', () => {
    const g = two();
    const L1 = layout(graphOf(g));
    const g2 = { ...g, nodes: g.nodes.map((n) => (n.id === 'Pod/alpha/a-abc123-p001' ? { ...n, status: 'Terminating' } : n)) };
    const L2 = layout(graphOf(g2), L1.state);
    assert.equal(L2.bands[0].counts.terminating, 1);
    assert.equal(plain(L2), plain(layout(graphOf(g2), fresh(L1.state))));
  });
});

describe('layout: rollout lanes', () => {
  it('draws old and new ReplicaSets as lanes in revision order', () => {
    const L = layout(graphOf(fixture('rollout.json')));
    const d = L.boxes.get('Deployment/default/hellok8s-deployment');
    assert.deepEqual(d.lanes, [
      'ReplicaSet/default/hellok8s-deployment-66799848c4',
      'ReplicaSet/default/hellok8s-deployment-9c57c7f56',
    ], 'revision 1 (empty, not among the two newest) is hidden');
    const [oldL, newL] = d.lanes.map((id) => L.lanes.get(id));
    assert.ok(oldL.y < newL.y);
    assert.equal(oldL.pods.length, 2);
    assert.equal(newL.pods.length, 3);
    // Every pod sits inside its lane, below the lane's label.
    for (const l of [oldL, newL]) {
      for (const id of l.pods) {
        const p = L.pods.get(id);
        assert.ok(p.y - p.r >= l.y + GEOM.laneHeader - 4 && p.y + p.r <= l.y + l.h, `${id} outside its lane`);
      }
    }
  });

  it('keeps the emptied old lane after a rollout finishes, and fills it on undo', () => {
    const ns = 'default';
    const d = deployment(ns, 'web', 2, { revision: 2 });
    const rs1 = replicaSet(ns, 'web-one', d.id, 1, 0);
    const rs2 = replicaSet(ns, 'web-two', d.id, 2, 2);
    const pods = [pod(ns, 'web-two-a', rs2.id, 'n1'), pod(ns, 'web-two-b', rs2.id, 'n1')];
    let L = layout(graphOf({ nodes: [node('n1'), d, rs1, rs2, ...pods], edges: [] }));
    assert.equal(L.lanes.get(rs1.id).pods.length, 0);
    assert.ok(L.lanes.has(rs1.id), 'the emptied lane is still drawn');
    // Undo: rs1 becomes revision 3 and gets pods; lanes reorder by revision.
    const rs1b = { ...rs1, revision: 3, replicas: 2 };
    const rs2b = { ...rs2, replicas: 0 };
    const back = [pod(ns, 'web-one-x', rs1.id, 'n1')];
    L = layout(graphOf({ nodes: [node('n1'), d, rs1b, rs2b, ...pods, ...back], edges: [] }), L.state);
    assert.deepEqual(L.boxes.get(d.id).lanes, [rs2.id, rs1.id]);
    assert.equal(L.lanes.get(rs1.id).pods.length, 1);
  });
});

describe('layout: kinds and edges', () => {
  it('orders StatefulSet pods by ordinal, gaps included', () => {
    const ns = 'db';
    const sts = { id: `StatefulSet/${ns}/pg`, kind: 'StatefulSet', namespace: ns, name: 'pg', uid: 's', replicas: 3, ready: 2 };
    const pods = ['pg-2', 'pg-0', 'pg-10'].map((n) => pod(ns, n, sts.id, ''));
    const L = layout(graphOf({ nodes: [sts, ...pods], edges: [] }));
    const y = (n) => L.pods.get(`Pod/${ns}/${n}`).y;
    assert.ok(y('pg-0') < y('pg-2') && y('pg-2') < y('pg-10'));
    assert.equal(y('pg-2') - y('pg-0'), 2 * GEOM.row, 'slot 1 is left free for pg-1');
  });

  it('draws DaemonSet pods and bare pods', () => {
    const ns = 'sys';
    const ds = { id: `DaemonSet/${ns}/agent`, kind: 'DaemonSet', namespace: ns, name: 'agent', uid: 'd', replicas: 2, ready: 2 };
    const list = [node('n1'), node('n2'), ds, pod(ns, 'agent-x', ds.id, 'n2'), pod(ns, 'agent-y', ds.id, 'n1'), pod(ns, 'loner', '', 'n1'), pod(ns, 'job-pod', 'Job/sys/j', 'n1')];
    const L = layout(graphOf({ nodes: list, edges: [] }));
    assert.equal(L.pods.size, 4);
    assert.ok(L.pods.get('Pod/sys/agent-y').y < L.pods.get('Pod/sys/agent-x').y, 'DaemonSet pods follow node order');
    assert.deepEqual(L.lanes.get('group:sys:pods').pods.sort(), ['Pod/sys/job-pod', 'Pod/sys/loner']);
  });

  it('routes selects edges flat into the pod row, below the lane label', () => {
    const L = layout(graphOf(fixture('rollout.json')));
    const sel = L.edges.filter((e) => e.kind === 'selects');
    assert.equal(sel.length, 6);
    for (const e of sel) {
      const p = L.pods.get(e.to);
      const lane = L.lanes.get(p.lane);
      const m = /L([\d.]+),([\d.]+)$/.exec(e.d);
      assert.ok(m, e.d);
      assert.equal(Number(m[2]), p.y, 'last segment is at the pod row');
      assert.ok(Number(m[2]) > lane.y + GEOM.laneHeader - 6, 'never through the lane label');
      assert.ok(Number(m[1]) < p.x, 'ends at the pod');
    }
    assert.equal(sel.find((e) => e.to.endsWith('pllj6')).state, 'terminating');
    const runsOn = L.edges.filter((e) => e.kind === 'runs-on');
    assert.equal(runsOn.length, 6);
    assert.ok(runsOn.every((e) => e.d.startsWith('M') && typeof e.colour === 'number'));
    assert.equal(L.edges.filter((e) => e.kind === 'routes').length, 2);
  });

  it('turns a big ReplicaSet into a grid of cells with merged edges', () => {
    const g = app({ pods: 60 });
    const L = layout(graphOf(g));
    const lane = L.lanes.get('ReplicaSet/default/web-abc123');
    assert.equal(lane.compact, true);
    assert.equal(L.pods.size, 60);
    assert.ok([...L.pods.values()].every((p) => p.compact && p.r === GEOM.cellSize / 2));
    const sel = L.edges.filter((e) => e.kind === 'selects');
    assert.equal(sel.length, 1);
    assert.equal(sel[0].agg, true);
    assert.equal(sel[0].count, 60);
    const runs = L.edges.filter((e) => e.kind === 'runs-on');
    assert.equal(runs.length, 2, 'one merged edge per node');
    assert.equal(runs.reduce((n, e) => n + e.count, 0), 60);
    // Below the threshold it is a list again.
    assert.equal(layout(graphOf(g), null, { compactAbove: 100 }).lanes.get(lane.id).compact, false);
  });

  it('lays out 5,000 pods quickly', () => {
    const g = graphOf(app({ pods: 5000, nodes: Array.from({ length: 50 }, (_, i) => `n${i}`) }));
    const t0 = performance.now();
    const L = layout(g);
    const ms = performance.now() - t0;
    assert.equal(L.pods.size, 5000);
    assert.ok(ms < 1500, `took ${ms} ms`);
  });

  it('collapses a namespace to its header and keeps its slots', () => {
    const g = graphOf(app({ pods: 3 }));
    const L1 = layout(g);
    const L2 = layout(g, L1.state, { collapsed: new Set(['default']) });
    assert.equal(L2.pods.size, 0);
    assert.equal(L2.bands[0].collapsed, true);
    assert.equal(L2.bands[0].pods, 3);
    assert.equal(L2.edges.filter((e) => e.kind !== 'routes').length, 0);
    const L3 = layout(g, L2.state);
    assert.deepEqual(podXY(L3), podXY(L1));
  });
});

describe('layout: bad and edge input', () => {
  it('handles an empty cluster', () => {
    const L = layout({ nodes: new Map(), edges: new Map() });
    assert.equal(L.bands.length, 0);
    assert.equal(L.pods.size, 0);
    assert.ok(L.height > 0);
  });

  it('draws an empty band for a filtered namespace with nothing in it', () => {
    const L = layout({ nodes: [], edges: [] }, null, { namespaces: ['ghost-town'] });
    assert.equal(L.bands.length, 1);
    assert.equal(L.bands[0].empty, true);
  });

  it('handles 63-character names', () => {
    const long = 'a'.repeat(63);
    const g = graphOf({ nodes: [node(long), service(long, long), pod(long, long, '', long)], edges: [edge('runs-on', `Pod/${long}/${long}`, `Node/${long}`)] });
    const L = layout(g);
    assert.equal(L.pods.size, 1);
    assert.equal(L.edges.length, 1);
  });

  it('handles 0 replicas: the lane is drawn, empty', () => {
    const d = deployment('z', 'idle', 0);
    const rs = replicaSet('z', 'idle-1', d.id, 1, 0);
    const L = layout(graphOf({ nodes: [d, rs], edges: [] }));
    assert.equal(L.lanes.get(rs.id).pods.length, 0);
    assert.ok(L.lanes.get(rs.id).h >= GEOM.laneHeader);
  });

  it('draws a Service with no selector, and no edges for it', () => {
    const L = layout(graphOf({ nodes: [service('x', 'ext', {})], edges: [] }));
    assert.ok(L.boxes.has('Service/x/ext'));
    assert.equal(L.edges.length, 0);
  });

  it('draws an Ingress to a missing Service as a dangling reference', () => {
    const ing = ingress('x', 'web', [{ host: 'a', path: '/', service: 'nope', port: '80' }, { host: 'a', path: '/ok', service: 'ok', port: '80' }]);
    const svc = service('x', 'ok');
    // With the server's edge to the missing Service, and without one.
    for (const edges of [[edge('routes', ing.id, 'Service/x/nope'), edge('routes', ing.id, svc.id)], [edge('routes', ing.id, svc.id)]]) {
      const L = layout(graphOf({ nodes: [ing, svc], edges }));
      assert.deepEqual(L.ghosts.map((g) => g.id), ['Service/x/nope']);
      const dangling = L.edges.filter((e) => e.state === 'dangling');
      assert.equal(dangling.length, 1);
      assert.equal(dangling[0].to, 'Service/x/nope');
    }
  });

  it('ignores edges whose ends are not drawn', () => {
    const L = layout(graphOf({ nodes: [node('n1')], edges: [edge('runs-on', 'Pod/a/gone', 'Node/n1'), edge('selects', 'Service/a/x', 'Pod/a/gone', { state: 'ready' })] }));
    assert.equal(L.edges.length, 0);
  });
});
