// The presenter's tools (issue 7), on top of the dashboard: presenter mode,
// focus, captions, language switch, keyboard help, export and the latency
// readout. app.js calls install() once with a small view of the page and
// calls the returned hooks; state that a link should carry lives in the URL
// (?presenter=1, ?focus=Kind/ns/name, ?lang=zh-CN, ?latency=1).

import { StageView } from './anatomy.js';
import { download, fileName, pngBlob, pngScale, svgMarkup } from './export.js';
import { setMeasure, setTextScale } from './format.js';
import { chain, describe, focusRect, parseFocus, withLayout } from './focus.js';
import { setLang, t, happeningText } from './i18n.js';
import { BAND_REF_KINDS, layout as layoutPicture, presenterMinWidth } from './layout.js';
import { presenterType } from './render.js';
import { actionFor, nextLang, SHORTCUTS } from './keys.js';
import { eventsIn, Meter } from './latency.js';

// Captions stay this long, then fade (the fade is in presenter.css).
export const CAPTION_MS = 6000;
const CAPTIONS_MAX = 2;

// FOLLOWING_CAPTIONS are happenings that follow from another: a Service's
// ready count moving as the pods of a scale or a rollout come and go.
const FOLLOWING_CAPTIONS = new Set(['endpoints']);

// captionToDrop picks, from the kinds of the captions shown (oldest
// first), the one to take down when there are too many: the oldest that
// only follows from another, else the oldest. So "scaled 7 → 4" stays up
// while its Service counts its endpoints down.
export function captionToDrop(kinds) {
  const i = kinds.findIndex((k) => FOLLOWING_CAPTIONS.has(k));
  return i >= 0 ? i : 0;
}

// urlFlag reads a boolean query parameter: present and not "0"/"false".
export function urlFlag(params, name) {
  if (!params.has(name)) return false;
  const v = params.get(name).toLowerCase();
  return v !== '0' && v !== 'false' && v !== 'no';
}

// setParam writes one query parameter into the address without a reload.
function setParam(name, value) {
  const u = new URL(location.href);
  if (value === null || value === false || value === '') u.searchParams.delete(name);
  else u.searchParams.set(name, value === true ? '1' : value);
  history.replaceState(null, '', u.toString().replace(/%2C/g, ',').replace(/%2F/g, '/'));
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// canvasMeasure measures text as the page draws it: a canvas's measureText
// in the picture's font, cached (the same few strings are measured every
// frame). A few per cent and 2 px of margin cover the kerning and hinting
// between canvas and SVG.
export function canvasMeasure(doc, family) {
  const ctx = doc.createElement('canvas').getContext('2d');
  if (!ctx) return null;
  const cache = new Map();
  return (s, px, bold) => {
    const key = `${bold ? 'b' : ''}${px}|${s}`;
    let w = cache.get(key);
    if (w === undefined) {
      ctx.font = `${bold ? 750 : 400} ${px}px ${family}`;
      w = ctx.measureText(s).width * 1.03 + 2;
      if (cache.size > 20000) cache.clear();
      cache.set(key, w);
    }
    return w;
  };
}

// FIT_MAX is the most presenter type is enlarged to fill the screen: text
// at 1.5 × 20 px is large enough from the back of a room.
const FIT_MAX = 1.5;

// fitLayout lays out graph in presenter type for a stage sw × sh px: the
// boxes measured in lines of text and the columns sized by what they hold
// (layout.js presenterGeom), the picture as narrow as still fits the
// stage's shape, so the fit's zoom (≥ 1: text never under 20 px) is as
// large as it can be. Widths from sw / FIT_MAX to sw are tried by bisection
// (no narrower than keeps every column's floor: a pod row keeps its node's
// name); a picture too tall at sw first tightens its pod rows and gaps, and
// one too tall even then is drawn sw wide (the fit then zooms under 1:
// docs/presenter.md says what gives).
export function fitLayout(graph, prev, opts, sw, sh) {
  const type = (w, tight, workCols, ingressAbove, refsBelow, pvsOut) => ({ ...presenterType(graph, Math.round(w), tight, opts.layers), workCols, ingressAbove, refsBelow, pvsOut });
  const at = (w, tight, workCols, above, below, pvs) => layoutPicture(graph, prev, { ...opts, type: type(w, tight, workCols, above, below, pvs) });
  const fits = (L) => L.height * (sw / L.width) <= sh;
  const zoom = (L) => Math.min(sw / L.width, sh / L.height);
  // Too tall: pod rows and gaps tighten first, then the workloads stand in
  // two columns side by side, then (a narrow stage) the Ingresses stand
  // above the Services, their column given to the others, then the
  // references stand below the workloads, theirs given to the others, and
  // then the claims' volumes stand in the cluster column instead of under
  // their claims; the zoom goes under 1 only when even that does not fit.
  const tries = [[false, 1], [true, 1], [false, 2], [true, 2], [true, 1, true], [true, 2, true], [true, 1, false, true], [true, 1, true, true], [true, 2, false, true], [true, 2, true, true],
    [true, 1, false, true, true], [true, 1, true, true, true], [true, 2, false, true, true], [true, 2, true, true, true]];
  const has = (kinds) => [...graph.nodes.values()].some((n) => kinds.has(n.kind));
  const ingresses = has(new Set(['Ingress']));
  const refs = has(BAND_REF_KINDS);
  const volumes = (!opts.layers || opts.layers.has('storage')) && [...graph.edges.values()].some((e) => e.kind === 'bound');
  let worst = null;
  // A picture that fits but breaks a name mid-letters (a column narrower
  // than its words: layout.js presenterCols) is kept in case no later
  // variant fits whole.
  let broken = null;
  for (const [tight, cols, above = false, below = false, pvs = false] of tries) {
    if ((above && !ingresses) || (below && !refs) || (pvs && !volumes)) continue;
    // Thousands of pods: two layouts per frame at most (a wall of lanes
    // is not what two columns or a moved Ingress would save).
    if (graph.nodes.size > 600 && (cols > 1 || above || below)) continue;
    let L = at(sw, tight, cols, above, below, pvs);
    if (!fits(L)) {
      if (!worst || zoom(L) > zoom(worst)) worst = L;
      continue;
    }
    // Thousands of pods: one layout per frame is the budget.
    if (graph.nodes.size > 600) return L;
    const whole = !L.geom.wordsBroken;
    if (!whole && broken) continue;
    const ok = (m) => fits(m) && (!whole || !m.geom.wordsBroken);
    let lo = Math.min(sw, Math.max(sw / FIT_MAX, presenterMinWidth(type(sw, tight, cols, above, below, pvs))));
    let hi = sw;
    const first = lo < hi ? at(lo, tight, cols, above, below, pvs) : null;
    if (first && ok(first)) L = first;
    else if (first) {
      for (let i = 0; i < 5; i++) {
        const mid = (lo + hi) / 2;
        const m = at(mid, tight, cols, above, below, pvs);
        if (ok(m)) {
          hi = mid;
          L = m;
        } else lo = mid;
      }
    }
    if (whole) return L;
    broken = L;
  }
  return broken || worst;
}

export function install(page) {
  const doc = document;
  const body = doc.body;
  const params = new URL(location.href).searchParams;
  const stage = page.stage;
  const svg = page.svg;

  // presenter.css holds every style of these features; loaded beside the
  // module so it shares its version (?v=) and needs no change to the shell.
  const css = doc.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('./presenter.css', import.meta.url).toString();
  doc.head.appendChild(css);

  // Text is measured for real in the browser (format.js textWidth).
  setMeasure(canvasMeasure(doc, getComputedStyle(svg).fontFamily || 'sans-serif'));

  // --- language -----------------------------------------------------------
  let lang = setLang(body.dataset.lang || doc.documentElement.lang || 'en');
  // ?lang=fr or zh-TW reaches the page as is; say which table is in use.
  doc.documentElement.lang = lang;
  body.dataset.lang = lang;
  function switchLang(to) {
    lang = setLang(to);
    doc.documentElement.lang = lang;
    body.dataset.lang = lang;
    setParam('lang', lang);
    page.relabel();
    relabel();
  }

  // --- header buttons, beside the app's own ------------------------------
  const tools = doc.querySelector('.tools');
  const buttons = {};
  for (const [key, testid, label, title] of [
    ['presenter', 'presenter-toggle', 'btn.presenter', 'btn.presenter.title'],
    ['svg', 'export-svg', 'btn.exportSVG', 'btn.exportSVG.title'],
    ['png', 'export-png', 'btn.exportPNG', 'btn.exportPNG.title'],
    ['lang', 'lang-toggle', 'lang.other', 'lang.switch'],
    ['help', 'help-toggle', '', 'btn.help'],
  ]) {
    const b = doc.createElement('button');
    b.type = 'button';
    b.dataset.testid = testid;
    b.dataset.label = label;
    b.dataset.tip = title;
    tools?.appendChild(b);
    buttons[key] = b;
  }
  buttons.help.textContent = '?';

  // --- overlays: captions, focus chip, help, latency ----------------------
  const captions = doc.createElement('ol');
  captions.className = 'captions';
  captions.dataset.testid = 'captions';
  captions.setAttribute('aria-live', 'polite');
  stage.appendChild(captions);

  const chip = doc.createElement('div');
  chip.className = 'focus-chip';
  chip.dataset.testid = 'focus-chip';
  chip.hidden = true;
  stage.appendChild(chip);

  const help = doc.createElement('div');
  help.className = 'help';
  help.dataset.testid = 'help';
  help.setAttribute('role', 'dialog');
  help.setAttribute('aria-modal', 'true');
  help.hidden = true;
  body.appendChild(help);

  const meterBox = doc.createElement('div');
  meterBox.className = 'latency';
  meterBox.dataset.testid = 'latency';
  meterBox.hidden = true;
  stage.appendChild(meterBox);

  function relabel() {
    for (const b of Object.values(buttons)) {
      if (b.dataset.label) b.textContent = t(b.dataset.label);
      b.title = t(b.dataset.tip);
      b.setAttribute('aria-label', t(b.dataset.tip));
    }
    help.innerHTML = `<div class="help-card"><header><h2>${esc(t('help.title'))}</h2>` +
      `<button type="button" class="close" data-testid="help-close" aria-label="${esc(t('help.close'))}" title="${esc(t('help.close'))}">×</button></header>` +
      `<dl>${SHORTCUTS.map((s) => `<dt>${s.keys.map((k) => `<kbd>${esc(k)}</kbd>`).join(' ')}</dt><dd data-key-id="${esc(s.id)}">${esc(t(s.id))}</dd>`).join('')}</dl></div>`;
    drawChip();
    drawMeter();
  }

  // --- presenter mode ------------------------------------------------------
  function setPresenter(on) {
    body.dataset.presenter = String(on);
    zoomVar();
    buttons.presenter.setAttribute('aria-pressed', String(on));
    setParam('presenter', on);
    drawPod();
    page.schedule();
    // The picture refits to the new stage once layout has settled.
    requestAnimationFrame(() => page.autoFit());
  }
  const presenting = () => body.dataset.presenter === 'true';

  function caption(list) {
    if (!presenting()) return;
    for (const h of list) {
      const text = happeningText(h);
      // The same happening again (a replay step and its delta) restarts its
      // caption instead of stacking a copy.
      for (const old of [...captions.children]) if (old.textContent === text) old.remove();
      const li = doc.createElement('li');
      li.dataset.kind = String(h.kind || '');
      li.dataset.ref = String(h.ref || '');
      li.textContent = text;
      captions.appendChild(li);
      setTimeout(() => li.remove(), CAPTION_MS);
    }
    while (captions.children.length > CAPTIONS_MAX) captions.children[captionToDrop([...captions.children].map((li) => li.dataset.kind))].remove();
  }

  // Presenter type is one size (render.js PRESENTER_PX), which the layout
  // sizes the boxes for; the text scale tells the renderer it is in use.
  // --k (the zoom) is for styles that want it.
  let kSet = '';
  const zoomVar = () => {
    const k = presenting() ? String(page.view.k || 1) : '';
    if (k === kSet) return;
    kSet = k;
    if (k) svg.style.setProperty('--k', k);
    else svg.style.removeProperty('--k');
    if (setTextScale(k ? 20 / 14.5 : 1)) {
      for (const it of page.renderer.items.pods.values()) it.p = null; // pod rows redraw only on change
      page.schedule();
    }
  };
  new MutationObserver(zoomVar).observe(svg, { attributes: true, attributeFilter: ['data-zoom'] });
  // The presenter picture is laid out for the stage's size: a new size is a
  // new layout.
  let stageSize = '';
  new ResizeObserver(() => {
    const r = svg.getBoundingClientRect();
    const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
    if (size === stageSize) return;
    stageSize = size;
    if (presenting()) page.schedule();
  }).observe(svg);

  // --- what gives way to the picture -----------------------------------------
  // When the picture would need a zoom under 1 (text under 20 px) on the
  // stage, or break a name mid-letters, first the captions' band under it goes (captions then float over
  // the picture's foot for their few seconds), then a lesson step's text
  // (the speaker's script), then its command and the state's words: the
  // step keeps its number (a mark for done) and its title, on one line.
  // Each comes back, last first, once the picture fits with it again; a new
  // step, or language, brings them back. presenter.css and lesson.css draw
  // every state. (The network-policy caveat is the picture's own, under
  // its Nodes: layout.js placeCaveat.)
  const lessonText = doc.querySelector('[data-testid=lesson-text]');
  const lessonShown = () => !!lessonText && !lessonText.closest('.lesson')?.hidden;
  const lessonKey = () => `${lessonText.closest('.lesson').dataset.step}|${lang}|${lessonText.textContent}`;
  const givers = [
    { attr: 'captionsOver', shown: () => true, key: () => '' },
    { attr: 'lessonFolded', shown: () => lessonShown() && !lessonText.hidden, key: lessonKey },
    { attr: 'lessonTerse', shown: lessonShown, key: lessonKey },
  ];
  // giver → {key, h: the stage's height before it gave, extra: what it gave
  // (measured at the next layout, once the page has moved)}
  const given = new Map();
  // short: the picture needs a zoom under 1, or it fits only with a name
  // broken mid-letters (a column narrower than its words, fitLayout): a
  // taller stage may lay it out whole.
  const short = (L, w, h) => Math.min(w / L.width, h / L.height) < 0.999 || !!L.geom?.wordsBroken;
  function give(g, v) {
    if (v) given.set(g, v);
    else given.delete(g);
    body.dataset[g.attr] = String(!!v);
  }
  function fitStage(graph, prev, opts, r) {
    for (const g of givers) if (given.has(g) && (!g.shown() || given.get(g).key !== g.key())) give(g, null);
    const last = givers.filter((x) => given.has(x)).pop();
    if (last && given.get(last).extra === undefined) given.get(last).extra = Math.max(0, r.height - given.get(last).h);
    const L = fitLayout(graph, prev, opts, r.width, r.height);
    if (short(L, r.width, r.height)) {
      const g = givers.find((x) => !given.has(x) && x.shown());
      // Giving resizes the stage: a new layout follows. Only once the last
      // giver's room is known.
      if (g && (!last || given.get(last).extra !== undefined)) give(g, { key: g.key(), h: r.height });
      return L;
    }
    if (!last) return L;
    const h = r.height - given.get(last).extra;
    const back = fitLayout(graph, prev, opts, r.width, h);
    if (short(back, r.width, h)) return L;
    give(last, null);
    return back;
  }

  // --- focus -----------------------------------------------------------------
  let focus = null;
  let focusErr = '';
  let sel = null;
  let lastRect = '';
  function setFocus(raw) {
    try {
      focus = parseFocus(raw);
      focusErr = '';
    } catch (err) {
      focus = null;
      focusErr = String(err.message || err);
    }
    setParam('focus', focus ? (focus.kind === 'Namespace' ? `Namespace/${focus.ns}` : focus.id) : '');
    // On the dashboard a focused pod's anatomy is in the details panel; in
    // presenter mode (no panel) drawPod draws it over the stage.
    if (focus?.kind === 'Pod' && !presenting()) page.showDetails(focus.id);
    lastRect = '';
    page.schedule();
    requestAnimationFrame(() => page.autoFit());
  }
  function drawChip() {
    if (!focus && !focusErr) {
      chip.hidden = true;
      body.dataset.focus = '';
      return;
    }
    chip.hidden = false;
    const what = focus ? (focus.kind === 'Namespace' ? t('focus.namespace', { ns: focus.ns }) : describe(focus)) : '';
    const text = focusErr || (sel ? t('focus.label', { what }) : t('focus.missing', { what }));
    const state = focusErr ? 'error' : sel ? 'on' : 'missing';
    body.dataset.focus = focus && sel ? focus.id : '';
    // Redrawn only when it changes: a button replaced mid-click loses the click.
    if (chip.dataset.state === state && chip.dataset.text === text) return;
    chip.dataset.state = state;
    chip.dataset.text = text;
    chip.innerHTML = `<span>${esc(text)}</span><button type="button" data-testid="focus-clear" title="${esc(t('focus.clear'))}" aria-label="${esc(t('focus.clear'))}">×</button>`;
  }
  // A focused pod in presenter mode: its anatomy, large, instead of the
  // picture (anatomy.js). Redrawn after every render, so it follows the pod
  // live; unchanged markup is left alone.
  const podView = new StageView(stage);
  function drawPod() {
    const n = presenting() && focus?.kind === 'Pod' ? page.store.nodes.get(focus.id) : null;
    podView.update(n?.kind === 'Pod' ? n : null, page.store.edges, page.store.nodes);
  }

  chip.addEventListener('click', (ev) => {
    if (ev.target.closest('button')) setFocus('');
  });
  // Double-click focuses an entity, or a namespace by its band's title.
  svg.addEventListener('dblclick', (ev) => {
    const n = ev.target.closest?.('[data-id]');
    const band = !n && ev.target.closest?.('.band-head') ? ev.target.closest('[data-ns]') : null;
    if (!n && !band) return;
    ev.preventDefault();
    const id = n ? n.getAttribute('data-id') : `Namespace/${band.dataset.ns}`;
    setFocus(focus?.id === id ? '' : id);
  });

  // --- latency -----------------------------------------------------------------
  const meter = new Meter();
  let pending = []; // server receive times waiting for their paint
  function drawMeter() {
    if (meterBox.hidden) return;
    const s = meter.summary(performance.now());
    const num = (v) => (Number.isFinite(v) ? Math.round(v) : '–');
    meterBox.innerHTML = `<h2>${esc(t('latency.title'))}</h2>` +
      `<p><span class="k">${esc(t('latency.server'))}</span> <span data-testid="latency-value" data-p50="${num(s.p50)}" data-count="${s.count}">${esc(s.count ? t('latency.value', { p50: num(s.p50), p95: num(s.p95), last: num(s.last) }) : t('latency.none'))}</span></p>` +
      `<p data-testid="latency-rate" data-rate="${s.rate.toFixed(2)}">${esc(t('latency.rate', { rate: s.rate.toFixed(1) }))}</p>`;
  }
  function setLatency(on) {
    meterBox.hidden = !on;
    setParam('latency', on);
    drawMeter();
  }
  setInterval(() => {
    if (!meterBox.hidden) drawMeter();
  }, 1000);

  // --- export --------------------------------------------------------------------
  function exportRect() {
    const L = page.layout();
    if (!L) return null;
    return (sel && focusRect(L, sel.ids)) || { x: 0, y: 0, w: L.width, h: L.height };
  }
  const background = () => getComputedStyle(body).backgroundColor || '#0f1520';
  const exportName = (ext) => fileName(ext, new Date(), focus ? describe(focus) : '');
  async function exportAs(kind) {
    const r = exportRect();
    if (!r) return;
    body.dataset.exporting = kind;
    try {
      const markup = svgMarkup(svg, r, background());
      if (kind === 'svg') {
        download(doc, new Blob([markup], { type: 'image/svg+xml' }), exportName('svg'));
      } else {
        const blob = await pngBlob(doc, markup, r.w, r.h, pngScale(r.w, r.h));
        download(doc, blob, exportName('png'));
      }
      body.dataset.exported = kind;
    } catch (err) {
      console.error(err);
      body.dataset.exported = 'error';
      alert(t('export.failed', { detail: String(err?.message || err) }));
    } finally {
      delete body.dataset.exporting;
    }
  }

  // --- help ----------------------------------------------------------------------
  function setHelp(on) {
    help.hidden = !on;
    if (on) help.querySelector('button')?.focus();
  }
  help.addEventListener('click', (ev) => {
    if (ev.target === help || ev.target.closest('[data-testid="help-close"]')) setHelp(false);
  });

  buttons.presenter.addEventListener('click', () => setPresenter(!presenting()));
  buttons.svg.addEventListener('click', () => exportAs('svg'));
  buttons.png.addEventListener('click', () => exportAs('png'));
  buttons.lang.addEventListener('click', () => switchLang(nextLang(lang)));
  buttons.help.addEventListener('click', () => setHelp(help.hidden));

  // Arrow keys step through happenings only while a replay is running. A
  // seek sends a snapshot, not the happening's delta, so the happening
  // stepped to is captioned from the replay's own list.
  let stepAt = 0;
  let stepFrom = -1; // the happening shown when the key was pressed
  let watched = null;
  const replayStep = (dir) => {
    const r = window.podiumReplay;
    if (!r?.bar) return false;
    if (watched !== r.bar) {
      watched = r.bar;
      new MutationObserver(() => {
        const i = Number(r.bar.dataset.happening);
        if (performance.now() - stepAt > 3000 || i === stepFrom) return;
        stepAt = 0;
        const h = r.info?.happenings?.[i];
        if (h) caption([h]);
      }).observe(r.bar, { attributes: true, attributeFilter: ['data-happening'] });
    }
    stepAt = performance.now();
    stepFrom = Number(r.bar.dataset.happening);
    r.bar.querySelector(`[data-testid="replay-${dir}"]`)?.click();
    return true;
  };
  window.addEventListener('keydown', (ev) => {
    const a = actionFor(ev);
    if (!a) return;
    switch (a) {
      case 'help':
        setHelp(help.hidden);
        break;
      case 'presenter':
        setPresenter(!presenting());
        break;
      case 'lang':
        switchLang(nextLang(lang));
        break;
      case 'latency':
        setLatency(meterBox.hidden);
        break;
      case 'prev':
      case 'next':
        if (replayStep(a)) ev.preventDefault();
        return;
      case 'escape':
        if (!help.hidden) setHelp(false);
        else if (focus || focusErr) setFocus('');
        return;
    }
    ev.preventDefault();
  });

  // --- initial state from the URL ---------------------------------------------------
  relabel();
  if (urlFlag(params, 'presenter')) setPresenter(true);
  else body.dataset.presenter = 'false';
  if (params.get('focus')) setFocus(params.get('focus'));
  if (urlFlag(params, 'latency')) setLatency(true);

  // Read-only view for tests and tools.
  window.podiumPresenter = {
    get focus() { return focus; },
    get selection() { return sel; },
    get lang() { return lang; },
    meter,
    exportSVG: () => {
      const r = exportRect();
      return r ? svgMarkup(svg, r, background()) : '';
    },
  };

  return {
    // layout lays out the picture: in presenter mode measured and fitted
    // to the stage (fitLayout), on the dashboard as layout.js does.
    layout(graph, prev, opts) {
      zoomVar();
      const r = svg.getBoundingClientRect();
      if (!presenting() || r.width < 100 || r.height < 100) return layoutPicture(graph, prev, opts);
      return fitStage(graph, prev, opts, r);
    },
    // focus is the entity in focus ({kind, ns, name, id}) or null: app.js
    // asks the netpol layer's reachability for a focused pod.
    get focus() { return focus; },
    // A lesson's step and the presenter a follower follows set these.
    setFocus(raw) {
      if ((focus?.id || '') !== (raw || '')) setFocus(raw || '');
    },
    setPresenter(on) {
      if (on !== presenting()) setPresenter(on);
    },
    // drawn runs after each render of layout L.
    drawn(L) {
      const had = !!sel;
      sel = focus ? withLayout(chain(focus, page.store.nodes, page.store.edges), L) : null;
      // Peers the page adds to the focus (a focused pod's reachable pods).
      const extra = sel && page.focusExtra?.();
      if (extra?.size) sel = withLayout({ ids: new Set([...sel.ids, ...extra]), edgeIds: sel.edgeIds }, L);
      // Unfocused frames skip the renderer's class sweep (a query over the
      // whole picture): with thousands of pods it would cost every frame.
      if (sel || had) page.renderer.highlight(sel, 'focus');
      drawChip();
      drawPod();
      zoomVar();
      // Presenter mode keeps the whole picture, or the focused part, filling
      // the screen as it grows and shrinks, unless the viewer zoomed by hand.
      // (The dashboard itself refits only when the picture outgrows it.)
      const r = this.fitRect(L);
      const key = r ? `${r.x},${r.y},${r.w},${r.h}` : `${L.width}x${L.height}`;
      if (key !== lastRect) {
        lastRect = key;
        if (!page.userView && (presenting() || focus)) page.autoFit();
      }
      if (pending.length) {
        const times = pending;
        pending = [];
        requestAnimationFrame(() => {
          const now = Date.now();
          for (const ts of times) meter.latency(now - ts);
          drawMeter();
        });
      }
    },
    // fitRect is the part of the picture a fit shows: the focus, when set,
    // with its margin kept inside the picture, so a focus is never shown
    // smaller than the whole picture would be (whose type is laid out for
    // the stage: presenter type stays at 20 px or more).
    fitRect(L) {
      const r = sel ? focusRect(L, sel.ids) : null;
      if (!r) return null;
      const x = Math.max(0, r.x);
      const y = Math.max(0, r.y);
      return { x, y, w: Math.min(L.width, r.x + r.w) - x, h: Math.min(L.height, r.y + r.h) - y };
    },
    change(ch) {
      if (ch.type !== 'delta') return;
      meter.events(eventsIn(ch), performance.now());
      if (ch.time > 0) pending.push(ch.time);
      if (ch.happenings?.length) caption(ch.happenings);
    },
  };
}
