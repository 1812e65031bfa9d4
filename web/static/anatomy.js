// Pod anatomy (issue 12): a pod drawn as the tutorial draws it. Its init
// containers in order, its sidecars and app containers side by side inside
// one box (the sandbox, whose network namespace the pause container holds),
// that box inside its node, and beside it the pod's service account, the
// objects it references by name and its recent warnings.
//
// Two places show it: the details panel (podDetailsHTML, set by app.js) and,
// in presenter mode, a focused pod filling the stage (StageView, driven by
// presenter.js). Both are built from one model (anatomyModel), a pure
// function of the pod, the graph's edges and nodes, so node --test checks
// what is shown, cut and escaped without a browser. Everything that comes
// from the cluster goes through esc() before it reaches markup.

import { ellipsize, formatTime, idParts, podState, shortImage } from './format.js';
import { t } from './i18n.js';
import { esc } from './render.js';

// Limits on what is drawn. The panel scrolls, so it shows much (the server
// already keeps at most 16 containers per list and 8 ports per container);
// the stage must fit a 1280×720 projector with nothing cut, so it shows a
// few and says how many more there are.
// text, msg and headline are character budgets of names, warning messages
// and the headline (0: whole, wrapped).
export const PANEL_LIMITS = { init: 16, run: 16, ports: 8, refs: 50, warnings: 5, text: 0, msg: 0, headline: 0 };
export const STAGE_LIMITS = { init: 3, run: 4, ports: 3, refs: 3, warnings: 1, text: 40, msg: 120, headline: 200 };
// When a pod does not fit the stage even so (long names wrap, Chinese runs
// longer), the stage steps down through these until it does.
export const STAGE_STEPS = [
  STAGE_LIMITS,
  { ...STAGE_LIMITS, init: 2, run: 3, refs: 2, msg: 60 },
  { ...STAGE_LIMITS, init: 1, run: 2, ports: 2, refs: 1, warnings: 0, text: 24, headline: 100 },
];

// Waiting reasons that mean the container cannot start by itself; drawn as
// failures, like format.js's pod states.
const BAD_WAITING = new Set([
  'CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError',
  'CreateContainerError', 'RunContainerError', 'StartError', 'ErrImageNeverPull', 'PreStartHookError', 'PostStartHookError',
]);

// How a mounts edge references its object (its "as", informers/graph/types.go
// MountVolume…), as the viewer reads it.
const AS_TEXT = {
  volume: 'anatomy.as.volume',
  projected: 'anatomy.as.projected',
  env: 'anatomy.as.env',
  envFrom: 'anatomy.as.envFrom',
};

const KIND_TEXT = {
  ConfigMap: 'anatomy.kind.ConfigMap',
  Secret: 'anatomy.kind.Secret',
  PersistentVolumeClaim: 'anatomy.kind.PersistentVolumeClaim',
};

// Reference kinds in the order they are listed: config, then storage.
const REF_ORDER = ['ConfigMap', 'Secret', 'PersistentVolumeClaim'];

const int = (v) => (Number.isFinite(Number(v)) ? Math.max(0, Math.trunc(Number(v))) : 0);
const list = (v) => (Array.isArray(v) ? v : []);

// cut keeps the first max items of xs; more counts the rest plus extra (items
// the server already left off).
export function cut(xs, max, extra = 0) {
  const shown = xs.slice(0, Math.max(0, max));
  return { shown, more: xs.length - shown.length + int(extra) };
}

// clip shortens a cluster string for the stage (max > 0) and keeps the whole
// of it for a tooltip; the panel wraps instead (max 0).
function clip(s, max) {
  const full = String(s ?? '');
  return { text: max > 0 ? ellipsize(full, max) : full, full };
}

// portText is one declared port: "8080", "53/UDP", with its host port.
export function portText(p) {
  const proto = p?.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : '';
  const port = `${int(p?.port)}${proto}`;
  return p?.hostPort ? t('anatomy.port.host', { port, hostPort: int(p.hostPort) }) : port;
}

// stateOf reads a container's state as {tone, text}: tone colours it (ok,
// wait, bad, done, unknown) and text says it, so colour only repeats the
// words.
export function stateOf(c) {
  const reason = String(c?.reason || '');
  switch (c?.state) {
    case 'running':
      // An init container that is not a sidecar has no readiness: it runs
      // to completion.
      return { tone: c.ready || c.kind === 'init' ? 'ok' : 'warn', text: t('anatomy.state.running') };
    case 'waiting':
      return {
        tone: BAD_WAITING.has(reason) ? 'bad' : 'wait',
        text: reason ? t('anatomy.state.waitingReason', { reason }) : t('anatomy.state.waiting'),
      };
    case 'terminated': {
      const known = Number.isInteger(c.exitCode);
      const code = known ? String(c.exitCode) : '?';
      const ok = known && c.exitCode === 0;
      return {
        tone: ok ? 'done' : 'bad',
        text: reason ? t('anatomy.state.terminatedReason', { reason, code }) : t('anatomy.state.terminated', { code }),
      };
    }
    default:
      return { tone: 'unknown', text: t('anatomy.state.unknown') };
  }
}

// containerView is one container as drawn. kind is init, sidecar or app;
// order is its 1-based place among the init containers (0 for apps).
function containerView(c, kind, order, lim) {
  const name = clip(c?.name || '?', lim.text);
  const image = clip(shortImage(c?.image || ''), lim.text);
  const ports = cut(list(c?.ports).filter((p) => p && typeof p === 'object'), lim.ports);
  const v = {
    kind,
    order,
    name: name.text,
    fullName: name.full,
    image: image.text,
    fullImage: String(c?.image || ''),
    state: String(c?.state || ''),
    ready: !!c?.ready,
    restarts: int(c?.restarts),
    ports: ports.shown.map((p) => ({ text: portText(p), port: int(p.port), hostPort: int(p.hostPort), name: String(p.name || '') })),
    morePorts: ports.more,
  };
  const st = stateOf({ ...c, kind });
  v.tone = st.tone;
  v.stateText = st.text;
  return v;
}

// refsOf lists the objects pod references, from its mounts edges: kind,
// name, id, how (as), by which containers, and whether the pod's status says
// the object is missing. Missing ones first: they are why a pod is stuck.
export function refsOf(podId, edges) {
  const out = [];
  for (const e of edges instanceof Map ? edges.values() : list(edges)) {
    if (e?.kind !== 'mounts' || e.from !== podId) continue;
    const { kind, name } = idParts(e.to);
    out.push({
      id: String(e.to),
      kind,
      name,
      as: String(e.as || '').split(',').filter(Boolean),
      containers: list(e.containers).map(String),
      broken: !!e.broken,
    });
  }
  const rank = (k) => (REF_ORDER.includes(k) ? REF_ORDER.indexOf(k) : REF_ORDER.length);
  return out.sort((a, b) => Number(b.broken) - Number(a.broken) || rank(a.kind) - rank(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// warningsOf sorts warnings newest first (the server does; a stale or hand
// made graph may not).
export function warningsOf(n) {
  const ms = (w) => {
    const x = new Date(w?.last).getTime();
    return Number.isNaN(x) ? 0 : x;
  };
  return list(n?.warnings).filter((w) => w && typeof w === 'object').slice().sort((a, b) => ms(b) - ms(a) || String(a.reason).localeCompare(String(b.reason)));
}

// anatomyModel is everything the anatomy shows of pod, cut to lim. edges and
// nodes are the graph's (Maps or arrays).
export function anatomyModel(pod, edges, nodes, lim = PANEL_LIMITS) {
  const inits = list(pod?.initContainers);
  const apps = list(pod?.containers);
  // Wave-1 recordings carry a count instead of the list: draw that many
  // containers we know nothing about.
  const oldCount = typeof pod?.containers === 'number' ? int(pod.containers) : 0;

  const initViews = [];
  const sidecars = [];
  inits.forEach((c, i) => {
    if (c?.sidecar) sidecars.push(containerView(c, 'sidecar', i + 1, lim));
    else initViews.push(containerView(c, 'init', i + 1, lim));
  });
  const running = [...sidecars, ...apps.map((c) => containerView(c, 'app', 0, lim))];
  for (let i = 0; i < Math.min(oldCount, lim.run); i++) running.push(containerView({ image: list(pod?.images)[i] }, 'app', 0, lim));

  const init = cut(initViews, lim.init, pod?.moreInitContainers);
  const run = cut(running, lim.run, int(pod?.moreContainers) + Math.max(0, oldCount - lim.run));

  const nodeId = String(pod?.node || '');
  const nodeObj = nodes instanceof Map ? nodes.get(nodeId) : list(nodes).find((n) => n?.id === nodeId);
  const hostIP = String(pod?.hostIP || nodeObj?.internalIP || '');
  const hostPorts = [];
  for (const c of [...inits, ...apps]) {
    for (const p of list(c?.ports)) {
      if (p?.hostPort) hostPorts.push({ container: String(c?.name || '?'), port: int(p.port), hostPort: int(p.hostPort), protocol: String(p.protocol || '') });
    }
  }
  const hp = cut(hostPorts, lim.ports);

  const refs = cut(refsOf(pod?.id, edges || []), lim.refs);
  const warnings = warningsOf(pod);
  const st = podState(pod);
  // A Pending pod's first question is why: the scheduler's message, or else
  // its newest warning, is the headline.
  let headline = null;
  if (st === 'pending' || st === 'failed' || st === 'creating') {
    headline = (st === 'pending' && warnings.find((w) => w.reason === 'FailedScheduling')) || warnings[0] || null;
  }
  // The headline is not repeated in the list below it.
  const ws = cut(warnings.filter((w) => w !== headline), lim.warnings);

  return {
    id: String(pod?.id || ''),
    name: String(pod?.name || ''),
    namespace: String(pod?.namespace || ''),
    status: String(pod?.status || ''),
    state: st,
    readyContainers: int(pod?.readyContainers),
    // As kubectl counts READY: sidecars are counted with the app containers.
    total: apps.length + int(pod?.moreContainers) + oldCount + sidecars.length,
    restarts: int(pod?.restarts),
    ip: String(pod?.ip || ''),
    hostNetwork: !!pod?.hostNetwork,
    node: nodeId ? idParts(nodeId).name : '',
    nodeId,
    hostIP,
    hostPorts: hp.shown,
    moreHostPorts: hp.more,
    serviceAccount: String(pod?.serviceAccount || ''),
    init: init.shown,
    moreInit: init.more,
    run: run.shown,
    moreRun: run.more,
    refs: refs.shown,
    moreRefs: refs.more,
    headline,
    warnings: ws.shown,
    moreWarnings: ws.more,
  };
}

// ---------------------------------------------------------------------------
// Markup. Every value from the cluster passes through esc(); attributes are
// quoted. The panel and the stage share it: anatomy.css sizes each.

const title = (full, shown) => (full !== shown ? ` title="${esc(full)}"` : '');

function containerHTML(c) {
  // The space before the badge lets a narrow card wrap before it rather than
  // inside the name.
  const badge = c.kind === 'sidecar' ? `<span class="anat-badge">${esc(t('anatomy.sidecar'))}</span>` : '';
  const order = c.order ? `<span class="anat-order" aria-label="${esc(t('anatomy.order', { n: c.order }))}">${c.order}</span>` : '';
  // Readiness is a sidecar's and an app container's; an init container has
  // none (it runs to completion).
  const facts = [`<span class="anat-state" data-testid="container-state">${esc(c.stateText)}</span>`];
  if (c.kind !== 'init') facts.push(`<span class="anat-ready" data-ready="${c.ready}">${esc(t(c.ready ? 'anatomy.ready' : 'anatomy.notReady'))}</span>`);
  if (c.restarts || c.kind !== 'init') facts.push(`<span class="anat-restarts" data-restarts="${c.restarts}">${esc(t('anatomy.restarts', { count: c.restarts }))}</span>`);
  let ports = '';
  if (c.ports.length) {
    ports = `<p class="anat-ports"><span class="anat-k">${esc(t('anatomy.ports'))}</span> ` +
      c.ports.map((p) => `<span class="anat-port" data-port="${p.port}"${p.hostPort ? ` data-host-port="${p.hostPort}"` : ''}${p.name ? ` title="${esc(p.name)}"` : ''}>${esc(p.text)}</span>`).join(' ') +
      (c.morePorts ? ` <span class="anat-more">${esc(t('anatomy.more', { count: c.morePorts }))}</span>` : '') + '</p>';
  }
  return `<li class="anat-c" data-container="${esc(c.fullName)}" data-kind="${c.kind}" data-state="${esc(c.state)}" data-tone="${c.tone}">` +
    `<p class="anat-name">${order}<b${title(c.fullName, c.name)}>${esc(c.name)}</b> ${badge}</p>` +
    (c.image ? `<p class="anat-image"${title(c.fullImage, c.image)}>${esc(c.image)}</p>` : '') +
    `<p class="anat-facts">${facts.join('<span class="anat-sep" aria-hidden="true"> · </span>')}</p>` +
    ports + '</li>';
}

function moreHTML(count, id) {
  return count ? `<p class="anat-more" data-testid="${id}" data-count="${count}">${esc(t('anatomy.moreContainers', { count }))}</p>` : '';
}

// podBoxHTML is the sandbox: the init containers in order, then the
// containers that run together, then what holds them together.
function podBoxHTML(m) {
  let s = `<div class="anat-pod" data-testid="anatomy-pod"><p class="anat-box-head"><span class="anat-tag">${esc(t('kind.Pod'))}</span> ` +
    `<span data-testid="anatomy-pod-ip">${esc(m.ip ? t('anatomy.podIP', { ip: m.ip }) : t('anatomy.noIP'))}</span></p>`;
  if (m.init.length || m.moreInit) {
    s += `<div class="anat-group" data-group="init"><p class="anat-h">${esc(t('anatomy.init'))}</p>` +
      `<ol class="anat-list anat-init">${m.init.map(containerHTML).join('<li class="anat-arrow" aria-hidden="true">→</li>')}</ol>${moreHTML(m.moreInit, 'anatomy-more-init')}</div>`;
  }
  s += `<div class="anat-group" data-group="run"><p class="anat-h">${esc(t('anatomy.running'))}</p>` +
    (m.run.length ? `<ul class="anat-list anat-run">${m.run.map(containerHTML).join('')}</ul>` : `<p class="muted">${esc(t('details.none'))}</p>`) +
    `${moreHTML(m.moreRun, 'anatomy-more-run')}</div>`;
  const sandbox = m.hostNetwork
    ? t('anatomy.sandbox.hostNetwork', { ip: m.hostIP || m.ip || t('anatomy.ipUnknown') })
    : t('anatomy.sandbox', { ip: m.ip || t('anatomy.ipUnknown') });
  s += `<p class="anat-sandbox" data-testid="anatomy-sandbox" data-host-network="${m.hostNetwork}">` +
    `<span class="anat-pause">${esc(t('anatomy.pause'))}</span> ${esc(sandbox)}</p></div>`;
  return s;
}

function nodeHeadHTML(m) {
  const where = m.node
    ? `<span class="anat-tag">${esc(t('kind.Node'))}</span> <b>${esc(m.node)}</b> <span data-testid="anatomy-node-ip">${esc(m.hostIP ? t('anatomy.nodeIP', { ip: m.hostIP }) : t('anatomy.noIP'))}</span>`
    : `<span class="anat-tag">${esc(t('kind.Node'))}</span> <span>${esc(t('anatomy.unscheduled'))}</span>`;
  return `<p class="anat-box-head" data-testid="anatomy-node-head" data-node="${esc(m.node)}">${where}</p>`;
}

function sideHTML(m, lim) {
  let s = `<section class="anat-facts-node" data-testid="anatomy-host"><h3>${esc(t('anatomy.nodeSide'))}</h3>` +
    `<p data-testid="anatomy-host-network" data-on="${m.hostNetwork}">${esc(t(m.hostNetwork ? 'anatomy.hostNetwork.on' : 'anatomy.hostNetwork.off'))}</p>`;
  if (m.hostPorts.length) {
    s += `<p class="anat-k">${esc(t('anatomy.hostPorts'))}</p><ul class="anat-plain" data-testid="anatomy-host-ports">` +
      m.hostPorts.map((p) => {
        const proto = p.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : '';
        const addr = `${m.hostIP || t('anatomy.nodeAddr')}:${p.hostPort}${proto}`;
        return `<li data-host-port="${p.hostPort}">${esc(t('anatomy.hostEntry', { addr, container: clip(p.container, lim.text).text, port: p.port }))}</li>`;
      }).join('') +
      (m.moreHostPorts ? `<li class="anat-more">${esc(t('anatomy.more', { count: m.moreHostPorts }))}</li>` : '') + '</ul>';
  } else {
    s += `<p class="muted">${esc(t('anatomy.noHostPorts'))}</p>`;
  }
  s += '</section>';

  const sa = clip(m.serviceAccount, lim.text);
  s += `<section><h3>${esc(t('anatomy.serviceAccount'))}</h3><p data-testid="anatomy-sa"${title(sa.full, sa.text)}>${esc(sa.text || t('details.none'))}</p></section>`;

  s += `<section><h3>${esc(t('anatomy.refs'))}</h3>`;
  if (m.refs.length) {
    s += '<ul class="anat-plain anat-refs" data-testid="anatomy-refs">' + m.refs.map((r) => {
      const name = clip(r.name, lim.text);
      const how = r.as.map((a) => t(AS_TEXT[a] || 'anatomy.as.other', { as: a })).join(', ');
      const who = r.containers.length ? t('anatomy.usedBy', { list: r.containers.map((c) => clip(c, lim.text).text).join(', ') }) : '';
      return `<li data-ref="${esc(r.id)}" data-broken="${r.broken}"><span class="anat-tag">${esc(KIND_TEXT[r.kind] ? t(KIND_TEXT[r.kind]) : r.kind)}</span> ` +
        `<b${title(name.full, name.text)}>${esc(name.text)}</b>` +
        (r.broken ? ` <span class="anat-broken">${esc(t('anatomy.broken'))}</span>` : '') +
        `<span class="anat-how">${esc([how, who].filter(Boolean).join(' · '))}</span></li>`;
    }).join('') + (m.moreRefs ? `<li class="anat-more">${esc(t('anatomy.more', { count: m.moreRefs }))}</li>` : '') + '</ul>';
  } else {
    s += `<p class="muted">${esc(t('details.none'))}</p>`;
  }
  s += '</section>';

  if (m.warnings.length || m.moreWarnings) {
    s += `<section><h3>${esc(t('anatomy.warnings'))}</h3><ol class="anat-plain anat-warnings" data-testid="anatomy-warnings">` +
      m.warnings.map((w) => warningHTML(w, lim)).join('') +
      (m.moreWarnings ? `<li class="anat-more">${esc(t('anatomy.more', { count: m.moreWarnings }))}</li>` : '') + '</ol></section>';
  }
  return s;
}

function warningHTML(w, lim) {
  const msg = clip(w.message, lim.msg);
  const count = int(w.count) > 1 ? ` <span class="anat-count">${esc(t('anatomy.times', { count: int(w.count) }))}</span>` : '';
  const when = w.last ? ` <time datetime="${esc(w.last)}">${esc(formatTime(w.last))}</time>` : '';
  return `<li data-reason="${esc(w.reason)}"><b>${esc(w.reason)}</b>${count}${when}<span class="anat-msg"${title(msg.full, msg.text)}>${esc(msg.text)}</span></li>`;
}

function headlineHTML(m, lim) {
  if (!m.headline) return '';
  const msg = clip(m.headline.message, lim.headline);
  return `<p class="anat-headline" data-testid="anatomy-headline" data-reason="${esc(m.headline.reason)}">` +
    `<b>${esc(m.headline.reason)}</b> <span${title(msg.full, msg.text)}>${esc(msg.text)}</span></p>`;
}

// anatomyHTML is the anatomy of model m: variant "panel" (the details
// panel's width, stacked) or "stage" (presenter mode, side by side).
export function anatomyHTML(m, variant = 'panel', lim = variant === 'stage' ? STAGE_LIMITS : PANEL_LIMITS) {
  const node = `<div class="anat-node" data-testid="anatomy-node">${nodeHeadHTML(m)}${podBoxHTML(m)}</div>`;
  let head = '';
  if (variant === 'stage') {
    const name = clip(m.namespace ? `${m.namespace}/${m.name}` : m.name, lim.text * 2);
    head = `<header class="anat-title"><span class="anat-tag">${esc(t('kind.Pod'))}</span> <b${title(name.full, name.text)}>${esc(name.text)}</b> ` +
      `<span class="anat-status" data-state="${esc(m.state)}">${esc(m.status || '?')}</span> ` +
      `<span class="anat-ready-count">${esc(t('anatomy.readyCount', { ready: m.readyContainers, total: m.total }))}</span></header>`;
  }
  return `<div class="anatomy" data-testid="anatomy" data-variant="${variant}" data-for="${esc(m.id)}" data-state="${esc(m.state)}">` +
    head + headlineHTML(m, lim) +
    `${node}<div class="anat-side">${sideHTML(m, lim)}</div></div>`;
}

// podDetailsHTML is the details panel's whole body for a Pod: its name, the
// kubectl-style facts, the anatomy and its labels.
export function podDetailsHTML(pod, edges, nodes) {
  const m = anatomyModel(pod, edges, nodes, PANEL_LIMITS);
  const rows = [
    [t('field.status'), m.status || '?'],
    [t('anatomy.readyLabel'), t('anatomy.readyCount', { ready: m.readyContainers, total: m.total })],
    [t('field.restarts'), String(m.restarts)],
  ];
  if (pod?.owner) rows.push([t('field.owner'), String(pod.owner)]);
  if (m.namespace) rows.push([t('details.namespace'), m.namespace]);
  if (pod?.created) rows.push([t('field.created'), String(pod.created)]);
  rows.push([t('details.id'), m.id]);
  if (pod?.uid) rows.push([t('details.uid'), String(pod.uid)]);
  let s = `<h2><span class="kind">${esc(t('kind.Pod'))}</span> ${esc(m.name)}</h2><dl>`;
  for (const [k, v] of rows) s += `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`;
  s += '</dl>';
  s += anatomyHTML(m, 'panel');
  const labels = Object.entries(pod?.labels && typeof pod.labels === 'object' ? pod.labels : {}).sort();
  s += `<h3>${esc(t('details.labels'))}</h3>`;
  s += labels.length
    ? `<ul class="labels" data-testid="details-labels">${labels.map(([k, v]) => `<li><code>${esc(k)}=${esc(v)}</code></li>`).join('')}</ul>`
    : `<p class="muted">${esc(t('details.none'))}</p>`;
  return s;
}

// ---------------------------------------------------------------------------
// DOM side: the only code here that touches the page.

let cssLink = null;
// ensureCSS links anatomy.css beside this module (same ?v= as the module, no
// change to the page shell; the CSP admits 'self' style sheets) and returns
// the link.
function ensureCSS(doc) {
  if (cssLink) return cssLink;
  cssLink = doc.createElement('link');
  cssLink.rel = 'stylesheet';
  cssLink.href = new URL('./anatomy.css', import.meta.url).toString();
  doc.head.appendChild(cssLink);
  return cssLink;
}

// setHTML replaces el's content only when the markup changed: the panel is
// redrawn on every change of the graph, and rewriting an unchanged pod would
// lose the viewer's text selection for nothing.
function setHTML(el, html) {
  if (el.anatomyHTML === html && el.firstElementChild) return false;
  el.innerHTML = html;
  el.anatomyHTML = html;
  return true;
}

// showPodDetails fills the details panel's body el with pod.
export function showPodDetails(el, pod, edges, nodes) {
  ensureCSS(el.ownerDocument);
  const html = podDetailsHTML(pod, edges, nodes);
  // Another kind's details were drawn in between (app.js sets innerHTML,
  // which leaves anatomyHTML stale): start afresh.
  if (!el.querySelector('.anatomy')) el.anatomyHTML = '';
  setHTML(el, html);
}

// StageView is the focused pod drawn large over the stage in presenter mode.
export class StageView {
  constructor(stage) {
    const css = ensureCSS(stage.ownerDocument);
    this.stage = stage;
    this.last = null;
    // What fits depends on the style sheet and the window: measure again
    // once the sheet has loaded, and when the window changes size.
    const refit = () => {
      this.drawn = '';
      if (this.last) this.update(...this.last);
    };
    css.addEventListener('load', refit);
    stage.ownerDocument.defaultView?.addEventListener('resize', refit);
    this.el = stage.ownerDocument.createElement('div');
    this.el.className = 'anat-stage';
    this.el.dataset.testid = 'anatomy-stage';
    this.el.hidden = true;
    stage.appendChild(this.el);
  }

  // update draws pod (or hides the view when pod is null).
  update(pod, edges, nodes) {
    this.last = pod ? [pod, edges, nodes] : null;
    if (!pod) {
      if (!this.el.hidden) {
        this.el.hidden = true;
        this.el.innerHTML = '';
        this.el.anatomyHTML = '';
        this.drawn = '';
        delete this.stage.dataset.anatomy;
      }
      return;
    }
    this.el.hidden = false;
    this.stage.dataset.anatomy = 'true';
    const first = anatomyHTML(anatomyModel(pod, edges, nodes, STAGE_STEPS[0]), 'stage', STAGE_STEPS[0]);
    if (first === this.drawn && this.el.firstElementChild) return;
    this.drawn = first;
    // Measuring forces a layout, but only when the pod changed.
    for (let i = 0; i < STAGE_STEPS.length; i++) {
      const lim = STAGE_STEPS[i];
      setHTML(this.el, i === 0 ? first : anatomyHTML(anatomyModel(pod, edges, nodes, lim), 'stage', lim));
      this.el.dataset.step = String(i);
      if (!this.overflows()) break;
    }
  }

  overflows() {
    const e = this.el;
    return e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1;
  }
}
