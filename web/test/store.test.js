import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backoffDelay, Connection, wsURL } from '../static/conn.js';
import { MAX_WARNINGS, mergeWarning, parseMessage, ProtocolError, Store, validateMessage, warningOf } from '../static/store.js';
import { fixture, pod } from './fixtures/build.js';

const snap = (seq, nodes = [], edges = [], epoch = 'E1') => ({ type: 'snapshot', epoch, seq, nodes, edges });
const delta = (from, seq, { upsert = {}, remove = {}, happenings } = {}) =>
  validateMessage({ type: 'delta', from, seq, upsert, remove, happenings });

describe('store: snapshot', () => {
  it('replaces everything and records epoch and seq', () => {
    const s = new Store();
    const f = fixture('rollout.json');
    const ch = s.apply(validateMessage(f));
    assert.equal(ch.type, 'snapshot');
    assert.equal(s.epoch, 'e-fixture');
    assert.equal(s.seq, 4182);
    assert.equal(s.nodes.size, f.nodes.length);
    assert.equal(s.edges.size, f.edges.length);
    assert.equal(ch.added.size, f.nodes.length);
    assert.deepEqual(s.resume(), { epoch: 'e-fixture', since: 4182 });

    // A second snapshot drops what it does not name.
    const keep = f.nodes.slice(0, 3);
    const ch2 = s.apply(validateMessage(snap(5000, keep, [], 'E2')));
    assert.equal(s.nodes.size, 3);
    assert.equal(s.edges.size, 0);
    assert.equal(ch2.removed.size, f.nodes.length - 3);
    assert.equal(ch2.removedEdges.size, f.edges.length);
    assert.equal(s.epoch, 'E2');
  });

  it('accepts null lists, as Go encodes nil slices', () => {
    const s = new Store();
    s.apply(parseMessage('{"type":"snapshot","epoch":"E","seq":0,"nodes":null,"edges":null}'));
    assert.equal(s.nodes.size, 0);
    assert.equal(s.synced, true);
  });
});

describe('store: delta', () => {
  const p1 = pod('default', 'a', '', 'n1');
  const p2 = pod('default', 'b', '', 'n1');

  it('applies upserts and removals and advances seq', () => {
    const s = new Store();
    s.apply(validateMessage(snap(10, [p1])));
    const p1b = { ...p1, status: 'Terminating' };
    const ch = s.apply(delta(10, 12, { upsert: { nodes: [p1b, p2], edges: [] }, happenings: [{ kind: 'scaled', ref: 'x', text: 't' }] }));
    assert.equal(ch.type, 'delta');
    assert.equal(s.seq, 12);
    assert.equal(s.nodes.get(p1.id).status, 'Terminating');
    assert.ok(ch.updated.has(p1.id));
    assert.equal(ch.updated.get(p1.id).status, 'Running', 'updated keeps the previous object for animation');
    assert.ok(ch.added.has(p2.id));
    assert.equal(ch.happenings.length, 1);

    const ch2 = s.apply(delta(12, 13, { remove: { nodes: [p1.id], edges: ['nope'] } }));
    assert.equal(s.nodes.has(p1.id), false);
    assert.ok(ch2.removed.has(p1.id));
    assert.equal(ch2.removedEdges.size, 0, 'removing an unknown edge is a no-op');
  });

  it('treats a new uid under an old id as a new object', () => {
    const s = new Store();
    s.apply(validateMessage(snap(1, [p1])));
    const again = { ...p1, uid: 'new-uid' };
    const ch = s.apply(delta(1, 2, { remove: { nodes: [p1.id] }, upsert: { nodes: [again] } }));
    assert.ok(ch.added.has(p1.id));
    assert.equal(ch.removed.has(p1.id), false);
    assert.equal(s.nodes.get(p1.id).uid, 'new-uid');
  });

  it('detects a gap and leaves the store untouched', () => {
    const s = new Store();
    s.apply(validateMessage(snap(10, [p1])));
    const ch = s.apply(delta(11, 15, { upsert: { nodes: [p2] } }));
    assert.equal(ch.type, 'gap');
    assert.equal(s.seq, 10);
    assert.equal(s.nodes.has(p2.id), false);
    assert.deepEqual(s.resume(), { epoch: 'E1', since: 10 });
  });

  it('ignores a delta it already has', () => {
    const s = new Store();
    s.apply(validateMessage(snap(10, [p1])));
    assert.equal(s.apply(delta(8, 10, { remove: { nodes: [p1.id] } })).type, 'stale');
    assert.ok(s.nodes.has(p1.id));
  });

  it('refuses deltas before any snapshot (gap), and after forgetResume', () => {
    const s = new Store();
    assert.equal(s.apply(delta(0, 1, { upsert: { nodes: [p1] } })).type, 'gap');
    s.apply(validateMessage(snap(3, [p1])));
    s.forgetResume();
    assert.equal(s.resume(), null);
    assert.ok(s.nodes.has(p1.id), 'the picture stays');
    assert.equal(s.apply(delta(3, 4, {})).type, 'gap');
  });

  it('accepts a plain v1 delta without from when seq moves forward', () => {
    const s = new Store();
    s.apply(validateMessage(snap(3, [])));
    const ch = s.apply(validateMessage({ type: 'delta', seq: 9, upsert: { nodes: [p1], edges: null }, remove: { nodes: null, edges: null } }));
    assert.equal(ch.type, 'delta');
    assert.equal(s.seq, 9);
  });

  it('keeps status', () => {
    const s = new Store();
    s.apply(validateMessage({ type: 'status', apiserver: 'reconnecting', synced: false, denied: null }));
    assert.deepEqual(s.status, { apiserver: 'reconnecting', synced: false, denied: [] });
  });
});

describe('store: warnings (docs/protocol.md, "Warnings and happenings")', () => {
  const w = (reason, last, count = 1, message = reason + ' happened') => ({ reason, message, count, last });
  const warning = (ref, x) => ({ time: x.last, kind: 'warning', ref, text: 'x', params: { reason: x.reason, message: x.message, count: String(x.count), last: x.last } });

  it('replaces the entry with that reason, inserts otherwise, newest first, then by reason', () => {
    const list = [w('BackOff', '2026-12-01T12:05:00Z', 3), w('Failed', '2026-12-01T12:01:00Z')];
    assert.deepEqual(mergeWarning(list, w('Failed', '2026-12-01T12:09:00Z', 4)), [w('Failed', '2026-12-01T12:09:00Z', 4), w('BackOff', '2026-12-01T12:05:00Z', 3)]);
    assert.deepEqual(mergeWarning(list, w('Unhealthy', '2026-12-01T12:03:00Z')).map((x) => x.reason), ['BackOff', 'Unhealthy', 'Failed']);
    // Equal times: by reason.
    assert.deepEqual(mergeWarning([w('B', '2026-12-01T12:00:00Z')], w('A', '2026-12-01T12:00:00Z')).map((x) => x.reason), ['A', 'B']);
    // Instants, not strings: fractional seconds sort right.
    assert.deepEqual(mergeWarning([w('B', '2026-12-01T12:00:00.5Z')], w('A', '2026-12-01T12:00:00Z')).map((x) => x.reason), ['B', 'A']);
    assert.equal(list.length, 2, 'the list given is not changed');
  });

  it('keeps the newest MAX_WARNINGS', () => {
    let list = [];
    for (let i = 0; i < 8; i++) list = mergeWarning(list, w('R' + i, `2026-12-01T12:0${i}:00Z`));
    assert.equal(list.length, MAX_WARNINGS);
    assert.deepEqual(list.map((x) => x.reason), ['R7', 'R6', 'R5', 'R4', 'R3']);
    // An older warning than all kept falls off at once.
    assert.deepEqual(mergeWarning(list, w('Old', '2026-12-01T11:00:00Z')), list);
  });

  it('reads a happening\'s params, and refuses one without a reason', () => {
    assert.deepEqual(warningOf(warning('Pod/a/b', w('Failed', '2026-12-01T12:00:00Z', 7, 'no'))), w('Failed', '2026-12-01T12:00:00Z', 7, 'no'));
    assert.equal(warningOf({ kind: 'warning', params: { message: 'x' } }), null);
    assert.equal(warningOf({ kind: 'warning', params: { reason: 'R', count: 'lots' }, time: 't' }).count, 1);
  });

  it('merges a warning happening into an object the delta did not upsert, as /api/graph has it', () => {
    const s = new Store();
    const p = pod('default', 'a', '', '');
    const q = pod('default', 'b', '', '');
    s.apply(validateMessage(snap(1, [p, q])));
    const first = w('FailedScheduling', '2026-12-01T12:00:00Z', 1, '0/3 nodes are available: 3 Insufficient cpu');
    const later = w('FailedScheduling', '2026-12-01T12:02:00Z', 4, '0/3 nodes are available: 3 Insufficient cpu');
    const ch = s.apply(delta(1, 2, { happenings: [warning(p.id, first), warning(p.id, later), warning('Pod/default/gone', first)] }));
    assert.deepEqual(s.nodes.get(p.id).warnings, [later]);
    assert.equal(p.warnings, undefined, 'the object the snapshot gave is not changed');
    assert.ok(ch.updated.has(p.id), 'the pod redraws');
    assert.equal(s.nodes.get(q.id), q, 'others untouched');
    assert.ok(!s.nodes.has('Pod/default/gone'), 'no object is made up for a warning');
    // An upsert in the same delta carries the warnings as of its seq: it wins.
    const p2 = { ...p, status: 'Pending', warnings: [w('Other', '2026-12-01T12:03:00Z')] };
    s.apply(delta(2, 3, { upsert: { nodes: [p2] }, happenings: [warning(p.id, later)] }));
    assert.deepEqual(s.nodes.get(p.id).warnings, p2.warnings);
  });
});

describe('store: malformed messages', () => {
  const bad = {
    'not JSON': '{"type":',
    'a number': '42',
    'an array': '[]',
    'no type': '{"seq":1}',
    'snapshot without epoch': '{"type":"snapshot","seq":1,"nodes":[],"edges":[]}',
    'snapshot with a string seq': '{"type":"snapshot","epoch":"E","seq":"1","nodes":[],"edges":[]}',
    'snapshot with negative seq': '{"type":"snapshot","epoch":"E","seq":-1,"nodes":[],"edges":[]}',
    'nodes not a list': '{"type":"snapshot","epoch":"E","seq":1,"nodes":{},"edges":[]}',
    'node without id': '{"type":"snapshot","epoch":"E","seq":1,"nodes":[{"kind":"Pod"}],"edges":[]}',
    'node without kind': '{"type":"snapshot","epoch":"E","seq":1,"nodes":[{"id":"Pod/a/b"}],"edges":[]}',
    'edge without to': '{"type":"snapshot","epoch":"E","seq":1,"nodes":[],"edges":[{"id":"x","kind":"selects","from":"a"}]}',
    'delta with from > seq': '{"type":"delta","from":5,"seq":4}',
    'delta with a fractional seq': '{"type":"delta","from":1,"seq":2.5}',
    'delta removing a number': '{"type":"delta","from":1,"seq":2,"remove":{"nodes":[7]}}',
    'delta upsert not an object': '{"type":"delta","from":1,"seq":2,"upsert":[]}',
    'status with a numeric apiserver': '{"type":"status","apiserver":1}',
  };
  for (const [name, text] of Object.entries(bad)) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseMessage(text), ProtocolError);
    });
  }

  it('a bad frame never half-applies', () => {
    const s = new Store();
    s.apply(validateMessage(snap(1, [pod('d', 'a', '', '')])));
    assert.throws(() => parseMessage('{"type":"delta","from":1,"seq":2,"upsert":{"nodes":[{"id":"Pod/d/b","kind":"Pod"},{"kind":"Pod"}]}}'), ProtocolError);
    assert.equal(s.nodes.size, 1);
    assert.equal(s.seq, 1);
  });

  it('ignores unknown message types from newer servers', () => {
    const s = new Store();
    assert.equal(s.apply(parseMessage('{"type":"hello","x":1}')).type, 'ignored');
  });
});

// FakeSocket records sockets the Connection opens.
function harness() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.closed = false;
      sockets.push(this);
    }
    close() {
      this.closed = true;
    }
    send() {}
    recv(msg) {
      this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
    }
    drop() {
      this.closed = true;
      this.onclose?.({});
    }
  }
  const timers = [];
  const states = [];
  const changes = [];
  const store = new Store();
  const conn = new Connection({
    store,
    href: 'http://podium.example:8080/prefix/?namespace=a',
    namespaces: ['a', 'b'],
    WebSocket: FakeSocket,
    setTimeout: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimeout: () => {},
    random: () => 0.5,
    onState: (s, info) => states.push([s, info]),
    onChange: (c) => changes.push(c),
  });
  const runTimer = () => {
    const t = timers.shift();
    assert.ok(t, 'a reconnect timer is pending');
    t.fn();
    return t.ms;
  };
  return { sockets, timers, states, changes, store, conn, runTimer };
}

describe('connection', () => {
  it('builds /ws URLs relative to the page, with filter and resume point', () => {
    assert.equal(wsURL('http://h:1/', [], null), 'ws://h:1/ws');
    assert.equal(wsURL('https://h/p/?x=1#y', ['a', 'b'], null), 'wss://h/p/ws?namespace=a,b');
    assert.equal(wsURL('http://h/', ['a'], { epoch: 'E 1', since: 42 }), 'ws://h/ws?namespace=a&epoch=E%201&since=42');
  });

  it('backs off exponentially up to a cap', () => {
    const mid = () => 0.5;
    assert.equal(backoffDelay(0, mid), 500);
    assert.equal(backoffDelay(1, mid), 1000);
    assert.equal(backoffDelay(3, mid), 4000);
    assert.equal(backoffDelay(30, mid), 10000);
    assert.ok(backoffDelay(2, () => 0) < backoffDelay(2, () => 0.999));
  });

  it('resyncs with since after a gap', () => {
    const h = harness();
    h.conn.start();
    assert.equal(h.sockets[0].url, 'ws://podium.example:8080/prefix/ws?namespace=a,b');
    h.sockets[0].recv(snap(10, [pod('a', 'p', '', '')]));
    assert.equal(h.states.at(-1)[0], 'live');
    h.sockets[0].recv(delta(10, 11, {}));
    assert.equal(h.store.seq, 11);
    h.sockets[0].recv({ type: 'delta', from: 13, seq: 14, upsert: {}, remove: {} });
    assert.equal(h.states.at(-1)[0], 'resyncing');
    assert.ok(h.sockets[0].closed);
    assert.equal(h.runTimer(), 0, 'a gap reconnects at once');
    assert.equal(h.sockets[1].url, 'ws://podium.example:8080/prefix/ws?namespace=a,b&epoch=E1&since=11');
    // The server resumes with just the missing deltas.
    h.sockets[1].recv(delta(11, 14, { upsert: { nodes: [pod('a', 'q', '', '')] } }));
    assert.equal(h.store.seq, 14);
    assert.equal(h.store.nodes.size, 2);
    assert.equal(h.states.at(-1)[0], 'live');
  });

  it('reconnects with backoff after the socket drops, resuming', () => {
    const h = harness();
    h.conn.start();
    h.sockets[0].recv(snap(5, []));
    h.sockets[0].drop();
    assert.equal(h.states.at(-1)[0], 'reconnecting');
    assert.equal(h.runTimer(), 500);
    h.sockets[1].drop(); // still down
    assert.equal(h.runTimer(), 1000);
    assert.match(h.sockets[2].url, /epoch=E1&since=5$/);
    h.sockets[2].recv(delta(5, 6, {}));
    h.sockets[2].drop();
    assert.equal(h.runTimer(), 500, 'backoff resets after a good message');
  });

  it('shows an error for a malformed message, keeps the picture and starts over', () => {
    const h = harness();
    h.conn.start();
    h.sockets[0].recv(snap(5, [pod('a', 'p', '', '')]));
    h.sockets[0].recv('{"type":"delta","seq":"nope"}');
    const [state, info] = h.states.at(-1);
    assert.equal(state, 'error');
    assert.match(info.detail, /seq/);
    assert.equal(h.store.nodes.size, 1, 'the last good picture stays');
    h.runTimer();
    assert.equal(h.sockets[1].url, 'ws://podium.example:8080/prefix/ws?namespace=a,b', 'no resume point after a bad frame');
    h.sockets[1].recv(snap(1, [], [], 'E9'));
    assert.equal(h.store.nodes.size, 0);
    assert.equal(h.states.at(-1)[0], 'live');
  });

  it('uses the real timers correctly when none are injected', async () => {
    // Browsers throw "Illegal invocation" for timers called as methods of
    // another object; calling them unbound works in both.
    const opened = [];
    class S {
      constructor(url) {
        opened.push(url);
        this.close = () => {};
      }
    }
    const realSet = globalThis.setTimeout;
    globalThis.setTimeout = function (fn, ms) {
      assert.ok(this === undefined || this === globalThis, 'setTimeout called with a foreign this');
      return realSet(fn, ms);
    };
    const conn = new Connection({ store: new Store(), href: 'http://h/', WebSocket: S, random: () => 0 });
    try {
      conn.start();
      opened.length = 0;
      conn.ws.onclose();
      const deadline = Date.now() + 2000;
      while (opened.length === 0 && Date.now() < deadline) await new Promise((r) => realSet(r, 20));
      assert.equal(opened.length, 1, 'reconnected after the backoff');
    } finally {
      globalThis.setTimeout = realSet;
      conn.stop();
    }
  });

  it('is live again after a resume with nothing new (only a status arrives)', () => {
    const h = harness();
    h.conn.start();
    h.sockets[0].recv(snap(5, []));
    h.sockets[0].drop();
    h.runTimer();
    assert.match(h.sockets[1].url, /since=5$/);
    assert.equal(h.states.at(-1)[0], 'connecting');
    h.sockets[1].recv({ type: 'status', apiserver: 'connected', synced: true, denied: [] });
    assert.equal(h.states.at(-1)[0], 'live');
  });

  it('is not live on a status before the first snapshot', () => {
    const h = harness();
    h.conn.start();
    h.sockets[0].recv({ type: 'status', apiserver: 'connected', synced: false, denied: [] });
    assert.equal(h.states.at(-1)[0], 'connecting');
  });

  it('asks for a fresh snapshot when the namespace filter changes', () => {
    const h = harness();
    h.conn.start();
    h.sockets[0].recv(snap(5, [pod('a', 'p', '', '')]));
    h.conn.setNamespaces(['c']);
    assert.ok(h.sockets[0].closed);
    assert.equal(h.sockets[1].url, 'ws://podium.example:8080/prefix/ws?namespace=c');
    assert.equal(h.store.nodes.size, 0);
    // Messages from the old socket are ignored.
    h.sockets[0].recv(delta(5, 6, { upsert: { nodes: [pod('a', 'late', '', '')] } }));
    assert.equal(h.store.nodes.size, 0);
  });
});

describe('store: recent happenings', () => it('a snapshot carries the happenings that led to it', () => {
  const s = new Store();
  const h = { time: '2026-12-01T10:00:00Z', kind: 'scaled', ref: 'Deployment/a/web', text: 'scaled 1 → 3' };
  const ch = s.apply(validateMessage({ type: 'snapshot', epoch: 'e', seq: 3, nodes: [], edges: [], happenings: [h, 'junk'] }));
  assert.deepEqual(ch.happenings, [h]);
  assert.deepEqual(s.apply(validateMessage({ type: 'snapshot', epoch: 'e', seq: 4, nodes: [], edges: [] })).happenings, []);
}));
