// Wall-screen mode (wall.js, ?wall=1): the variant chosen for the screen's
// shape, its estimate against the real layout, the workloads in k columns
// side by side, and the trouble counted.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GEOM, layout } from '../static/layout.js';
import { parseNodeGroups } from '../static/nodegroups.js';
import { chooseWall, trouble, wallHeight, wallLayout, wallMode } from '../static/wall.js';
import { app, graphOf, node } from './fixtures/build.js';

// bigCluster is four Deployments of 2,000, 1,500, 1,000 and 500 pods over
// 24 Nodes, as issue #15's wall was tried.
function bigCluster() {
  const nodes = Array.from({ length: 24 }, (_, i) => `n${String(i).padStart(2, '0')}`);
  const parts = [2000, 1500, 1000, 500].map((pods, i) => app({ ns: 'wall', name: `app${i}`, pods, nodes }));
  const seen = new Set();
  const all = { nodes: [], edges: [] };
  for (const p of parts) {
    for (const n of p.nodes) if (!seen.has(n.id)) seen.add(n.id) && all.nodes.push(n);
    all.edges.push(...p.edges);
  }
  return graphOf(all);
}

const opts = { nodeGroups: parseNodeGroups('http://x/') };

describe('wall mode', () => {
  it('is asked for with ?wall=1', () => {
    assert.equal(wallMode('http://x/?wall=1'), true);
    assert.equal(wallMode('http://x/?wall=true&lang=zh-CN'), true);
    assert.equal(wallMode('http://x/?wall=0'), false);
    assert.equal(wallMode('http://x/'), false);
  });

  const g = bigCluster();
  const base = layout(g, null, { ...opts, wall: { k: 1, p: GEOM.cell } });

  it('estimates each variant\'s height within a tenth of its layout', () => {
    for (const [k, p] of [[1, 13], [2, 10], [3, 8], [2, 6]]) {
      const real = layout(g, null, { ...opts, wall: { k, p } }).height;
      const est = wallHeight(base, k, p);
      assert.ok(Math.abs(est - real) <= real / 10, `k=${k} p=${p}: estimated ${Math.round(est)}, laid out ${real}`);
    }
  });

  it('stands the workloads in k columns side by side', () => {
    const L = layout(g, null, { ...opts, wall: { k: 2, p: 10 } });
    const xs = new Set([...L.boxes.values()].filter((b) => b.kind === 'Deployment').map((b) => b.x));
    assert.equal(xs.size, 2);
    // Lanes and pods moved with their box.
    for (const [id, p] of L.pods) {
      const lane = L.lanes.get(p.lane);
      assert.ok(p.x > lane.x && p.x < lane.x + lane.w && p.y > lane.y && p.y < lane.y + lane.h, `${id} outside its lane`);
    }
    // The Nodes stand right of every workload column.
    const right = Math.max(...[...L.boxes.values()].filter((b) => b.kind === 'Deployment').map((b) => b.x + b.w));
    assert.ok([...L.boxes.values()].filter((b) => b.kind === 'Node').every((b) => b.x > right));
  });

  it('fits 5,000 pods on a 1920×1000 stage far larger than the dashboard does', () => {
    const memo = {};
    const L = wallLayout(g, null, opts, 1920, 1000, memo);
    const zoom = Math.min(1920 / L.width, 1000 / L.height, 1);
    const dash = layout(g, null, opts);
    const dashZoom = Math.min(1920 / dash.width, 1000 / dash.height, 1);
    assert.ok(memo.pick.k > 1 || memo.pick.p < GEOM.cell, `picked ${JSON.stringify(memo.pick)}`);
    assert.ok(zoom >= 0.6 && zoom >= 1.8 * dashZoom, `wall zoom ${zoom.toFixed(2)}, dashboard ${dashZoom.toFixed(2)}`);
    // The estimate it chose by is the picture's own zoom, near enough.
    assert.ok(Math.abs(memo.pick.z - zoom) < 0.05, `estimated ${memo.pick.z.toFixed(2)}, laid out ${zoom.toFixed(2)}`);
    assert.equal(chooseWall(base, 1920, 1000).z <= memo.pick.z + 0.02, true);
  });

  it('keeps its variant while the pods change by less than a tenth', () => {
    const memo = {};
    wallLayout(g, null, opts, 1920, 1000, memo);
    const pick = memo.pick;
    const more = bigCluster();
    const extra = app({ ns: 'wall', name: 'app3', pods: 800, nodes: ['n00', 'n01'] });
    for (const n of extra.nodes) if (n.kind === 'Pod') more.nodes.set(n.id, n);
    wallLayout(more, null, opts, 1920, 1000, memo);
    assert.deepEqual(memo.pick, pick);
    // A screen of another shape chooses again.
    wallLayout(more, null, opts, 1000, 1900, memo);
    assert.equal(memo.size, '1000x1900');
  });

  it('closes the Node groups the viewer left alone when the Node column is what keeps the picture small', () => {
    const many = bigCluster();
    // 34 Nodes: under the 40 past which groups start closed.
    for (let i = 0; i < 10; i++) {
      const n = node(`extra-${String(i).padStart(2, '0')}`, { zone: `zone-${i % 3}` });
      many.nodes.set(n.id, n);
    }
    const memo = {};
    const L = wallLayout(many, null, opts, 1920, 1000, memo);
    assert.equal(memo.closeNodes, true);
    assert.ok(![...L.boxes.values()].some((b) => b.kind === 'Node'), 'no Node drawn: their groups are closed');
    // Groups the viewer opened stay open.
    const mine = { nodeGroups: { ...opts.nodeGroups, open: new Set(['zone-0/~']) } };
    const L2 = wallLayout(many, null, mine, 1920, 1000, {});
    assert.ok([...L2.boxes.values()].some((b) => b.kind === 'Node'), 'the opened group\'s Nodes drawn');
  });

  it('counts the trouble a wall shows', () => {
    const g2 = graphOf({
      nodes: [
        node('ok'), node('down', { ready: false }), node('full', { conditions: [{ type: 'MemoryPressure', status: 'True' }] }), node('cordoned', { unschedulable: true }),
        { id: 'Pod/a/p1', kind: 'Pod', namespace: 'a', name: 'p1', status: 'CrashLoopBackOff' },
        { id: 'Pod/a/p2', kind: 'Pod', namespace: 'a', name: 'p2', status: 'Pending' },
        { id: 'Pod/a/p3', kind: 'Pod', namespace: 'a', name: 'p3', status: 'Running', ready: true },
        { id: 'Deployment/a/d', kind: 'Deployment', namespace: 'a', name: 'd', rollout: 'stalled' },
        { id: 'Deployment/a/e', kind: 'Deployment', namespace: 'a', name: 'e', rollout: 'complete' },
      ],
      edges: [],
    });
    assert.deepEqual(trouble(g2.nodes), { nodes: 3, failed: 1, pending: 1, stalled: 1 });
  });
});
