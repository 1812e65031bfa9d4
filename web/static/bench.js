// Frame timing for the browser benchmarks (e2e/web_bench_test.go). Off
// unless the page is opened with ?bench=frames: it costs a callback every
// frame, for as long as the page is open, for numbers only a benchmark reads.

// FRAME_TIMES_KEPT bounds the timestamps kept: at 60 fps, about a minute,
// longer than any one sample a benchmark takes.
export const FRAME_TIMES_KEPT = 4096;

// startFrameCounter counts frames into stats.frames and keeps their
// timestamps (oldest first) in stats.frameTimes when href asks for it, and
// says whether it started. raf is requestAnimationFrame.
export function startFrameCounter(href, stats, raf) {
  if (new URL(href).searchParams.get('bench') !== 'frames') return false;
  stats.frames = 0;
  stats.frameTimes = [];
  const tick = (now) => {
    stats.frames++;
    stats.frameTimes.push(now);
    // Trimmed in halves, not per frame: one copy per 2,048 frames.
    if (stats.frameTimes.length >= 2 * FRAME_TIMES_KEPT) stats.frameTimes.splice(0, FRAME_TIMES_KEPT);
    raf(tick);
  };
  raf(tick);
  return true;
}
