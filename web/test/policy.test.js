// Issue #13 ("who may talk to whom, who may do what"): the layout of
// ServiceAccounts, roles, subjects, NetworkPolicies, budgets, the namespace
// band's quotas and the Nodes, their status and lines, the reachability
// fetcher and its lighting, and the happenings. The fixture policy.json
// (made by fixtures/policy.gen.js) has one of each.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { happeningText, setLang } from '../static/i18n.js';
import { LAYER_KEYS } from '../static/keys.js';
import { DEFAULT_LAYERS, GEOM, LAYERS, layout, matchSelector, nsInfo, relevantIdentity } from '../static/layout.js';
import { reachHTML, ReachFetcher, reachSets, serviceCutOff } from '../static/reach.js';
import { nsInfoMarkup, sideMarkup } from '../static/render.js';
import { grantsLabel } from '../static/edgelabel.js';
import {
  boxFacts, limitLine, namespaceStatus, netpolLine, nodeCapacityLine, nodeExtraLine, nodeFull, nodeTrouble, parseQuantity, pdbLine,
  quotaFill, riskyText, rulesLine, saLine,
} from '../static/status.js';
import { fixture, graphOf } from './fixtures/build.js';

const ALL = new Set(LAYERS);
const policy = () => graphOf(fixture('policy.json'));
const edge = (L, id) => L.edges.find((e) => e.id === id);

describe('layers', () => {
  it('adds identity (i), netpol (n) and quotas (q); quotas alone are on by default', () => {
    for (const l of ['identity', 'netpol', 'quotas']) assert.ok(LAYERS.includes(l), l);
    assert.deepEqual(LAYER_KEYS.i, 'identity');
    assert.deepEqual(LAYER_KEYS.n, 'netpol');
    assert.deepEqual(LAYER_KEYS.q, 'quotas');
    assert.ok(DEFAULT_LAYERS.includes('quotas'));
    assert.ok(!DEFAULT_LAYERS.includes('identity') && !DEFAULT_LAYERS.includes('netpol'));
  });

  it('each hides its kinds and edges', () => {
    const L = layout(policy(), null, { layers: new Set(['quotas']) });
    const kinds = new Set([...L.boxes.values()].map((b) => b.kind));
    for (const k of ['ServiceAccount', 'Role', 'ClusterRole', 'User', 'NetworkPolicy']) assert.ok(!kinds.has(k), `${k} drawn with identity and netpol off`);
    assert.ok(kinds.has('PodDisruptionBudget'));
    assert.equal(L.edges.filter((e) => ['runs-as', 'grants', 'isolates'].includes(e.kind)).length, 0);
    assert.ok(L.bands[0].info, 'the namespace band has its quotas');
    const off = layout(policy(), null, { layers: new Set() });
    assert.ok(!off.bands[0].info, 'quotas off: no namespace strip');
    assert.ok(![...off.boxes.values()].some((b) => b.kind === 'PodDisruptionBudget'));
    assert.equal(off.width, GEOM.width, 'nothing opens the side column with every layer off');
  });
});

describe('identity', () => {
  const L = layout(policy(), null, { layers: ALL });
  it('puts ServiceAccounts and Roles in the side column, cluster-wide identity below the Nodes', () => {
    const col = L.columns.find((c) => c.id === 'ref');
    assert.equal(col.head, 'col.policy', 'a column of identity and policy only is headed so');
    for (const id of ['ServiceAccount/shop/web', 'ServiceAccount/shop/api', 'Role/shop/secret-reader', 'NetworkPolicy/shop/default-deny', 'PodDisruptionBudget/shop/web']) {
      assert.equal(L.boxes.get(id)?.x, GEOM.refCol.x, id);
    }
    const nodeX = L.boxes.get('Node/node-1').x;
    const lastNode = Math.max(...[...L.boxes.values()].filter((b) => b.kind === 'Node').map((b) => b.y + b.h));
    for (const id of ['ClusterRole/view', 'ClusterRole/cluster-admin', 'User/alice']) {
      assert.equal(L.boxes.get(id)?.x, nodeX, id);
      assert.ok(L.boxes.get(id).y > lastNode, `${id} below the Nodes`);
    }
  });

  it('draws cluster-wide identity only when granted in view', () => {
    assert.ok(!L.boxes.has('Group/system:nodes'), 'a Group bound only cluster-wide');
    assert.ok(!L.boxes.has('ClusterRole/system:node'), 'a ClusterRole granted to nobody in view');
    const g = policy();
    const r = relevantIdentity(g.nodes, g.edges);
    assert.ok(r.nodes.has('User/alice') && r.nodes.has('ClusterRole/view') && !r.nodes.has('Group/system:nodes'));
    assert.ok(![...r.edges.values()].some((e) => e.from === 'Group/system:nodes'));
  });

  it('aggregates runs-as at the workload, with the token', () => {
    const web = edge(L, 'agg:runs-as:Deployment/shop/web->ServiceAccount/shop/web');
    assert.ok(web, 'one runs-as edge for the three web pods');
    assert.equal(web.count, 3);
    assert.equal(web.state, 'token');
    assert.equal(edge(L, 'agg:runs-as:Deployment/shop/api->ServiceAccount/shop/api').state, 'no-token');
    assert.ok(edge(L, 'runs-as:Pod/shop/debug->ServiceAccount/shop/default'), 'a bare pod draws its own');
    assert.equal(L.edges.filter((e) => e.kind === 'runs-as').length, 3);
  });

  it('a pod that differs from its workload draws its own runs-as edge', () => {
    const g = policy();
    const id = 'runs-as:Pod/shop/web-6f7c8d-p2->ServiceAccount/shop/web';
    g.edges.set(id, { ...g.edges.get(id), token: false });
    const L2 = layout(g, null, { layers: ALL });
    const agg = edge(L2, 'agg:runs-as:Deployment/shop/web->ServiceAccount/shop/web');
    assert.equal(agg.count, 2);
    assert.equal(edge(L2, id).state, 'no-token');
  });

  it('labels grants with their bindings, a RoleBinding of a ClusterRole "in" its namespace', () => {
    setLang('en');
    const view = edge(L, 'grants:ServiceAccount/shop/web->ClusterRole/view@RoleBinding/shop/web-view');
    assert.equal(view.state, 'namespaced');
    assert.equal(grantsLabel(view.bindings), 'web-view in shop');
    const exec = L.edges.filter((e) => e.kind === 'grants' && e.to === 'Role/shop/pod-exec');
    assert.equal(exec.length, 2, 'a ServiceAccount and a User');
    assert.equal(grantsLabel(exec.find((e) => e.bindings).bindings), 'debug-exec, alice-exec');
    // A granted role leaves room above it for the label.
    const role = L.boxes.get('Role/shop/pod-exec');
    const above = [...L.boxes.values()].filter((b) => b.x === role.x && b.y < role.y).map((b) => b.y + b.h);
    assert.ok(role.y - Math.max(...above) >= GEOM.grantGap, 'room for the label');
  });

  it('draws a ServiceAccount that no pod runs as only when it is granted something', () => {
    assert.ok(L.boxes.has('ServiceAccount/shop/ci'), 'granted cluster-admin, no pods');
    const g = policy();
    g.nodes.set('ServiceAccount/shop/idle', { id: 'ServiceAccount/shop/idle', kind: 'ServiceAccount', namespace: 'shop', name: 'idle' });
    g.nodes.set('ServiceAccount/quiet/default', { id: 'ServiceAccount/quiet/default', kind: 'ServiceAccount', namespace: 'quiet', name: 'default' });
    const L2 = layout(g, null, { layers: ALL });
    assert.ok(!L2.boxes.has('ServiceAccount/shop/idle'));
    assert.deepEqual(L2.bands.map((b) => b.ns), ['shop'], 'a namespace of one ServiceAccount opens no band');
  });

  it('summarises rules and names risky flags in words', () => {
    setLang('en');
    const g = policy();
    assert.equal(rulesLine(g.nodes.get('Role/shop/secret-reader')), 'get,list,watch secrets · get configmaps');
    assert.equal(rulesLine(g.nodes.get('ClusterRole/cluster-admin')), 'every verb on everything · every verb on every URL');
    assert.equal(riskyText(['secrets', 'exec']), 'can read Secrets, exec into pods');
    const facts = boxFacts({ kind: 'Role' }, g.nodes.get('Role/shop/secret-reader'));
    assert.equal(facts.status, 'Risky');
    assert.equal(boxFacts({ kind: 'ClusterRole' }, g.nodes.get('ClusterRole/view')).status, 'Ready');
    const m = sideMarkup(g.nodes.get('Role/shop/secret-reader'), L.boxes.get('Role/shop/secret-reader'), facts, facts.line);
    assert.match(m, /data-testid="risky-badge" data-risky="secrets"/);
    assert.match(m, /can read Secrets/);
    assert.equal(saLine({}, 3, 3), 'token mounted · 3 pods');
    assert.equal(saLine({}, 2, 0), 'no token · 2 pods');
    assert.equal(saLine({}, 3, 1), 'token in 1 of 3 pods');
    setLang('zh-CN');
    assert.equal(riskyText(['secrets']), '可读取 Secret');
    setLang('en');
  });
});

describe('network policy', () => {
  const L = layout(policy(), null, { layers: ALL });
  it('aggregates isolates at the workload, from the policy', () => {
    const e = edge(L, 'agg:isolates:NetworkPolicy/shop/web-allow-api->Deployment/shop/web');
    assert.ok(e);
    assert.equal(e.from, 'NetworkPolicy/shop/web-allow-api');
    assert.equal(e.to, 'Deployment/shop/web');
    assert.equal(e.count, 3);
    assert.ok(edge(L, 'agg:isolates:NetworkPolicy/shop/default-deny->Deployment/shop/api'));
    assert.ok(edge(L, 'isolates:NetworkPolicy/shop/default-deny->Pod/shop/debug'));
  });

  it('summarises a policy on one line', () => {
    setLang('en');
    const g = policy();
    assert.equal(netpolLine(g.nodes.get('NetworkPolicy/shop/web-allow-api')), 'from app=api :TCP/8080 · to ns kubernetes.io/metadata.name=kube-system :UDP/53');
    assert.equal(netpolLine(g.nodes.get('NetworkPolicy/shop/default-deny')), 'no ingress allowed');
    assert.equal(netpolLine({ policyTypes: ['Ingress'], ingress: [{}] }), 'from anyone');
    assert.equal(netpolLine({ policyTypes: ['Ingress'], ingress: [{ peers: [{ namespaceSelector: {}, podSelector: { matchLabels: { a: 'b' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] }),
      'from ns all namespaces a=b, 10.0.0.0/8 −10.1.0.0/16');
  });
});

describe('reachability', () => {
  const timers = () => {
    const q = [];
    return { q, setTimer: (f) => (q.push(f), q.length), clearTimer: (i) => (q[i - 1] = null), run: () => q.splice(0).forEach((f) => f && f()) };
  };
  const ok = (pod, body = {}) => Promise.resolve({ ok: true, json: async () => ({ pod, ingress: { isolated: true, allowed: [] }, egress: { isolated: false }, ...body }) });
  const tick = () => new Promise((r) => setImmediate(r));

  it('debounces: focus moving fast asks once, for the last pod', async () => {
    const tm = timers();
    const asked = [];
    const f = new ReachFetcher({ fetch: (u) => (asked.push(u), ok(decodeURIComponent(u.split('=')[1]))), ...tm });
    f.want('Pod/a/1');
    f.want('Pod/a/2');
    f.want('Pod/a/3');
    tm.run();
    await tick();
    assert.deepEqual(asked, ['/api/reachability?pod=Pod%2Fa%2F3']);
    assert.equal(f.state.pod, 'Pod/a/3');
    f.want('Pod/a/3');
    tm.run();
    assert.equal(asked.length, 1, 'the same pod is not asked again');
  });

  it('keeps one request in flight and drops a stale answer', async () => {
    const tm = timers();
    const asked = [];
    let release;
    const results = [];
    const f = new ReachFetcher({
      fetch: (u) => {
        asked.push(u);
        const pod = decodeURIComponent(u.split('=')[1]);
        return pod === 'Pod/a/1' ? new Promise((r) => (release = () => r({ ok: true, json: async () => ({ pod }) }))) : ok(pod);
      },
      onResult: (st) => results.push(st.pod),
      ...tm,
    });
    f.want('Pod/a/1');
    tm.run();
    f.want('Pod/a/2');
    tm.run();
    assert.equal(asked.length, 1, 'no second request while one is in flight');
    release();
    await tick();
    await tick();
    assert.equal(asked.length, 2, 'the answer asks for the pod now wanted');
    assert.deepEqual(results, ['Pod/a/2'], 'the stale answer is dropped');
  });

  it('keeps an error as a message', async () => {
    const tm = timers();
    const f = new ReachFetcher({ fetch: () => Promise.resolve({ ok: false, status: 404, statusText: 'Not Found', text: async () => 'no such pod' }), ...tm });
    f.want('Pod/a/1');
    tm.run();
    await tick();
    await tick();
    assert.match(f.state.error, /404 no such pod/);
    const thrower = new ReachFetcher({ fetch: () => { throw new Error('offline'); }, ...tm });
    thrower.want('Pod/a/1');
    tm.run();
    await tick();
    await tick();
    assert.equal(thrower.state.error, 'offline');
    const jsonErr = new ReachFetcher({ fetch: () => Promise.resolve({ ok: false, status: 404, text: async () => '{"error":"no pod Pod/a/1"}' }), ...tm });
    jsonErr.want('Pod/a/1');
    tm.run();
    await tick();
    await tick();
    assert.equal(jsonErr.state.error, '404 no pod Pod/a/1');
    setLang('en');
    assert.match(reachHTML(f.state), /data-testid="reach-error">Reachability unavailable: 404 no such pod/);
    assert.match(reachHTML(f.state), /Policy as declared/);
  });

  it('asks ?service= for a Service and flags it when no selected pod is reachable', async () => {
    const tm = timers();
    const asked = [];
    const f = new ReachFetcher({ fetch: (u) => (asked.push(u), Promise.resolve({ ok: true, json: async () => ({ service: 'Service/a/web', from: 'Namespace/ingress', reachable: [], unreachable: ['Pod/a/1'] }) })), ...tm });
    f.want('Service/a/web');
    tm.run();
    await tick();
    await tick();
    assert.deepEqual(asked, ['/api/reachability?service=Service%2Fa%2Fweb']);
    assert.ok(serviceCutOff(f.state.data, ['Pod/a/1']));
    assert.ok(!serviceCutOff(f.state.data, ['Pod/a/1', 'Pod/a/2']), 'one pod reachable: no flag');
    assert.ok(!serviceCutOff(f.state.data, []), 'no pods: no flag');
  });

  it('lights the allowed peers, or every pod when a direction is not isolated', () => {
    const g = policy();
    const data = { pod: 'Pod/shop/web-6f7c8d-p0', ingress: { isolated: true, allowed: [{ from: 'Pod/shop/api-6f7c8d-p0', policy: 'NetworkPolicy/shop/web-allow-api', rule: 0, ports: ['TCP/8080'] }] }, egress: { isolated: false } };
    const r = reachSets(data, g.nodes);
    assert.deepEqual([...r.in], ['Pod/shop/api-6f7c8d-p0']);
    assert.equal(r.out.size, 5, 'no list, not isolated: every other pod');
    assert.ok(!r.out.has(data.pod));
    // The server's list wins even when a direction is not isolated: the
    // peers' own policies still count.
    const listed = reachSets({ ...data, egress: { isolated: false, allowed: [{ to: 'Pod/shop/debug' }], beyond: [{ anywhere: true }] } }, g.nodes);
    assert.deepEqual([...listed.out], ['Pod/shop/debug']);
    assert.match(reachHTML({ pod: data.pod, data: { ...data, egress: { isolated: true, allowed: [], hidden: 2, beyond: [{ namespaces: 'team=dns', policy: 'NetworkPolicy/shop/x', rule: 1, ports: ['UDP/53'] }, { ipBlock: { cidr: '10.0.0.0/8' } }] } } }),
      /\+2 outside the namespaces in view.*Beyond the cluster: ns team=dns \(shop\/x rule 2 · UDP\/53\), 10\.0\.0\.0\/8/s);
    setLang('en');
    const html = reachHTML({ pod: data.pod, data });
    assert.match(html, /data-peer="Pod\/shop\/api-6f7c8d-p0"/);
    assert.match(html, /shop\/web-allow-api rule 1 · TCP\/8080/);
    assert.match(html, /not isolated: any pod may/);
  });
});

describe('quotas', () => {
  it('reads quantities and how full a quota is', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('2e3'), 2000);
    assert.ok(Number.isNaN(parseQuantity('lots')));
    assert.equal(quotaFill({ used: '1500m', hard: '4' }), 0.375);
    assert.equal(quotaFill({ used: '3Gi', hard: '8Gi' }), 0.375);
    assert.equal(quotaFill({ used: '0', hard: '0' }), 0);
    assert.equal(quotaFill({ used: '1', hard: '0' }), 1);
  });

  it('draws the namespace band with its quotas, full ones red, limits and the Pod Security level', () => {
    setLang('en');
    const g = policy();
    const ns = g.nodes.get('Namespace/shop');
    assert.equal(namespaceStatus(ns), 'Full');
    const L = layout(g, null, { layers: ALL });
    const band = L.bands[0];
    assert.deepEqual({ rows: band.info.rows, limits: band.info.limits, pss: band.info.pss }, { rows: 1, limits: true, pss: 'baseline' });
    // The band's content starts below the strip.
    const top = Math.min(...[...L.boxes.values()].filter((b) => b.kind === 'Deployment').map((b) => b.y));
    assert.ok(top >= band.y + GEOM.bandHeader + band.info.h);
    const m = nsInfoMarkup(ns, band.info, band, L.bandW);
    assert.equal((m.match(/data-testid="quota"/g) || []).length, 3);
    assert.match(m, /class="quota full"[^>]*data-quota="compute\/pods"/);
    assert.match(m, /Pod Security: baseline/);
    assert.equal(limitLine(ns), 'Container limits: cpu default 500m request 250m max 2, memory default 512Mi request 256Mi');
    assert.equal(nsInfo({ kind: 'Namespace' }, 1200), null, 'nothing to draw: no strip');
  });

  it('says how many disruptions a budget allows', () => {
    setLang('en');
    const pdb = policy().nodes.get('PodDisruptionBudget/shop/web');
    assert.equal(pdbLine(pdb), '1 disruption allowed · min 2 · 3/2 healthy');
    assert.equal(boxFacts({ kind: 'PodDisruptionBudget' }, { ...pdb, disruptionsAllowed: 0 }).status, 'Blocked');
    assert.ok(matchSelector(pdb.selector, { app: 'web' }) && !matchSelector(pdb.selector, { app: 'api' }) && !matchSelector(null, {}));
    assert.ok(matchSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, { tier: 'web' }));
  });
});

describe('Nodes for real', () => {
  it('counts pods against capacity and names what is not fine', () => {
    setLang('en');
    const g = policy();
    const n1 = g.nodes.get('Node/node-1');
    assert.deepEqual(nodeTrouble(n1), ['MemoryPressure']);
    assert.deepEqual(nodeTrouble({ conditions: [{ type: 'Ready', status: 'False' }] }), ['Ready']);
    assert.equal(nodeExtraLine(n1), 'SchedulingDisabled · dedicated=gpu:NoSchedule');
    assert.equal(nodeCapacityLine(g.nodes.get('Node/node-2'), 3), '3/3 pods · cpu 4 · mem 16Gi');
    assert.ok(nodeFull(g.nodes.get('Node/node-2'), 3) && !nodeFull(g.nodes.get('Node/node-3'), 3));
    const L = layout(g, null, { layers: ALL });
    assert.equal(L.boxes.get('Node/node-1').h, GEOM.nodeH + GEOM.nodeTaints, 'a cordoned Node has a line more');
    assert.equal(L.boxes.get('Node/node-3').h, GEOM.nodeH);
  });

  it('renders cordoned and drained happenings from their params in both languages', () => {
    // The params informers/graph/cluster.go sends: name is the ref's.
    const hs = [
      { kind: 'cordoned', ref: 'Node/node-2', text: 'x', params: { name: 'node-2', state: 'cordoned' } },
      { kind: 'cordoned', ref: 'Node/node-2', text: 'x', params: { name: 'node-2', state: 'uncordoned' } },
      { kind: 'drained', ref: 'Pod/shop/a', text: 'x', params: { name: 'shop/a', node: 'node-2', reason: 'EvictionByEvictionAPI', state: 'evicted' } },
      { kind: 'drained', ref: 'PodDisruptionBudget/shop/web', text: 'x', params: { name: 'shop/web', node: 'node-2', allowed: '0', state: 'held' } },
      { kind: 'drained', ref: 'Node/node-2', text: 'x', params: { name: 'node-2', state: 'done' } },
    ];
    setLang('en');
    assert.deepEqual(hs.map(happeningText), ['Node node-2 cordoned', 'Node node-2 uncordoned', 'drain node-2: Pod shop/a evicted',
      'drain node-2: held back by budget shop/web (0 disruptions allowed)', 'Node node-2 drained']);
    setLang('zh-CN');
    assert.deepEqual(hs.map(happeningText), ['节点 node-2 已封锁', '节点 node-2 已解除封锁', '排空 node-2：Pod shop/a 已驱逐',
      '排空 node-2：被中断预算 shop/web 阻止（允许中断 0 次）', '节点 node-2 已排空']);
    setLang('en');
  });
});
