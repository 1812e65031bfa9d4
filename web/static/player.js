// The offline source: plays a recorded segment that an exported page
// carries (podium export, or "Save segment" in a replay; docs/export.md)
// into the store, in place of the /ws Connection. Same interface as
// Connection (start, stop, setNamespaces; onChange and onState), so app.js
// draws a segment exactly as it draws a live cluster.
//
// The segment is a snapshot (the state at its first happening) and the
// recorded messages after it, each at t milliseconds since the start. Play
// runs at the recorded pace and stops on the last frame, which stays on
// screen; play again starts over. A seek builds the state at that moment
// from the messages before it and hands the page one fresh snapshot, as the
// server's replay does, so nothing replays its animation or caption on the
// way there.
//
// Pure apart from mount(): node --test drives the player with a fake clock.

import { Store, validateMessage } from './store.js';
import { t } from './i18n.js';

// RECENT_HAPPENINGS is how many happenings a snapshot carries
// (graph.RecentHappenings).
export const RECENT_HAPPENINGS = 40;

// parseSegment checks the page's embedded segment and returns it with every
// message validated; it throws an Error naming the problem.
export function parseSegment(text) {
  let seg;
  try {
    seg = typeof text === 'string' ? JSON.parse(text) : text;
  } catch (err) {
    throw new Error(`the segment is not JSON (${String(err.message).slice(0, 80)})`);
  }
  if (!seg || typeof seg !== 'object') throw new Error('the segment is not an object');
  if (seg.version !== 1) throw new Error(`segment version ${seg.version}: this page plays version 1`);
  if (!Array.isArray(seg.frames) || seg.frames.length === 0) throw new Error('the segment has no frames');
  const frames = seg.frames.map((f, i) => {
    const at = Number(f?.t);
    if (!Number.isFinite(at) || at < 0) throw new Error(`frame ${i}: bad time ${f?.t}`);
    return { t: at, msg: validateMessage(f.msg) };
  });
  if (frames[0].msg.type !== 'snapshot') throw new Error('the segment does not start with a snapshot');
  for (let i = 1; i < frames.length; i++) {
    if (frames[i].t < frames[i - 1].t) throw new Error(`frame ${i}: time goes backwards`);
  }
  const duration = Math.max(Number(seg.duration) || 0, frames[frames.length - 1].t);
  return { ...seg, frames, duration, happenings: Array.isArray(seg.happenings) ? seg.happenings : [] };
}

// stateAt is the page's picture at ms: a snapshot message of every frame at
// or before it applied (with the happenings that led there, as a live
// snapshot carries them), the last status, and the index of the next frame.
export function stateAt(frames, ms, epoch) {
  const s = new Store();
  let status = null;
  let recent = [];
  let i = 0;
  for (; i < frames.length && (i === 0 || frames[i].t <= ms); i++) {
    const m = frames[i].msg;
    if (m.type === 'status') {
      status = m;
      continue;
    }
    s.apply(m);
    // A snapshot carries the happenings that led to it already.
    recent = (m.type === 'snapshot' ? m.happenings || [] : recent.concat(m.happenings || [])).slice(-RECENT_HAPPENINGS);
  }
  const snapshot = { type: 'snapshot', epoch, seq: s.seq, nodes: [...s.nodes.values()], edges: [...s.edges.values()], happenings: recent };
  return { snapshot, status, next: i };
}

export class SegmentPlayer {
  /**
   * @param {object} o
   * @param {object} o.segment what parseSegment returns
   * @param {import('./store.js').Store} o.store
   * @param {(change: object) => void} o.onChange
   * @param {(state: string, info: object) => void} o.onState
   * @param {() => number} [o.now] a clock in milliseconds
   */
  constructor(o) {
    this.seg = o.segment;
    this.store = o.store;
    this.onChange = o.onChange || (() => {});
    this.onState = o.onState || (() => {});
    this.now = o.now || (() => performance.now());
    this.setTimeout = o.setTimeout || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimeout = o.clearTimeout || ((id) => clearTimeout(id));
    this.onTick = () => {}; // the bar repaints
    this.playing = false;
    this.pos = 0; // ms into the segment at anchor
    this.anchor = 0;
    this.next = 0;
    this.timer = null;
    this.seeks = 0;
  }

  get duration() {
    return this.seg.duration;
  }

  // position is where play is now, in ms, never past the end.
  position() {
    const p = this.playing ? this.pos + (this.now() - this.anchor) : this.pos;
    return Math.min(Math.max(0, p), this.duration);
  }

  get ended() {
    return !this.playing && this.next >= this.seg.frames.length && this.pos >= this.duration;
  }

  start() {
    this.seek(0);
    this.onState('live', { seq: this.store.seq });
    this.play();
  }

  stop() {
    this.pause();
  }

  // setNamespaces: the whole segment is in the file, and the layout draws
  // only the namespaces in view, so the picture is rebuilt where play is.
  setNamespaces() {
    this.store.reset();
    this.seek(this.position());
  }

  play() {
    if (this.playing) return;
    if (this.ended) this.seek(0);
    this.playing = true;
    this.anchor = this.now();
    this.#step();
  }

  pause() {
    if (!this.playing) return;
    this.pos = this.position();
    this.playing = false;
    this.clearTimeout(this.timer);
    this.timer = null;
    this.onTick();
  }

  // seek shows exactly the recorded state at ms (every frame at or before
  // it applied) and plays on from there if playing.
  seek(ms) {
    const at = Math.min(Math.max(0, Number(ms) || 0), this.duration);
    const { snapshot, status, next } = stateAt(this.seg.frames, at, `segment-seek-${++this.seeks}`);
    if (status) this.#apply(status);
    this.#apply(snapshot);
    this.next = next;
    this.pos = at;
    this.anchor = this.now();
    if (this.playing) this.#step();
    else this.onTick();
  }

  #apply(msg) {
    this.onChange(this.store.apply(msg));
  }

  // step applies every frame that is due and waits for the next one.
  #step() {
    this.clearTimeout(this.timer);
    this.timer = null;
    if (!this.playing) return;
    const pos = this.position();
    const frames = this.seg.frames;
    while (this.next < frames.length && frames[this.next].t <= pos) this.#apply(frames[this.next++].msg);
    if (this.next >= frames.length && pos >= this.duration) {
      // The end: hold the last frame.
      this.pos = this.duration;
      this.playing = false;
      this.onTick();
      return;
    }
    const due = this.next < frames.length ? frames[this.next].t : this.duration;
    this.timer = this.setTimeout(() => this.#step(), Math.max(0, due - pos));
    this.onTick();
  }
}

// embeddedSegment returns the segment the page carries, or null on a page
// served by Podium.
export function embeddedSegment(doc) {
  const el = doc?.getElementById?.('podium-segment');
  return el ? el.textContent : null;
}

const ICON = {
  play: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5v11l9-5.5z" fill="currentColor"/></svg>',
  pause: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z" fill="currentColor"/></svg>',
};

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// clock renders ms as m:ss.
export function clock(ms) {
  const s = Math.max(0, Math.floor((Number(ms) || 0) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// mount draws the player's bar (the replay bar's look: replay.css) above
// the ticker: play/pause, the position with each happening marked, and the
// time. Space or k plays and pauses.
export function mount(doc, player) {
  const seg = player.seg;
  const bar = doc.createElement('section');
  bar.className = 'replay segment';
  bar.dataset.testid = 'segment';
  const label = () => {
    const when = seg.recording?.start ? new Date(seg.recording.start).toLocaleString() : '';
    return t('segment.recorded', { from: seg.from, to: seg.to, name: seg.name || '', when });
  };
  bar.innerHTML = `<span class="replay-title" data-testid="segment-title"></span>
<button type="button" data-testid="segment-play"></button>
<div class="replay-track"><div class="replay-marks" data-testid="segment-marks"></div>
<input type="range" data-testid="segment-scrubber" min="0" step="100"></div>
<span class="replay-time" data-testid="segment-time"></span>`;
  doc.body.dataset.segment = 'true';
  const footer = doc.querySelector('footer');
  if (footer?.parentNode) footer.parentNode.insertBefore(bar, footer);
  else doc.body.appendChild(bar);
  const $ = (id) => bar.querySelector(`[data-testid="${id}"]`);
  const ui = { title: $('segment-title'), play: $('segment-play'), marks: $('segment-marks'), scrub: $('segment-scrubber'), time: $('segment-time') };
  ui.scrub.max = String(player.duration);
  ui.marks.innerHTML = seg.happenings.map((h, i) => `<button type="button" class="replay-mark" data-testid="segment-marker" data-index="${i}" title="${esc(clock(h.time * 1000) + ' · ' + h.text)}" aria-label="${esc(h.text)}"></button>`).join('');
  // Placed through the CSSOM, as replay.js does.
  for (const m of ui.marks.children) {
    const h = seg.happenings[Number(m.dataset.index)];
    m.style.left = `${player.duration > 0 ? Math.min(100, (h.time * 1000 * 100) / player.duration) : 0}%`;
  }
  let dragging = false;
  const paint = () => {
    const pos = player.position();
    if (!dragging) ui.scrub.value = String(pos);
    ui.scrub.dataset.position = (pos / 1000).toFixed(2);
    ui.time.textContent = `${clock(pos)} / ${clock(player.duration)}`;
    const want = player.playing ? 'pause' : 'play';
    if (ui.play.dataset.icon !== want) {
      ui.play.innerHTML = ICON[want];
      ui.play.dataset.icon = want;
    }
    ui.play.title = player.playing ? t('segment.pause') : player.ended ? t('segment.ended') : t('segment.play');
    ui.play.setAttribute('aria-label', ui.play.title);
    ui.title.textContent = t('segment.title');
    ui.title.title = label();
    ui.scrub.setAttribute('aria-label', t('segment.scrubber'));
    bar.dataset.playing = String(player.playing);
    bar.dataset.ended = String(player.ended);
  };
  player.onTick = paint;
  const toggle = () => (player.playing ? player.pause() : player.play());
  ui.play.addEventListener('click', toggle);
  ui.scrub.addEventListener('input', () => {
    dragging = true;
    ui.time.textContent = `${clock(ui.scrub.value)} / ${clock(player.duration)}`;
  });
  ui.scrub.addEventListener('change', () => {
    dragging = false;
    player.seek(Number(ui.scrub.value));
  });
  ui.marks.addEventListener('click', (ev) => {
    const m = ev.target.closest?.('[data-index]');
    if (m) player.seek(seg.happenings[Number(m.dataset.index)].time * 1000);
  });
  doc.defaultView?.addEventListener('keydown', (ev) => {
    const v = doc.defaultView;
    if (ev.target instanceof v.HTMLInputElement || ev.target instanceof v.HTMLSelectElement) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === ' ' || ev.key === 'k') {
      ev.preventDefault();
      toggle();
    }
  });
  const tick = () => {
    paint();
    doc.defaultView?.requestAnimationFrame?.(tick);
  };
  tick();
  return bar;
}

// playEmbedded is the source of a page that carries segment text: the
// player, with its bar mounted in doc. A segment that does not parse
// leaves the page empty with the problem in the banner.
export function playEmbedded(o, text, doc) {
  let segment;
  try {
    segment = parseSegment(text);
  } catch (err) {
    const detail = t('segment.bad', { detail: err.message });
    return { start: () => o.onState?.('error', { detail }), stop() {}, setNamespaces() {} };
  }
  const player = new SegmentPlayer({ ...o, segment });
  if (doc?.createElement) mount(doc, player);
  // For tests and tools, as window.podiumReplay is for a replay.
  if (doc?.defaultView) doc.defaultView.podiumSegment = player;
  return player;
}
