// pace.js paces the cluster's changes into draws. A draw lays out and
// reconciles the whole picture: a few ms for a small cluster, 50–300 ms for
// thousands of pods on a busy machine. Drawing at every frame that has a
// change would then leave no frames between draws: the pods' fade-ins and
// glides stop, and a scale-up reads as a stutter (issue #15 asks for 30
// fps in its slowest half-second). So after a draw that cost more than
// PACE_FREE_MS, the next draw of a change waits until the page has had
// PACE_RATIO times that long to itself, never more than PACE_MAX_WAIT_MS.
// Changes arriving meanwhile are applied to the store at once and drawn
// together by the one draw that follows. The viewer's own input (a toggle,
// a layer, a zoom) is never paced.

// PACE_FREE_MS: a draw this cheap never delays the next one (a frame is
// 16.7 ms at 60 Hz, and style and paint come on top of the script).
export const PACE_FREE_MS = 8;

// PACE_RATIO: after a draw of D ms, the next one waits until D × ratio ms
// have passed since it ended: with style and paint about half of D again,
// that keeps a stream of draws near one part in three of the time.
export const PACE_RATIO = 2;

// PACE_MAX_WAIT_MS: the longest a change waits for the pace, whatever a
// draw cost: a change is on screen within this plus one draw.
export const PACE_MAX_WAIT_MS = 400;

// drawDelay is how long (ms) a change arriving at now waits before its
// draw, when the last draw ended at lastEnd and cost lastMs. 0: at the
// next animation frame.
export function drawDelay(lastEnd, lastMs, now) {
  if (!(lastMs > PACE_FREE_MS)) return 0;
  const wait = Math.min(PACE_MAX_WAIT_MS, lastMs * PACE_RATIO);
  return Math.max(0, Math.min(wait, lastEnd + wait - now));
}

// Pacer schedules draws: request() for a change (paced), now() for the
// viewer's input (at the next frame, cancelling a paced wait), and drawn()
// after each draw with what it cost. raf and setTimer/clearTimer are the
// window's requestAnimationFrame, setTimeout and clearTimeout; clock is
// performance.now.
export class Pacer {
  constructor(draw, { raf, setTimer, clearTimer, clock }) {
    this.draw = draw;
    this.raf = raf;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.clock = clock;
    this.frame = 0;
    this.timer = 0;
    this.lastEnd = 0;
    this.lastMs = 0;
    this.paced = 0; // how many draws waited for the pace (the benchmarks read it)
  }

  // request asks for a draw of a change, paced after a costly draw.
  request() {
    if (this.frame || this.timer) return;
    const wait = drawDelay(this.lastEnd, this.lastMs, this.clock());
    if (wait <= 0) {
      this.frame = this.raf(() => this.run());
      return;
    }
    this.paced++;
    this.timer = this.setTimer(() => {
      this.timer = 0;
      if (!this.frame) this.frame = this.raf(() => this.run());
    }, wait);
  }

  // now asks for a draw at the next frame, whatever the last one cost.
  now() {
    if (this.timer) {
      this.clearTimer(this.timer);
      this.timer = 0;
    }
    if (!this.frame) this.frame = this.raf(() => this.run());
  }

  run() {
    this.frame = 0;
    const t0 = this.clock();
    try {
      this.draw();
    } finally {
      this.lastEnd = this.clock();
      this.lastMs = this.lastEnd - t0;
    }
  }
}
