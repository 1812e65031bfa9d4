// The wave-2 picture (issue #12): where Jobs, CronJobs, autoscalers and the
// references column go, how mounts edges are drawn at the workload, and what
// each layer hides. The fixture wave2.json is a shop namespace with one of
// each: web (Deployment, 3 pods, ConfigMap volume + Secret env, an HPA), api
// (a broken ConfigMap reference), db (StatefulSet with ordinal claims, db-2
// Pending), report (CronJob, two Jobs) and migrate (Job, 5 completions).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_LAYERS, entryPoints, filterLayers, formatLayers, relevantStorage, GEOM, jobDesired, LAYERS, layerOf, layout, parseLayers } from '../static/layout.js';
import { app, edge, fixture, graphOf, pod } from './fixtures/build.js';

const NS = 'shop';
const wave2 = () => graphOf(fixture('wave2.json'));
const edgesOf = (L, kind) => L.edges.filter((e) => e.kind === kind);

describe('wave 2 layout: placement', () => {
  const L = layout(wave2());
  const box = (id) => {
    const b = L.boxes.get(id);
    assert.ok(b, `${id} is drawn`);
    return b;
  };

  it('puts references in their own column between the workloads and the Nodes, and widens the picture for it', () => {
    assert.deepEqual(L.columns.map((c) => c.id), ['ingress', 'service', 'work', 'ref', 'node']);
    assert.equal(L.width, GEOM.widthWide);
    const work = GEOM.col.work;
    for (const id of [`ConfigMap/${NS}/web-config`, `Secret/${NS}/web-db-password`, `PersistentVolumeClaim/${NS}/data-db-0`]) {
      const b = box(id);
      assert.ok(b.x >= work.x + work.w + 20, `${id} at x ${b.x} is right of the workloads`);
      assert.ok(b.x + b.w <= box('Node/node-1').x - 20, `${id} ends left of the Nodes`);
    }
    assert.equal(box('StorageClass/standard').x, box('Node/node-1').x, 'the StorageClass sits in the cluster column');
    assert.ok(box('StorageClass/standard').y > box('Node/node-3').y, '…below the Nodes');
  });

  it('keeps the wave-1 picture (1600 wide, four columns) when nothing is drawn in the references column', () => {
    const R = layout(graphOf(fixture('rollout.json')));
    assert.equal(R.width, 1600);
    assert.deepEqual(R.columns.map((c) => c.id), ['ingress', 'service', 'work', 'node']);
    assert.equal(R.bandW, GEOM.col.work.x + GEOM.col.work.w);
  });

  it('draws a StatefulSet pod\'s ordinal claim beside the pod, and its bound volume right below the claim', () => {
    // A claim and its volume are taller than a pod's row: the first claim
    // is level with its pod, the others follow in ordinal order, never
    // above their pod.
    const p0 = L.pods.get(`Pod/${NS}/db-0`);
    const c0y = box(`PersistentVolumeClaim/${NS}/data-db-0`).y;
    assert.ok(Math.abs(c0y + 20 - p0.y) <= 2, `data-db-0 (y ${c0y}) is level with db-0 (y ${p0.y})`);
    let last = -Infinity;
    for (const i of [0, 1, 2]) {
      const c = box(`PersistentVolumeClaim/${NS}/data-db-${i}`);
      assert.ok(c.y > last, `data-db-${i} is below data-db-${i - 1}`);
      assert.ok(c.y + 20 >= L.pods.get(`Pod/${NS}/db-${i}`).y - 2, `data-db-${i} is not above db-${i}`);
      last = c.y;
    }
    const c0 = box(`PersistentVolumeClaim/${NS}/data-db-0`);
    const pv0 = box('PersistentVolume/pvc-0a7f3');
    assert.ok(pv0.y >= c0.y + c0.h && pv0.y <= c0.y + c0.h + 12, 'the volume is right below its claim');
    assert.ok(pv0.x > c0.x, 'and indented');
    const bound = edgesOf(L, 'bound').map((e) => e.id).sort();
    assert.deepEqual(bound, [`bound:PersistentVolumeClaim/${NS}/data-db-0->PersistentVolume/pvc-0a7f3`, `bound:PersistentVolumeClaim/${NS}/data-db-1->PersistentVolume/pvc-1a7f3`]);
    const cls = edgesOf(L, 'class');
    assert.equal(cls.length, 2, 'each volume links to its StorageClass');
    assert.ok(cls.every((e) => e.synthetic && e.to === 'StorageClass/standard'));
  });

  it('puts an autoscaler just above the workload it scales, with a short scales edge down into it', () => {
    const h = box(`HorizontalPodAutoscaler/${NS}/web`);
    const d = box(`Deployment/${NS}/web`);
    assert.equal(h.x, d.x);
    assert.ok(h.y + h.h < d.y && d.y - (h.y + h.h) <= GEOM.hpaGap, `HPA ${h.y}+${h.h} right above ${d.y}`);
    const [s] = edgesOf(L, 'scales');
    assert.equal(s.id, `scales:HorizontalPodAutoscaler/${NS}/web->Deployment/${NS}/web`);
    assert.match(s.d, /^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+$/);
  });

  it('draws a CronJob as a box with a lane per Job, and a Job as a box whose lane has room for its completions', () => {
    const cj = box(`CronJob/${NS}/report`);
    assert.deepEqual(cj.lanes, [`Job/${NS}/report-29265`, `Job/${NS}/report-292610`], 'oldest first');
    assert.ok(L.lanes.get(`Job/${NS}/report-29265`).inCron);
    assert.equal(L.pods.get(`Pod/${NS}/report-29265-q8z7n`).lane, `Job/${NS}/report-29265`, 'the Job\'s pod is in its lane');
    const job = box(`Job/${NS}/migrate`);
    const lane = L.lanes.get(job.lanes[0]);
    assert.equal(lane.cap, 5, 'five completions: five rows reserved though four pods exist');
    assert.ok(!lane.inCron);
    assert.equal(jobDesired({ completions: null, parallelism: 3 }), 3, 'a work queue reserves its parallelism');
  });

  it('draws no box for anything twice, and every mounts edge ends at a drawn reference', () => {
    const ends = new Set([...L.boxes.keys(), ...L.ghosts.map((g) => g.id)]);
    for (const e of edgesOf(L, 'mounts')) assert.ok(ends.has(e.to), `${e.id} ends at ${e.to}`);
  });

  it('lays out the same picture whatever the order objects arrive in', () => {
    const f = fixture('wave2.json');
    const a = layout(graphOf(f));
    const b = layout(graphOf({ nodes: f.nodes.slice().reverse(), edges: f.edges.slice().reverse() }));
    assert.deepEqual([...b.boxes], [...a.boxes]);
    assert.deepEqual(b.edges.map((e) => [e.id, e.d]).sort(), a.edges.map((e) => [e.id, e.d]).sort());
  });

  it('moves nothing above a Job when a pod of it appears', () => {
    const f = fixture('wave2.json');
    const L1 = layout(graphOf(f));
    const p = pod(NS, 'migrate-e5', `Job/${NS}/migrate`, 'node-1', { created: '2026-12-01T12:20:00Z' });
    const L2 = layout(graphOf({ nodes: [...f.nodes, p], edges: [...f.edges, edge('owns', `Job/${NS}/migrate`, p.id)] }), L1.state);
    for (const [id, b] of L1.boxes) {
      const after = L2.boxes.get(id);
      assert.equal(after.y, b.y, `${id} stayed`);
      assert.equal(after.x, b.x, `${id} stayed`);
    }
    assert.equal(L2.width, L1.width);
  });
});

describe('wave 2 layout: mounts drawn at the workload', () => {
  it('draws one edge per object from a workload whose pods all reference it the same way', () => {
    const L = layout(wave2());
    const web = edgesOf(L, 'mounts').filter((e) => e.from === `Deployment/${NS}/web`);
    assert.deepEqual(web.map((e) => [e.id, e.count, e.as, e.state]).sort(), [
      [`agg:mounts:Deployment/${NS}/web->ConfigMap/${NS}/web-config`, 3, 'volume', 'ok'],
      [`agg:mounts:Deployment/${NS}/web->Secret/${NS}/web-db-password`, 3, 'env', 'ok'],
    ]);
    assert.ok(web.every((e) => e.agg));
    assert.ok(!edgesOf(L, 'mounts').some((e) => e.from.startsWith(`Pod/${NS}/web-`)), 'no pod of web draws its own');
  });

  it('draws a StatefulSet pod\'s ordinal claim as the pod\'s own edge, and what they share from the set', () => {
    const L = layout(wave2());
    const db = edgesOf(L, 'mounts').filter((e) => e.from.startsWith(`Pod/${NS}/db-`) || e.from === `StatefulSet/${NS}/db`);
    assert.deepEqual(db.map((e) => e.id).sort(), [
      `agg:mounts:StatefulSet/${NS}/db->ConfigMap/${NS}/db-init`,
      `mounts:Pod/${NS}/db-0->PersistentVolumeClaim/${NS}/data-db-0`,
      `mounts:Pod/${NS}/db-1->PersistentVolumeClaim/${NS}/data-db-1`,
      `mounts:Pod/${NS}/db-2->PersistentVolumeClaim/${NS}/data-db-2`,
    ]);
  });

  it('draws a broken reference as broken, from the pod (a lone pod is no crowd)', () => {
    const L = layout(wave2());
    const [e] = edgesOf(L, 'mounts').filter((x) => x.to === `ConfigMap/${NS}/api-config`);
    assert.equal(e.id, `mounts:Pod/${NS}/api-5f6b7c-h8j2k->ConfigMap/${NS}/api-config`);
    assert.equal(e.state, 'broken');
    assert.ok(e.broken && e.lx !== undefined, 'broken edges are labelled');
  });

  // fifty: a Deployment of n pods that all mount cm as a volume.
  function fifty(n = 50) {
    const g = app({ ns: 'big', name: 'web', pods: n });
    const cm = { id: 'ConfigMap/big/cfg', kind: 'ConfigMap', namespace: 'big', name: 'cfg', referenced: true };
    const edges = g.edges.slice();
    for (const p of g.nodes.filter((x) => x.kind === 'Pod')) edges.push(edge('mounts', p.id, cm.id, { as: 'volume' }));
    return { nodes: [...g.nodes, cm], edges };
  }

  it('draws one edge for fifty replicas', () => {
    const L = layout(graphOf(fifty()));
    const m = edgesOf(L, 'mounts');
    assert.equal(m.length, 1);
    assert.equal(m[0].count, 50);
    assert.equal(m[0].from, 'Deployment/big/web');
  });

  it('draws its own edges for a pod whose references differ from its siblings\'', () => {
    const g = fifty();
    const odd = g.nodes.find((n) => n.kind === 'Pod');
    const sec = { id: 'Secret/big/extra', kind: 'Secret', namespace: 'big', name: 'extra', referenced: true };
    g.nodes.push(sec);
    g.edges.push(edge('mounts', odd.id, sec.id, { as: 'env' }));
    const L = layout(graphOf(g));
    const m = edgesOf(L, 'mounts');
    const agg = m.filter((e) => e.agg);
    // One lane: the box draws what its agreeing pods share.
    assert.deepEqual(agg.map((e) => [e.from, e.to, e.count]), [['Deployment/big/web', 'ConfigMap/big/cfg', 49]]);
    assert.deepEqual(m.filter((e) => !e.agg).map((e) => e.id).sort(), [`mounts:${odd.id}->ConfigMap/big/cfg`, `mounts:${odd.id}->Secret/big/extra`]);
  });
});

describe('wave 2 layout: mounts in a rollout', () => {
  // rollout: a Deployment with an old lane of 4 pods mounting cm1 and a new
  // lane of 2 mounting newCM.
  function rollout(newCM) {
    const g = app({ ns: 'r', name: 'web', pods: 4 });
    const d = g.nodes.find((n) => n.kind === 'Deployment');
    const rs2 = { ...g.nodes.find((n) => n.kind === 'ReplicaSet'), id: 'ReplicaSet/r/web-new', name: 'web-new', uid: 'u-new', revision: 2, replicas: 2 };
    const cm1 = { id: 'ConfigMap/r/cfg-v1', kind: 'ConfigMap', namespace: 'r', name: 'cfg-v1', referenced: true };
    const nodes = [...g.nodes, rs2, cm1];
    if (newCM !== cm1.id) nodes.push({ id: newCM, kind: 'ConfigMap', namespace: 'r', name: newCM.split('/')[2], referenced: true });
    const edges = [...g.edges, edge('owns', d.id, rs2.id)];
    for (const p of g.nodes.filter((n) => n.kind === 'Pod')) edges.push(edge('mounts', p.id, cm1.id, { as: 'volume' }));
    for (const i of [0, 1]) {
      const p = pod('r', `web-new-n${i}`, rs2.id, 'node-1');
      nodes.push(p);
      edges.push(edge('owns', rs2.id, p.id), edge('mounts', p.id, newCM, { as: 'volume' }));
    }
    return graphOf({ nodes, edges });
  }

  it('draws one edge from the Deployment when both lanes reference the same object', () => {
    const L = layout(rollout('ConfigMap/r/cfg-v1'));
    assert.deepEqual(edgesOf(L, 'mounts').map((e) => [e.from, e.to, e.count]), [['Deployment/r/web', 'ConfigMap/r/cfg-v1', 6]]);
  });

  it('draws one edge per lane when a rollout changed the ConfigMap, not one per pod', () => {
    const L = layout(rollout('ConfigMap/r/cfg-v2'));
    assert.deepEqual(edgesOf(L, 'mounts').map((e) => [e.from, e.to, e.count]).sort(), [
      ['ReplicaSet/r/web-abc123', 'ConfigMap/r/cfg-v1', 4],
      ['ReplicaSet/r/web-new', 'ConfigMap/r/cfg-v2', 2],
    ]);
  });
});

describe('layers', () => {
  it('parses ?layers=, naming what it does not know', () => {
    assert.deepEqual(parseLayers('storage, Jobs,,bogus'), { layers: new Set(['storage', 'jobs']), unknown: ['bogus'] });
    assert.deepEqual(parseLayers(''), { layers: new Set(), unknown: [] });
    assert.equal(formatLayers(new Set(['warnings', 'storage'])), 'storage,warnings');
    assert.deepEqual([...DEFAULT_LAYERS].every((l) => LAYERS.includes(l)), true);
    assert.ok(!DEFAULT_LAYERS.includes('config'), 'config is off for a first-time viewer');
  });

  it('knows each kind\'s layer; a Job\'s pods are the jobs layer', () => {
    assert.equal(layerOf({ kind: 'Pod', owner: 'Job/a/b' }), 'jobs');
    assert.equal(layerOf({ kind: 'Pod', owner: 'ReplicaSet/a/b' }), '');
    assert.equal(layerOf('PersistentVolumeClaim/a/b'), 'storage');
    assert.equal(layerOf({ kind: 'Secret' }), 'config');
  });

  it('returns the same maps when nothing is hidden', () => {
    const g = graphOf(fixture('rollout.json'));
    const f = filterLayers(g.nodes, g.edges, new Set());
    assert.equal(f.nodes, g.nodes);
    assert.equal(f.edges, g.edges);
  });

  const kinds = (L) => new Set([...L.boxes.values()].map((b) => b.kind));

  it('with every layer off draws the wave-1 picture of the same cluster', () => {
    const L = layout(wave2(), null, { layers: new Set() });
    for (const k of ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'Job', 'CronJob', 'HorizontalPodAutoscaler']) {
      assert.ok(!kinds(L).has(k), `${k} hidden`);
    }
    assert.ok(![...L.pods.keys()].some((id) => id.includes('/migrate-') || id.includes('/report-')), 'Job pods hidden');
    assert.deepEqual(L.edges.filter((e) => ['mounts', 'bound', 'scales', 'class'].includes(e.kind)), []);
    assert.equal(L.width, GEOM.width, 'no references column');
    assert.ok(L.ghosts.every((g) => g.kind === 'Service'));
  });

  it('hides only its own kinds', () => {
    const cfgOff = layout(wave2(), null, { layers: new Set(['storage', 'jobs', 'autoscaling', 'warnings']) });
    assert.ok(!kinds(cfgOff).has('ConfigMap') && !kinds(cfgOff).has('Secret'));
    assert.ok(kinds(cfgOff).has('PersistentVolumeClaim') && kinds(cfgOff).has('Job') && kinds(cfgOff).has('HorizontalPodAutoscaler'));
    assert.ok(edgesOf(cfgOff, 'mounts').every((e) => e.to.startsWith('PersistentVolumeClaim/')));
    const storageOff = layout(wave2(), null, { layers: new Set(['config']) });
    assert.ok(!kinds(storageOff).has('PersistentVolumeClaim') && !kinds(storageOff).has('StorageClass'));
    assert.ok(kinds(storageOff).has('ConfigMap'));
    assert.ok(!storageOff.ghosts.some((g) => g.kind === 'PersistentVolumeClaim'), 'a hidden layer leaves no ghost claims');
  });
});

describe('NodePort entry points', () => {
  it('gives every Node its <internalIP>:<nodePort> and a path into the Service', () => {
    const g = wave2();
    const L = layout(g);
    const svc = g.nodes.get(`Service/${NS}/web`);
    const eps = entryPoints(L, g.nodes, svc);
    assert.deepEqual(eps.map((e) => [e.id, e.label]), [
      ['Node/node-1', '192.168.49.2:30080'], ['Node/node-2', '192.168.49.3:30080'], ['Node/node-3', '192.168.49.4:30080'],
    ]);
    const s = L.boxes.get(svc.id);
    for (const e of eps) assert.ok(e.d.endsWith(`${s.x + s.w + 4},${Number(e.d.split(',').pop())}`) || e.d.includes(`${s.x + s.w + 4}`), e.d);
    assert.deepEqual(entryPoints(L, g.nodes, g.nodes.get(`Service/${NS}/db`)), [], 'a ClusterIP Service has none');
  });
});

describe('cluster-scoped storage is drawn where the view uses it', () => {
  const sc = (name) => ({ id: `StorageClass/${name}`, kind: 'StorageClass', name, provisioner: 'x' });
  const pv = (name, cls, claim) => ({ id: `PersistentVolume/${name}`, kind: 'PersistentVolume', name, storageClass: cls, claim: claim || undefined, phase: claim ? 'Bound' : 'Available' });
  const pvc = (ns, name, cls, volume) => ({ id: `PersistentVolumeClaim/${ns}/${name}`, kind: 'PersistentVolumeClaim', namespace: ns, name, storageClass: cls, volume });
  const ids = (nodes, edges) => {
    const r = relevantStorage(new Map(nodes.map((n) => [n.id, n])), new Map(edges.map((e) => [e.id, e])));
    return [[...r.nodes.keys()].sort(), [...r.edges.keys()].sort()];
  };

  it('a view without claims draws no StorageClass and no volume', () => {
    const [n] = ids([sc('standard'), pv('pv-a', 'standard', 'PersistentVolumeClaim/other/data')], []);
    assert.deepEqual(n, []);
    // and so the layout opens no references column for them
    const L = layout({ nodes: [sc('standard')], edges: [] }, null, {});
    assert.ok(!L.boxes.has('StorageClass/standard'), 'a lone default StorageClass is not drawn');
  });

  it('a claim brings its volume and class; a free volume of its class too; others stay out', () => {
    const bound = 'bound:PersistentVolumeClaim/db/data-db-0->PersistentVolume/pv-0';
    const [n, e] = ids([
      sc('fast'), sc('standard'),
      pv('pv-0', 'fast', 'PersistentVolumeClaim/db/data-db-0'),
      pv('pv-free', 'fast'),
      pv('pv-other', 'standard', 'PersistentVolumeClaim/elsewhere/x'),
      pvc('db', 'data-db-0', 'fast', 'PersistentVolume/pv-0'),
    ], [{ id: bound, kind: 'bound', from: 'PersistentVolumeClaim/db/data-db-0', to: 'PersistentVolume/pv-0' }]);
    assert.deepEqual(n, ['PersistentVolume/pv-0', 'PersistentVolume/pv-free', 'PersistentVolumeClaim/db/data-db-0', 'StorageClass/fast']);
    assert.deepEqual(e, [bound]);
  });
});
