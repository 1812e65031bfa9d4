// Pod anatomy (anatomy.js): the model of the view from a pod and its edges,
// what is cut where, and that nothing from the cluster reaches the markup
// unescaped. The fixture (fixtures/anatomy.json) is a snapshot in protocol
// v1 + wave 2 shape: web-0 (1 init, 1 sidecar, 2 app containers, 3 ports,
// one a host port, three references, one broken, two warnings), big-0
// (Pending, with the scheduler's warning) and many-0 (40 app and 20 init
// containers, the server's lists capped at 16).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  anatomyHTML, anatomyModel, cut, PANEL_LIMITS, podDetailsHTML, portText, refsOf, showPodDetails, STAGE_LIMITS, STAGE_STEPS,
  stateOf, warningsOf,
} from '../static/anatomy.js';
import { setLang } from '../static/i18n.js';
import { fixture } from './fixtures/build.js';

const snap = fixture('anatomy.json');
const nodes = new Map(snap.nodes.map((n) => [n.id, n]));
const edges = new Map(snap.edges.map((e) => [e.id, e]));
const web = nodes.get('Pod/shop/web-0');
const big = nodes.get('Pod/shop/big-0');
const many = nodes.get('Pod/shop/many-0');
const CJK = /[\u3400-\u9fff]/;

// inLang runs f with the page language set to lang.
function inLang(lang, f) {
  setLang(lang);
  try {
    return f();
  } finally {
    setLang('en');
  }
}

describe('anatomyModel', () => {
  test('init containers in order; sidecars run beside the app containers, first', () => {
    const m = anatomyModel(web, edges, nodes);
    assert.deepEqual(m.init.map((c) => [c.name, c.kind, c.order]), [['migrate', 'init', 1]]);
    assert.deepEqual(m.run.map((c) => [c.name, c.kind, c.order]), [['log-shipper', 'sidecar', 2], ['web', 'app', 0], ['metrics', 'app', 0]]);
    assert.equal(m.moreInit, 0);
    assert.equal(m.moreRun, 0);
    assert.equal(m.total, 3, 'sidecars are counted with the app containers, as kubectl\'s READY does');
  });

  test('each container: image, state in words, ready, restarts, ports', () => {
    const m = anatomyModel(web, edges, nodes);
    const [migrate] = m.init;
    assert.equal(migrate.stateText, 'Completed · exit 0');
    assert.equal(migrate.tone, 'done');
    const w = m.run.find((c) => c.name === 'web');
    assert.equal(w.image, 'web:v3', 'the image is shortened for reading');
    assert.equal(w.fullImage, 'registry.example/shop/web:v3');
    assert.equal(w.stateText, 'Running');
    assert.equal(w.tone, 'ok');
    assert.equal(w.ready, true);
    assert.equal(w.restarts, 1);
    assert.deepEqual(w.ports.map((p) => p.text), ['8080 (host 80)']);
    assert.deepEqual(m.run.find((c) => c.name === 'metrics').ports.map((p) => p.text), ['9153/UDP']);
  });

  test('the sandbox and the node side: pod IP beside node IP, host ports', () => {
    const m = anatomyModel(web, edges, nodes);
    assert.equal(m.ip, '10.244.1.7');
    assert.equal(m.node, 'worker-1');
    assert.equal(m.hostIP, '192.0.2.11');
    assert.equal(m.hostNetwork, false);
    assert.deepEqual(m.hostPorts, [{ container: 'web', port: 8080, hostPort: 80, protocol: '' }]);
    assert.equal(m.serviceAccount, 'web-runner');
    const html = anatomyHTML(m);
    assert.match(html, /192\.0\.2\.11:80 → web:8080/);
    assert.match(html, /data-testid="anatomy-sandbox"[^>]*>.*pause.*10\.244\.1\.7.*localhost/s);
  });

  test('a pod without hostIP takes its node\'s internal IP; an unscheduled pod says so', () => {
    const m = anatomyModel({ ...web, hostIP: '' }, edges, nodes);
    assert.equal(m.hostIP, '192.0.2.11');
    const p = anatomyModel(big, edges, nodes);
    assert.equal(p.node, '');
    assert.match(anatomyHTML(p), /not on a node yet/);
    assert.match(anatomyHTML(p), /no IP yet/);
  });

  test('hostNetwork: the sandbox sentence says the pod uses the node\'s network', () => {
    const m = anatomyModel({ ...web, hostNetwork: true, ip: '192.0.2.11' }, edges, nodes);
    const html = anatomyHTML(m);
    assert.match(html, /data-host-network="true"/);
    assert.match(html, /node&#39;s own network, so the pod IP is the node IP 192\.0\.2\.11/);
  });

  test('references: from this pod\'s mounts edges only, broken first, with how and by whom', () => {
    const refs = refsOf(web.id, edges);
    assert.deepEqual(refs.map((r) => [r.kind, r.name, r.broken]), [
      ['PersistentVolumeClaim', 'data-web-0', true],
      ['ConfigMap', 'web-config', false],
      ['Secret', 'db-password', false],
    ]);
    assert.deepEqual(refs[1].as, ['volume']);
    assert.deepEqual(refs[1].containers, ['web', 'log-shipper']);
    assert.deepEqual(refsOf(many.id, edges), [], 'a runs-on edge is not a reference');
    const html = anatomyHTML(anatomyModel(web, edges, nodes));
    assert.match(html, /data-ref="PersistentVolumeClaim\/shop\/data-web-0" data-broken="true">.*missing/);
    assert.match(html, /data-ref="ConfigMap\/shop\/web-config" data-broken="false">.*volume · used by web, log-shipper/);
    assert.match(html, /data-ref="Secret\/shop\/db-password" data-broken="false">.*env · used by web/);
  });

  test('a reference made several ways lists every way', () => {
    const e = { id: 'x', kind: 'mounts', from: web.id, to: 'ConfigMap/shop/both', as: 'volume,env,envFrom', containers: ['web'] };
    const html = anatomyHTML(anatomyModel(web, [e], nodes));
    assert.match(html, /volume, env, envFrom \(all keys\) · used by web/);
  });

  test('warnings newest first; a running pod has no headline', () => {
    const m = anatomyModel(web, edges, nodes);
    assert.equal(m.headline, null);
    assert.deepEqual(m.warnings.map((w) => w.reason), ['Unhealthy', 'BackOff']);
    assert.deepEqual(warningsOf({ warnings: [{ reason: 'a', last: '2026-01-01T00:00:00Z' }, { reason: 'b', last: '2026-01-02T00:00:00Z' }] }).map((w) => w.reason), ['b', 'a']);
  });

  test('a Pending pod: the scheduler\'s message is the headline, and not repeated below it', () => {
    const older = { reason: 'FailedMount', message: 'x', count: 1, last: '2026-12-01T18:05:00Z' };
    const m = anatomyModel({ ...big, warnings: [older, ...big.warnings] }, edges, nodes);
    assert.equal(m.headline.reason, 'FailedScheduling', 'the scheduler wins over a newer warning');
    assert.deepEqual(m.warnings.map((w) => w.reason), ['FailedMount']);
    const html = anatomyHTML(m);
    assert.match(html, /data-testid="anatomy-headline" data-reason="FailedScheduling"><b>FailedScheduling<\/b> <span>0\/3 nodes are available: 3 Insufficient cpu/);
  });

  test('40 containers: the panel shows the server\'s 16 and counts the rest; the stage a few', () => {
    const p = anatomyModel(many, edges, nodes, PANEL_LIMITS);
    assert.equal(p.run.length, 16);
    assert.equal(p.moreRun, 24);
    assert.equal(p.init.length, 16);
    assert.equal(p.moreInit, 4);
    assert.equal(p.total, 40);
    const s = anatomyModel(many, edges, nodes, STAGE_LIMITS);
    assert.equal(s.run.length, STAGE_LIMITS.run);
    assert.equal(s.moreRun, 40 - STAGE_LIMITS.run);
    assert.equal(s.init.length, STAGE_LIMITS.init);
    assert.equal(s.moreInit, 20 - STAGE_LIMITS.init);
    const html = anatomyHTML(s, 'stage');
    assert.match(html, /data-testid="anatomy-more-run" data-count="36">\+36 more containers</);
    assert.match(html, /data-testid="anatomy-more-init" data-count="17">\+17 more containers</);
    assert.equal((html.match(/class="anat-c"/g) || []).length, STAGE_LIMITS.run + STAGE_LIMITS.init);
  });

  test('each stage step shows less than the one before', () => {
    for (let i = 1; i < STAGE_STEPS.length; i++) {
      for (const k of ['init', 'run', 'ports', 'refs', 'warnings']) assert.ok(STAGE_STEPS[i][k] <= STAGE_STEPS[i - 1][k], `step ${i} ${k}`);
    }
  });

  test('the stage cuts long names and keeps the whole in a tooltip; the panel keeps them whole', () => {
    const long = 'c'.repeat(63);
    const pod = { ...web, containers: [{ name: long, image: 'img', state: 'running', ready: true, restarts: 0 }] };
    const stage = anatomyHTML(anatomyModel(pod, [], nodes, STAGE_LIMITS), 'stage');
    assert.ok(!stage.includes(`>${long}<`));
    assert.match(stage, new RegExp(`<b title="${long}">c{${STAGE_LIMITS.text - 1}}…</b>`));
    const panel = anatomyHTML(anatomyModel(pod, [], nodes, PANEL_LIMITS), 'panel');
    assert.ok(panel.includes(`>${long}<`));
  });

  test('a wave-1 pod (containers is a count) draws that many containers of unknown state', () => {
    const m = anatomyModel({ id: 'Pod/a/b', kind: 'Pod', name: 'b', status: 'Running', containers: 2, images: ['a:1', 'b:2'] }, [], []);
    assert.deepEqual(m.run.map((c) => [c.image, c.stateText]), [['a:1', 'state unknown'], ['b:2', 'state unknown']]);
    assert.equal(m.total, 2);
  });

  test('bad input never throws and draws what it can', () => {
    for (const pod of [
      {},
      null,
      { containers: null, initContainers: 'x', warnings: 'y', labels: 5 },
      { containers: [null, 7, { ports: 'z', restarts: -3, exitCode: 'x', state: 'terminated' }], initContainers: [{ sidecar: true, ports: [null] }] },
      { warnings: [null, { last: 'not a time' }, 3] },
    ]) {
      const m = anatomyModel(pod, [null, { kind: 'mounts' }], null);
      assert.equal(typeof anatomyHTML(m, 'stage'), 'string');
      assert.equal(typeof podDetailsHTML(pod, [], []), 'string');
    }
    const m = anatomyModel({ containers: [{ name: 'x', state: 'terminated', restarts: -3 }] }, [], []);
    assert.equal(m.run[0].restarts, 0);
    assert.equal(m.run[0].stateText, 'Terminated · exit ?');
  });
});

describe('state, ports and cut', () => {
  test('stateOf: waiting reasons, running readiness, exit codes', () => {
    assert.deepEqual(stateOf({ state: 'waiting', reason: 'CrashLoopBackOff' }), { tone: 'bad', text: 'Waiting: CrashLoopBackOff' });
    assert.deepEqual(stateOf({ state: 'waiting', reason: 'ContainerCreating' }), { tone: 'wait', text: 'Waiting: ContainerCreating' });
    assert.deepEqual(stateOf({ state: 'waiting' }), { tone: 'wait', text: 'Waiting' });
    assert.deepEqual(stateOf({ state: 'running', ready: false }), { tone: 'warn', text: 'Running' });
    assert.deepEqual(stateOf({ state: 'running', ready: false, kind: 'init' }), { tone: 'ok', text: 'Running' });
    assert.deepEqual(stateOf({ state: 'terminated', reason: 'OOMKilled', exitCode: 137 }), { tone: 'bad', text: 'OOMKilled · exit 137' });
    assert.deepEqual(stateOf({ state: 'terminated', exitCode: 0 }), { tone: 'done', text: 'Terminated · exit 0' });
    assert.deepEqual(stateOf({ state: 'mystery' }), { tone: 'unknown', text: 'state unknown' });
  });

  test('portText: TCP is implied, other protocols and host ports are said', () => {
    assert.equal(portText({ port: 8080 }), '8080');
    assert.equal(portText({ port: 53, protocol: 'UDP' }), '53/UDP');
    assert.equal(portText({ port: 80, hostPort: 8080 }), '80 (host 8080)');
    assert.equal(portText({ port: 53, protocol: 'UDP', hostPort: 53 }), '53/UDP (host 53)');
  });

  test('cut keeps the first n and counts the rest plus what the server left off', () => {
    assert.deepEqual(cut([1, 2, 3], 2), { shown: [1, 2], more: 1 });
    assert.deepEqual(cut([1], 5, 4), { shown: [1], more: 4 });
    assert.deepEqual(cut([1, 2], 0), { shown: [], more: 2 });
    assert.deepEqual(cut([], 3, 'junk'), { shown: [], more: 0 });
  });
});

describe('escaping: nothing from the cluster reaches the markup as markup', () => {
  const evil = '<img src=x onerror=alert(1)>"\'&';
  const pod = {
    id: `Pod/ns/${evil}`, kind: 'Pod', namespace: evil, name: evil, uid: evil, status: evil, owner: evil, created: evil, ip: evil,
    hostIP: evil, serviceAccount: evil, node: `Node/${evil}`, labels: { [evil]: evil },
    initContainers: [{ name: evil, image: evil, state: 'terminated', reason: evil, exitCode: 1, sidecar: false }],
    containers: [{ name: evil, image: evil, state: 'waiting', reason: evil, ready: false, restarts: 0, ports: [{ name: evil, port: 80, protocol: evil, hostPort: 81 }] }],
    warnings: [{ reason: evil, message: evil, count: 2, last: evil }],
  };
  const evilEdges = [{ id: 'm', kind: 'mounts', from: pod.id, to: `ConfigMap/ns/${evil}`, as: evil, containers: [evil], broken: true }];

  for (const [what, html] of [
    ['panel', () => podDetailsHTML(pod, evilEdges, [])],
    ['stage', () => anatomyHTML(anatomyModel(pod, evilEdges, [], STAGE_LIMITS), 'stage')],
    ['pending stage (headline)', () => anatomyHTML(anatomyModel({ ...pod, status: 'Pending' }, evilEdges, [], STAGE_LIMITS), 'stage')],
  ]) {
    test(what, () => {
      const s = html();
      assert.ok(!s.includes('<img'), `${what}: an <img> got through`);
      assert.ok(s.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'), `${what}: the name is not shown escaped`);
      // Every attribute value is quoted and free of raw quotes: strip the
      // quoted values and no stray quote or angle bracket remains inside tags.
      for (const tag of s.match(/<[^>]*>/g)) {
        const bare = tag.slice(1).replace(/="[^"]*"/g, '');
        assert.doesNotMatch(bare, /["'<]|onerror/, `${what}: tag ${tag}`);
      }
    });
  }
});

describe('both languages', () => {
  test('zh-CN: every sentence of the anatomy is Chinese; kinds and values stay', () => {
    const html = inLang('zh-CN', () => anatomyHTML(anatomyModel(web, edges, nodes), 'stage'));
    for (const re of [/这些容器共用一个网络/, /初始化容器/, /边车/, /运行中/, /节点 IP 192\.0\.2\.11/, /服务账号/, /缺失/, /8080（主机 80）/]) {
      assert.match(html, re);
    }
    const en = anatomyHTML(anatomyModel(web, edges, nodes), 'stage');
    assert.doesNotMatch(en, CJK);
  });
});

describe('showPodDetails', () => {
  // A stand-in for the panel's body: counts writes of innerHTML.
  function fakeBody() {
    const doc = { head: { appendChild() {} }, createElement: () => ({ addEventListener() {} }) };
    return {
      ownerDocument: doc,
      writes: 0,
      markup: '',
      set innerHTML(s) {
        this.markup = s;
        this.writes++;
      },
      get innerHTML() { return this.markup; },
      get firstElementChild() { return this.markup ? {} : null; },
      querySelector(sel) { return sel === '.anatomy' && this.markup.includes('class="anatomy"') ? {} : null; },
    };
  }

  test('redraws only when the pod changed, and after another kind was shown', () => {
    const el = fakeBody();
    showPodDetails(el, web, edges, nodes);
    assert.equal(el.writes, 1);
    assert.match(el.markup, /data-testid="details-labels"/);
    showPodDetails(el, web, edges, nodes);
    assert.equal(el.writes, 1, 'an unchanged pod is not rewritten');
    const restarted = { ...web, containers: web.containers.map((c) => (c.name === 'web' ? { ...c, restarts: 2, ready: false } : c)) };
    showPodDetails(el, restarted, edges, nodes);
    assert.equal(el.writes, 2);
    assert.match(el.markup, /data-restarts="2"/);
    el.innerHTML = '<h2>Service</h2>'; // app.js draws another kind
    showPodDetails(el, restarted, edges, nodes);
    assert.equal(el.writes, 4);
    assert.match(el.markup, /class="anatomy"/);
  });
});
