import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { drawDelay, Pacer, PACE_FREE_MS, PACE_MAX_WAIT_MS, PACE_RATIO } from '../static/pace.js';

describe('drawDelay', () => {
  it('never delays after a cheap draw', () => {
    assert.equal(drawDelay(1000, 0, 1000), 0, 'no draw yet');
    assert.equal(drawDelay(1000, PACE_FREE_MS, 1001), 0);
    assert.equal(drawDelay(1000, NaN, 1001), 0);
  });

  it('gives the page ratio × a costly draw before the next', () => {
    const cost = 60;
    assert.equal(drawDelay(1000, cost, 1000), cost * PACE_RATIO, 'right after it');
    assert.equal(drawDelay(1000, cost, 1050), cost * PACE_RATIO - 50, 'part of the wait passed');
    assert.equal(drawDelay(1000, cost, 1000 + cost * PACE_RATIO), 0, 'the whole wait passed');
    assert.equal(drawDelay(1000, cost, 5000), 0, 'long after');
  });

  it('caps the wait, whatever a draw cost', () => {
    assert.equal(drawDelay(1000, 5000, 1000), PACE_MAX_WAIT_MS);
    assert.equal(drawDelay(1000, 5000, 900), PACE_MAX_WAIT_MS, 'a clock read before the draw ended');
  });
});

// harness drives a Pacer on a fake clock: frames run at step(), timers when
// the clock passes them; each draw costs cost() ms of the clock.
function harness(cost) {
  let now = 0;
  let frames = [];
  let timers = [];
  let nextId = 1;
  const drawsAt = [];
  const p = new Pacer(() => {
    drawsAt.push(now);
    now += cost();
  }, {
    raf: (f) => {
      frames.push(f);
      return frames.length;
    },
    setTimer: (f, ms) => {
      const id = nextId++;
      timers.push({ id, at: now + ms, f });
      return id;
    },
    clearTimer: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    clock: () => now,
  });
  return {
    p,
    drawsAt,
    get now() { return now; },
    // advance moves the clock by ms, firing due timers, then runs a frame.
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.f();
      const run = frames;
      frames = [];
      for (const f of run) f(now);
    },
    pending: () => ({ frames: frames.length, timers: timers.length }),
  };
}

describe('Pacer', () => {
  it('draws a change at the next frame while draws are cheap', () => {
    const h = harness(() => 3);
    for (let i = 0; i < 5; i++) {
      h.p.request();
      h.advance(16);
    }
    assert.equal(h.drawsAt.length, 5);
    assert.equal(h.p.paced, 0);
  });

  it('coalesces changes into one draw per frame', () => {
    const h = harness(() => 3);
    h.p.request();
    h.p.request();
    h.p.now();
    h.advance(16);
    assert.equal(h.drawsAt.length, 1);
  });

  it('after a costly draw, waits before drawing the next change, and draws it', () => {
    const h = harness(() => 100);
    h.p.request();
    h.advance(16); // draws, 100 ms
    const end = h.now;
    h.p.request();
    assert.deepEqual(h.pending(), { frames: 0, timers: 1 }, 'the change waits for the pace');
    h.p.request(); // a second change joins the wait
    assert.deepEqual(h.pending(), { frames: 0, timers: 1 });
    h.advance(100);
    assert.equal(h.drawsAt.length, 1, 'not before the wait');
    h.advance(100);
    assert.equal(h.drawsAt.length, 2, 'once the wait passed');
    assert.ok(h.drawsAt[1] >= end + 100 * PACE_RATIO, `drawn at ${h.drawsAt[1]}, the wait ends at ${end + 100 * PACE_RATIO}`);
    assert.equal(h.p.paced, 1);
  });

  it('the viewer’s input cancels the wait and draws at the next frame', () => {
    const h = harness(() => 100);
    h.p.request();
    h.advance(16);
    h.p.request();
    h.p.now();
    assert.deepEqual(h.pending(), { frames: 1, timers: 0 });
    h.advance(16);
    assert.equal(h.drawsAt.length, 2);
  });

  it('keeps frames free between costly draws in a stream of changes', () => {
    // A change every 16 ms frame for 3 s, each draw 60 ms: without pacing
    // every frame would draw; paced, at most one in 1 + PACE_RATIO of the
    // time is spent drawing.
    const h = harness(() => 60);
    const start = h.now;
    while (h.now - start < 3000) {
      h.p.request();
      h.advance(16);
    }
    const busy = h.drawsAt.length * 60;
    const total = h.now - start;
    assert.ok(busy / total <= 1 / (1 + PACE_RATIO) + 0.05, `${h.drawsAt.length} draws: ${busy} of ${total} ms drawing`);
    assert.ok(h.drawsAt.length >= 10, `${h.drawsAt.length} draws: changes still drawn`);
  });

  it('a draw that throws still records its cost', () => {
    const h = harness(() => 0);
    h.p.draw = () => {
      throw new Error('boom');
    };
    h.p.request();
    assert.throws(() => h.advance(16), /boom/);
    h.p.request();
    assert.deepEqual(h.pending(), { frames: 1, timers: 0 }, 'a later change is still drawn');
  });
});
