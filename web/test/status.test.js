// The status and label rules (static/status.js), and the server's SVG view
// (svgview.js) run here the way web/layoutjs.go runs it in goja: over the
// same modules, so a rule the file decides on its own shows up as a
// difference from the page's answer.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import * as format from '../static/format.js';
import * as focus from '../static/focus.js';
import * as edgelabel from '../static/edgelabel.js';
import * as i18n from '../static/i18n.js';
import * as layoutMod from '../static/layout.js';
import { layout } from '../static/layout.js';
import * as status from '../static/status.js';
import {
  boxFacts, deploymentInfo, deploymentStatus, endpointStates, ingressLine, ingressStatus, laneStatus, missingServices, nodeLine,
  nodeStatus, serviceLines, serviceStatus, serviceSummary, setLine, setStatus,
} from '../static/status.js';
import { app, deployment, edge, fixture, graphOf, ingress, node, pod, replicaSet, service } from './fixtures/build.js';
import { FakeElement, installFakeDOM } from './fixtures/dom.js';

installFakeDOM();
const { Renderer } = await import('../static/render.js');

// svgView is podiumSVGView from web/svgview.js, loaded as goja loads it
// (web/jsgraph.go hands it the graph's nodes and edges as arrays).
const svgView = new Function('__mods', `${readFileSync(new URL('../svgview.js', import.meta.url), 'utf8')}\nreturn podiumSVGView;`)({
  format, layout: layoutMod, focus, i18n, status, edgelabel,
});

// fileStatuses: id → data-status of every box in the SVG view of g.
function fileStatuses(g) {
  const v = JSON.parse(svgView(g.nodes || [], g.edges || [], '[]', '', 'en'));
  i18n.setLang('en');
  assert.ok(!v.error, v.error);
  return new Map([
    ...v.boxes.filter((b) => !b.group).map((b) => [b.id, b.status]),
    ...v.lanes.filter((l) => l.isEntity).map((l) => ['lane ' + l.id, l.status]),
  ]);
}

// pageStatuses: id → the data-status the page's Renderer sets on every box
// and ReplicaSet lane of g.
function pageStatuses(g) {
  const graph = graphOf(g);
  const svg = new FakeElement('svg');
  new Renderer(svg, { motion: false }).render(layout(graph), graph);
  const drawn = svg.all((e) => e.hasAttribute('data-id') && (e.classList.contains('box') || e.classList.contains('lane')));
  return new Map(drawn.map((e) => [(e.classList.contains('lane') ? 'lane ' : '') + e.getAttribute('data-id'), e.getAttribute('data-status')]));
}

// ruleStatuses: id → what status.js says of every box and ReplicaSet lane.
function ruleStatuses(g) {
  const { nodes, edges } = graphOf(g);
  const L = layout({ nodes, edges });
  const svc = endpointStates(edges.values());
  const out = new Map();
  for (const b of L.boxes.values()) {
    if (b.id.startsWith('group:')) continue;
    const facts = boxFacts(b, nodes.get(b.id), L, nodes, svc);
    out.set(b.id, facts.status);
    for (const lid of b.lanes || []) {
      if (nodes.get(lid)?.kind === 'ReplicaSet') out.set('lane ' + lid, laneStatus(lid, facts.info));
      if (L.lanes.get(lid)?.inCron) out.set('lane ' + lid, status.jobStatus(nodes.get(lid)));
    }
  }
  return out;
}

const none = { ready: 0, serving: 0, terminating: 0, none: 0 };

describe('wave-2 kinds', () => {
  it('Job: state, progress line', () => {
    assert.equal(status.jobStatus({ state: 'complete' }), 'Complete');
    assert.equal(status.jobStatus({ state: 'weird' }), 'Running');
    assert.equal(status.jobLine({ completions: 5, succeeded: 2, active: 2, failed: 1, state: 'running' }), '2/5 done · 2 running · 1 failed');
    assert.equal(status.jobLine({ completions: null, succeeded: 3, state: 'failed', reason: 'BackoffLimitExceeded' }), '3 done · failed (BackoffLimitExceeded)');
  });
  it('CronJob: Suspended, Active or Scheduled, and its line', () => {
    assert.equal(status.cronStatus({ suspend: true, active: 1 }), 'Suspended');
    assert.equal(status.cronStatus({ active: 2 }), 'Active');
    assert.equal(status.cronStatus({}), 'Scheduled');
    assert.equal(status.cronLine({ schedule: '0 * * * *' }, 2), '0 * * * * · not run yet · +2 older');
  });
  it('HPA: NoMetrics when it cannot read them, Scaling while desired differs, else Stable', () => {
    assert.equal(status.hpaStatus({ current: 3, desired: 3, conditions: [{ type: 'ScalingActive', status: 'False' }] }), 'NoMetrics');
    assert.equal(status.hpaStatus({ current: 3, desired: 5 }), 'Scaling');
    assert.equal(status.hpaStatus({ current: 3, desired: 3 }), 'Stable');
    assert.deepEqual(status.hpaLines({ min: 2, max: 10, current: 3, desired: 5, metrics: [{ name: 'cpu', current: '', target: '50%' }] }),
      { line: '2–10 replicas · now 3 → 5', metrics: 'cpu unknown/50%' });
  });
  it('storage lines', () => {
    assert.equal(status.pvcLine({ phase: 'Bound', capacity: '1Gi', accessModes: ['ReadWriteOnce'], storageClass: 'standard' }), 'Bound · 1Gi · RWO · standard');
    assert.equal(status.pvcStatus({}), 'Pending');
    assert.equal(status.pvLine({ phase: 'Released', capacity: '5Gi', reclaimPolicy: 'Retain' }), 'Released · 5Gi · Retain');
  });
  it('LoadBalancer: its external address, or pending', () => {
    const lb = { type: 'LoadBalancer', selector: { a: 'b' }, ports: [{ port: 443, nodePort: 31443 }] };
    assert.equal(serviceLines(lb, none).address, 'LoadBalancer pending');
    assert.equal(serviceLines({ ...lb, loadBalancer: ['203.0.113.7'] }, none).address, 'LoadBalancer 203.0.113.7:443');
    assert.equal(serviceLines({ ...lb, loadBalancer: ['a.example.com', '203.0.113.7'] }, none).address, 'LoadBalancer a.example.com:443 +1');
  });
  it('warnings: the badge names the newest reason; a Pending pod says the scheduler\'s message', () => {
    const p = { status: 'Pending', warnings: [
      { reason: 'FailedMount', message: 'old', count: 1, last: '2026-12-01T12:00:00Z' },
      { reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient cpu', count: 4, last: '2026-12-01T12:05:00Z' },
    ] };
    assert.equal(status.warningBadge(p).text, '⚠ 4 FailedScheduling');
    assert.equal(status.podWarningLine(p), '0/3 nodes are available: 3 Insufficient cpu');
    assert.equal(status.podWarningLine({ ...p, status: 'Running' }), '', 'only a Pending pod says why in its row');
    assert.equal(status.warningBadge({ warnings: [] }), null);
    assert.equal(status.warningBadge({ warnings: [{ reason: 'BackOff', count: 1, last: 'x' }] }).text, '⚠ BackOff');
  });
});

describe('Service', () => {
  it('summarises endpoints', () => {
    assert.deepEqual(serviceSummary(['ready', 'ready', 'terminating', 'weird']), { ready: 2, serving: 0, terminating: 1, none: 1 });
  });
  it('groups endpoint states by Service', () => {
    const states = endpointStates([
      edge('selects', 'Service/a/s', 'Pod/a/p', { state: 'ready' }), edge('selects', 'Service/a/s', 'Pod/a/q'),
      edge('runs-on', 'Pod/a/p', 'Node/n'),
    ]);
    assert.deepEqual([...states], [['Service/a/s', ['ready', 'none']]]);
  });
  it('is Ready with a ready endpoint, NoEndpoints without, NoSelector with no selector at all', () => {
    assert.equal(serviceStatus(service('a', 's'), { ...none, ready: 1 }), 'Ready');
    assert.equal(serviceStatus(service('a', 's'), { ...none, serving: 2 }), 'NoEndpoints');
    assert.equal(serviceStatus(service('a', 's', {}), none), 'NoSelector');
    assert.equal(serviceStatus(service('a', 's', undefined, { selector: undefined }), { ...none, ready: 1 }), 'NoSelector');
  });
  it('says where it answers and how its endpoints are', () => {
    assert.deepEqual(serviceLines(service('a', 's'), { ready: 2, serving: 1, terminating: 1, none: 1 }),
      { address: 'ClusterIP 10.96.0.10:80', endpoints: '2 ready · 2 not ready · 1 terminating', tone: 'ok' });
    assert.deepEqual(serviceLines(service('a', 's', { app: 'x' }, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), none),
      { address: 'NodePort 80 → :30080', endpoints: 'no endpoints', tone: 'warn' });
    assert.deepEqual(serviceLines(service('a', 's', {}, { clusterIP: 'None' }), none), { address: 'ClusterIP headless', endpoints: 'no selector', tone: 'muted' });
  });
});

describe('Ingress', () => {
  it('is Dangling when a rule routes to a Service the layout drew as missing', () => {
    const g = app({ pods: 1 });
    const ing = ingress('default', 'web', [{ host: 'a', path: '/', service: 'web' }, { host: 'b', path: '/', service: 'gone' }]);
    g.nodes = g.nodes.map((n) => (n.id === ing.id ? ing : n));
    const L = layout(graphOf(g));
    const missing = missingServices(L, 'default');
    assert.deepEqual([...missing], ['gone']);
    assert.deepEqual([...missingServices(L, 'other')], []);
    assert.equal(ingressStatus(ing, missing), 'Dangling');
    assert.equal(ingressStatus(ingress('default', 'ok', [{ service: 'web' }, null]), missing), 'Ready');
  });
  it('counts its rules', () => {
    assert.equal(ingressLine(ingress('a', 'i', [{ service: 's' }])), 'nginx · 1 rule');
    assert.equal(ingressLine({ ...ingress('a', 'i', []), class: '' }), '0 rules');
  });
});

describe('Node', () => {
  it('is Ready or NotReady, and says cordoned', () => {
    assert.equal(nodeStatus(node('n')), 'Ready');
    assert.equal(nodeStatus(node('n', { ready: false })), 'NotReady');
    assert.equal(nodeLine(node('n', { unschedulable: true })), 'Ready · cordoned · 10.0.0.1');
    assert.equal(nodeLine(node('n', { ready: false, internalIP: '' })), 'NotReady');
  });
});

describe('Deployment', () => {
  const d = deployment('ns', 'web', 3, { rollout: 'progressing', revision: 3, updated: 2, ready: 1, available: 2, strategy: { type: 'RollingUpdate', maxSurge: '1', maxUnavailable: '1' } });
  const oldRS = replicaSet('ns', 'web-a', d.id, 2, 1, { images: ['hellok8s:v2'] });
  const newRS = replicaSet('ns', 'web-b', d.id, 3, 3, { images: ['hellok8s:v3'] });
  const twoLanes = [
    { rs: oldRS, pods: [pod('ns', 'a', oldRS.id, 'n'), pod('ns', 'b', oldRS.id, 'n', { status: 'Terminating' })] },
    { rs: newRS, pods: [pod('ns', 'c', newRS.id, 'n'), pod('ns', 'd', newRS.id, 'n'), pod('ns', 'e', newRS.id, 'n')] },
  ];
  it('describes a rollout from its lanes', () => {
    const info = deploymentInfo(d, twoLanes);
    assert.equal(info.rolling, true);
    assert.equal(info.line, 'rolling update · revision 2 → 3 · hellok8s:v2 → v3');
    assert.equal(info.budgetLine, 'maxSurge 1 (in use: 1) · maxUnavailable 1 (in use: 1)');
    assert.equal(info.newestId, newRS.id);
    const done = deploymentInfo({ ...d, rollout: 'complete' }, [{ rs: newRS, pods: [] }]);
    assert.equal(done.rolling, false);
    assert.equal(done.line, 'revision 3 · hellok8s:v3');
    assert.equal(deploymentInfo({ ...d, strategy: { type: 'Recreate' } }, []).budgetLine, 'strategy Recreate');
  });
  it('takes the rollout state the server reports, else reads it from the lanes', () => {
    assert.equal(deploymentStatus({ ...d, rollout: 'stalled' }, deploymentInfo({ ...d, rollout: 'stalled' }, twoLanes)), 'stalled');
    const bare = { ...d, rollout: undefined };
    assert.equal(deploymentStatus(bare, deploymentInfo(bare, twoLanes)), 'progressing');
    assert.equal(deploymentStatus(bare, deploymentInfo(bare, twoLanes.slice(1))), 'complete');
  });
});

describe('sets', () => {
  it('are Ready once every replica is', () => {
    assert.equal(setStatus({ ready: 2, replicas: 2 }), 'Ready');
    assert.equal(setStatus({ ready: 1, replicas: 2 }), 'Progressing');
    assert.equal(setStatus({}), 'Ready');
    assert.equal(setLine({ ready: 1, replicas: 2 }), '1/2 ready');
  });
});

// The three cases where the page and the file used to disagree: the file
// must now give the page's answer.
describe('page and file agree', () => {
  const cases = {
    'a Service with no selector': () => {
      const g = app({ pods: 1 });
      const bare = service('default', 'external', {});
      return { g: { nodes: [...g.nodes, bare], edges: g.edges }, id: bare.id, want: 'NoSelector' };
    },
    'an Ingress routing to a missing Service': () => {
      const g = app({ pods: 1 });
      const ing = ingress('default', 'web', [{ host: 'demo.local', path: '/', service: 'web' }, { host: 'demo.local', path: '/old', service: 'gone' }]);
      return { g: { nodes: g.nodes.map((n) => (n.id === ing.id ? ing : n)), edges: g.edges }, id: ing.id, want: 'Dangling' };
    },
    'a Deployment with no rollout field, mid-rollout': () => {
      const d = deployment('default', 'web', 2, { rollout: undefined, revision: 2 });
      const rs1 = replicaSet('default', 'web-1', d.id, 1, 1);
      const rs2 = replicaSet('default', 'web-2', d.id, 2, 1);
      const p1 = pod('default', 'web-1-a', rs1.id, 'n1');
      const p2 = pod('default', 'web-2-a', rs2.id, 'n1');
      return {
        g: { nodes: [node('n1'), d, rs1, rs2, p1, p2], edges: [edge('owns', d.id, rs1.id), edge('owns', d.id, rs2.id), edge('owns', rs1.id, p1.id), edge('owns', rs2.id, p2.id)] },
        id: d.id, want: 'progressing',
      };
    },
    'the lanes of a rollout, newest last': () => {
      const g = fixture('rollout.json');
      const newest = g.nodes.filter((n) => n.kind === 'ReplicaSet' && n.owner === 'Deployment/default/hellok8s-deployment').sort((a, b) => b.revision - a.revision)[0];
      return { g, id: 'lane ' + newest.id, want: 'new' };
    },
  };
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      const { g, id, want } = make();
      assert.equal(ruleStatuses(g).get(id), want, 'status.js');
      assert.equal(pageStatuses(g).get(id), want, 'page');
      assert.equal(fileStatuses(g).get(id), want, 'file');
    });
  }
  it('on every box and lane of the wave-2 fixture (Jobs, CronJob lanes, autoscaler, references, storage)', () => {
    const g = fixture('wave2.json');
    const page = pageStatuses(g);
    const rules = ruleStatuses(g);
    assert.deepEqual(fileStatuses(g), page);
    assert.deepEqual(rules, page);
    const want = {
      'Job/shop/migrate': 'Running', 'CronJob/shop/report': 'Active', 'lane Job/shop/report-29265': 'Complete',
      'lane Job/shop/report-292610': 'Running', 'HorizontalPodAutoscaler/shop/web': 'Scaling', 'ConfigMap/shop/api-config': 'Broken',
      'ConfigMap/shop/web-config': 'Referenced', 'PersistentVolumeClaim/shop/data-db-2': 'Pending', 'PersistentVolume/pvc-0a7f3': 'Bound',
      'StorageClass/standard': 'Ready',
    };
    for (const [id, st] of Object.entries(want)) assert.equal(page.get(id), st, id);
  });

  it('on the state of every mounts edge of the wave-2 fixture', () => {
    const g = fixture('wave2.json');
    const graph = graphOf(g);
    const svg = new FakeElement('svg');
    new Renderer(svg, { motion: false }).render(layout(graph), graph);
    const page = new Map(svg.all((e) => e.hasAttribute('data-edge') && e.getAttribute('data-edge').startsWith('mounts:')).map((e) => [e.getAttribute('data-edge'), e.getAttribute('data-status')]));
    const v = JSON.parse(svgView(g.nodes || [], g.edges || [], '[]', '', 'en'));
    const file = new Map(v.edges.filter((e) => e.kind === 'mounts' && !e.agg).map((e) => [e.id, e.state]));
    assert.ok(page.size >= 4);
    assert.deepEqual(file, page);
    assert.equal(page.get('mounts:Pod/shop/api-5f6b7c-h8j2k->ConfigMap/shop/api-config'), 'broken');
  });

  it('on every box of the rollout fixture', () => {
    const g = fixture('rollout.json');
    const page = pageStatuses(g);
    assert.ok(page.size > 5);
    assert.deepEqual(fileStatuses(g), page);
    assert.deepEqual(ruleStatuses(g), page);
  });
});
