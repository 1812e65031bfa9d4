// The offline player (player.js) with a fake clock, the page's choice of
// source (conn.js openSource), and replay.js's "Save segment" helpers.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Connection, openSource } from '../static/conn.js';
import { clock, parseSegment, SegmentPlayer, stateAt } from '../static/player.js';
import { segmentURL, stepRange } from '../static/replay.js';
import { Store } from '../static/store.js';

const pod = (name, status = 'Running') => ({ id: `Pod/a/${name}`, kind: 'Pod', namespace: 'a', name, uid: name, status });
const hap = (text) => ({ time: '2026-12-01T10:00:00Z', kind: 'scaled', ref: 'Deployment/a/web', text });

// A segment as replay.Segment writes it: snapshot and status at 0, deltas at
// 1 s and 3 s, the end at 4 s.
function segment() {
  return {
    version: 1, name: 'talk.jsonl.gz', from: 2, to: 4, duration: 4000,
    happenings: [{ index: 2, time: 0, text: 'a' }, { index: 3, time: 1, text: 'b' }, { index: 4, time: 4, text: 'c' }],
    frames: [
      { t: 0, msg: { type: 'snapshot', epoch: 'segment', seq: 5, nodes: [pod('p1')], edges: [], happenings: [hap('before')] } },
      { t: 0, msg: { type: 'status', apiserver: 'connected', synced: true, denied: [] } },
      { t: 1000, msg: { type: 'delta', from: 5, seq: 6, upsert: { nodes: [pod('p2', 'Pending')], edges: [] }, remove: { nodes: [], edges: [] }, happenings: [hap('scaled 1 → 2')] } },
      { t: 3000, msg: { type: 'delta', from: 6, seq: 7, upsert: { nodes: [pod('p2')], edges: [] }, remove: { nodes: ['Pod/a/p1'], edges: [] } } },
    ],
  };
}

// fakeTime is a clock and one-shot timers that the test advances.
function fakeTime() {
  let now = 0;
  let timers = [];
  return {
    now: () => now,
    setTimeout: (fn, ms) => { const id = {}; timers.push({ id, at: now + ms, fn }); return id; },
    clearTimeout: (id) => { timers = timers.filter((x) => x.id !== id); },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = next.at;
        next.fn();
      }
      now = end;
    },
  };
}

function newPlayer(seg = segment()) {
  const clk = fakeTime();
  const store = new Store();
  const changes = [];
  const states = [];
  const p = new SegmentPlayer({
    segment: parseSegment(JSON.stringify(seg)), store, now: clk.now, setTimeout: clk.setTimeout, clearTimeout: clk.clearTimeout,
    onChange: (c) => changes.push(c), onState: (s) => states.push(s),
  });
  return { p, store, clk, changes, states };
}

const ids = (store) => [...store.nodes.keys()].sort();

describe('player: the segment', () => {
  it('refuses what it cannot play, saying why', () => {
    assert.throws(() => parseSegment('{'), /not JSON/);
    assert.throws(() => parseSegment(JSON.stringify({ ...segment(), version: 2 })), /version 2/);
    assert.throws(() => parseSegment(JSON.stringify({ ...segment(), frames: [] })), /no frames/);
    assert.throws(() => parseSegment(JSON.stringify({ ...segment(), frames: segment().frames.slice(1) })), /does not start with a snapshot/);
    const back = segment();
    back.frames[3].t = 500;
    assert.throws(() => parseSegment(JSON.stringify(back)), /frame 3: time goes backwards/);
    const bad = segment();
    bad.frames[2].msg.upsert.nodes = [{ kind: 'Pod' }];
    assert.throws(() => parseSegment(JSON.stringify(bad)), /node without id/);
  });

  it('builds the state at any moment, with the happenings that led there', () => {
    const { frames } = parseSegment(JSON.stringify(segment()));
    const at = (ms) => stateAt(frames, ms, 'e');
    assert.deepEqual(at(0).snapshot.nodes.map((n) => n.id), ['Pod/a/p1']);
    assert.equal(at(0).next, 2);
    assert.equal(at(0).status.apiserver, 'connected');
    const mid = at(1500);
    assert.deepEqual(mid.snapshot.nodes.map((n) => n.id).sort(), ['Pod/a/p1', 'Pod/a/p2']);
    assert.equal(mid.snapshot.seq, 6);
    assert.deepEqual(mid.snapshot.happenings.map((h) => h.text), ['before', 'scaled 1 → 2']);
    assert.equal(mid.next, 3);
    assert.deepEqual(at(4000).snapshot.nodes.map((n) => n.id), ['Pod/a/p2']);
    assert.equal(at(4000).next, 4);
    assert.equal(at(-5).snapshot.seq, 5, 'before the start is the start');
  });

  it('takes a recorder\'s fresh snapshot mid-segment as is, happenings too', () => {
    const seg = segment();
    // A recorder that fell behind: a snapshot at 2 s carries the
    // happenings that led to it, the ones before it included.
    seg.frames.splice(3, 0, { t: 2000, msg: { type: 'snapshot', epoch: 'segment-3', seq: 9, nodes: [pod('p3')], edges: [], happenings: [hap('before'), hap('scaled 1 → 2'), hap('x')] } });
    seg.frames[4].msg.from = 9;
    seg.frames[4].msg.seq = 10;
    const { frames } = parseSegment(JSON.stringify(seg));
    const s = stateAt(frames, 2500, 'e').snapshot;
    assert.deepEqual(s.nodes.map((n) => n.id), ['Pod/a/p3']);
    assert.deepEqual(s.happenings.map((h) => h.text), ['before', 'scaled 1 → 2', 'x']);
  });

  it('formats its clock', () => {
    assert.equal(clock(0), '0:00');
    assert.equal(clock(65_400), '1:05');
    assert.equal(clock(-1), '0:00');
  });
});

describe('player: play, pause, seek', () => {
  it('plays at the recorded pace and stops on the last frame', () => {
    const { p, store, clk, states } = newPlayer();
    p.start();
    assert.deepEqual(states, ['live']);
    assert.deepEqual(ids(store), ['Pod/a/p1']);
    assert.ok(p.playing);
    clk.advance(999);
    assert.equal(store.seq, 5, 'nothing before its time');
    clk.advance(1);
    assert.equal(store.seq, 6);
    assert.equal(store.nodes.get('Pod/a/p2').status, 'Pending');
    clk.advance(2000);
    assert.equal(store.seq, 7);
    assert.deepEqual(ids(store), ['Pod/a/p2']);
    assert.ok(p.playing, 'plays on to the end of the segment');
    clk.advance(1000);
    assert.ok(!p.playing && p.ended, 'stops at the end');
    assert.equal(p.position(), 4000);
    clk.advance(60_000);
    assert.equal(store.seq, 7, 'holds the last frame');
    assert.deepEqual(ids(store), ['Pod/a/p2']);
  });

  it('pauses, and plays on from where it paused', () => {
    const { p, store, clk } = newPlayer();
    p.start();
    clk.advance(500);
    p.pause();
    clk.advance(10_000);
    assert.equal(store.seq, 5);
    assert.equal(p.position(), 500);
    p.play();
    clk.advance(499);
    assert.equal(store.seq, 5);
    clk.advance(1);
    assert.equal(store.seq, 6);
  });

  it('seeks to exactly the recorded state, as one snapshot', () => {
    const { p, store, clk, changes } = newPlayer();
    p.start();
    p.pause();
    changes.length = 0;
    p.seek(3500);
    assert.deepEqual(ids(store), ['Pod/a/p2']);
    assert.equal(store.nodes.get('Pod/a/p2').status, 'Running');
    assert.deepEqual(changes.map((c) => c.type), ['status', 'snapshot'], 'one picture, no replayed deltas');
    p.seek(0);
    assert.deepEqual(ids(store), ['Pod/a/p1']);
    p.play();
    clk.advance(1000);
    assert.equal(store.seq, 6, 'plays on from the seek');
  });

  it('starts over when played at the end', () => {
    const { p, store, clk } = newPlayer();
    p.start();
    clk.advance(5000);
    assert.ok(p.ended);
    p.play();
    assert.equal(store.seq, 5);
    assert.ok(p.playing && p.position() === 0);
  });

  it('a still picture (from = to) ends at once', () => {
    const still = segment();
    still.frames = still.frames.slice(0, 2);
    still.duration = 0;
    const { p, store } = newPlayer(still);
    p.start();
    assert.ok(p.ended);
    assert.deepEqual(ids(store), ['Pod/a/p1']);
  });
});

describe('conn: the source of messages', () => {
  const opts = { store: new Store(), href: 'http://podium.test/', namespaces: [], WebSocket: class {} };
  it('is the /ws connection on a served page', () => {
    assert.ok(openSource(opts, { getElementById: () => null }) instanceof Connection);
    assert.ok(openSource(opts, undefined) instanceof Connection);
  });
  it('is the player on a page that carries a segment', () => {
    const doc = { getElementById: (id) => (id === 'podium-segment' ? { textContent: JSON.stringify(segment()) } : null) };
    const src = openSource(opts, doc);
    assert.ok(src instanceof SegmentPlayer);
  });
  it('reports a broken segment in the banner instead of connecting', () => {
    const states = [];
    const doc = { getElementById: () => ({ textContent: '{"version":1' }) };
    const src = openSource({ ...opts, onState: (s, info) => states.push([s, info.detail]) }, doc);
    src.start();
    assert.equal(states.length, 1);
    assert.equal(states[0][0], 'error');
    assert.match(states[0][1], /not JSON/);
  });
});

describe('replay: Save segment', () => {
  const list = [{ time: 2 }, { time: 5 }, { time: 9 }];
  it('offers the step on screen', () => {
    assert.deepEqual(stepRange(list, 0), { from: 0, to: 1 });
    assert.deepEqual(stepRange(list, 6), { from: 1, to: 2 });
    assert.deepEqual(stepRange(list, 9), { from: 2, to: 2 });
    assert.equal(stepRange([], 3), null);
  });
  it('asks relative to the page', () => {
    assert.equal(segmentURL('http://podium.test/podium/?namespace=a', 3, 7), 'http://podium.test/podium/api/replay/segment?from=3&to=7');
    assert.equal(segmentURL('http://podium.test/', 0, 2, 'zh-CN'), 'http://podium.test/api/replay/segment?from=0&to=2&lang=zh-CN', 'in the page\'s language');
  });
});
