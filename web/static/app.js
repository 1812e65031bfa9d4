// Podium's page: wires the store, the connection, the layout and the
// renderer to the templ shell (web/page.templ). All state lives in the store;
// this file only reacts to it and to the viewer.

import { startFrameCounter } from './bench.js';
import { Pacer } from './pace.js';
import { openSource } from './conn.js';
import { takeFirst } from './first.js';
import { pageNamespaces } from './address.js';
import { formatTime, POD_STATES } from './format.js';
import { happeningText, setLang, t } from './i18n.js';
import { actionFor, layerFor, LAYER_KEYS } from './keys.js';
import { DEFAULT_LAYERS, formatLayers, LAYERS, layout, parseLayers } from './layout.js';
import { detailsRows, esc, glyph, related, Renderer, warningRows } from './render.js';
import { Store } from './store.js';
import { install as installPresenter } from './presenter.js';
import { showPodDetails } from './anatomy.js';
import { ReachFetcher, reachHTML, reachSets, serviceCutOff } from './reach.js';
import { install as installAudience, isFollower, readOnlyFetch, safeSession, takeLead } from './follow.js';
import { fetchLesson, Panel } from './lesson.js';
import { pageSelector, selectorChip, withoutSelector } from './selector.js';
import { kindsControl, pageHide, withHide } from './kinds.js';
import { parseNodeGroups, toggleGroup, withGroups, withNodeGroups } from './nodegroups.js';
import { drawTrouble, wallLayout, wallMode } from './wall.js';
import { initClusterPicker, withCluster } from './clusters.js';

const $ = (sel) => document.querySelector(sel);
const body = document.body;
// A wall screen (?wall=1): the whole view on one screen, kept fitted, with
// its trouble counted in the header (wall.js).
const wall = wallMode(location.href);
const wallMemo = {};
const wallTrouble = document.createElement('p');
wallTrouble.className = 'wall-trouble';
wallTrouble.dataset.testid = 'wall-trouble';
if (wall) {
  body.dataset.wall = 'true';
  document.querySelector('.brand').after(wallTrouble);
}
const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)');

// The audience link (follow.js): the presenter's secret leaves the address
// before anything reads or shows it, and a follower's page never sends
// (replay.js, loaded after this module, fetches through the guard too).
const lead = takeLead(location.href, safeSession(window));
if (lead.href !== location.href) history.replaceState(null, '', lead.href);
const follower = isFollower(location.href);
if (follower) window.fetch = readOnlyFetch(window.fetch.bind(window));

const ui = {
  banner: $('[data-testid="banner"]'),
  bannerText: $('[data-testid="banner"] .banner-text'),
  seq: $('[data-testid="banner"] .banner-seq'),
  svg: $('[data-testid="canvas"]'),
  stage: $('[data-testid="stage"]'),
  empty: $('[data-testid="empty"]'),
  details: $('[data-testid="details"]'),
  detailsBody: $('[data-testid="details"] .details-body'),
  ticker: $('[data-testid="ticker"] ol'),
  search: $('[data-testid="search"]'),
  searchCount: $('[data-testid="search-count"]'),
  picker: $('[data-testid="namespace-picker"]'),
  pickerList: $('[data-testid="namespace-picker"] .ns-list'),
  pickerSummary: $('[data-testid="namespace-picker"] summary .ns-current'),
  legend: $('[data-testid="legend"] .legend-body'),
};

// --- language and chrome strings -------------------------------------------
setLang(body.dataset.lang || document.documentElement.lang || 'en');
// chromeText (re)labels the shell; run again after a language switch (l).
function chromeText() {
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll('[data-i18n-title]')) n.title = t(n.dataset.i18nTitle);
  for (const n of document.querySelectorAll('[data-i18n-placeholder]')) n.placeholder = t(n.dataset.i18nPlaceholder);
  for (const n of document.querySelectorAll('[data-i18n-aria]')) n.setAttribute('aria-label', t(n.dataset.i18nAria));
}
chromeText();

// --- theme ------------------------------------------------------------------
function setTheme(th) {
  document.documentElement.dataset.theme = th;
  try {
    localStorage.setItem('podium-theme', th);
  } catch {
    // storage may be off; the theme still applies to this page
  }
}
let savedTheme = null;
try {
  savedTheme = localStorage.getItem('podium-theme');
} catch {
  savedTheme = null;
}
// Dark unless the viewer chose light (or the URL says ?theme=light, for wall
// screens): projectors wash out light pages.
const urlTheme = new URL(location.href).searchParams.get('theme');
setTheme(urlTheme === 'light' || urlTheme === 'dark' ? urlTheme : savedTheme === 'light' ? 'light' : 'dark');
const toggleTheme = () => setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');

// --- legend, drawn with the same glyphs as the picture ------------------------
function drawLegend() {
  let s = '';
  for (const st of POD_STATES) {
    s += `<li><svg class="st-${st}" width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true">${glyph(st, 10)}</svg>${esc(t('state.' + st))}</li>`;
  }
  for (const st of ['ready', 'serving', 'terminating', 'none']) {
    s += `<li><svg class="edge k-selects s-${st}" width="34" height="14" aria-hidden="true"><path d="M2,7 H32"/></svg>${esc(t('edge.' + st))}</li>`;
  }
  s += `<li><svg class="badge-legend" width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true"><g class="badge"><circle r="9"/><text y="4">3</text></g></svg>${esc(t('legend.restarts'))}</li>`;
  s += `<li><svg class="edge k-mounts s-ok" width="34" height="14" aria-hidden="true"><path d="M2,7 H32"/></svg>${esc(t('edge.mounts'))}</li>`;
  s += `<li><svg class="edge k-mounts s-broken" width="34" height="14" aria-hidden="true"><path d="M2,7 H32"/></svg>${esc(t('edge.broken'))}</li>`;
  s += `<li><svg class="pod-warn" width="26" height="26" viewBox="-13 -13 26 26" aria-hidden="true"><path d="M0,-8 L8,7 L-8,7 Z"/></svg>${esc(t('legend.warnings'))}</li>`;
  ui.legend.innerHTML = `<ul>${s}</ul>`;
}
drawLegend();

// --- namespaces: kept in the URL as ?namespace=a,b ----------------------------
const url = new URL(location.href);
let selected = pageNamespaces(url.href);
let collapsed = new Set();
try {
  collapsed = new Set(JSON.parse(localStorage.getItem('podium-collapsed') || '[]'));
} catch {
  collapsed = new Set();
}
const known = new Set([...ui.pickerList.querySelectorAll('input')].map((i) => i.value));

function pickerSync(seen) {
  for (const ns of seen) {
    if (known.has(ns)) continue;
    known.add(ns);
    const li = document.createElement('li');
    li.innerHTML = `<label><input type="checkbox" data-testid="ns-option" value="${esc(ns)}"> ${esc(ns)}</label>`;
    ui.pickerList.appendChild(li);
  }
  for (const i of ui.pickerList.querySelectorAll('input')) i.checked = selected.includes(i.value);
  ui.pickerSummary.textContent = selected.length === 0 ? t('ns.all') : selected.length <= 2 ? selected.join(', ') : t('ns.count', { count: selected.length });
}

ui.pickerList.addEventListener('change', () => {
  selected = [...ui.pickerList.querySelectorAll('input:checked')].map((i) => i.value).sort();
  const u = new URL(location.href);
  if (selected.length) u.searchParams.set('namespace', selected.join(','));
  else u.searchParams.delete('namespace');
  history.replaceState(null, '', u.toString().replace(/%2C/g, ','));
  pickerSync([]);
  layoutState = null;
  lastSize = '';
  conn.setNamespaces(selected);
  schedule();
});
$('[data-testid="ns-all"]')?.addEventListener('click', () => {
  for (const i of ui.pickerList.querySelectorAll('input')) i.checked = false;
  ui.pickerList.dispatchEvent(new Event('change'));
});

// --- layers: ?layers=a,b, else what this browser last chose, else the defaults --
// The URL wins so a shared link shows what its author saw; a viewer's own
// toggles are remembered (and written to the URL, for the next link).
let layersNote = ''; // the banner names layers the URL asked for that do not exist
function initialLayers() {
  const raw = new URL(location.href).searchParams.get('layers');
  if (raw !== null) {
    const { layers, unknown } = parseLayers(raw);
    if (unknown.length) layersNote = t('layers.unknown', { list: unknown.join(', ') });
    return layers;
  }
  try {
    const saved = localStorage.getItem('podium-layers');
    if (saved !== null) return parseLayers(saved).layers;
  } catch {
    // storage may be off: the defaults
  }
  return new Set(DEFAULT_LAYERS);
}
let layers = initialLayers();
const netpolNote = document.createElement('p');
netpolNote.className = 'netpol-note';
netpolNote.dataset.testid = 'netpol-note';
netpolNote.hidden = true;
ui.stage.appendChild(netpolNote);
const layersUI = document.createElement('details');
layersUI.className = 'ns-picker layers-picker';
layersUI.dataset.testid = 'layers';
layersUI.innerHTML = `<summary><span class="ns-label" data-i18n="layers.label"></span> <span class="layers-current"></span> ▾</summary>` +
  `<div class="ns-menu"><ul class="ns-list">${LAYERS.map((l) => {
    const key = Object.keys(LAYER_KEYS).find((k) => LAYER_KEYS[k] === l);
    return `<li><label><input type="checkbox" data-testid="layer-option" value="${l}"> <span data-i18n="layer.${l}"></span> <kbd>${key}</kbd></label></li>`;
  }).join('')}</ul></div>`;
ui.picker.after(layersUI);
chromeText();

function layersSync() {
  for (const i of layersUI.querySelectorAll('[data-testid=layer-option]')) i.checked = layers.has(i.value);
  layersUI.querySelector('.layers-current').textContent = `${layers.size}/${LAYERS.length}`;
  body.dataset.layers = formatLayers(layers);
  // Network policy is drawn as declared: say so while the layer is on.
  netpolNote.hidden = !layers.has('netpol');
  netpolNote.textContent = t('reach.caveat');
  renderer.warnings = layers.has('warnings');
}

// remember is false for the layers a follower is given: they are the
// presenter's, not this viewer's choice.
function setLayers(next, remember = true) {
  layers = next;
  layersNote = '';
  const v = formatLayers(layers);
  try {
    if (remember) localStorage.setItem('podium-layers', v);
  } catch {
    // not remembered; still applies now
  }
  const u = new URL(location.href);
  u.searchParams.set('layers', v);
  history.replaceState(null, '', u.toString().replace(/%2C/g, ','));
  layersSync();
  showBanner();
  schedule();
}
const toggleLayer = (l) => {
  const next = new Set(layers);
  if (next.has(l)) next.delete(l);
  else next.add(l);
  setLayers(next);
};
layersUI.addEventListener('change', () => {
  setLayers(new Set([...layersUI.querySelectorAll('[data-testid=layer-option]:checked')].map((i) => i.value)));
});

// --- label selector: ?selector=, shown as a chip that clears it ------------------
const selector = pageSelector(location.href);
const selectorUI = selectorChip(document, selector, () => {
  history.replaceState(null, '', withoutSelector(location.href));
  layoutState = null;
  lastSize = '';
  conn.selector = '';
  conn.setNamespaces(selected); // a new view: a fresh snapshot
  schedule();
});
layersUI.after(selectorUI);
chromeText();

// --- kind toggles (?hide=, kinds.js) and Node groups (?nodegroup=, ?nodegroups=, nodegroups.js) --
let { hide, problems: hideProblems } = pageHide(location.href);
let nodeGroups = parseNodeGroups(location.href);
for (const p of [...hideProblems, ...nodeGroups.problems]) console.warn('podium:', p);
const kindsUI = kindsControl(document, hide, (h) => {
  hide = h;
  hideProblems = [];
  history.replaceState(null, '', withHide(location.href, hide));
  showBanner();
  schedule();
});
layersUI.querySelector('.ns-menu').appendChild(kindsUI);
chromeText();
function toggleNodeGroup(key) {
  nodeGroups = toggleGroup(nodeGroups, key, lastL?.nodeGroups || []);
  history.replaceState(null, '', withNodeGroups(location.href, nodeGroups));
  schedule();
}

// --- banner -------------------------------------------------------------------
let connState = 'connecting';
let connInfo = {};
let drawError = ''; // set when drawing failed; the last good picture stays
function showBanner() {
  const st = store.status;
  let state = connState;
  let text;
  if (drawError) {
    ui.banner.dataset.state = 'error';
    ui.bannerText.textContent = t('banner.drawError', { detail: drawError });
    return;
  }
  if (connState === 'live' && st.apiserver === 'reconnecting') state = 'apiserver';
  else if (connState === 'live' && st.apiserver === 'unauthorized') state = 'unauthorized';
  else if (connState === 'live' && !st.synced) state = 'syncing';
  switch (state) {
    case 'live':
      // A replay (replay.js) or an exported segment (player.js) is not the
      // cluster now: the audience should not read "Live".
      text = t(body.dataset.replay === 'true' || body.dataset.segment === 'true' ? 'banner.recorded' : 'banner.connected');
      break;
    case 'reconnecting':
      text = t('banner.reconnecting', { seconds: Math.max(1, Math.round((connInfo.delay || 0) / 1000)) });
      break;
    case 'error':
      text = t('banner.error', { detail: connInfo.detail || '' });
      break;
    default:
      text = t('banner.' + state);
  }
  if (st.denied?.length && state === 'live') text += ' · ' + t('banner.denied', { list: st.denied.join(', ') });
  if (layersNote && state === 'live') text += ' · ' + layersNote;
  for (const p of [...hideProblems, ...nodeGroups.problems]) if (state === 'live') text += ' · ' + p;
  ui.banner.dataset.state = state;
  // While the API server is away the picture may be stale: say so by look.
  ui.stage.dataset.stale = String(state === 'apiserver' || state === 'unauthorized' || state === 'reconnecting' || state === 'error');
  ui.banner.dataset.apiserver = st.apiserver || 'connected';
  ui.bannerText.textContent = text;
  ui.seq.textContent = store.synced ? t('banner.seq', { seq: store.seq }) : '';
}

// replay.js and player.js mark the page as a recording after it started.
new MutationObserver(() => showBanner()).observe(body, { attributes: true, attributeFilter: ['data-replay', 'data-segment'] });

// --- ticker -------------------------------------------------------------------
const TICKER_MAX = 60;
// shownHappenings keys what the ticker holds: a snapshot after a reconnect
// carries recent happenings the ticker may already show.
const shownHappenings = new Set();
const happeningKey = (h) => `${h.time}|${h.kind}|${h.ref}|${h.text}`;
function addHappenings(list) {
  list = list.filter((h) => !shownHappenings.has(happeningKey(h)));
  if (!list.length) return;
  ui.ticker.querySelector('.ticker-empty')?.remove();
  for (const h of list) {
    shownHappenings.add(happeningKey(h));
    const li = document.createElement('li');
    li.dataset.kind = String(h.kind || '');
    li.dataset.ref = String(h.ref || '');
    li.innerHTML = `<time datetime="${esc(h.time)}">${esc(formatTime(h.time))}</time><span>${esc(happeningText(h))}</span>`;
    li.tabIndex = 0;
    li.happening = h; // kept to retranslate it on a language switch
    li.title = String(h.ref || '');
    ui.ticker.prepend(li);
  }
  while (ui.ticker.children.length > TICKER_MAX) {
    shownHappenings.delete(happeningKey(ui.ticker.lastElementChild.happening));
    ui.ticker.lastElementChild.remove();
  }
}

// A happening is a way into the picture: click it to see what it is about.
ui.ticker.addEventListener('click', (ev) => {
  const ref = ev.target.closest?.('li[data-ref]')?.dataset.ref;
  if (ref && store.nodes.has(ref)) {
    reveal(ref);
    showDetails(ref);
  }
});

// --- drawing --------------------------------------------------------------------
let panel = null; // the lesson panel (lesson.js), made below
const store = new Store();
const renderer = new Renderer(ui.svg, {
  motion: !reduceMotion.matches,
  onToggleNamespace(ns) {
    if (collapsed.has(ns)) collapsed.delete(ns);
    else collapsed.add(ns);
    try {
      localStorage.setItem('podium-collapsed', JSON.stringify([...collapsed]));
    } catch {
      // not persisted; still applies now
    }
    schedule();
  },
  onToggleNodeGroup: (key) => toggleNodeGroup(key),
});
reduceMotion.addEventListener?.('change', () => {
  renderer.motion = !reduceMotion.matches;
});

let layoutState = null;
let hooks = null; // presenter features (presenter.js), installed below
let lastL = null;
let userView = false; // the viewer panned or zoomed: stop auto-fitting
let lastSize = '';
// recent: [layout ms, render ms] of the last draws; frames are counted only
// for a benchmark (bench.js).
const stats = { frames: 0, renders: 0, lastRenderMs: 0, maxRenderMs: 0, recent: [] };

// Changes from the cluster are paced after a costly draw (pace.js); the
// viewer's own input draws at the next frame.
const pacer = new Pacer(draw, {
  raf: (f) => requestAnimationFrame(f),
  setTimer: (f, ms) => setTimeout(f, ms),
  clearTimer: (id) => clearTimeout(id),
  clock: () => performance.now(),
});
function schedule() {
  pacer.now();
}
Object.defineProperty(stats, 'paced', { enumerable: true, get: () => pacer.paced });

function draw() {
  const t0 = performance.now();
  drawError = '';
  try {
    // Presenter mode lays out for the stage (presenter.js fitLayout), a
    // wall screen to the stage's shape (wall.js).
    const graph = { nodes: store.nodes, edges: store.edges };
    const opts = { collapsed, namespaces: selected, layers, hide, nodeGroups };
    const stage = svgSize || ui.svg.getBoundingClientRect();
    const L = wall && body.dataset.presenter !== 'true' && stage.width > 0
      ? wallLayout(graph, layoutState, opts, stage.width, stage.height, wallMemo)
      : (hooks?.layout || layout)(graph, layoutState, opts);
    const t1 = performance.now();
    layoutState = L.state;
    lastL = L;
    renderer.render(L, store);
    drawReach();
    if (wall) drawTrouble(wallTrouble, store.nodes);
    hooks?.drawn(L);
    stats.recent.push([Math.round(t1 - t0), Math.round(performance.now() - t1)]);
    if (stats.recent.length > 50) stats.recent.shift();
    const empty = store.synced && store.nodes.size === 0 && selected.length === 0;
    ui.empty.hidden = store.synced && !empty;
    ui.empty.textContent = store.synced ? t('empty.cluster') : t('empty.waiting');
    ui.stage.dataset.empty = String(empty);
    // The bands are the namespaces seen (plus the filter's): no need to walk
    // every object again.
    pickerSync(L.bands.map((b) => b.ns));
    const size = `${L.width}x${L.height}`;
    // Refit only for a first picture or one that outgrew the screen: refitting
    // on every change would move everything on screen at each scale-up.
    // A wall screen refits at every change of size: it never scrolls.
    if (!userView && size !== lastSize && (wall || lastSize === '' || !fitsView(L))) fit();
    lastSize = size;
    if (detailsId) showDetails(detailsId);
    if (hoverId) doHover(hoverId);
    if (query) doSearch();
    // The epoch too: a replay seek starts a new one at a seq seen before.
    ui.svg.dataset.seq = String(store.seq);
    ui.svg.dataset.epoch = store.epoch;
  } catch (err) {
    // Never leave a broken page: say what failed and keep the last picture.
    console.error(err);
    drawError = String(err?.message || err);
  }
  showBanner();
  const ms = performance.now() - t0;
  stats.renders++;
  stats.lastRenderMs = ms;
  stats.maxRenderMs = Math.max(stats.maxRenderMs, ms);
}

// --- connection -------------------------------------------------------------------
const conn = openSource({
  store,
  href: location.href,
  namespaces: selected,
  selector,
  WebSocket: window.WebSocket,
  firstPicture: (u) => takeFirst(u),
  onChange(change) {
    hooks?.change(change);
    // A snapshot's happenings are news already told: only a delta's count.
    if (change.type === 'delta' && change.happenings?.length) panel?.happened(change.happenings);
    if (change.happenings?.length) addHappenings(change.happenings);
    if (change.type === 'status') showBanner();
    else pacer.request();
  },
  onState(state, info) {
    connState = state;
    connInfo = info || {};
    showBanner();
  },
});
conn.start();
initClusterPicker();

// --- pan and zoom ---------------------------------------------------------------------
const view = { x: 0, y: 0, k: 1 };
function applyView() {
  renderer.root.setAttribute('transform', `translate(${view.x},${view.y}) scale(${view.k})`);
  ui.svg.dataset.zoom = view.k.toFixed(3);
}
// fitsView reports whether layout L is wholly on screen at the current view.
let svgSize = null; // from the ResizeObserver: reading it here forces no layout
function fitsView(L) {
  const r = svgSize || ui.svg.getBoundingClientRect();
  return view.x + L.width * view.k <= r.width + 1 && view.y + L.height * view.k <= r.height + 1 && view.x >= -1 && view.y >= -1;
}

function fit() {
  // The observed size: draw() fits after drawing, when a bounding-box read
  // would force the style and layout of everything just drawn, in the frame.
  const r = svgSize || ui.svg.getBoundingClientRect();
  if (!lastL || r.width === 0) return;
  // The whole picture, or the focused part of it (presenter.js).
  const box = hooks?.fitRect(lastL) || { x: 0, y: 0, w: lastL.width, h: lastL.height };
  const kw = r.width / box.w;
  let k = Math.min(kw, r.height / box.h, 1.5);
  // A very tall picture (thousands of pods) fits by width instead, top
  // first: a readable top beats an unreadable whole; pan to see the rest.
  // Not on a wall screen: it shows the whole.
  if (k < kw * 0.45 && !wall) k = kw;
  view.k = Math.max(0.05, k);
  view.x = (r.width - box.w * view.k) / 2 - box.x * view.k;
  view.y = Math.max(0, (r.height - box.h * view.k) / 2) - box.y * view.k;
  applyView();
}
function zoomAt(factor, cx, cy) {
  const k = Math.min(6, Math.max(0.05, view.k * factor));
  view.x = cx - ((cx - view.x) * k) / view.k;
  view.y = cy - ((cy - view.y) * k) / view.k;
  view.k = k;
  userView = true;
  applyView();
}
ui.svg.addEventListener('wheel', (ev) => {
  ev.preventDefault();
  const r = ui.svg.getBoundingClientRect();
  zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
}, { passive: false });
let drag = null;
ui.svg.addEventListener('pointerdown', (ev) => {
  if (ev.button !== 0) return;
  drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
});
window.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  const dx = ev.clientX - drag.x;
  const dy = ev.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) < 4) return;
  drag.moved = true;
  ui.svg.classList.add('panning');
  view.x = drag.vx + dx;
  view.y = drag.vy + dy;
  userView = true;
  applyView();
});
window.addEventListener('pointerup', () => {
  ui.svg.classList.remove('panning');
  setTimeout(() => {
    drag = null;
  });
});
new ResizeObserver((entries) => {
  const cr = entries[entries.length - 1]?.contentRect;
  if (cr) svgSize = { width: cr.width, height: cr.height };
  if (!userView) fit();
}).observe(ui.svg);
// reveal pans (keeping the zoom) so the entity id is in the middle.
function reveal(id) {
  const g = lastL?.pods.get(id) || lastL?.boxes.get(id) || lastL?.ghosts.find((x) => x.id === id);
  if (!g) return false;
  const r = ui.svg.getBoundingClientRect();
  const cx = g.w ? g.x + g.w / 2 : g.x;
  const cy = g.h ? g.y + g.h / 2 : g.y;
  view.x = r.width / 2 - cx * view.k;
  view.y = r.height / 2 - cy * view.k;
  userView = true;
  applyView();
  return true;
}
const centre = () => {
  const r = ui.svg.getBoundingClientRect();
  return [r.width / 2, r.height / 2];
};
$('[data-testid="fit"]').addEventListener('click', () => {
  userView = false;
  fit();
});
$('[data-testid="zoom-in"]').addEventListener('click', () => zoomAt(1.25, ...centre()));
$('[data-testid="zoom-out"]').addEventListener('click', () => zoomAt(0.8, ...centre()));
$('[data-testid="theme-toggle"]').addEventListener('click', toggleTheme);

// --- hover: the whole path lights up -------------------------------------------------
let hoverId = '';
// entityOf is the element of the entity under pointer event ev. A canvas
// lane's pods are not rendered: over its canvas the renderer finds the pod
// whose cell is at the pointer.
const onCanvas = (ev) => ev.target?.classList?.contains('cells');
const entityOf = (ev) => onCanvas(ev) ? renderer.canvasEntity(ev.target, ev.clientX, ev.clientY) : ev.target?.closest?.('[data-id], [data-lane], [data-group]');
const keyOf = (n) => n.getAttribute('data-id') || n.getAttribute('data-lane') || n.getAttribute('data-group');
function doHover(id) {
  renderer.highlight(withGroups(related(id, store.nodes, store.edges, lastL?.lanes, store.gen), lastL));
}
function hoverAt(ev) {
  if (drag?.moved) return;
  const n = entityOf(ev);
  const id = n ? keyOf(n) : '';
  if (id === hoverId) return;
  hoverId = id;
  if (id) doHover(id);
  else renderer.highlight(null);
}
ui.svg.addEventListener('pointerover', hoverAt);
// Over a lane canvas the pointer goes from cell to cell within one element.
ui.svg.addEventListener('pointermove', (ev) => {
  if (onCanvas(ev)) hoverAt(ev);
});
ui.svg.addEventListener('pointerleave', () => {
  hoverId = '';
  renderer.highlight(null);
});

// --- reachability (netpol layer): who may talk to the focused pod -----------------------
const reach = new ReachFetcher({
  fetch: (u) => fetch(withCluster(u, location.href), { headers: { Accept: 'application/json' } }),
  onResult() {
    schedule();
    if (detailsId) showDetails(detailsId);
  },
});
let lit = null; // reachSets of the focused pod, while lit
function drawReach() {
  const f = hooks?.focus;
  const want = layers.has('netpol') && (f?.kind === 'Pod' || f?.kind === 'Service') && store.nodes.has(f.id) ? f.id : '';
  reach.want(want);
  const st = want && reach.state?.pod === want ? reach.state : null;
  lit = st?.data && f.kind === 'Pod' ? reachSets(st.data, store.nodes) : null;
  renderer.markReach(lit);
  // A focused Service none of whose pods can be reached from the ingress
  // controller's namespace gets a flag.
  let cut = null;
  if (st?.data && f.kind === 'Service') {
    const selected = [...store.edges.values()].filter((e) => e.kind === 'selects' && e.from === f.id).map((e) => e.to);
    if (serviceCutOff(st.data, selected)) cut = { id: f.id, from: String(st.data.from || '') };
  }
  renderer.markUnreachable(cut);
}
const reachEl = document.createElement('section');
reachEl.className = 'details-reach';
reachEl.dataset.testid = 'reach';
reachEl.hidden = true;
ui.detailsBody.after(reachEl);

// --- details panel ---------------------------------------------------------------------
let detailsId = '';
function showDetails(id) {
  detailsId = id;
  ui.details.hidden = false;
  ui.details.dataset.id = id;
  const n = store.nodes.get(id);
  if (!n) {
    ui.detailsBody.innerHTML = `<p class="muted">${esc(t('details.missing'))}</p><p><code>${esc(id)}</code></p>`;
    return;
  }
  // A pod's section is its anatomy (anatomy.js), labels included; with
  // the netpol layer on and the pod in focus, who may talk to it.
  reachEl.hidden = true;
  if (n.kind === 'Pod') {
    showPodDetails(ui.detailsBody, n, store.edges, store.nodes);
    if (layers.has('netpol') && hooks?.focus?.id === id) {
      const html = reachHTML(reach.state?.pod === id ? reach.state : null);
      if (reachEl.innerHTML !== html) reachEl.innerHTML = html;
      reachEl.hidden = false;
    }
    return;
  }
  let s = `<h2><span class="kind">${esc(t('kind.' + n.kind))}</span> ${esc(n.name)}</h2><dl>`;
  for (const [k, v] of detailsRows(n)) s += `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`;
  s += '</dl>';
  // Pods show their warnings in their anatomy; every other kind here.
  const warns = warningRows(n);
  if (warns.length) {
    s += `<h3>${esc(t('details.warnings'))}</h3><ul class="warnings" data-testid="details-warnings">` +
      warns.map(([reason, message, last]) => `<li><strong>${esc(reason)}</strong> <time>${esc(formatTime(last))}</time><br>${esc(message)}</li>`).join('') + '</ul>';
  }
  ui.detailsBody.innerHTML = s;
}
ui.svg.addEventListener('click', (ev) => {
  if (drag?.moved) return;
  const n = entityOf(ev);
  if (!n || !n.hasAttribute('data-id')) return;
  showDetails(n.getAttribute('data-id'));
});
$('[data-testid="details-close"]').addEventListener('click', () => {
  detailsId = '';
  ui.details.hidden = true;
});

// --- search ----------------------------------------------------------------------------------
let query = '';
function doSearch() {
  if (!query) {
    renderer.highlight(null, 'match');
    ui.searchCount.textContent = '';
    return;
  }
  const ids = new Set();
  for (const n of store.nodes.values()) if (n.name?.toLowerCase().includes(query)) ids.add(n.id);
  renderer.highlight(withGroups({ ids, edgeIds: [] }, lastL), 'match');
  ui.searchCount.textContent = ids.size ? t('search.matches', { count: ids.size }) : t('search.none');
}
ui.search.addEventListener('input', () => {
  query = ui.search.value.trim().toLowerCase();
  doSearch();
});
ui.search.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter') {
    const first = ui.svg.querySelector('.match[data-id]');
    if (first) {
      reveal(first.getAttribute('data-id'));
      showDetails(first.getAttribute('data-id'));
    }
  } else if (ev.key === 'Escape') {
    ui.search.value = '';
    query = '';
    doSearch();
    ui.search.blur();
  }
});

// --- keyboard (presenter mode) -----------------------------------------------------------------
window.addEventListener('keydown', (ev) => {
  if (ev.target instanceof HTMLInputElement || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const layer = layerFor(ev);
  if (layer) {
    toggleLayer(layer);
    return;
  }
  switch (ev.key) {
    case '/':
      ev.preventDefault();
      ui.search.focus();
      break;
    case 'f':
      userView = false;
      fit();
      break;
    case 't':
      toggleTheme();
      break;
    case '+':
    case '=':
      zoomAt(1.25, ...centre());
      break;
    case '-':
      zoomAt(0.8, ...centre());
      break;
    case 'Escape':
      detailsId = '';
      ui.details.hidden = true;
      break;
  }
});

startFrameCounter(location.href, stats, requestAnimationFrame);

// For tests and tools: read-only views of the state.
// Presenter mode, focus, captions, keys, export and the latency readout see
// the page only through this.
hooks = installPresenter({
  store, renderer, svg: ui.svg, stage: ui.stage, view, schedule, reveal, showDetails,
  // The pods a focused pod may talk to join the focus (netpol layer).
  focusExtra: () => (lit ? new Set([...lit.in, ...lit.out]) : null),
  layout: () => lastL,
  get userView() { return userView; },
  autoFit() {
    userView = false;
    fit();
  },
  relabel() {
    chromeText();
    drawLegend();
    renderer.drawHeadings();
    for (const li of ui.ticker.children) {
      if (li.happening) li.querySelector('span').textContent = happeningText(li.happening);
    }
    if (!ui.ticker.querySelector('li[data-ref]')) ui.ticker.innerHTML = `<li class="ticker-empty">${esc(t('ticker.empty'))}</li>`;
    // Pod rows redraw only when their object changes; make them redraw.
    for (const it of renderer.items.pods.values()) it.p = null;
    pickerSync([]);
    panel?.draw();
    audience?.relabel();
    schedule();
  },
});

// --- the lesson (lesson.js) and the audience link (follow.js) ---------------------------------
let audience = null;
// The presenter's step, kept until the lesson is loaded, and whether the
// presenter's replay shows its happening.
let followStep = -1;
let followSought = false;
panel = new Panel({
  el: $('[data-testid="lesson"]'),
  lang: () => document.documentElement.lang,
  follower,
  apply(step) {
    if (step.focus) hooks.setFocus(step.focus);
    if (step.layers) setLayers(parseLayers(step.layers.join(',')).layers);
  },
  seek(marker) {
    fetch(new URL('api/replay', location.href), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'seek', happening: marker }) })
      .catch(() => {}); // the replay bar's next poll shows where it is
  },
  moved: () => audience?.changed(),
});
// ← and → move between the lesson's steps while there is one; without one
// they stay presenter.js's (a replay's happenings). Capture, to come first.
window.addEventListener('keydown', (ev) => {
  const a = actionFor(ev);
  if ((a !== 'prev' && a !== 'next') || !panel.has || follower) return;
  ev.preventDefault();
  ev.stopImmediatePropagation();
  panel.move(a === 'next' ? 1 : -1);
}, true);
// The file is re-read by the server when it changes: ask again now and
// then, so a fix (or a new mistake) shows mid-talk. No lesson: stop asking.
async function pollLesson() {
  try {
    const st = await fetchLesson(fetch, location.href);
    panel.take(st);
    if (follower && followStep >= 0) panel.show(followStep, followSought);
    if (st === null) return;
  } catch {
    // the server is away: the banner says so; try again
  }
  setTimeout(pollLesson, 5000);
}
pollLesson();
audience = installAudience({
  doc: document, base: location.href, secret: lead.secret, follower, t, fetchImpl: (u, o) => fetch(u, o),
  state: () => ({ step: panel.has ? panel.lesson.index : -1, focus: hooks.focus?.id || '', layers, presenter: body.dataset.presenter === 'true', marker: panel.has ? panel.lesson.marker() : -1 }),
  apply(st) {
    hooks.setPresenter(!!st.presenter);
    hooks.setFocus(st.focus || '');
    setLayers(parseLayers((st.layers || []).join(',')).layers, false);
    followStep = st.step;
    followSought = st.marker >= 0;
    panel.show(st.step, followSought);
  },
});

window.podium = { store, stats, view, get layout() { return lastL; }, get layers() { return formatLayers(layers); }, get lesson() { return panel.lesson; }, fit, reveal };
pickerSync([]);
layersSync();
showBanner();
schedule();
