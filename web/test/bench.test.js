import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FRAME_TIMES_KEPT, startFrameCounter } from '../static/bench.js';

// fakeRAF runs queued frame callbacks on demand, at 16 ms steps.
function fakeRAF() {
  let queue = [];
  let now = 0;
  const raf = (fn) => queue.push(fn);
  raf.frames = (n) => {
    for (let i = 0; i < n; i++) {
      const run = queue;
      queue = [];
      now += 16;
      for (const fn of run) fn(now);
    }
  };
  raf.pending = () => queue.length;
  return raf;
}

test('the page counts no frames unless a benchmark asks', () => {
  for (const href of ['http://h/', 'http://h/?namespace=a', 'http://h/?bench=', 'http://h/?bench=other']) {
    const raf = fakeRAF();
    const stats = { frames: 0 };
    assert.equal(startFrameCounter(href, stats, raf), false, href);
    assert.equal(raf.pending(), 0, `${href}: a frame callback was queued`);
    assert.equal(stats.frames, 0);
    assert.equal(stats.frameTimes, undefined);
  }
});

test('?bench=frames counts frames and keeps their times, bounded', () => {
  const raf = fakeRAF();
  const stats = { frames: 0 };
  assert.equal(startFrameCounter('http://h/?namespace=a&bench=frames', stats, raf), true);
  raf.frames(3);
  assert.equal(stats.frames, 3);
  assert.deepEqual(stats.frameTimes, [16, 32, 48]);
  raf.frames(3 * FRAME_TIMES_KEPT);
  assert.equal(stats.frames, 3 + 3 * FRAME_TIMES_KEPT);
  assert.ok(stats.frameTimes.length < 2 * FRAME_TIMES_KEPT, `${stats.frameTimes.length} times kept`);
  assert.equal(stats.frameTimes.at(-1), (3 + 3 * FRAME_TIMES_KEPT) * 16, 'the newest time is kept');
});
