// Latency readout: how long from the server's receipt of an API event (a
// delta's `time`, unix ms) to the browser painting it, and how many events
// per second arrive. The numbers are pure; presenter.js draws them.
//
// Both clocks are wall clocks: on one machine (a laptop demo) they agree;
// across machines the figure includes their skew, which NTP keeps to a few ms.

// percentile of a list of numbers (nearest rank); NaN when empty.
export function percentile(list, p) {
  if (!list.length) return NaN;
  const s = list.slice().sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

// Meter keeps the last `keep` latencies and the event counts of the last
// `windowMs`.
export class Meter {
  constructor(keep = 200, windowMs = 5000) {
    this.keep = keep;
    this.windowMs = windowMs;
    this.samples = [];
    this.last = NaN;
    this.hits = []; // [ms, count]
  }

  // latency records one server → paint delay; negative ones (clock skew) count as 0.
  latency(ms) {
    if (!Number.isFinite(ms)) return;
    this.last = Math.max(0, ms);
    this.samples.push(this.last);
    if (this.samples.length > this.keep) this.samples.shift();
  }

  // events records n events at now (ms).
  events(n, now) {
    if (n > 0) this.hits.push([now, n]);
    this.#trim(now);
  }

  #trim(now) {
    while (this.hits.length && this.hits[0][0] <= now - this.windowMs) this.hits.shift();
  }

  // rate is events per second over the window ending at now.
  rate(now) {
    this.#trim(now);
    let n = 0;
    for (const [, c] of this.hits) n += c;
    return n / (this.windowMs / 1000);
  }

  summary(now) {
    return {
      p50: percentile(this.samples, 50),
      p95: percentile(this.samples, 95),
      last: this.last,
      count: this.samples.length,
      rate: this.rate(now),
    };
  }
}

// eventsIn counts the objects a store change touched.
export function eventsIn(change) {
  if (!change || change.type !== 'delta') return 0;
  return (change.added?.size || 0) + (change.updated?.size || 0) + (change.removed?.size || 0);
}
