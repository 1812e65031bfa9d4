import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  control, currentHappening, formatClock, markerClass, neighbour, percent, predictPosition, SPEEDS, start, text,
} from '../static/replay.js';

const list = [
  { time: 2, kind: 'created', text: 'Deployment created' },
  { time: 5, kind: 'scaled', text: 'scaled 1 → 3' },
  { time: 9.5, kind: 'rollout', text: 'rollout: revision 1 → 2' },
];

describe('replay: formatting', () => {
  it('formats the clock', () => {
    for (const [s, want] of [[0, '0:00'], [5.9, '0:05'], [65, '1:05'], [3600 + 62, '1:01:02'], [-3, '0:00'], [NaN, '0:00'], ['x', '0:00']]) {
      assert.equal(formatClock(s), want, `formatClock(${s})`);
    }
  });
  it('places markers on the timeline, clamped', () => {
    assert.equal(percent(5, 20), 25);
    assert.equal(percent(30, 20), 100);
    assert.equal(percent(-1, 20), 0);
    assert.equal(percent(5, 0), 0);
    assert.equal(percent('x', 10), 0);
  });
  it('colours kinds in groups', () => {
    assert.deepEqual(['rollout', 'scaled', 'failed', 'restarted', 'node', 'created', 'weird'].map(markerClass),
      ['rollout', 'scaled', 'trouble', 'trouble', 'trouble', 'created', 'other']);
  });
  it('speaks English and Chinese', () => {
    assert.equal(text('en').play, 'Play');
    assert.equal(text('zh-CN').play, '播放');
    assert.equal(text('zh-TW').play, '播放');
    assert.equal(text(undefined).play, 'Play');
  });
  it('offers 1x and 2x speeds', () => {
    assert.ok(SPEEDS.includes(1) && SPEEDS.includes(2));
  });
});

describe('replay: position and happenings', () => {
  it('extrapolates while playing, holds while paused, never past the end', () => {
    const info = { position: 4, duration: 10, speed: 2, playing: true };
    assert.equal(predictPosition(info, 1000, 2000), 6);
    assert.equal(predictPosition(info, 1000, 99000), 10);
    assert.equal(predictPosition({ ...info, playing: false }, 1000, 99000), 4);
    assert.equal(predictPosition(info, 2000, 1000), 4, 'a clock going backwards does not rewind');
    assert.equal(predictPosition(null, 0, 0), 0);
  });
  it('finds the current happening', () => {
    assert.equal(currentHappening(list, 0), -1);
    assert.equal(currentHappening(list, 2), 0);
    assert.equal(currentHappening(list, 7), 1);
    assert.equal(currentHappening(list, 100), 2);
    assert.equal(currentHappening(undefined, 3), -1);
  });
  it('steps to the next and previous happening', () => {
    assert.equal(neighbour(list, 0, 1), 0);
    assert.equal(neighbour(list, 5, 1), 2);
    assert.equal(neighbour(list, 9.5, 1), -1);
    assert.equal(neighbour(list, 7, -1), 1, 'from between two, back to the one before');
    assert.equal(neighbour(list, 5, -1), 0, 'from right at one, back to the one before it');
    assert.equal(neighbour(list, 2, -1), -1);
    assert.equal(neighbour(list, 1, -1), -1);
  });
});

describe('replay: control bodies', () => {
  it('builds each action', () => {
    assert.deepEqual(control('play'), { action: 'play' });
    assert.deepEqual(control('pause'), { action: 'pause' });
    assert.deepEqual(control('speed', '2'), { action: 'speed', speed: 2 });
    assert.deepEqual(control('seek-time', '12.5'), { action: 'seek', time: 12.5 });
    assert.deepEqual(control('seek-time', -4), { action: 'seek', time: 0 });
    assert.deepEqual(control('seek-happening', 3), { action: 'seek', happening: 3 });
    assert.throws(() => control('rewind'), /unknown replay control/);
  });
});

describe('replay: the live page', () => {
  const doc = { body: {}, head: { appendChild() { throw new Error('must not touch the page'); } }, querySelector() { throw new Error('must not touch the page'); } };
  it('does nothing when /api/replay is 404', async () => {
    const calls = [];
    const fetchImpl = async (url) => {
      calls.push(url);
      return { ok: false, status: 404, json: async () => ({ error: 'not found' }) };
    };
    assert.equal(await start({ fetchImpl, doc, base: 'http://podium.test/' }), null);
    assert.deepEqual(calls, ['http://podium.test/api/replay']);
  });
  it('does nothing when the request fails or answers something else', async () => {
    assert.equal(await start({ fetchImpl: async () => { throw new Error('offline'); }, doc, base: 'http://podium.test/' }), null);
    assert.equal(await start({ fetchImpl: async () => ({ ok: true, json: async () => ({ hello: 1 }) }), doc, base: 'http://podium.test/' }), null);
  });
  it('asks relative to the page, so a path prefix works', async () => {
    let asked = '';
    await start({ fetchImpl: async (url) => { asked = url; return { ok: false }; }, doc, base: 'http://podium.test/podium/?namespace=a' });
    assert.equal(asked, 'http://podium.test/podium/api/replay');
  });
});
