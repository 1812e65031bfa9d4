import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CUSTOM_BOX, customOwnerLine, customOwnerMarkup, customOwnerStatus, isCustomOwner } from '../static/customowner.js';
import { GEOM, layout } from '../static/layout.js';
import { edge, graphOf, node, pod, replicaSet } from './fixtures/build.js';

// A Widget (a custom resource of the test's own) owning a ReplicaSet of
// two pods, and a Kafka owning a pod directly, as the server sends them.
function widgets({ conditions } = {}) {
  const w = { id: 'Widget/app/web', kind: 'Widget', namespace: 'app', name: 'web', uid: 'u-w', group: 'podium-test.example.com', version: 'podium-test.example.com/v1' };
  if (conditions) w.conditions = conditions;
  const k = { id: 'Kafka/app/k', kind: 'Kafka', namespace: 'app', name: 'k', uid: 'u-k', group: 'kafka.strimzi.io', version: 'kafka.strimzi.io/v1beta2' };
  const rs = replicaSet('app', 'web-1', w.id, 1, 2);
  const pods = [pod('app', 'web-1-a', rs.id, 'node-1'), pod('app', 'web-1-b', rs.id, 'node-1'), pod('app', 'k-0', k.id, 'node-1')];
  return graphOf({
    nodes: [w, k, rs, ...pods, node('node-1')],
    edges: [edge('owns', w.id, rs.id), ...pods.map((p) => edge('owns', p.owner, p.id))],
  });
}

describe('customowner', () => {
  it('knows a custom owner by its group', () => {
    assert.ok(isCustomOwner({ kind: 'Widget', group: 'x.example.com', version: 'x.example.com/v1' }));
    assert.ok(!isCustomOwner({ kind: 'Deployment', replicas: 1 }));
    assert.ok(!isCustomOwner(undefined));
  });

  it('draws a custom owner as the box of its ReplicaSets in the workloads column, and of the pods it owns directly', () => {
    const L = layout(widgets());
    const w = L.boxes.get('Widget/app/web');
    assert.ok(w, 'the Widget box is placed');
    assert.equal(w.kind, CUSTOM_BOX);
    assert.equal(w.x, GEOM.col.work.x);
    assert.deepEqual(w.lanes, ['ReplicaSet/app/web-1'], 'its ReplicaSet is its lane');
    assert.equal(L.lanes.get('ReplicaSet/app/web-1').pods.length, 2);
    assert.ok(!L.boxes.has('ReplicaSet/app/web-1'), 'the ReplicaSet is not a box of its own');
    const k = L.boxes.get('Kafka/app/k');
    assert.ok(k && k.lanes.includes('Kafka/app/k'), 'the Kafka holds its pod in a lane');
    assert.equal(L.lanes.get('Kafka/app/k').pods.length, 1);
  });

  it('leaves a ReplicaSet whose custom owner is missing a box of its own', () => {
    const g = widgets();
    g.nodes.delete('Widget/app/web');
    const L = layout(g);
    assert.ok(L.boxes.has('ReplicaSet/app/web-1'));
  });

  it('titles the box with the kind and name, and shows Ready when the status is read', () => {
    const t = (k, a) => (k === 'custom.ready' ? `Ready ${a.status}` : k);
    const esc = (s) => s;
    const g = widgets();
    const w = g.nodes.get('Widget/app/web');
    assert.match(customOwnerMarkup(w, { w: 400, h: 80 }, t, esc), /Widget web/);
    assert.equal(customOwnerStatus(w), '');
    assert.equal(customOwnerLine(w, t), 'podium-test.example.com');
    const r = widgets({ conditions: [{ type: 'Ready', status: 'False', reason: 'Degraded' }] }).nodes.get('Widget/app/web');
    assert.equal(customOwnerStatus(r), 'False');
    assert.equal(customOwnerLine(r, t), 'podium-test.example.com · Ready False (Degraded)');
  });
});
