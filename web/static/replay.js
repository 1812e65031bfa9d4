// Replay controls: play/pause, speed, a timeline scrubber with each happening
// marked on it, and jumping to a happening. Self-contained: it asks
// GET api/replay and, when the server is not replaying (404 or any failure),
// does nothing at all, so the live page is untouched. The picture itself
// still comes over /ws, exactly as for a live cluster.
//
// The pure helpers are exported for node --test (web/test/replay.test.js);
// the DOM part runs only in a browser.

import { download } from './export.js';
import { t } from './i18n.js';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];

const TEXT = {
  en: {
    title: 'Replay', play: 'Play', pause: 'Pause', speed: 'Speed', jump: 'Jump to a happening…',
    prev: 'Previous happening', next: 'Next happening', scrubber: 'Position in the recording',
    recorded: 'recorded {when} · {cluster}',
  },
  'zh-CN': {
    title: '回放', play: '播放', pause: '暂停', speed: '速度', jump: '跳转到事件…',
    prev: '上一个事件', next: '下一个事件', scrubber: '录制中的位置',
    recorded: '录制于 {when} · {cluster}',
  },
};

// text returns the control strings for a page language, English by default.
export function text(lang) {
  return TEXT[lang] || (String(lang || '').startsWith('zh') ? TEXT['zh-CN'] : TEXT.en);
}

// formatClock renders seconds as m:ss (or h:mm:ss); bad input gives 0:00.
export function formatClock(seconds) {
  let s = Math.floor(Number(seconds));
  if (!Number.isFinite(s) || s < 0) s = 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

// percent places a time on the timeline, clamped to 0–100.
export function percent(time, duration) {
  const d = Number(duration);
  const t = Number(time);
  if (!(d > 0) || !Number.isFinite(t)) return 0;
  return Math.min(100, Math.max(0, (t / d) * 100));
}

// predictPosition extrapolates the position reported at fetchedAt (ms) to
// now (ms) while playing, so the scrubber moves smoothly between polls.
export function predictPosition(info, fetchedAt, now) {
  if (!info) return 0;
  const pos = Number(info.position) || 0;
  const dur = Number(info.duration) || 0;
  if (!info.playing) return Math.min(pos, dur);
  const p = pos + (Math.max(0, now - fetchedAt) / 1000) * (Number(info.speed) || 1);
  return Math.min(p, dur);
}

// currentHappening is the index of the last happening at or before pos, or
// -1 before the first.
export function currentHappening(list, pos) {
  let found = -1;
  for (let i = 0; i < (list || []).length; i++) {
    if (list[i].time <= pos + 1e-6) found = i;
    else break;
  }
  return found;
}

// neighbour returns the happening to jump to from pos: the next one after
// it (dir > 0) or the one before the current (dir < 0); -1 when none.
export function neighbour(list, pos, dir) {
  const cur = currentHappening(list, pos);
  if (dir > 0) return cur + 1 < (list || []).length ? cur + 1 : -1;
  // Going back from just after a happening lands on the one before it.
  if (cur < 0) return -1;
  const atIt = Math.abs(list[cur].time - pos) < 0.25;
  const i = atIt ? cur - 1 : cur;
  return i >= 0 ? i : -1;
}

// control builds the body of POST api/replay.
export function control(action, value) {
  switch (action) {
    case 'play':
    case 'pause':
      return { action };
    case 'speed':
      return { action, speed: Number(value) };
    case 'seek-time':
      return { action: 'seek', time: Math.max(0, Number(value) || 0) };
    case 'seek-happening':
      return { action: 'seek', happening: value | 0 };
    default:
      throw new Error(`unknown replay control ${action}`);
  }
}

// stepRange is what "Save segment" offers at position pos: the step on
// screen, from the current happening to the next one (the first two before
// any; the last alone at the end); null without happenings.
export function stepRange(list, pos) {
  const n = (list || []).length;
  if (n === 0) return null;
  const from = Math.max(0, currentHappening(list, pos));
  return { from, to: Math.min(n - 1, from + 1) };
}

// segmentURL is the address of happenings from..to as one offline file,
// in the page's language lang when given.
export function segmentURL(base, from, to, lang) {
  const u = new URL('api/replay/segment', base);
  u.search = `?from=${from | 0}&to=${to | 0}` + (lang ? `&lang=${encodeURIComponent(lang)}` : '');
  return u.toString();
}

// markerClass groups happening kinds into the few colours the timeline uses.
export function markerClass(kind) {
  switch (kind) {
    case 'rollout':
      return 'rollout';
    case 'scaled':
      return 'scaled';
    case 'failed':
    case 'restarted':
    case 'node':
      return 'trouble';
    case 'created':
      return 'created';
    default:
      return 'other';
  }
}

// Icons are inline SVG: the media-control characters (⏮ ⏸ ⏭) are missing
// from many projector laptops' fonts.
const ICON = {
  play: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5v11l9-5.5z" fill="currentColor"/></svg>',
  pause: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z" fill="currentColor"/></svg>',
  prev: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M2.5 2.5h2v11h-2zM14 2.5v11l-8.5-5.5z" fill="currentColor"/></svg>',
  next: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M11.5 2.5h2v11h-2zM2 2.5v11l8.5-5.5z" fill="currentColor"/></svg>',
};

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// start mounts the controls when the server is replaying. fetchImpl and
// doc are injectable for tests; base is the page address.
export async function start({ fetchImpl = globalThis.fetch, doc = globalThis.document, base = globalThis.location?.href, pollMs = 500 } = {}) {
  if (!doc || !fetchImpl || !base) return null;
  const api = new URL('api/replay', base).toString();
  let info;
  try {
    const r = await fetchImpl(api, { headers: { Accept: 'application/json' } });
    if (!r.ok) return null; // not a replay: the live page stays as it is
    info = await r.json();
    if (!info || typeof info.duration !== 'number') return null;
  } catch {
    return null;
  }
  const T = text(doc.body?.dataset?.lang || doc.documentElement?.lang);
  // replay.css, beside the module: the page's CSP refuses <style> elements.
  const css = doc.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('./replay.css', import.meta.url).toString();
  doc.head.appendChild(css);

  const bar = doc.createElement('section');
  bar.className = 'replay';
  bar.dataset.testid = 'replay';
  bar.setAttribute('aria-label', T.title);
  const rec = info.recording || {};
  const when = rec.start ? new Date(rec.start).toLocaleString() : '';
  bar.innerHTML = `<span class="replay-title" title="${esc(T.recorded.replace('{when}', when).replace('{cluster}', rec.clusterVersion || ''))}">${esc(T.title)}</span>
<button type="button" data-testid="replay-prev" title="${esc(T.prev)}" aria-label="${esc(T.prev)}">${ICON.prev}</button>
<button type="button" data-testid="replay-play"></button>
<button type="button" data-testid="replay-next" title="${esc(T.next)}" aria-label="${esc(T.next)}">${ICON.next}</button>
<div class="replay-track"><div class="replay-marks" data-testid="replay-marks"></div>
<input type="range" data-testid="replay-scrubber" min="0" step="0.1" aria-label="${esc(T.scrubber)}"></div>
<span class="replay-time" data-testid="replay-time"></span>
<label>${esc(T.speed)} <select data-testid="replay-speed">${SPEEDS.map((s) => `<option value="${s}">${s}×</option>`).join('')}</select></label>
<select data-testid="replay-jump" aria-label="${esc(T.jump)}"></select>
<span class="replay-save"><label>${esc(t('segment.from'))} <select data-testid="segment-from"></select></label>
<label>${esc(t('segment.to'))} <select data-testid="segment-to"></select></label>
<button type="button" data-testid="segment-save"></button>
<span data-testid="segment-save-status" role="status" aria-live="polite"></span></span>`;
  // Lets the page's own styles and tests tell a replay from a live cluster.
  doc.body.dataset.replay = 'true';
  const footer = doc.querySelector('footer');
  if (footer?.parentNode) footer.parentNode.insertBefore(bar, footer);
  else doc.body.appendChild(bar);

  const $ = (id) => bar.querySelector(`[data-testid="${id}"]`);
  const ui = { play: $('replay-play'), prev: $('replay-prev'), next: $('replay-next'), scrub: $('replay-scrubber'), marks: $('replay-marks'),
    time: $('replay-time'), speed: $('replay-speed'), jump: $('replay-jump'),
    from: $('segment-from'), to: $('segment-to'), save: $('segment-save'), saveStatus: $('segment-save-status') };
  ui.save.textContent = t('segment.save');
  // Through the CSSOM (the page's CSP refuses style attributes), and
  // here rather than in replay.css: the group is this feature's alone.
  Object.assign(ui.save.parentNode.style, { display: 'inline-flex', alignItems: 'center', gap: '8px', whiteSpace: 'nowrap' });

  let fetchedAt = Date.now();
  let dragging = false;
  let epochMarks = '';
  let rangeTouched = false; // the viewer chose a range: stop following the step

  function drawMarks() {
    const list = info.happenings || [];
    const key = `${info.duration}:${list.length}`;
    if (key === epochMarks) return;
    epochMarks = key;
    ui.marks.innerHTML = list.map((h, i) => `<button type="button" class="replay-mark ${markerClass(h.kind)}" data-testid="replay-marker" data-index="${i}"
 data-kind="${esc(h.kind)}" title="${esc(formatClock(h.time) + ' · ' + h.text)}" aria-label="${esc(h.text)}"></button>`).join('');
    // Placed through the CSSOM: the page's CSP refuses style attributes.
    for (const m of ui.marks.children) m.style.left = `${percent(list[Number(m.dataset.index)].time, info.duration).toFixed(3)}%`;
    ui.jump.innerHTML = `<option value="">${esc(T.jump)}</option>` +
      list.map((h, i) => `<option value="${i}">${esc(formatClock(h.time))} · ${esc(h.text)}</option>`).join('');
    ui.scrub.max = String(info.duration);
    // Short options (index and time), the text as their title: the bar
    // keeps its width for the timeline.
    const opts = list.map((h, i) => `<option value="${i}" title="${esc(h.text)}">${i} · ${esc(formatClock(h.time))}</option>`).join('');
    ui.from.innerHTML = opts;
    ui.to.innerHTML = opts;
    rangeTouched = false;
  }

  function paint() {
    const pos = predictPosition(info, fetchedAt, Date.now());
    if (!dragging) ui.scrub.value = String(pos);
    ui.scrub.dataset.position = pos.toFixed(2);
    ui.time.textContent = `${formatClock(pos)} / ${formatClock(info.duration)}`;
    const want = info.playing ? 'pause' : 'play';
    if (ui.play.dataset.icon !== want) {
      ui.play.innerHTML = ICON[want];
      ui.play.dataset.icon = want;
    }
    ui.play.title = info.playing ? T.pause : T.play;
    ui.play.setAttribute('aria-label', ui.play.title);
    bar.dataset.playing = String(!!info.playing);
    const cur = currentHappening(info.happenings, pos);
    bar.dataset.happening = String(cur);
    for (const m of ui.marks.children) m.classList.toggle('current', Number(m.dataset.index) === cur);
    const step = stepRange(info.happenings, pos);
    if (step && !rangeTouched && doc.activeElement !== ui.from && doc.activeElement !== ui.to) {
      ui.from.value = String(step.from);
      ui.to.value = String(step.to);
    }
    const list = info.happenings || [];
    ui.from.title = list[Number(ui.from.value)]?.text || '';
    ui.to.title = list[Number(ui.to.value)]?.text || '';
    ui.save.disabled = !step || saving;
    ui.save.title = t('segment.save.title', { from: ui.from.value, to: ui.to.value });
  }

  function take(next) {
    info = next;
    fetchedAt = Date.now();
    drawMarks();
    if (doc.activeElement !== ui.speed) ui.speed.value = String(info.speed);
    paint();
  }

  async function post(action, value) {
    try {
      const r = await fetchImpl(api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(control(action, value)) });
      if (r.ok) take(await r.json());
    } catch {
      // the next poll shows the real state
    }
  }

  // Save segment: the server builds the file (GET api/replay/segment); it
  // is fetched rather than linked so that a refusal (a bad range, a busy
  // server) is shown here instead of saved as the file.
  let saving = false;
  for (const s of [ui.from, ui.to]) s.addEventListener('change', () => { rangeTouched = true; });
  ui.save.addEventListener('click', async () => {
    const from = Number(ui.from.value);
    const to = Number(ui.to.value);
    saving = true;
    ui.save.disabled = true;
    ui.saveStatus.textContent = t('segment.saving');
    try {
      const r = await fetchImpl(segmentURL(base, from, to, doc.documentElement?.lang));
      if (!r.ok) {
        let detail = `HTTP ${r.status}`;
        try {
          detail = (await r.json()).error || detail;
        } catch {
          // not JSON: the status says enough
        }
        throw new Error(detail);
      }
      download(doc, await r.blob(), `podium-segment-${from}-${to}.html`);
      ui.saveStatus.textContent = '';
    } catch (err) {
      ui.saveStatus.textContent = t('segment.failed', { detail: err.message });
    } finally {
      saving = false;
      paint();
    }
  });

  ui.play.addEventListener('click', () => post(info.playing ? 'pause' : 'play'));
  ui.speed.addEventListener('change', () => post('speed', ui.speed.value));
  ui.scrub.addEventListener('input', () => {
    dragging = true;
    ui.time.textContent = `${formatClock(ui.scrub.value)} / ${formatClock(info.duration)}`;
  });
  ui.scrub.addEventListener('change', async () => {
    await post('seek-time', ui.scrub.value);
    dragging = false;
  });
  ui.marks.addEventListener('click', (ev) => {
    const m = ev.target.closest?.('[data-index]');
    if (m) post('seek-happening', Number(m.dataset.index));
  });
  ui.jump.addEventListener('change', () => {
    if (ui.jump.value !== '') post('seek-happening', Number(ui.jump.value));
    ui.jump.value = '';
  });
  const jumpBy = (dir) => {
    const i = neighbour(info.happenings, predictPosition(info, fetchedAt, Date.now()), dir);
    if (i >= 0) post('seek-happening', i);
  };
  ui.prev.addEventListener('click', () => jumpBy(-1));
  ui.next.addEventListener('click', () => jumpBy(1));
  doc.defaultView?.addEventListener('keydown', (ev) => {
    if (ev.target instanceof doc.defaultView.HTMLInputElement || ev.target instanceof doc.defaultView.HTMLSelectElement) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === ' ' || ev.key === 'k') {
      ev.preventDefault();
      post(info.playing ? 'pause' : 'play');
    } else if (ev.key === '[') jumpBy(-1);
    else if (ev.key === ']') jumpBy(1);
  });

  async function poll() {
    try {
      const r = await fetchImpl(api, { headers: { Accept: 'application/json' } });
      if (r.ok) take(await r.json());
    } catch {
      // server gone or restarting: keep the last state; /ws shows the banner
    }
  }
  const timer = setInterval(poll, pollMs);
  let raf = 0;
  const tick = () => {
    paint();
    raf = doc.defaultView?.requestAnimationFrame ? doc.defaultView.requestAnimationFrame(tick) : 0;
  };
  take(info);
  tick();
  const handle = { bar, get info() { return info; }, post, stop() { clearInterval(timer); if (raf) doc.defaultView?.cancelAnimationFrame?.(raf); } };
  if (doc.defaultView) doc.defaultView.podiumReplay = handle;
  return handle;
}

if (typeof window !== 'undefined' && typeof document !== 'undefined') start();
