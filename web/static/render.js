// SVG renderer: reconciles the layout into one <svg>, keyed by protocol id,
// and animates entry, exit and state changes. The markup builders at the top
// are pure strings (tested in node); the Renderer class is the only DOM code.
//
// DOM contract (docs/protocol.md): every drawn entity has data-id and, where
// it has one, data-status; every drawn edge has data-edge. Objects on their
// way out lose data-id/data-edge at once (they keep data-leaving), so tests
// and tools never see a deleted object as present.

import { CANVAS_CELLS_ABOVE, CanvasLane, cellGeom, paletteOf } from './canvaslane.js';
import { Marks, markTargets } from './marks.js';
import { ellipsize, ellipsizeLine, fitText, longestWord, podState, POD_STATES, rsHash, shortImage, shortPodName, textScaleNow, textWidth, wrapText } from './format.js';
import { dashboardRules, entryPoints, GEOM, ingressRuleText, layerOf } from './layout.js';
import { t } from './i18n.js';
import { edgeLabel } from './edgelabel.js';
import { gatewayMarkup, gatewayStatus, isGatewayKind } from './gateway.js';
import { CUSTOM_BOX, customOwnerMarkup } from './customowner.js';
import {
  boxFacts, deploymentInfo, deploymentProgress, endpointStates, serviceSummary, ingressLine, jobLine, jobProgress, jobStatus, laneStatus, limitLine,
  namespaceStatus, nodeCapacityLine, nodeFull, nodeTrouble, podWarningLine, quotaFill, saLine, serviceLines, setLine,
  nodeExtraLine, warningBadge,
} from './status.js';

import { nodeGroupAttrs, nodeGroupMarkup, wireNodeGroup } from './nodegroups.js';

const SVGNS = 'http://www.w3.org/2000/svg';

// G is the geometry of the layout being drawn (L.geom: GEOM on the
// dashboard, measured in presenter type); Renderer.render sets it.
let G = GEOM;

// REF_KINDS are drawn in the reference column's layer (and the cluster
// column's storage), above the edges.
const REF_KINDS = new Set(['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass',
  'ServiceAccount', 'Role', 'ClusterRole', 'User', 'Group', 'NetworkPolicy', 'PodDisruptionBudget']);

export const esc = (s) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// glyph returns a pod's state shape centred on 0,0: the shape alone tells the
// state (filled, half, dotted, dashed, cross…), the colour only repeats it.
export function glyph(state, r) {
  const ring = (cls = '') => `<circle class="g-ring ${cls}" r="${r}"/>`;
  switch (state) {
    case 'ready':
      return `<circle class="g-halo" r="${r + 4}"/><circle class="g-fill" r="${r}"/><path class="g-mark" d="M${-r * 0.45},0 L${-r * 0.1},${r * 0.35} L${r * 0.45},${-r * 0.3}"/>`;
    case 'notready':
      return `${ring()}<path class="g-fill" d="M0,${-r} A${r},${r} 0 0,1 0,${r} Z"/>`;
    case 'pending':
      return `${ring('dotted')}<circle class="g-dot" cx="${-r * 0.4}" r="${r * 0.13}"/><circle class="g-dot" r="${r * 0.13}"/><circle class="g-dot" cx="${r * 0.4}" r="${r * 0.13}"/>`;
    case 'creating':
      return `<g class="g-spin">${ring('dashed')}</g><circle class="g-fill" r="${r * 0.35}"/>`;
    case 'terminating':
      return `${ring('dashed')}<path class="g-stroke" d="M${-r * 0.45},0 H${r * 0.45}"/>`;
    case 'failed':
      return `${ring()}<path class="g-stroke" d="M${-r * 0.4},${-r * 0.4} L${r * 0.4},${r * 0.4} M${r * 0.4},${-r * 0.4} L${-r * 0.4},${r * 0.4}"/>`;
    case 'completed':
      return `${ring('thin')}<path class="g-stroke" d="M${-r * 0.45},0 L${-r * 0.1},${r * 0.35} L${r * 0.45},${-r * 0.3}"/>`;
    default:
      return ring();
  }
}

// --- text that fits -----------------------------------------------------------
// The wave-2 boxes cut their text by width, not by a count of characters:
// presenter mode draws it much larger (presenter.css: at least 20 px on
// screen), and Chinese characters are twice as wide as Latin ones.

// textWidth and fitText live in format.js (one home for measuring text);
// re-exported for the modules and tests that take them from here.
export { fitText, textWidth };

// fontPx is the size a text is drawn at, in layout units: its size on the
// dashboard (style.css), or in presenter mode at least presenter.css's
// (20 px on screen, which the text scale says in units; titles 26, big
// titles 28, pod names 22).
const BASE_PX = { title: 16, big: 20, sub: 14.5, small: 13.5, pod: 15, status: 14, label: 14, badge: 12.5 };
// Presenter type, in layout units: the layout sizes the boxes for it and the
// picture is fitted at a zoom of at least 1 (presenter.js), so on screen
// it is at least this (presenter.css sets the same sizes).
export const PRESENTER_PX = Object.freeze({ title: 26, big: 28, pod: 22, body: 20 });
export function fontPx(kind) {
  if (!presenting()) return BASE_PX[kind];
  return PRESENTER_PX[kind] || PRESENTER_PX.body;
}
const presenting = () => textScaleNow() > 1;

// titleText is a box's title: cut by characters on the dashboard, and by
// width in presenter type (which grows as the picture is zoomed out).
function titleText(s, max, w, kind = 'title') {
  return presenting() ? fitText(s, w, fontPx(kind), { bold: true }) : ellipsize(s, max);
}

// lineText is a box's detail line: ellipsizeLine's character budget on the
// dashboard, and cut by width in presenter type (CJK is twice as wide).
function lineText(s, max, w, kind = 'sub') {
  return presenting() ? fitText(s, w, fontPx(kind)) : ellipsizeLine(s, max);
}

// stackLines places a box's text lines in presenter type. Presenter type
// grows as the picture is zoomed out while the boxes keep their layout
// height, so lines at the dashboard's fixed offsets would land on each
// other: here each line stands below the one above by its own font size,
// from the top of the room (top to top + h), and lines that do not fit are
// dropped, details before status before the title. lines are in reading
// order, each {px, rank (0 is kept first), y (its dashboard baseline),
// hidden (presenter.css hides it: takes no room), draw(y) → markup}.
// Outside presenter mode every line keeps its dashboard y.
// A line's em box is about [baseline − 0.89 px, baseline + 0.11 px] in the
// page's fonts (Latin and CJK alike).
function stackLines(lines, h, top = 0, pad = 6) {
  if (!presenting()) return lines.map((l) => l.draw(l.y)).join('');
  const gap = (l) => Math.max(3, l.px * 0.12);
  const height = (set) => set.reduce((sum, l, i) => sum + l.px + (i ? gap(l) : 0), 0);
  const keep = new Set();
  const byRank = lines.map((l, i) => [l, i]).filter(([l]) => !l.hidden).sort((a, b) => a[0].rank - b[0].rank || a[1] - b[1]);
  for (const [l] of byRank) {
    const next = lines.filter((x) => keep.has(x) || x === l);
    if (height(next) <= h - 2 * pad) keep.add(l);
  }
  let y = top + pad;
  let out = '';
  let first = true;
  for (const l of lines) {
    if (!keep.has(l)) continue;
    if (!first) y += gap(l);
    first = false;
    out += l.draw(Math.round(y + l.px * 0.89));
    y += l.px;
  }
  return out;
}

// --- presenter type ---------------------------------------------------------
// In presenter type a box is sized from its text (the layout asks
// presenterType below) and drawn by the same specs, so what was measured
// is what is drawn: every line wrapped to the box's width, never cut
// (wrapText). A spec is {px, text, cls, bold, fact, x, bar, attrs}: fact
// names what the line carries (data-fact: the node, ports, endpoints, ip,
// rollout, image, rule), which the fit test holds to being drawn whole.

const lineH = (px) => Math.round(px * 1.22);
const PAD = 8;
const ROW_PX = PRESENTER_PX.pod;

// block wraps specs into lines from top, in a box w wide whose text starts
// at x: {h (the bottom, with its padding), lines: [{spec, text, y}]}.
function block(specs, w, top = PAD) {
  let y = top;
  const lines = [];
  for (const sp of specs) {
    if (!sp || sp.skip) continue;
    if (sp.bar) {
      lines.push({ spec: sp, y: y + 4 });
      y += sp.bar + 8;
      continue;
    }
    // A detail line (cut: it carries no fact) takes one line, cut to it.
    for (const text of sp.cut ? [fitText(sp.text, w, sp.px, { bold: sp.bold })] : wrapText(sp.text, w, sp.px, sp.bold)) {
      lines.push({ spec: sp, text, y: Math.round(y + sp.px * 0.9) });
      y += lineH(sp.px);
    }
  }
  return { h: Math.ceil(y + PAD), lines };
}

// drawBlock is a block's markup, its text from x.
function drawBlock(b, x) {
  let s = '';
  for (const { spec, text, y } of b.lines) {
    if (spec.bar) {
      s += spec.draw(x, y);
      continue;
    }
    const fact = spec.fact ? ` data-fact="${spec.fact}"` : '';
    s += `<text class="${spec.cls}" x="${spec.x ?? x}" y="${y}"${fact}${spec.attrs || ''}>${esc(text)}</text>`;
  }
  return s;
}

const title = (text, big = false) => ({ px: fontPx(big ? 'big' : 'title'), text, cls: big ? 'box-title big' : 'box-title', bold: true });
const line = (text, cls = 'box-sub', fact = '', attrs = '') => ({ px: fontPx('sub'), text, cls, fact, attrs });

// The specs of each kind's box in presenter type, from the object and what
// the layout knows (x: {summary} for a Service, {lanes} for a Deployment).
function serviceSpecs(n, summary) {
  const { address, endpoints, tone } = serviceLines(n, summary);
  return [
    title(n.name),
    line(address, 'box-sub', 'ports'),
    /^(ok|warn|bad)$/.test(tone) ? line(endpoints, `box-sub ${tone}`, 'endpoints') : null,
  ];
}


function ingressSpecs(n, missing = new Set()) {
  const rules = n.rules || [];
  const shown = rules.slice(0, GEOM.ingressRules);
  const specs = [title(n.name)];
  shown.forEach((r, i) => specs.push({ ...line(ingressRuleText(r), `rule${missing.has(r?.service) ? ' bad' : ''}`, 'rule'), rule: i }));
  if (rules.length > shown.length) specs.push(line(`+${rules.length - shown.length}`));
  return specs;
}

// nodeSpecs: a Node in presenter type says its name, whether it is Ready
// with its IP, and whether it is cordoned. Its capacity and its taints are
// what gives (the tooltip keeps them): a projector's column holds every
// Node of a small cluster only at three lines each.
function nodeSpecs(n) {
  const trouble = nodeTrouble(n).filter((c) => c !== 'Ready');
  const tone = !n.ready || trouble.length ? 'bad' : n.unschedulable ? 'warn' : 'ok';
  const status = [n.ready ? t('node.ready') : t('node.notReady'), ...trouble].join(' · ');
  const ip = n.internalIP && !trouble.length ? n.internalIP : '';
  return [
    title(n.name),
    line(`${n.ready ? '✓' : '✗'} ${status}${ip ? ' · ' + ip : ''}`, `box-sub ${tone}`, ip ? 'ip' : '', ' data-testid="node-status"'),
    n.unschedulable ? line(t('node.schedulingDisabled'), 'box-sub warn', '', ' data-testid="node-taints"') : null,
  ];
}

function deploymentSpecs(d, info, barW, tight) {
  const desired = Math.max(0, d.replicas | 0);
  const scale = Math.max(desired, d.updated | 0, d.ready | 0, 1);
  const upd = Math.min(barW, (barW * (d.updated | 0)) / scale);
  const rdy = Math.min(barW, (barW * (d.ready | 0)) / scale);
  // The progress bar is left out: the line under it says the same in
  // numbers, and a line of height is what a projector lacks.
  return [
    // A box title's size, not a workload's: one line of height less where
    // a long name would wrap.
    title(d.name),
    line(info.line, `box-sub ${info.tone}`, 'rollout'),
    {
      skip: true,
      bar: 10,
      draw: (x, y) => `<g class="bar" transform="translate(${x},${y})"><rect class="bar-bg" width="${barW}" height="10" rx="5"/>` +
        `<rect class="bar-updated" width="${upd}" height="10" rx="5"/><rect class="bar-ready" width="${rdy}" height="10" rx="5"/></g>`,
    },
    // Too tall for the stage: the counts go first (the pods show them).
    tight ? null : line(deploymentProgress(d), 'box-sub'),
  ];
}

// setSpecs: a set's name and count, on one line (its lanes say the rest).
function setSpecs(n, podCount) {
  return [title(`${n ? n.name : t('group.pods')} · ${n ? setLine(n) : t('node.pods', { count: podCount })}`, true)];
}

function refSpecs(n, facts) {
  const tone = /^(Broken|Lost|Failed)$/.test(facts.status) ? 'bad' : /^(Pending|Released)$/.test(facts.status) ? 'warn' : '';
  return [
    { ...title(n.name), cls: 'box-title small' },
    tone ? { ...line(t(`ref.status.${facts.status}`), `box-sub ${tone}`), cut: true } : null,
  ];
}

function sideSpecs(n, facts, sideLine, kind) {
  const specs = [{ ...title(n.name), cls: 'box-title small' }];
  if (kind === 'User' || kind === 'Group') return specs;
  // Their detail lines are one line each, cut: the box's height is known
  // before its rules are read (layout), and the tooltip has them whole.
  if (kind === 'NetworkPolicy') specs.push({ ...line((n.policyTypes || []).join(' · '), 'box-sub np-types', '', ' data-testid="policy-types"'), cut: true });
  specs.push({ ...line(sideLine || '', `box-sub ${facts.status === 'Blocked' ? 'bad' : ''}`, '', ' data-testid="side-line"'), cut: true });
  if (facts.risky) specs.push({ ...line('⚠ ' + facts.risky, 'box-sub warn risky-text', '', ` data-testid="risky-badge" data-risky="${esc((n.risky || []).join(','))}"`), cut: true });
  return specs;
}

// laneSpecs is a lane's label in presenter type: a ReplicaSet's revision
// and image (its hash is what gives: the revision says which it is), a
// Job's name and line; other lanes need none (their box says it).
function laneSpecs(kind, owner) {
  if (kind === 'ReplicaSet' && owner) {
    return [{ px: fontPx('label'), cls: 'lane-label', fact: 'image', text: t('lane.rs', { rev: owner.revision | 0, image: shortImage((owner.images || [])[0] || '—') }) }];
  }
  if (kind === 'Job' && owner) return [{ px: fontPx('label'), cls: 'lane-label', text: `${owner.name} · ${jobLine(owner)}` }];
  return [];
}

// presenterType is what the layout measures presenter type with (layout.js
// presenterGeom): the picture width wide, over graph {nodes, edges}.
// tight: the picture is too tall for the stage at presenter type, so pod
// rows keep less room around their line (before the type would shrink).
export function presenterType(graph, width, tight = false, layers = null) {
  let svc = null;
  const summaryOf = (id) => {
    svc ??= endpointStates(graph.edges.values());
    return serviceSummary(svc.get(id) || []);
  };
  // minWork is the narrowest workloads column in which every pod row keeps
  // its name and its node's name whole (podMarkup's room, plus the lane's
  // insets): the fit narrows the picture no further (presenter.js).
  let minWork = 0;
  for (const p of graph.nodes.values()) {
    if (p.kind !== 'Pod') continue;
    const owner = p.owner ? graph.nodes.get(p.owner) : null;
    const name = ellipsize(owner?.kind === 'StatefulSet' ? p.name : shortPodName(p.name, owner?.name), 40, true);
    const nodeName = String(p.node || '').replace(/^Node\//, '') || t('pod.unscheduled');
    // A pod that says why it waits (a Pending pod's scheduler message)
    // keeps room for its first words.
    const why = podWarningLine(p) ? 8 * PRESENTER_PX.body : 0;
    const row = 14 + 2 * GEOM.podR + 10 + textWidth(name, PRESENTER_PX.pod, true) + why + CHIP_ROOM.presenter + textWidth(nodeName, PRESENTER_PX.body, true) + 4;
    minWork = Math.max(minWork, row + 2 * GEOM.laneInset);
  }
  // A lane without a label (a set's, bare pods') keeps a little room above
  // its first row; a picture too tall for the stage, less.
  const head = (specs, w) => (specs.length ? block(specs, w - 28, 4).h - 4 : tight ? 6 : 14);
  const natural = naturalWidths(graph, minWork, layers, summaryOf);
  return {
    width,
    tight,
    minWork,
    natural,
    // For layout.js columnDemand: what the columns hold.
    graph,
    layers,
    // The columns' widths follow every box's text: a band laid out with
    // other widths is laid out again (layout.js placeBands).
    key: `${graph.edges.size}${tight ? 't' : ''}|${['ingress', 'service', 'work', 'ref', 'node'].map((c) => Math.round(natural[c])).join(',')}|${natural.empty.ingress ? 'i' : ''}${natural.empty.service ? 's' : ''}`,
    // Tight rows are the pod type's em plus a little (the name's line box would
    // be 1.22 em): rows never meet, and the pods of a dense scene keep 20 px.
    row: tight ? ROW_PX + 3 : Math.max(GEOM.row, lineH(ROW_PX) + 12),
    laneHeader: GEOM.laneHeader,
    laneHead: (l, w) => head(laneSpecs(l.kind, l.owner), w),
    // Whether a namespace's quotas stand on its band's title row.
    quotaInline: (n, bandW) => quotaLine(n, n.name, bandW).fits,
    // The network-policy caveat, drawn in the picture (layout.js
    // placeCaveat) while the netpol layer is on: its height at a width.
    caveat: layers?.has('netpol') ? { text: t('reach.caveat'), h: (w) => caveatBlock(t('reach.caveat'), w).h } : null,
    boxH(kind, n, w, extra) {
      if (!n && kind !== 'group') return null;
      switch (kind) {
        case 'Service':
          return { h: block(serviceSpecs(n, summaryOf(n.id)), w - 32).h };
        case 'Ingress': {
          const b = block(ingressSpecs(n), w - 32);
          const ports = [];
          for (const l of b.lines) if (l.spec.rule !== undefined && ports[l.spec.rule] === undefined) ports[l.spec.rule] = Math.round(l.y - l.spec.px * 0.35);
          return { h: b.h, ports };
        }
        case 'Node':
          return { h: block(nodeSpecs(n), w - 38).h };
        case 'Deployment': {
          const lanes = (extra?.lanes || []).map((l) => ({ id: l.id, rs: l.owner, pods: l.pods }));
          return { h: block(deploymentSpecs(n, deploymentInfo(n, lanes), 160, tight), w - 40).h };
        }
        case 'StatefulSet':
        case 'DaemonSet':
        case 'ReplicaSet':
        case 'group':
          return { h: block(setSpecs(n, 0), w - 40).h };
        case 'Job':
        case 'CronJob':
          return { h: block([title(n.name, true), line('x')], w - 40).h };
        case 'HorizontalPodAutoscaler':
          return { h: block([title(`${t('kind.hpa')} ${n.name}`), line('x')], w - 32).h };
        case 'ConfigMap':
        case 'Secret':
        case 'PersistentVolumeClaim':
        case 'PersistentVolume':
        case 'StorageClass':
          return { h: block(refSpecs(n, { status: 'Broken' }), w - 28).h };
        default:
          return { h: block(sideSpecs(n, { risky: (n.risky || []).length ? 'x' : '' }, 'x', kind), w - 28).h };
      }
    },
  };
}

// caveatBlock is the network-policy caveat in presenter type, wrapped to
// a note w wide (layout.js placeCaveat places it; drawCaveat draws it).
const CAVEAT_PAD = 12;
function caveatBlock(text, w) {
  return block([line(text, 'box-sub caveat-text')], w - 2 * CAVEAT_PAD);
}

// oneLine is how wide a box of these specs is when each of its lines that
// carries a fact stays on one line (cut lines are fine print: they fit
// any width), with pad for the box's insets.
function oneLine(specs, pad) {
  let w = 0;
  for (const sp of specs) if (sp && !sp.skip && !sp.bar && !sp.cut) w = Math.max(w, textWidth(sp.text, sp.px, sp.bold));
  return w + pad;
}

// COLUMN_OF is the presenter column each kind's box stands in (layout.js
// places them; namespaced references and policies in the side column,
// the cluster's storage and identity under the Nodes).
const COLUMN_OF = {
  Ingress: 'ingress', Service: 'service', Gateway: 'ingress', HTTPRoute: 'ingress', GRPCRoute: 'ingress',
  Deployment: 'work', StatefulSet: 'work', DaemonSet: 'work', ReplicaSet: 'work', Job: 'work', CronJob: 'work', HorizontalPodAutoscaler: 'work',
  PersistentVolumeClaim: 'ref', ConfigMap: 'ref', Secret: 'ref', ServiceAccount: 'ref', Role: 'ref', NetworkPolicy: 'ref', PodDisruptionBudget: 'ref',
  Node: 'node', StorageClass: 'node', ClusterRole: 'node', User: 'node', Group: 'node',
};

// naturalWidths is, per presenter column, the width its widest box needs
// for every fact on one line (a name, a rule, a rollout's images), in
// presenter type: layout.js presenterCols gives the columns these widths,
// or shares of them when the stage is narrower. The workloads column needs
// at least minWork (a pod row with its node's name). Kinds a layer hides
// count for nothing.
function naturalWidths(graph, minWork, layers, summaryOf) {
  // A column is at least as wide as its heading (spaced capitals).
  const head = (...keys) => Math.max(...keys.map((k) => textWidth(t(k).toUpperCase(), PRESENTER_PX.body, true) * 1.2 + 8));
  const nat = {
    ingress: head('col.ingress'), service: head('col.service'), work: Math.max(minWork, head('col.workloads')),
    ref: 0, node: head('col.nodes'),
  };
  // word: per column, the widest piece of a name its boxes must not break
  // mid-letters ("demo-data-1" breaks after "demo-", not in "data"): the
  // columns' floors (layout.js presenterCols). A claim's volume stands
  // inset under it.
  const word = { ingress: 0, service: 0, work: 0, ref: 0, node: 0 };
  const wordOf = (n, pad) => longestWord(n.name, PRESENTER_PX.big, true) + pad;
  // A Deployment's lanes as deploymentInfo takes them: its rollout line
  // (revisions and both images) is the widest fact it has.
  const used = new Set();
  const lanesOf = new Map();
  const podsOf = new Map();
  const add = (m, k, n) => (m.get(k) || m.set(k, []).get(k)).push(n);
  for (const n of graph.nodes.values()) {
    if (n.kind === 'ReplicaSet' && n.owner) add(lanesOf, n.owner, n);
    if (n.kind === 'Pod' && n.owner) add(podsOf, n.owner, n);
  }
  for (const n of graph.nodes.values()) {
    const col = COLUMN_OF[n.kind];
    if (!col || (layers && layerOf(n) && !layers.has(layerOf(n)))) continue;
    // A Deployment's ReplicaSets are its lanes, not boxes.
    if (n.kind === 'ReplicaSet' && n.owner) continue;
    let w = 0;
    switch (n.kind) {
      case 'Service': w = oneLine(serviceSpecs(n, summaryOf(n.id)), 32); break;
      case 'Ingress': w = oneLine(ingressSpecs(n), 32); break;
      case 'Node': w = oneLine(nodeSpecs(n), 38); break;
      case 'Deployment': {
        const rss = (lanesOf.get(n.id) || []).sort((a, b) => (a.revision | 0) - (b.revision | 0));
        w = oneLine(deploymentSpecs(n, deploymentInfo(n, rss.map((rs) => ({ rs, pods: podsOf.get(rs.id) || [] }))), 160, false), 40);
        for (const rs of rss) w = Math.max(w, oneLine(laneSpecs('ReplicaSet', rs), 28 + 2 * GEOM.laneInset));
        break;
      }
      case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': w = oneLine(setSpecs(n, 0), 40); break;
      case 'Job': case 'CronJob': w = oneLine([title(n.name, true)], 40); break;
      case 'HorizontalPodAutoscaler': w = oneLine([title(`${t('kind.hpa')} ${n.name}`)], 32); break;
      default: w = oneLine([{ ...title(n.name), cls: 'box-title small' }], 28);
    }
    nat[col] = Math.max(nat[col], w);
    word[col] = Math.max(word[col], wordOf(n, WORD_PAD));
    used.add(col);
  }
  // A claim's volume: inset under it, or (references below the workloads)
  // in the cluster column (layout.js presenterNeeds).
  for (const n of graph.nodes.values()) {
    if (n.kind !== 'PersistentVolume' || (layers && !layers.has('storage'))) continue;
    word.ref = Math.max(word.ref, wordOf(n, WORD_PAD + GEOM.pvInset));
    nat.pv = { need: Math.max(nat.pv?.need || 0, oneLine([{ ...title(n.name), cls: 'box-title small' }], 28)), word: Math.max(nat.pv?.word || 0, wordOf(n, WORD_PAD)) };
  }
  nat.word = word;
  if (nat.ref) nat.ref = Math.max(nat.ref, head('col.refs', 'col.policy', 'col.refsPolicy'));
  // An Ingress column with no Ingress, a Service column with no Service
  // (nor an Ingress, whose missing Services it would draw) hold nothing:
  // the picture leaves them out.
  nat.empty = { ingress: !used.has('ingress'), service: !used.has('service') && !used.has('ingress') };
  return nat;
}

// WORD_PAD is a box's room beside its title's text, in presenter type.
const WORD_PAD = 48;

// podStatusText is what a pod row says after its name.
export function podStatusText(p) {
  const s = p.status || 'Unknown';
  const total = containerCount(p);
  if (s === 'Running' && !p.ready && total) return `Running ${p.readyContainers | 0}/${total}`;
  return s;
}

// containerCount is a pod's app containers: a list since wave 2 (wave 1
// sent the count), so a recording of either kind still reads.
export function containerCount(p) {
  const c = p?.containers;
  return Array.isArray(c) ? c.length : Number.isInteger(c) ? c : 0;
}

// warnMarkup is the warning badge of a box w wide: a pill at its top right
// with the newest reason and how many times it was seen.
export function warnMarkup(n, w, keep = 0) {
  const b = warningBadge(n);
  if (!b) return '';
  const { f, text, pw, ph } = warnBadgeSize(b, w, keep);
  // In presenter type the pill is tall: it stands mostly inside its box, so
  // it does not reach into the box above.
  const y = presenting() ? -Math.round(ph * 0.2) : -Math.round(ph / 2);
  return `<g class="warn-badge" data-testid="warning-badge" data-reason="${esc(b.reason)}" transform="translate(${w - pw - 10},${y})">` +
    `<title>${esc(b.reason + (b.message ? ': ' + b.message : ''))}</title><rect width="${pw}" height="${ph}" rx="${ph / 2}"/>` +
    `<text x="${pw / 2}" y="${Math.round(ph / 2 + f * 0.35)}" text-anchor="middle">${esc(text)}</text></g>`;
}

// warnBadgeSize sizes a box's warning pill: its reason is fine print, cut
// to leave keep (the box's title, a fact) its room on the left.
function warnBadgeSize(b, w, keep = 0) {
  const f = fontPx('badge');
  const text = fitText(b.text, Math.max(f * 2, Math.min(w * 0.7, w - keep - 40)), f, { bold: true });
  return { f, text, pw: Math.round(textWidth(text, f, true) + 18), ph: Math.round(f * 1.5) };
}

// titleKeep is the room a box's title takes from its left edge.
const titleKeep = (title) => 16 + textWidth(title, fontPx('title'), true);

// CHIP_ROOM is what a pod row's node chip needs beside its text: its
// padding (20), its margin to the row's end (6) and a gap after the pod's
// name (the dashboard keeps room for a status between them; in presenter
// type the status gives way first).
const CHIP_ROOM = { dashboard: 46, presenter: 36 };

// podMarkup is a full-size pod row, relative to the pod's centre.
export function podMarkup(p, geo, lane, owner, nodeBox, warnings = true) {
  const st = podState(p);
  const r = geo.r;
  // Pods of a ReplicaSet read as their suffixes; a StatefulSet's are short
  // and meaningful ("db-0"), so they keep their names.
  const name = ellipsize(owner?.kind === 'StatefulSet' ? p.name : shortPodName(p.name, owner?.name), 40, true);
  const rowEnd = lane.x + lane.w - geo.x; // right end of the row, relative
  const why = warnings ? podWarningLine(p) : '';
  let s = `<title>${esc(p.name + (why ? ': ' + why : ''))}</title><rect class="pod-hit" x="${-r - 6}" y="${-G.row / 2 + 2}" width="${rowEnd + r + 2}" height="${G.row - 4}" rx="8"/>`;
  s += `<g class="glyph">${glyph(st, r)}</g>`;
  // A Pending pod says why, in the room the row has left of the node chip:
  // the scheduler's message is the one thing a viewer needs to know.
  // The row's text ends before the node chip, in whatever type it is drawn.
  // In presenter type a Pending pod's reason replaces the word Pending (its
  // glyph says that): the reason is what the room needs to read.
  const stF = fontPx('status');
  // The node chip names the pod's node in the node's colour, so the node is
  // obvious even before the eye follows the edge. It is as wide as the
  // node's name (measured), which is the fact it shows: the pod's status
  // gives way first; only a name wider than the row left of the pod's own
  // is cut.
  const chipF = presenting() ? PRESENTER_PX.body : 12.5;
  const chipH = presenting() ? Math.min(Math.round(chipF * 1.35), G.row - 4) : 20;
  const nodeName = (p.node || '').replace(/^Node\//, '');
  const chipText = nodeBox ? fitText(nodeName, rowEnd - r - 10 - textWidth(name, fontPx('pod'), true) - CHIP_ROOM[presenting() ? 'presenter' : 'dashboard'], chipF, { bold: true }) : !p.node ? t('pod.unscheduled') : '';
  const chipW = Math.max(presenting() ? 0 : 96, Math.ceil(textWidth(chipText, chipF, true) + 20));
  let room = rowEnd - r - 10 - chipW - 6 - 10 - textWidth(name, fontPx('pod'), true) - 10;
  const whyOnly = why && presenting();
  // In presenter type a status that does not fit whole is left out (the
  // glyph says the state); on the dashboard it is cut.
  const status = whyOnly || (presenting() && textWidth(podStatusText(p), stF) > room) ? '' : fitText(podStatusText(p), Math.max(room, stF * 2), stF);
  // In presenter type the name is centred on the row (its em box is above
  // its baseline), so large type stays clear of the rows above and below.
  s += `<text class="pod-name" x="${r + 10}" y="${presenting() ? Math.round(fontPx('pod') * 0.39) : 5}">${esc(name)}`;
  if (status) s += `<tspan class="pod-status" dx="10">${esc(status)}</tspan>`;
  if (status) room -= textWidth(status, stF) + 8;
  // Alone on the row (presenter type), a shorter start of the reason is
  // still worth showing.
  const whyText = why && room >= stF * (whyOnly ? 2 : 3) ? fitText(why, room, stF) : '';
  if (whyText) s += `<tspan class="pod-why" dx="${status ? 8 : 10}" data-testid="pod-why">${esc(whyText)}</tspan>`;
  s += '</text>';
  if (warnings && (p.warnings || []).length) s += `<g class="pod-warn" transform="translate(${-r * 0.9},${-r * 0.9})"><title>${esc(warningBadge(p)?.text || '')}</title><path d="M0,-7 L7,6 L-7,6 Z"/></g>`;
  if (p.restarts > 0) {
    s += `<g class="badge" transform="translate(${r * 0.8},${-r * 0.8})"><circle r="8"/><text y="3.5">${p.restarts > 99 ? '99+' : p.restarts}</text></g>`;
  }
  const cx = rowEnd - chipW - 6;
  const chip = (cls, fact) => `<g class="chip ${cls}" transform="translate(${cx},${-chipH / 2})"><rect width="${chipW}" height="${chipH}" rx="${chipH / 2}"/>` +
    `<text x="${chipW / 2}" y="${Math.round(chipH / 2 + chipF * 0.36)}"${fact}>${esc(chipText)}</text></g>`;
  if (nodeBox) s += chip(`node-c${nodeBox.colour}`, ' data-fact="node"');
  else if (!p.node) s += chip('chip-none', '');
  return s;
}

function serviceMarkup(n, box, summary) {
  if (presenting()) {
    return `<title>${esc(n.namespace + '/' + n.name)}</title><rect class="box-bg" width="${box.w}" height="${box.h}" rx="12"/>` +
      drawBlock(block(serviceSpecs(n, summary), box.w - 32), 16);
  }
  const { address, endpoints, tone } = serviceLines(n, summary);
  return `<title>${esc(n.namespace + '/' + n.name)}</title><rect class="box-bg" width="${box.w}" height="${box.h}" rx="12"/>` + stackLines([
    { px: fontPx('title'), rank: 0, y: 29, draw: (y) => `<text class="box-title" x="16" y="${y}">${esc(titleText(n.name, 22, box.w - 32))}</text>` },
    { px: fontPx('sub'), rank: 2, y: 53, draw: (y) => `<text class="box-sub" x="16" y="${y}" data-fact="ports">${esc(lineText(address, 33, box.w - 32))}</text>` },
    { px: fontPx('small'), rank: 1, y: 74, hidden: !/^(ok|warn|bad)$/.test(tone), draw: (y) => `<text class="box-sub small ${tone}" x="16" y="${y}" data-fact="endpoints">${esc(lineText(endpoints, 38, box.w - 32, 'small'))}</text>` },
  ], box.h);
}

function ingressMarkup(n, box, missing) {
  if (presenting()) {
    return `<title>${esc(n.namespace + '/' + n.name)}</title><rect class="box-bg" width="${box.w}" height="${box.h}" rx="12"/>` +
      drawBlock(block(ingressSpecs(n, missing), box.w - 32), 16);
  }
  const rules = n.rules || [];
  const shown = rules.slice(0, GEOM.ingressRules);
  const s = `<title>${esc(n.namespace + '/' + n.name)}</title><rect class="box-bg" width="${box.w}" height="${box.h}" rx="12"/>`;
  // presenter.css hides the Ingress's class line: the rules carry it.
  const lines = [
    { px: fontPx('title'), rank: 0, y: 29, draw: (y) => `<text class="box-title" x="16" y="${y}">${esc(titleText(n.name, 22, box.w - 32))}</text>` },
    { px: fontPx('sub'), rank: 2, y: 49, hidden: true, draw: (y) => `<text class="box-sub" x="16" y="${y}">${esc(ellipsizeLine(ingressLine(n), 30))}</text>` },
  ];
  // Each rule on as many lines as it wraps to, as the layout sized the box
  // (layout.js dashboardRules): the Service a rule routes to is never cut.
  const d = dashboardRules(rules, box.w);
  for (const l of d.lines) {
    const bad = missing.has(shown[l.rule]?.service);
    lines.push({ px: fontPx('label'), rank: 1, y: l.y + 5, draw: (y) => `<text class="rule${bad ? ' bad' : ''}" x="16" y="${y}" data-fact="rule">${esc(l.text)}</text>` });
  }
  if (d.more > 0) {
    lines.push({ px: fontPx('sub'), rank: 2, y: d.h - 10 - GEOM.ruleLine / 2 + 5, draw: (y) => `<text class="box-sub" x="16" y="${y}">+${d.more}</text>` });
  }
  return s + stackLines(lines, box.h);
}

// nodeMarkup is a Node: its name; whether it is Ready, cordoned
// (SchedulingDisabled) and any condition that is not fine, in warning
// colour; its pods against its pod capacity with allocatable cpu and
// memory; and its taints when it has some (the box is a line taller).
function nodeMarkup(n, box, podCount) {
  const ready = n.ready;
  const trouble = nodeTrouble(n).filter((c) => c !== 'Ready');
  const icon = ready ? '✓' : '✗';
  const tone = !ready || trouble.length ? 'bad' : n.unschedulable ? 'warn' : 'ok';
  const full = nodeFull(n, podCount);
  const extra = nodeExtraLine(n);
  const status = [ready ? t('node.ready') : t('node.notReady'), ...trouble].join(' · ');
  const cap = nodeCapacityLine(n, podCount);
  const base = `<title>${esc([n.name, status, cap, extra].filter(Boolean).join('\n'))}</title><rect class="box-bg" width="${box.w}" height="${box.h}" rx="12"/><rect class="node-swatch" width="8" height="${box.h}" rx="4"/>`;
  if (presenting() && !box.compact) return base + drawBlock(block(nodeSpecs(n), box.w - 38), 22);
  if (box.compact) {
    return base + `<text class="box-title small" x="20" y="27">${esc(ellipsize(n.name, 16))}</text><text class="box-sub ${tone}" x="${box.w - 12}" y="27" text-anchor="end">${esc(`${icon} ${podCount}`)}</text>`;
  }
  const lines = [
    { px: fontPx('title'), rank: 0, y: 30, draw: (y) => `<text class="box-title" x="22" y="${y}">${esc(titleText(n.name, 20, box.w - 38))}</text>` },
    { px: fontPx('sub'), rank: 1, y: 55, draw: (y) => `<text class="box-sub ${tone}" x="22" y="${y}" data-testid="node-status"${n.internalIP && !trouble.length ? ' data-fact="ip"' : ''}>${esc(fitText(`${icon} ${status}${n.internalIP && !trouble.length ? ' · ' + n.internalIP : ''}`, box.w - 38, fontPx('sub')))}</text>` },
    { px: fontPx('sub'), rank: 2, y: 78, draw: (y) => `<text class="box-sub${full ? ' bad' : ''}" x="22" y="${y}" data-testid="node-capacity">${esc(fitText(cap, box.w - 38, fontPx('sub')))}</text>` },
  ];
  if (extra) {
    lines.push({ px: fontPx('small'), rank: 1, y: 78 + GEOM.nodeTaints, draw: (y) => `<text class="box-sub small warn" x="22" y="${y}" data-testid="node-taints">${esc(fitText(extra, box.w - 38, fontPx('small')))}</text>` });
  }
  return base + stackLines(lines, box.h);
}

function deploymentMarkup(d, box, info) {
  if (presenting()) {
    return `<title>${esc(d.namespace + '/' + d.name)}</title><rect class="box-bg work" width="${box.w}" height="${box.h}" rx="16"/>` +
      drawBlock(block(deploymentSpecs(d, info, 160, !!G.type?.tight), box.w - 40), 20);
  }
  const barW = 220;
  const desired = Math.max(0, d.replicas | 0);
  const scale = Math.max(desired, d.updated | 0, d.ready | 0, 1);
  const upd = Math.min(barW, (barW * (d.updated | 0)) / scale);
  const rdy = Math.min(barW, (barW * (d.ready | 0)) / scale);
  let ticks = '';
  if (scale > 1 && scale <= 24) {
    for (let i = 1; i < scale; i++) ticks += `<line class="bar-tick" x1="${(barW * i) / scale}" x2="${(barW * i) / scale}" y1="0" y2="10"/>`;
  }
  const lf = fontPx('sub');
  // The counts stand right of the bar, cut to the box in presenter type.
  const progress = presenting() ? fitText(deploymentProgress(d), box.w - (20 + barW + 12) - 16, lf) : deploymentProgress(d);
  const bar = (y) => `<g class="bar" transform="translate(20,${y})"><rect class="bar-bg" width="${barW}" height="10" rx="5"/>` +
    `<rect class="bar-updated" width="${upd}" height="10" rx="5"/><rect class="bar-ready" width="${rdy}" height="10" rx="5"/>${ticks}</g>`;
  return `<title>${esc(d.namespace + '/' + d.name)}</title><rect class="box-bg work" width="${box.w}" height="${box.h}" rx="16"/>` +
    `<text class="kind-tag" x="${box.w - 20}" y="30" text-anchor="end">${esc(t('kind.Deployment').toUpperCase())}</text>` +
    stackLines([
      { px: fontPx('big'), rank: 0, y: 32, draw: (y) => `<text class="box-title big" x="20" y="${y}">${esc(titleText(d.name, 34, box.w - 40, 'big'))}</text>` },
      // A rollout's line is status; a settled one's (revision, image) is detail.
      { px: lf, rank: info.tone === 'muted' ? 2 : 1, y: 56, draw: (y) => `<text class="box-sub ${info.tone}" x="20" y="${y}" data-fact="rollout">${esc(lineText(info.line, 62, box.w - 40))}</text>` },
      { px: lf, rank: 1, y: 78, draw: (y) => bar(y - 10) + `<text class="box-sub" x="${20 + barW + 12}" y="${y}">${esc(progress)}</text>` },
      { px: fontPx('small'), rank: 3, y: 100, hidden: true, draw: (y) => `<text class="box-sub small" x="20" y="${y}">${esc(info.budgetLine)}</text>` },
    ], GEOM.deployHeader);
}

function setMarkup(n, box, kind, podCount) {
  if (presenting()) return `<rect class="box-bg work" width="${box.w}" height="${box.h}" rx="16"/>` + drawBlock(block(setSpecs(n, podCount), box.w - 40), 20);
  const title = n ? n.name : t('group.pods');
  const sub = n ? setLine(n) : t('node.pods', { count: podCount });
  // One line: in presenter type it stands from the box's top edge.
  const y = presenting() ? Math.round(3 + fontPx('big') * 0.89) : 32;
  return `<rect class="box-bg work" width="${box.w}" height="${box.h}" rx="16"/>` +
    `<text class="box-title big" x="20" y="${y}">${esc(ellipsize(title, 30))}</text>` +
    `<text class="kind-tag" x="${box.w - 20}" y="30" text-anchor="end">${esc((kind === 'group' ? t('kind.Pod') : t('kind.' + kind)).toUpperCase())}</text>` +
    `<text class="box-sub" x="${box.w - 130}" y="${presenting() ? y : 30}" text-anchor="end">${esc(sub)}</text>`;
}

function laneMarkup(lane, rs, deployName, isNew, counts, job) {
  if (presenting() && !lane.compact) {
    let s = `<rect class="lane-bg${isNew ? ' new' : ''}" width="${lane.w}" height="${lane.h}" rx="10"/>`;
    s += drawBlock(block(laneSpecs(lane.kind, rs || job), lane.w - 28, 4), 14);
    if (!lane.pods.length) s += `<text class="lane-empty" x="40" y="${Math.round((lane.head ?? GEOM.laneHeader) + G.row / 2 + 7)}">${esc(t('node.pods', { count: 0 }))}</text>`;
    return s;
  }
  let label = '';
  let right = '';
  let bar = '';
  const lf = fontPx('label');
  if (job) {
    // A CronJob's Job: its name, its progress bar and line.
    right = presenting() ? '' : fitText(jobLine(job), lane.w * 0.45, lf);
    label = fitText(job.name, lane.w - 28 - 100 - (right ? textWidth(right, lf) + 16 : 0), lf, { keepEnd: true });
  } else if (rs && lane.kind === 'ReplicaSet') {
    const hash = rsHash(rs.name, deployName);
    label = `${t('kind.ReplicaSet')} ${ellipsize(hash, 14)} · ${t('lane.rs', { rev: rs.revision | 0, image: ellipsize(shortImage((rs.images || [])[0] || '—'), 28) })}`;
    const cur = lane.pods.length;
    right = cur !== (rs.replicas | 0) ? t('lane.count', { current: cur, desired: rs.replicas | 0 }) : t('node.pods', { count: cur });
  } else if (lane.kind === 'group') {
    right = '';
  } else {
    right = t('node.pods', { count: lane.pods.length });
  }
  // In presenter type a label stands just under the lane's top edge, so it
  // stays inside its lane and clear of the first pod row (centred on its row).
  const ly = presenting() ? Math.round(2 + lf * 0.89) : 21;
  if (label) label = fitText(label, lane.w - 28 - (right && !presenting() ? textWidth(right, lf) + 16 : 0) - (job ? 100 : 0), lf);
  if (job) bar = `<g class="bar" transform="translate(${Math.round(14 + textWidth(label, lf) + 10)},${ly - 10})">${jobBar(job, 90)}</g>`;
  let s = `<rect class="lane-bg${isNew ? ' new' : ''}" width="${lane.w}" height="${lane.h}" rx="10"/>`;
  if (label) s += `<text class="lane-label" x="14" y="${ly}"${rs ? ' data-fact="image"' : ''}>${esc(label)}</text>`;
  if (right) s += `<text class="lane-label" x="${lane.w - 14}" y="21" text-anchor="end">${esc(right)}</text>`;
  s += bar;
  if (!lane.pods.length) s += `<text class="lane-empty" x="40" y="${Math.round((lane.head ?? GEOM.laneHeader) + (presenting() ? G.row / 2 + 7 : 20))}">${esc(t('node.pods', { count: 0 }))}</text>`;
  if (lane.compact) {
    const parts = POD_STATES.filter((k) => counts[k]).map((k) => `${counts[k]} ${t('state.' + k).toLowerCase()}`);
    if (lane.nodes?.size) parts.push(t('lane.nodes', { count: lane.nodes.size }));
    s += `<text class="lane-counts" x="14" y="${(lane.head ?? GEOM.laneHeader) + 14}">${esc(ellipsize(parts.join(' · ') || '—', 76))}</text>`;
  }
  return s;
}

function jobBar(n, w) {
  const p = jobProgress(n);
  const total = p.total === null ? Math.max(p.done + p.active, 1) : Math.max(p.total, 1);
  const done = Math.min(w, (w * p.done) / total);
  const act = Math.min(w - done, (w * p.active) / total);
  return `<rect class="bar-bg" width="${w}" height="10" rx="5"/><rect class="bar-ready" width="${done}" height="10" rx="5"/>` +
    `<rect class="bar-active" x="${done}" width="${act}" height="10" rx="5"/>`;
}

// jobMarkup is a Job's box (one lane of its pods) or a CronJob's (a lane per
// recent Job): title, kind, one line, and for a Job its progress bar.
function jobMarkup(n, box, facts) {
  const tf = fontPx('big');
  const lf = fontPx('sub');
  const s = `<title>${esc(n.namespace + '/' + n.name)}</title><rect class="box-bg work" width="${box.w}" height="${box.h}" rx="16"/>` +
    `<text class="kind-tag" x="${box.w - 20}" y="30" text-anchor="end">${esc(t('kind.' + box.kind).toUpperCase())}</text>`;
  const line = box.kind === 'Job'
    ? (y) => `<g class="bar" transform="translate(20,${y - 10})">${jobBar(n, 150)}</g>` +
      `<text class="box-sub ${facts.status === 'Failed' ? 'bad' : facts.status === 'Complete' ? 'ok' : 'warn'}" x="182" y="${y}">${esc(fitText(facts.line, box.w - 182 - 16, lf))}</text>`
    : (y) => `<text class="box-sub ${facts.status === 'Suspended' ? 'muted' : ''}" x="20" y="${y}">${esc(fitText(facts.line, box.w - 40, lf))}</text>`;
  // The header's room ends where the first lane starts.
  return s + stackLines([
    { px: tf, rank: 0, y: 32, draw: (y) => `<text class="box-title big" x="20" y="${y}">${esc(fitText(n.name, box.w - 40 - (presenting() ? 0 : 110), tf, { bold: true }))}</text>` },
    { px: lf, rank: 1, y: 58, draw: line },
  ], box.header || GEOM.jobHeader, 0, 4);
}

// hpaMarkup is an autoscaler, drawn as a slim box just above its target.
function hpaMarkup(n, box, facts, warnings) {
  const tf = fontPx('title');
  const lf = fontPx('sub');
  const tone = facts.status === 'NoMetrics' ? 'bad' : facts.status === 'Scaling' ? 'warn' : 'ok';
  const w = box.w - 32;
  let s = `<title>${esc(n.namespace + '/' + n.name)}</title><rect class="box-bg hpa" width="${box.w}" height="${box.h}" rx="12"/>` +
    `<text class="kind-tag" x="${box.w - 16}" y="26" text-anchor="end">${esc(t('kind.hpa').toUpperCase())}</text>`;
  // In presenter type the title ends before the warning badge, which
  // stands over the box's top right.
  const b = presenting() && warnings && n?.warnings?.length ? warningBadge(n) : null;
  const name = `${t('kind.hpa')} ${n.name}`;
  const room = b ? box.w - 16 - warnBadgeSize(b, box.w, titleKeep(name)).pw - 10 - 12 : w;
  if (presenting() && box.h < 2.7 * Math.max(tf, lf)) {
    // One line of very large type: the name and where it is scaling.
    const y = Math.round(box.h / 2 + tf * 0.36);
    return s + `<text class="box-title small" x="16" y="${y}">${esc(fitText(`${n.name} · ${n.current | 0} → ${n.desired | 0}`, room, tf, { bold: true }))}</text>`;
  }
  if (presenting()) {
    // Two lines of large type: the name, then bounds, replicas and metrics.
    const ty = Math.round(tf * 1.1);
    s += `<text class="box-title small" x="16" y="${ty}">${esc(fitText(name, room, tf, { bold: true }))}</text>` +
      `<text class="box-sub ${tone}" x="16" y="${Math.round(ty + lf * 1.3)}">${esc(fitText(`${facts.line} · ${facts.metrics}`, w, lf))}</text>`;
    return s;
  }
  return s + `<text class="box-title small" x="16" y="26">${esc(fitText(n.name, w - 110, tf, { bold: true }))}</text>` +
    `<text class="box-sub ${tone}" x="16" y="50">${esc(fitText(facts.line, w, lf))}</text>` +
    `<text class="box-sub" x="16" y="72">${esc(fitText(facts.metrics, w, lf))}</text>`;
}

// refMarkup is a reference or storage box: ConfigMap, Secret, claim,
// volume, class. Each says its kind, so the reference column needs no key.
function refMarkup(n, box, facts) {
  const tone = /^(Broken|Lost|Failed)$/.test(facts.status) ? 'bad' : /^(Pending|Released)$/.test(facts.status) ? 'warn' : '';
  const tf = fontPx('title');
  const lf = fontPx('small');
  const w = box.w - 28;
  const head = `<title>${esc((n.namespace ? n.namespace + '/' : '') + n.name)}</title><rect class="box-bg ref" width="${box.w}" height="${box.h}" rx="10"/>`;
  if (presenting()) return head + drawBlock(block(refSpecs(n, facts), w), 14);
  // One line when there is room for one only: a claim's volume, or any
  // reference in presenter type (whose plain detail line presenter.css
  // hides anyway): the name, then what matters of the line.
  if ((box.kind === 'PersistentVolume' && box.h < 50) || presenting()) {
    // In presenter type a volume says its name only: its line is fine print.
    const more = presenting() ? (tone ? t(`ref.status.${facts.status}`) : '') : facts.line;
    const name = fitText(n.name, w * (more ? 0.55 : 1), tf, { bold: true });
    const rest = w - textWidth(name, tf, true) - 10;
    const line = more ? fitText(more, rest, lf) : '';
    const y = Math.round(box.h / 2 + Math.max(tf, lf) * 0.36);
    return head + `<text class="box-title small" x="14" y="${y}">${esc(name)}${line ? `<tspan class="box-sub small ${tone}" dx="10">${esc(line)}</tspan>` : ''}</text>`;
  }
  return head + `<text class="box-title small" x="14" y="24">${esc(fitText(n.name, w, tf, { bold: true }))}</text>` +
    `<text class="box-sub small ${tone}" x="14" y="46">${esc(fitText(facts.line, w, lf))}</text>`;
}

// riskyMarkup is the warning-coloured pill listing a role's or account's
// risky flags in words, its left edge at x and its baseline at y.
function riskyMarkup(flags, text, x, y, w) {
  const f = fontPx('badge');
  const txt = fitText('⚠ ' + text, w - 16, f, { bold: true });
  const pw = Math.round(textWidth(txt, f, true) + 16);
  return `<g class="risky-badge" data-testid="risky-badge" data-risky="${esc((flags || []).join(','))}"><title>${esc(text)}</title>` +
    `<rect x="${x - 6}" y="${Math.round(y - f - 3)}" width="${pw}" height="${Math.round(f + 9)}" rx="${Math.round((f + 9) / 2)}"/>` +
    `<text x="${x + 2}" y="${y}">${esc(txt)}</text></g>`;
}

// sideMarkup is a box of the side column (or, for ClusterRoles, Users and
// Groups, the cluster column): a ServiceAccount, Role, ClusterRole,
// NetworkPolicy or PodDisruptionBudget. Title and kind, one line (the
// token, the rules, the policy's rules, the budget) and, for roles and
// accounts with risky rules, the warning pill.
export function sideMarkup(n, box, facts, line) {
  const tf = fontPx('title');
  const lf = fontPx('small');
  const w = box.w - 28;
  const tagId = { ServiceAccount: 'kind.sa', NetworkPolicy: 'kind.netpol', PodDisruptionBudget: 'kind.pdb' }[box.kind] || 'kind.' + box.kind;
  const tag = t(tagId);
  // The tag is 12 px type spaced 0.14 em (style.css .kind-tag).
  // The name comes first: the tag is drawn only when both fit.
  const tagW0 = textWidth(tag.toUpperCase(), 12, true) + tag.length * 12 * 0.14 + 12;
  const tagW = presenting() || textWidth(n.name, tf, true) > w - tagW0 ? 0 : tagW0;
  const tone = facts.status === 'Blocked' ? 'bad' : '';
  let s = `<title>${esc((n.namespace ? n.namespace + '/' : '') + n.name)}</title><rect class="box-bg ref side" width="${box.w}" height="${box.h}" rx="10"/>`;
  if (presenting()) return s + drawBlock(block(sideSpecs(n, facts, line, box.kind), w), 14);
  if (tagW) s += `<text class="kind-tag" x="${box.w - 12}" y="20" text-anchor="end">${esc(tag.toUpperCase())}</text>`;
  if (box.kind === 'User' || box.kind === 'Group') {
    const y = Math.round(box.h / 2 + tf * 0.36);
    return s + `<text class="box-title small" x="14" y="${y}">${esc(fitText(n.name, w - tagW, tf, { bold: true }))}</text>`;
  }
  const lines = [
    { px: tf, rank: 0, y: 24, draw: (y) => `<text class="box-title small" x="14" y="${y}">${esc(fitText(n.name, w - tagW, tf, { bold: true }))}</text>` },
    { px: lf, rank: 2, y: 46, draw: (y) => `<text class="box-sub small ${tone}" x="14" y="${y}" data-testid="side-line">${esc(fitText(line, w, lf))}</text>` },
  ];
  if (box.kind === 'NetworkPolicy') {
    lines.splice(1, 0, { px: lf, rank: 1, y: 46, draw: (y) => `<text class="box-sub np-types" x="14" y="${y}" data-testid="policy-types">${esc(fitText((n.policyTypes || []).join(' · '), w, lf))}</text>` });
    lines[2].y = 70;
  }
  if (facts.risky) lines.push({ px: fontPx('badge') + 8, rank: 1, y: 74, draw: (y) => riskyMarkup(n.risky, facts.risky, 14, y - 4, box.w - 14) });
  return s + stackLines(lines, box.h);
}

// quotaLine is the namespace band's title row in presenter type: where
// the quotas' words start after the title ("▾ ns"), each quota's words and
// where they stand, and whether they all fit before the Pod Security badge
// (fits: the bars stand under the words, on the title row; otherwise in
// rows under it, nsInfo). w: the band's width.
export function quotaLine(n, ns, w) {
  const f = fontPx('small');
  let end = 20 + w - 16;
  if (n.podSecurity?.enforce) end -= Math.round(textWidth(t('quota.pss', { level: n.podSecurity.enforce }), fontPx('badge'), true) + 18);
  const x = 40 + Math.round(textWidth('▾ ' + ns, fontPx('title'), true)) + 24;
  const sep = textWidth(' · ', f);
  const segs = [];
  let at = x;
  for (const q of n.quotas || []) {
    const text = t('quota.bar', { resource: q.resource, used: q.used, hard: q.hard });
    const tw = textWidth(text, f);
    segs.push({ q, text, x: at, w: tw });
    at += tw + sep;
  }
  return { x, end: end - 16, segs, fits: segs.length > 0 && at - sep <= end - 16 };
}

// nsInfoMarkup is what the quotas layer draws under a namespace band's
// title: a bar per quota (used/hard, red when used up), the limit ranges
// on one line, and, in the title row at the band's right, the Pod Security
// enforce level as a badge. info is the layout's (nsInfo): info.inline,
// presenter type with room on the title row, puts each quota's bar right
// under its words there, so the band takes no row for them.
export function nsInfoMarkup(n, info, b, w) {
  const G = GEOM;
  const f = fontPx('small');
  const big = presenting();
  let s = '';
  let pssX = 20 + w - 16;
  if (info.pss) {
    const bf = fontPx('badge');
    const txt = t('quota.pss', { level: info.pss });
    const pw = Math.round(textWidth(txt, bf, true) + 18);
    pssX -= pw;
    s += `<g class="pss-badge pss-${esc(info.pss)}" data-testid="pss-badge" data-level="${esc(info.pss)}" transform="translate(${pssX},${b.y + 8})">` +
      `<rect width="${pw}" height="${Math.round(bf + 10)}" rx="${Math.round((bf + 10) / 2)}"/><text x="9" y="${Math.round(bf + 3)}">${esc(txt)}</text></g>`;
  }
  const quotas = n.quotas || [];
  // Presenter type is too large for a row of labels under the title: the
  // bars stay there, and their words go on the title's row, after it.
  if (big && quotas.length) {
    const line = quotaLine(n, b.ns, w);
    const txt = line.fits ? line.segs.map((x) => x.text).join(' · ') : fitText(line.segs.map((x) => x.text).join(' · '), line.end - line.x, f);
    const full = quotas.some((q) => quotaFill(q) >= 1);
    if (txt) s += `<text class="quota-line${full ? ' full' : ''}" data-testid="quota-line" x="${line.x}" y="${b.y + 26}">${esc(txt)}</text>`;
    if (info.inline && line.fits) {
      for (const { q, x, w: bw } of line.segs) s += quotaBar(q, x, b.y + 25, Math.max(24, Math.round(bw)), 5, '');
      return s;
    }
  }
  quotas.forEach((q, i) => {
    const x = 40 + (i % info.perRow) * G.quotaBarW;
    const y = b.y + G.bandHeader + Math.floor(i / info.perRow) * G.quotaRow;
    const bw = big ? G.quotaBarW - 30 : 56;
    const txt = big ? '' : fitText(t('quota.bar', { resource: q.resource, used: q.used, hard: q.hard }), G.quotaBarW - bw - 22, f);
    s += quotaBar(q, x, y, bw, 10, txt ? `<text class="quota-text" x="${x + bw + 8}" y="${y + 16}">${esc(txt)}</text>` : '');
  });
  // The limit ranges are fine print: not in presenter type.
  if (info.limits && !big) {
    const y = b.y + G.bandHeader + info.rows * G.quotaRow + 14;
    s += `<text class="ns-limits" data-testid="limit-ranges" x="40" y="${y}">${esc(fitText(limitLine(n), w - 60, f))}</text>`;
  }
  return s;
}

// quotaBar is one quota's bar (bw × bh, its top at y + 6) and its label.
function quotaBar(q, x, y, bw, bh, label) {
  const fill = quotaFill(q);
  const full = fill >= 1;
  return `<g class="quota${full ? ' full' : ''}" data-testid="quota" data-quota="${esc(q.name + '/' + q.resource)}" data-fill="${Number.isFinite(fill) ? fill.toFixed(3) : ''}">` +
    `<title>${esc(`${q.name}: ${q.resource} ${q.used}/${q.hard}`)}</title><rect class="quota-bg" x="${x}" y="${y + 6}" width="${bw}" height="${bh}" rx="${bh / 2}"/>` +
    `<rect class="quota-fill" x="${x}" y="${y + 6}" width="${Math.round(bw * Math.min(1, Number.isFinite(fill) ? fill : 0))}" height="${bh}" rx="${bh / 2}"/>` +
    label + '</g>';
}

// detailsRows lists an entity's fields for the details panel, as
// [label, value] pairs; labels of pods come separately.
export function detailsRows(n) {
  const rows = [
    [t('details.kind'), n.kind],
    [t('details.name'), n.name],
  ];
  if (n.namespace) rows.push([t('details.namespace'), n.namespace]);
  rows.push([t('details.id'), n.id]);
  const skip = new Set(['id', 'kind', 'name', 'namespace', 'uid', 'labels', 'warnings']);
  for (const [k, v] of Object.entries(n)) {
    if (skip.has(k) || v === undefined || v === null || v === '') continue;
    let val;
    if (Array.isArray(v)) {
      val = v.map((x) => (x && typeof x === 'object' ? Object.entries(x).filter(([, y]) => y !== '' && y !== undefined && y !== false).map(([a, b]) => `${a}=${b}`).join(' ') : String(x))).join('\n');
    } else if (typeof v === 'object') {
      val = Object.entries(v).map(([a, b]) => `${a}=${b}`).join('\n');
    } else val = String(v);
    // Known fields get a translated label; new ones show their wire name.
    const label = t('field.' + k);
    rows.push([label === 'field.' + k ? k : label, val || t('details.none')]);
  }
  if (n.uid) rows.push([t('details.uid'), n.uid]);
  return rows;
}

// warningRows lists an object's warnings for its details, newest first:
// [reason and count, message, time].
export function warningRows(n) {
  return (n?.warnings || []).filter((w) => w && w.reason)
    .slice().sort((a, b) => String(b.last || '').localeCompare(String(a.last || '')) || String(a.reason).localeCompare(String(b.reason)))
    .map((w) => [`${w.reason}${(w.count | 0) > 1 ? ` ×${w.count | 0}` : ''}`, w.message || '', w.last || '']);
}

// ---------------------------------------------------------------------------
// DOM side.

// podTip is a grid cell's tooltip: the pod's name and status.
const podTip = (p) => p.name + ' · ' + (p.status || '');

function el(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// related returns the ids on the path through id: Ingress → Service → Pods →
// Nodes, following routes/selects/runs-on both ways as fits the kind.
const adjCache = new WeakMap(); // edges Map → {gen, up, down}

// adjacency indexes edges both ways; it is rebuilt only when gen (the
// store's change counter) moves, so hovering costs nothing per frame.
function adjacency(edges, gen) {
  const c = adjCache.get(edges);
  if (c && gen !== undefined && c.gen === gen) return c;
  const up = new Map();
  const down = new Map();
  for (const e of edges.values()) {
    if (e.kind === 'owns') continue;
    if (!down.has(e.from)) down.set(e.from, []);
    down.get(e.from).push(e);
    if (!up.has(e.to)) up.set(e.to, []);
    up.get(e.to).push(e);
  }
  const v = { gen, up, down };
  adjCache.set(edges, v);
  return v;
}

const SIDE_MARKUP = new Set(['ServiceAccount', 'Role', 'ClusterRole', 'User', 'Group', 'NetworkPolicy', 'PodDisruptionBudget']);

const LANE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

export function related(id, nodes, edges, lanes, gen) {
  const { up, down } = adjacency(edges, gen);
  const ids = new Set([id]);
  const edgeIds = new Set();
  const goUp = (x) => {
    for (const e of up.get(x) || []) {
      if (e.kind === 'runs-on') continue;
      edgeIds.add(e.id);
      if (!ids.has(e.from)) {
        ids.add(e.from);
        goUp(e.from);
      }
    }
  };
  const goDown = (x) => {
    for (const e of down.get(x) || []) {
      edgeIds.add(e.id);
      if (!ids.has(e.to)) {
        ids.add(e.to);
        goDown(e.to);
      }
    }
  };
  const n = nodes.get(id);
  let seeds = [id];
  if (n?.kind === 'Node') {
    seeds = (up.get(id) || []).filter((e) => e.kind === 'runs-on').map((e) => {
      edgeIds.add(e.id);
      return e.from;
    });
  } else if (lanes && (LANE_KINDS.has(n?.kind) || id.startsWith('group:'))) {
    seeds = [];
    for (const [lid, lane] of lanes) {
      if (lid === id || nodes.get(lid)?.owner === id) {
        ids.add(lid);
        seeds.push(...lane.pods);
      }
    }
  }
  for (const s of seeds) {
    ids.add(s);
    goUp(s);
    goDown(s);
  }
  return { ids, edgeIds };
}

// FADE_CELLS_MAX: with more pods than this, new grid cells appear without a fade.
export const FADE_CELLS_MAX = 2000;

// DIM_MAX: with more pods than this, hover and search outline instead of dim.
export const DIM_MAX = 1500;

// JUMP_ABOVE: more pods than this moving in one frame jump instead of glide.
export const JUMP_ABOVE = 150;

// BAND_MEMO: the kinds of box whose markup and status derive only from
// objects of their namespace's band (status.js boxFacts). layout.js reuses
// a band's boxes as the same objects while nothing in the namespace
// changed (placeBands), so such a box, given the same object and the same
// node, draws the same and is skipped: a delta in one namespace recomputes
// that namespace's boxes, not every box of the picture. Nodes (pod counts),
// node groups, identity and references read objects from elsewhere and
// are always recomputed.
const BAND_MEMO = new Set(['Service', 'Ingress', 'Deployment', 'StatefulSet', 'DaemonSet']);

export class Renderer {
  constructor(svg, opts = {}) {
    this.svg = svg;
    this.motion = opts.motion !== false;
    this.onToggleNamespace = opts.onToggleNamespace || (() => {});
    this.onToggleNodeGroup = opts.onToggleNodeGroup || (() => {});
    this.root = el('g', { class: 'viewport' });
    svg.appendChild(this.root);
    this.layers = {};
    // refs: the reference column's boxes, above the edges, so the pod →
    // Node edges that cross the column pass behind them; entries: a
    // focused NodePort Service's way in through every Node.
    // under: edges that pass beneath boxes (from the first of two
    // workload columns across the second, layout.js splitWorkloads).
    for (const name of ['bands', 'heads', 'under', 'boxes', 'lanes', 'edges', 'refs', 'pods', 'entries']) {
      this.layers[name] = el('g', { class: 'layer-' + name });
      this.root.appendChild(this.layers[name]);
    }
    this.items = { bands: new Map(), boxes: new Map(), lanes: new Map(), pods: new Map(), edges: new Map(), ghosts: new Map(), podLanes: new Map(), canvases: new Map() };
    // Big compact lanes paint on a canvas (canvaslane.js); dirty: the ids
    // of those whose cells need a redraw.
    this.dirty = new Set();
    this.marks = new Marks();
    this.palette = null;
    // The theme switches without a render: the canvases follow it.
    if (typeof MutationObserver === 'function' && svg.ownerDocument?.documentElement) {
      new MutationObserver(() => {
        this.palette = null;
        this.drawCanvasLanes(true);
      }).observe(svg.ownerDocument.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    }
    // warnings: the warnings layer is on (badges, a Pending pod's reason).
    this.warnings = opts.warnings !== false;
    this.first = true;
    this.drawHeadings();
  }

  // drawHeadings (re)draws the column headings, e.g. after a language
  // switch; pods then redraw their labels at the next render too (their fast
  // path would otherwise keep the old words).
  drawHeadings() {
    for (const item of this.items.pods.values()) item.p = null;
    for (const item of this.items.boxes.values()) item.box = null;
    for (const item of this.items.lanes.values()) item.lane = null;
    const g = this.layers.heads;
    g.textContent = '';
    // The layout's columns: the references column comes and goes.
    const cols = this.L?.columns || Object.entries(GEOM.col).map(([id, c]) => ({ id, ...c }));
    this.headSig = cols.map((c) => `${c.id}@${c.x}${c.head || ''}`).join() + `|${textScaleNow()}|${G.top}`;
    const xs = cols.map((c) => c.x).sort((a, b) => a - b);
    for (const c of cols) {
      const id = c.id;
      const key = c.head || { ingress: 'col.ingress', service: 'col.service', work: 'col.workloads', ref: 'col.refs', node: 'col.nodes' }[id];
      const txt = el('text', { class: 'col-head', x: c.x + 4, y: G.top - (G.headRise ?? 22) });
      // A heading ends before the next column's (presenter type is wide).
      const next = xs.find((x) => x > c.x);
      const head = t(key).toUpperCase();
      txt.textContent = presenting() ? fitText(head, (next ?? c.x + c.w) - c.x - 20, fontPx('label') * 1.25, { bold: true }) : head;
      g.appendChild(txt);
    }
  }

  // place moves an element to x,y (a CSS transform, so it can glide) and
  // counts weight moved things when it really moved.
  place(el, x, y, weight) {
    const tr = `translate(${x}px,${y}px)`;
    if (el._tr === tr) return;
    if (el._tr !== undefined) {
      this.moved += weight;
      this.movedEls.push(el);
    }
    el._tr = tr;
    el.style.transform = tr;
  }

  // animate runs a Web Animation unless motion is off; done runs either way.
  animate(node, frames, opts, done) {
    if (!this.motion || this.first || typeof node.animate !== 'function') {
      done?.();
      return;
    }
    const a = node.animate(frames, { easing: 'cubic-bezier(.2,.7,.2,1)', ...opts });
    if (done) a.onfinish = a.oncancel = done;
  }

  leave(item) {
    const node = item.el;
    for (const attr of ['data-id', 'data-edge']) {
      if (node.hasAttribute(attr)) {
        node.setAttribute('data-leaving', node.getAttribute(attr));
        node.removeAttribute(attr);
      }
    }
    node.classList.add('leaving');
    const target = item.body || node;
    this.animate(target, [{ opacity: 1, transform: 'scale(1)' }, { opacity: 0, transform: 'scale(0.2)' }], { duration: 420 }, () => node.remove());
    if (!this.motion || this.first) node.remove();
  }

  // sync reconciles one keyed layer.
  sync(map, want, create, update) {
    for (const [id, item] of map) {
      if (!want.has(id)) {
        map.delete(id);
        this.leave(item);
      }
    }
    for (const [id, v] of want) {
      let item = map.get(id);
      if (!item) {
        item = create(id, v);
        map.set(id, item);
        item.fresh = true;
      } else item.fresh = false;
      update(item, v);
    }
  }

  // render draws layout L of graph {nodes, edges}, reconciling each layer
  // by id: what exists already moves or redraws only if it changed, so a
  // change to one pod costs one pod.
  render(L, graph) {
    const { nodes } = graph;
    // Nothing animates into an empty picture: the first snapshot just appears.
    this.first = this.items.pods.size === 0 && this.items.boxes.size === 0;
    this.moved = 0;
    this.movedEls = [];
    this.L = L;
    G = L.geom || GEOM;
    this.graph = graph;
    if (this.headSig !== L.columns.map((c) => `${c.id}@${c.x}${c.head || ''}`).join() + `|${textScaleNow()}|${G.top}`) this.drawHeadings();
    if (L.pods.size > CANVAS_CELLS_ABOVE) this.readPalette();
    this.drawBands(L);
    this.drawBoxes(L, graph);
    this.drawGhosts(L);
    this.drawLanes(L, nodes);
    this.placePodLanes(L);
    // In a very big picture every animated frame repaints thousands of
    // elements (SVG is one paint layer), so grid cells just appear there;
    // full-size pods still fade and scale in.
    this.drawPods(L, nodes, L.pods.size > FADE_CELLS_MAX);
    this.drawCanvasLanes();
    this.drawEdges(L);
    this.drawCaveat(L);
    this.first = false;
    this.settleMoves();
  }

  // drawCaveat draws the network-policy caveat where a presenter picture
  // placed it (L.caveat, layout.js placeCaveat): a note of the picture's
  // own, above the edges. presenter.css then hides the stage's note.
  drawCaveat(L) {
    const c = L.caveat;
    const sig = c ? `${c.x},${c.y},${c.w},${c.h}|${c.text}` : '';
    if (sig === (this.caveatSig || '')) return;
    this.caveatSig = sig;
    this.caveatEl?.remove();
    this.caveatEl = null;
    if (!c) return;
    const g = el('g', { class: 'caveat', 'data-testid': 'netpol-caveat', transform: `translate(${c.x},${c.y})` });
    g.innerHTML = `<rect class="caveat-bg" width="${c.w}" height="${c.h}" rx="10"/>` + drawBlock(caveatBlock(c.text, c.w), CAVEAT_PAD);
    this.layers.refs.appendChild(g);
    this.caveatEl = g;
  }

  // drawBands draws a band per namespace; its header toggles the namespace.
  drawBands(L) {
    const G = GEOM;
    const bandWant = new Map(L.bands.map((b) => [b.ns, b]));
    this.sync(this.items.bands, bandWant, (ns) => {
      const g = el('g', { class: 'band', 'data-testid': 'ns-band', 'data-ns': ns });
      g.addEventListener('click', (ev) => {
        if (ev.target.closest('.band-head')) this.onToggleNamespace(ns);
      });
      g.addEventListener('keydown', (ev) => {
        if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.closest('.band-head')) {
          ev.preventDefault();
          this.onToggleNamespace(ns);
        }
      });
      this.layers.bands.appendChild(g);
      return { el: g, sig: '' };
    }, (item, b) => {
      const w = L.bandW || G.col.work.x + G.col.work.w;
      const counts = POD_STATES.filter((k) => b.counts[k]).map((k) => `${b.counts[k]} ${t('state.' + k).toLowerCase()}`);
      const summary = [t('node.pods', { count: b.pods }), ...(b.collapsed ? counts : [])].join(' · ');
      const nsNode = this.graph?.nodes?.get(`Namespace/${b.ns}`);
      // b.info: the layout drew the namespace (the quotas layer is on).
      const info = b.info && nsNode ? b.info : null;
      const infoSig = info ? JSON.stringify([nsNode.quotas, nsNode.limitRanges, nsNode.podSecurity, b.collapsed, textScaleNow(), info]) : '';
      const sig = `${b.y}|${b.h}|${b.collapsed}|${summary}|${b.empty}|${w}|${infoSig}`;
      if (item.sig === sig) return;
      item.sig = sig;
      item.el.setAttribute('data-collapsed', String(b.collapsed));
      item.el.innerHTML = `<rect class="band-bg" x="20" y="${b.y}" width="${w}" height="${b.h}" rx="18"/>` +
        `<g class="band-head" role="button" tabindex="0" aria-label="${esc(t(b.collapsed ? 'ns.expand' : 'ns.collapse', { ns: b.ns }))}">` +
        `<rect class="band-hit" x="20" y="${b.y}" width="${w}" height="${G.bandHeader - 4}" rx="18"/>` +
        `<text class="band-title" x="40" y="${b.y + 26}">${b.collapsed ? '▸' : '▾'} ${esc(b.ns)}<tspan class="band-sum" dx="14">${esc(summary)}</tspan></text></g>` +
        (b.empty ? `<text class="band-empty" x="${G.col.work.x}" y="${b.y + G.bandHeader + (b.info?.h || 0) + 18}">${esc(t('ns.empty', { ns: b.ns }))}</text>` : '') +
        // The namespace itself (the quotas layer): an entity of its own.
        (info ? `<g class="ns-info" data-id="${esc(nsNode.id)}" data-status="${esc(namespaceStatus(nsNode))}">${b.collapsed ? nsInfoMarkup({}, { ...info, limits: false }, b, w) : nsInfoMarkup(nsNode, info, b, w)}</g>` : '');
    });
  }

  // drawBoxes draws the Ingress, Service, workload and Node boxes, with the
  // status and lines status.js gives them (the SVG file asks the same).
  drawBoxes(L, { nodes, edges }) {
    const svcStates = endpointStates(edges.values());
    // A Node's pods are its runs-on edges, as the server sends them.
    const podsOnNode = new Map();
    for (const e of edges.values()) if (e.kind === 'runs-on') podsOnNode.set(e.to, (podsOnNode.get(e.to) || 0) + 1);
    // A ServiceAccount's pods, and how many mount its token.
    const saPods = new Map();
    for (const e of edges.values()) {
      if (e.kind !== 'runs-as') continue;
      const c = saPods.get(e.to) || { pods: 0, tokens: 0 };
      c.pods++;
      if (e.token) c.tokens++;
      saPods.set(e.to, c);
    }
    const boxWant = new Map();
    for (const [id, box] of L.boxes) boxWant.set(id, box);
    const epoch = this.drawEpoch();
    this.sync(this.items.boxes, boxWant, (id, box) => {
      const g = el('g', { class: `box kind-${box.kind}`, 'data-id': id });
      if (id.startsWith('group:')) {
        g.removeAttribute('data-id');
        g.setAttribute('data-group', id);
      }
      if (box.kind === 'NodeGroup') wireNodeGroup(g, box, (key) => this.onToggleNodeGroup(key));
      const body = el('g', { class: 'body' });
      g.appendChild(body);
      (REF_KINDS.has(box.kind) ? this.layers.refs : this.layers.boxes).appendChild(g);
      return { el: g, body, sig: '' };
    }, (item, box) => {
      const n = nodes.get(box.id);
      if (!item.fresh && item.box === box && item.n === n && item.epoch === epoch && BAND_MEMO.has(box.kind)) return;
      item.box = box;
      item.n = n;
      item.epoch = epoch;
      const facts = boxFacts(box, n, L, nodes, svcStates);
      const status = isGatewayKind(box.kind) ? gatewayStatus(n) : facts.status;
      let markup;
      if (box.kind === 'NodeGroup') {
        markup = nodeGroupMarkup(box);
        item.el.setAttribute('class', `box kind-NodeGroup node-c${box.colour}${box.group.trouble ? ' trouble' : ''}`);
        nodeGroupAttrs(item.el, box);
      } else if (isGatewayKind(box.kind)) {
        markup = gatewayMarkup(n, box, t, esc);
      } else if (box.kind === 'Service') {
        markup = serviceMarkup(n, box, facts.summary);
      } else if (box.kind === 'Ingress') {
        markup = ingressMarkup(n, box, facts.missing);
      } else if (box.kind === 'Node') {
        markup = nodeMarkup(n, box, podsOnNode.get(box.id) || 0);
        item.el.setAttribute('class', `box kind-Node node-c${box.colour}${n.unschedulable ? ' cordoned' : ''}`);
        item.el.setAttribute('data-cordoned', String(!!n.unschedulable));
      } else if (SIDE_MARKUP.has(box.kind)) {
        const c = saPods.get(box.id) || { pods: 0, tokens: 0 };
        markup = sideMarkup(n, box, facts, box.kind === 'ServiceAccount' ? saLine(n, c.pods, c.tokens) : facts.line || '');
        if (facts.risky) item.el.setAttribute('data-risky', (n.risky || []).join(','));
        else item.el.removeAttribute('data-risky');
      } else if (box.kind === 'Deployment') {
        item.info = facts.info;
        markup = deploymentMarkup(n, box, facts.info);
      } else if (box.kind === 'Job' || box.kind === 'CronJob') {
        markup = jobMarkup(n, box, facts);
      } else if (box.kind === CUSTOM_BOX && n) {
        markup = customOwnerMarkup(n, box, t, esc, (s, px, font) => fitText(s, px, fontPx(font)));
      } else if (box.kind === 'HorizontalPodAutoscaler') {
        markup = hpaMarkup(n, box, facts, this.warnings);
      } else if (REF_KINDS.has(box.kind)) {
        markup = refMarkup(n, box, facts);
      } else {
        const podCount = box.lanes.reduce((k, lid) => k + L.lanes.get(lid).pods.length, 0);
        markup = setMarkup(n, box, box.kind, podCount);
      }
      if (this.warnings && n?.warnings?.length) markup += warnMarkup(n, box.w, presenting() ? titleKeep(box.kind === 'HorizontalPodAutoscaler' ? `${t('kind.hpa')} ${n.name}` : n.name) : 0);
      // Markup is relative to the box: a box that only moved (a lane above
      // grew) keeps its elements; re-parsing every box below a growing lane
      // was much of a scale-up's slowest frame.
      const sig = `${box.h}|${markup}`;
      this.place(item.el, box.x, box.y, 1);
      if (status) item.el.setAttribute('data-status', status);
      if (item.sig !== sig) {
        item.body.innerHTML = markup;
        item.sig = sig;
      }
      if (item.fresh) this.animate(item.body, [{ opacity: 0 }, { opacity: 1 }], { duration: 350 });
    });
  }

  // drawEpoch is what a box's or lane's markup depends on beyond its
  // layout and objects: the type's scale (presenter) and the warnings
  // layer. (A language switch clears the memos: drawHeadings.)
  drawEpoch() {
    return `${textScaleNow()}|${this.warnings}`;
  }

  // drawGhosts draws the Services Ingress rules name but that do not exist;
  // they live with the boxes.
  drawGhosts(L) {
    const ghostWant = new Map(L.ghosts.map((g) => [g.id, g]));
    this.sync(this.items.ghosts, ghostWant, (id, gh) => {
      const g = el('g', { class: 'box ghost', 'data-ghost': id, 'data-status': 'Missing' });
      (REF_KINDS.has(gh.kind) ? this.layers.refs : this.layers.boxes).appendChild(g);
      return { el: g, sig: '' };
    }, (item, g) => {
      this.place(item.el, g.x, g.y, 1);
      const sig = `${g.h}|${g.name}|${g.kind}`;
      if (item.sig === sig) return;
      item.sig = sig;
      const what = g.kind === 'Service' || !g.kind ? t('ing.missing', { name: '' }).trim() : t('ref.missing', { kind: t('kind.' + g.kind) });
      item.el.innerHTML = `<rect class="box-bg" width="${g.w}" height="${g.h}" rx="12"/>` +
        `<text class="box-sub bad" x="16" y="26">${esc(ellipsize(what, 32))}</text>` +
        `<text class="box-title small" x="16" y="48">${esc(ellipsize(g.name, 24))}</text>`;
    });
  }

  // drawLanes draws the lanes of the workload boxes; a Deployment's lanes
  // read its box's rollout (drawBoxes runs first) to mark the new one.
  drawLanes(L, nodes) {
    const epoch = this.drawEpoch();
    const laneOwnerBox = new Map();
    for (const box of L.boxes.values()) for (const lid of box.lanes || []) laneOwnerBox.set(lid, box);
    this.sync(this.items.lanes, L.lanes, (id) => {
      const g = el('g', { class: 'lane' });
      this.layers.lanes.appendChild(g);
      return { el: g, sig: '' };
    }, (item, lane) => {
      // A lane is an entity of its own when it is a ReplicaSet, or a Job
      // inside its CronJob's box; otherwise the box carries the id. A Job
      // can become a lane of its CronJob's box later (the CronJob's own
      // event came second), so this is checked at every draw.
      const entity = lane.id.startsWith('ReplicaSet/') || (lane.id.startsWith('Job/') && !!lane.inCron);
      if (item.entity !== entity) {
        item.entity = entity;
        item.el.removeAttribute(entity ? 'data-lane' : 'data-id');
        item.el.setAttribute(entity ? 'data-id' : 'data-lane', lane.id);
      }
      const rs = lane.kind === 'ReplicaSet' ? nodes.get(lane.id) : null;
      const box = laneOwnerBox.get(lane.id);
      const deploy = box?.kind === 'Deployment' ? nodes.get(box.id) : null;
      const info = deploy ? this.items.boxes.get(box.id)?.info : null;
      // As for boxes: the same lane object is a lane of a band the layout
      // reused as is, whose pods, ReplicaSet and owner are unchanged. Its
      // Nodes are counted afresh at every layout (routeRunsOn: a Node or
      // node group may come or go outside the band).
      const nn = lane.nodes?.size ?? -1;
      if (item.lane === lane && item.rs === rs && item.deploy === deploy && item.info === info && item.box === box && item.nn === nn && item.epoch === epoch) return;
      Object.assign(item, { lane, rs, deploy, info, box, nn, epoch });
      const isNew = !!info && info.rolling && info.newestId === lane.id;
      const counts = {};
      if (lane.compact) for (const pid of lane.pods) { const s = podState(nodes.get(pid)); counts[s] = (counts[s] || 0) + 1; }
      const job = lane.kind === 'Job' ? nodes.get(lane.id) : null;
      const markup = laneMarkup(lane, rs, deploy?.name, isNew, counts, lane.inCron ? job : null);
      if (job && lane.inCron) item.el.setAttribute('data-status', jobStatus(job));
      if (rs) {
        item.el.setAttribute('data-status', laneStatus(lane.id, info));
        item.el.setAttribute('data-revision', String(rs.revision | 0));
        item.el.setAttribute('data-pods', String(lane.pods.length));
      }
      this.place(item.el, lane.x, lane.y, 1);
      const sig = markup;
      if (item.sig !== sig) {
        item.el.innerHTML = markup;
        item.sig = sig;
      }
    });
  }

  // placePodLanes keeps one pod container per lane, positioned where the
  // lane is: pods sit in it relative to the lane, so when a lane moves (a
  // lane above grew), one transform moves all its pods.
  placePodLanes(L) {
    for (const [lid, c] of this.items.podLanes) {
      if (!L.lanes.has(lid)) {
        c.remove();
        this.items.podLanes.delete(lid);
      }
    }
    for (const [lid, lane] of L.lanes) {
      let c = this.items.podLanes.get(lid);
      if (!c) {
        c = el('g', { class: 'lane-pods' });
        this.layers.pods.appendChild(c);
        this.items.podLanes.set(lid, c);
      }
      // Moving a lane moves all its pods: count them, so a crowd jumps.
      this.place(c, lane.x, lane.y, Math.max(1, lane.pods.length));
      const big = lane.compact && Math.max(lane.cap | 0, lane.pods.length) > CANVAS_CELLS_ABOVE;
      const cv = this.items.canvases.get(lid);
      if (big && !cv) {
        const made = new CanvasLane(c, this.first);
        made.canvas._lane = lid;
        this.items.canvases.set(lid, made);
        this.dirty.add(lid);
      } else if (!big && cv) {
        cv.remove();
        this.items.canvases.delete(lid);
      }
    }
    for (const [lid, cv] of this.items.canvases) {
      if (!L.lanes.has(lid)) {
        cv.remove();
        this.items.canvases.delete(lid);
      }
    }
  }

  // readPalette reads the canvases' colours once per theme. render calls
  // it before it adds elements: reading computed style later would force
  // the style of thousands of new ones in the middle of a draw.
  readPalette() {
    if (this.palette) return;
    this.palette = paletteOf(this.svg);
    this.palette.sig = Object.values(this.palette).join();
  }

  // bareCanvasPod leaves a canvas lane's pod its bare element, out of the
  // render tree (style.css): the canvas paints the pod and finds it under
  // the pointer (canvasEntity).
  bareCanvasPod(item, g) {
    if (g._tr !== undefined) {
      g.style.transform = '';
      g._tr = undefined;
    }
    if (item.body) {
      item.body.remove();
      item.body = null;
      item.sig = '';
    }
  }

  // canvasEntity is the element of what the pointer at viewport point x,y
  // over a lane canvas is on: the pod whose cell is there, else the lane.
  // The canvas's tooltip names the pod, as an SVG cell's <title> does.
  canvasEntity(canvas, x, y) {
    const cv = this.items.canvases.get(canvas._lane);
    if (!cv) return null;
    const item = this.items.pods.get(cv.podAt(x, y));
    const tip = item?.p ? podTip(item.p) : '';
    if (canvas.title !== tip) canvas.title = tip;
    return item ? item.el : this.items.lanes.get(canvas._lane)?.el || null;
  }

  // drawCanvasLanes repaints the canvas lanes whose cells changed (all:
  // every one, e.g. after a highlight or a theme switch). A cell shows its
  // pod's state, and the hover, search and focus marks the pod's element
  // carries, the way style.css shows them on SVG cells.
  drawCanvasLanes(all = false) {
    const L = this.L;
    if (!L || !this.items.canvases.size) return;
    this.readPalette();
    const has = (c) => this.svg.classList.contains(c);
    const dimHl = has('has-hl');
    const dimMatch = has('has-match');
    const reach = has('has-reach');
    for (const [lid, cv] of this.items.canvases) {
      const lane = L.lanes.get(lid);
      if (!lane || (!all && !this.dirty.has(lid) && cv.n === lane.pods.length && cv.lane === lane)) continue;
      cv.n = lane.pods.length;
      cv.lane = lane;
      const cells = [];
      for (const pid of lane.pods) {
        const item = this.items.pods.get(pid);
        const geo = L.pods.get(pid);
        if (!item || !geo) continue;
        const cl = item.el.classList;
        const reached = cl.contains('reach-self') || cl.contains('reach-in') || cl.contains('reach-out');
        cells.push({
          slot: geo.slot, state: item.state, id: pid,
          lit: cl.contains('hl') || cl.contains('match') || cl.contains('focus') || reached,
          dim: (dimHl && !cl.contains('hl')) || (dimMatch && !cl.contains('match')),
          faint: reach && !reached,
        });
      }
      cv.draw(cellGeom(lane, G), cells, this.palette);
    }
    this.dirty.clear();
  }

  // drawPods draws every pod into its lane's container. big: a picture so
  // big that new grid cells appear without a fade.
  drawPods(L, nodes, big) {
    this.sync(this.items.pods, L.pods, (id) => {
      // A body only when drawn in SVG (not in a canvas lane): at 20,000
      // pods every element made counts.
      return { el: el('g', { class: 'pod', 'data-id': id }), body: null, sig: '', state: '', restarts: 0, uid: '' };
    }, (item, geo) => {
      const p = nodes.get(geo.id);
      const lane = L.lanes.get(geo.lane);
      const nodeBox = p.node ? L.boxes.get(p.node) : null;
      const inCanvas = geo.compact && this.items.canvases.has(geo.lane);
      const container = inCanvas ? this.items.canvases.get(geo.lane).pods : this.items.podLanes.get(geo.lane);
      // A new element is put in the page after its attributes are set: a
      // change to an element in the page costs style bookkeeping, and a
      // first draw of 20,000 pods makes ten of them per pod.
      const attach = () => {
        if (item.el.parentNode !== container) container.appendChild(item.el);
      };
      if (!item.fresh) attach();
      if (item.x !== geo.x || item.y !== geo.y) {
        item.el.setAttribute('data-x', String(geo.x));
        item.el.setAttribute('data-y', String(geo.y));
      }
      const rx = geo.x - lane.x;
      const ry = geo.y - lane.y;
      const colour = nodeBox ? nodeBox.colour : -1;
      item.el._lane = inCanvas ? geo.lane : '';
      // Fast path, numbers only: the same object at the same place in a lane
      // of the same width draws the same; with thousands of pods most of
      // every frame is this.
      if (!item.fresh && item.p === p && item.rx === rx && item.ry === ry && item.r === geo.r &&
        item.compact === geo.compact && item.laneW === lane.w && item.colour === colour && item.warnings === this.warnings && item.inCanvas === inCanvas) {
        item.x = geo.x;
        item.y = geo.y;
        return;
      }
      const key = `${rx},${ry},${geo.r},${geo.compact},${lane.w},${colour}`;
      item.r = geo.r;
      item.compact = geo.compact;
      item.laneW = lane.w;
      item.colour = colour;
      item.inCanvas = inCanvas;
      if (inCanvas) this.dirty.add(geo.lane);
      item.warnings = this.warnings;
      item.rx = rx;
      item.ry = ry;
      item.x = geo.x;
      item.y = geo.y;
      item.p = p;
      item.key = key;
      const st = podState(p);
      const ownerNode = p.owner ? nodes.get(p.owner) : null;
      const g = item.el;
      g.setAttribute('data-status', p.status || 'Unknown');
      g.setAttribute('data-state', st);
      g.setAttribute('data-node', p.node || '');
      g.classList.remove(`st-${item.state}`);
      g.classList.add(`st-${st}`);
      g.classList.toggle('compact', geo.compact);
      g.classList.toggle('in-canvas', inCanvas);
      if (inCanvas) this.bareCanvasPod(item, g);
      else {
        if (!item.body) item.body = g.appendChild(el('g', { class: 'body' }));
        this.place(g, rx, ry, 1);
        const markup = geo.compact
          ? `<title>${esc(podTip(p))}</title><rect class="cell" x="${-geo.r}" y="${-geo.r}" width="${geo.r * 2}" height="${geo.r * 2}" rx="2"/>`
          : podMarkup(p, geo, lane, ownerNode, nodeBox, this.warnings);
        if (item.sig !== markup) {
          item.body.innerHTML = markup;
          item.sig = markup;
        }
      }
      attach();
      const recreated = item.uid && p.uid && item.uid !== p.uid;
      // Canvas cells appear and recolour at once (no per-cell animation).
      if ((item.fresh || recreated) && !(geo.compact && big) && !inCanvas) {
        this.animate(item.body, geo.compact ? [{ opacity: 0 }, { opacity: 1 }] : [{ opacity: 0, transform: 'scale(0.2)' }, { opacity: 1, transform: 'scale(1)' }], { duration: 480 });
      } else if (item.state && item.state !== st && !geo.compact) {
        const gl = item.body?.querySelector('.glyph');
        if (gl) this.animate(gl, [{ transform: 'scale(1.45)' }, { transform: 'scale(1)' }], { duration: 520 });
      }
      if (!item.fresh && p.restarts > item.restarts) {
        const badge = item.body?.querySelector('.badge');
        if (badge) {
          const base = badge.getAttribute('transform');
          this.animate(badge, [{ transform: `${base} scale(1)` }, { transform: `${base} scale(1.9)` }, { transform: `${base} scale(1)` }], { duration: 700, iterations: 2 });
        }
      }
      item.state = st;
      item.restarts = p.restarts | 0;
      item.uid = p.uid || '';
    });
  }

  // drawEdges draws the edges, with their labels.
  drawEdges(L) {
    const edgeWant = new Map(L.edges.map((e) => [e.id, e]));
    this.sync(this.items.edges, edgeWant, (id, e) => {
      const g = el('g', { class: 'edge' });
      if (e.agg || e.synthetic) g.setAttribute('data-agg', id);
      else g.setAttribute('data-edge', id);
      const path = el('path', {});
      g.appendChild(path);
      this.layers.edges.appendChild(g);
      return { el: g, path, sig: '', state: '' };
    }, (item, e) => {
      const layer = e.under ? this.layers.under : this.layers.edges;
      if (item.el.parentNode !== layer) layer.appendChild(item.el);
      const cls = `edge k-${e.kind} s-${e.state || 'none'}${e.kind === 'runs-on' ? ` node-c${e.colour}` : ''}${e.agg ? ' agg' : ''}`;
      const label = edgeLabel(e);
      const sig = `${cls}|${e.d}|${label?.text}|${e.lx},${e.ly}|${e.as}|${e.count}`;
      if (e.state && (e.kind === 'selects' || e.kind === 'mounts')) item.el.setAttribute('data-status', e.state);
      if (e.kind === 'mounts') {
        item.el.setAttribute('data-as', e.as || '');
        if (e.agg) item.el.setAttribute('data-count', String(e.count));
      }
      if (e.kind === 'runs-as' || e.kind === 'isolates' || e.kind === 'grants') {
        item.el.setAttribute('data-status', e.state || '');
        if (e.agg) item.el.setAttribute('data-count', String(e.count));
        if (e.kind === 'runs-as') item.el.setAttribute('data-token', String(!!e.token));
        if (e.kind === 'grants') item.el.setAttribute('data-binding', e.binding || '');
      }
      if (item.sig === sig) return;
      item.sig = sig;
      item.el.setAttribute('class', cls);
      item.path.setAttribute('d', e.d);
      if (e.agg && e.kind === 'runs-on') item.path.style.strokeWidth = String(Math.min(10, 1.5 + Math.log2(e.count)));
      let txt = item.el.querySelector('text');
      if (label) {
        if (!txt) {
          txt = el('text', { class: 'edge-label' });
          item.el.appendChild(txt);
        }
        txt.setAttribute('x', e.lx);
        txt.setAttribute('y', e.ly);
        txt.setAttribute('text-anchor', label.anchor);
        txt.setAttribute('class', label.cls);
        txt.textContent = label.text;
      } else if (txt) txt.remove();
      // Traffic cut-over: an endpoint joining or leaving draws its edge in,
      // or flashes it, so the change is seen even from afar.
      if (e.kind === 'selects' && !e.agg) {
        const joined = (item.fresh && e.state === 'ready') || (item.state && item.state !== e.state);
        if (joined && this.motion && !this.first && item.path.getTotalLength) {
          const len = item.path.getTotalLength();
          this.animate(item.path, [{ strokeDasharray: `${len} ${len}`, strokeDashoffset: len }, { strokeDasharray: `${len} ${len}`, strokeDashoffset: 0 }], { duration: 650 });
          this.animate(item.el, [{ filter: 'drop-shadow(0 0 6px var(--ready))' }, { filter: 'none' }], { duration: 900 });
        }
      } else if (item.fresh) {
        this.animate(item.el, [{ opacity: 0 }, { opacity: 1 }], { duration: 400 });
      }
      item.state = e.state || '';
    });
  }

  // settleMoves: moves glide, unless this frame moves a crowd: hundreds of
  // transform transitions at once would stall every frame until they end.
  // Styles are not computed yet, so turning transitions off still applies
  // to this frame's moves.
  settleMoves() {
    if (this.moved > JUMP_ABOVE) {
      // Inline, on the moved elements only: a class on the root would
      // restyle every element of the picture, twice.
      const els = this.movedEls;
      for (const e of els) e.style.transition = 'none';
      requestAnimationFrame(() => requestAnimationFrame(() => {
        for (const e of els) e.style.transition = '';
      }));
    }
  }

  // drawEntries shows, while a NodePort or LoadBalancer Service is in
  // focus, each Node's entry point (<internalIP>:<nodePort>) and the path
  // from the Node into the Service: the way in from outside the cluster.
  drawEntries(sel) {
    const g = this.layers.entries;
    const nodes = this.graph?.nodes;
    let svc = null;
    if (sel && this.L && nodes) {
      for (const id of sel.ids) {
        const n = nodes.get(id);
        if (n?.kind === 'Service' && (n.type === 'NodePort' || n.type === 'LoadBalancer') && this.L.boxes.has(id)) {
          if (!svc || id < svc.id) svc = n;
        }
      }
    }
    const list = svc ? entryPoints(this.L, nodes, svc) : [];
    const sig = JSON.stringify(list);
    if (g._sig === sig) return;
    g._sig = sig;
    g.innerHTML = list.map((e) => {
      const w = 16 + e.label.length * 8.2;
      return `<g class="entry" data-testid="entry-point" data-entry="${esc(e.id)}" data-service="${esc(svc.id)}"><path class="entry-path" d="${e.d}"/>` +
        `<g transform="translate(${e.x},${e.y - 13})"><rect class="entry-chip" width="${w}" height="24" rx="12"/><text class="entry-text" x="${w / 2}" y="17" text-anchor="middle">${esc(e.label)}</text></g></g>`;
    }).join('');
  }

  // markReach lights, for a focused pod (netpol layer), the pods that may
  // reach it (reach-in) and that it may reach (reach-out), and dims the
  // others; null clears. r is reachSets' {pod, in, out}.
  markReach(r) {
    // New pods are drawn without the classes: the count makes them marked.
    const sig = r ? `${r.pod}|${[...r.in].sort()}|${[...r.out].sort()}|${this.items.pods.size}` : '';
    if (this.reachSig === sig) return;
    this.reachSig = sig;
    for (const node of this.svg.querySelectorAll('.reach-self, .reach-in, .reach-out')) node.classList.remove('reach-self', 'reach-in', 'reach-out');
    this.svg.classList.toggle('has-reach', !!r);
    if (!r) {
      this.drawCanvasLanes(true);
      return;
    }
    this.items.pods.get(r.pod)?.el.classList.add('reach-self');
    for (const id of r.in) this.items.pods.get(id)?.el.classList.add('reach-in');
    for (const id of r.out) this.items.pods.get(id)?.el.classList.add('reach-out');
    this.drawCanvasLanes(true);
  }

  // markUnreachable flags a Service ({id, from}) that the ingress
  // controller's namespace cannot reach (netpol layer); null clears.
  markUnreachable(cut) {
    const sig = cut ? `${cut.id}|${cut.from}|${this.items.boxes.get(cut.id) ? 1 : 0}` : '';
    if (this.cutSig === sig) return;
    this.cutSig = sig;
    for (const f of this.svg.querySelectorAll('.reach-flag')) f.remove();
    for (const b of this.svg.querySelectorAll('[data-reach]')) b.removeAttribute('data-reach');
    const item = cut && this.items.boxes.get(cut.id);
    if (!item) return;
    const box = this.L?.boxes.get(cut.id);
    const f = fontPx('badge');
    const txt = t('reach.unreachable', { ns: cut.from.replace(/^Namespace\//, '') || '?' });
    const w = Math.min((box?.w || 270) - 20, Math.round(textWidth(txt, f, true) + 18));
    const g = el('g', { class: 'reach-flag', 'data-testid': 'unreachable-flag', transform: `translate(10,${(box?.h || 86) - Math.round(f * 0.6)})` });
    g.innerHTML = `<title>${esc(txt)}</title><rect width="${w}" height="${Math.round(f * 1.5)}" rx="${Math.round(f * 0.75)}"/><text x="9" y="${Math.round(f * 1.1)}">${esc(fitText(txt, w - 14, f, { bold: true }))}</text>`;
    item.el.appendChild(g);
    item.el.setAttribute('data-reach', 'unreachable');
  }

  // highlight marks a set of ids and edge ids, dimming the rest; null clears.
  highlight(sel, cls = 'hl') {
    if (cls === 'focus') this.drawEntries(sel);
    // Dimming the rest restyles every element of the picture; past
    // DIM_MAX pods that costs more than a frame, so big pictures only
    // outline what is lit.
    const dims = this.svg.classList.contains('has-' + cls);
    this.svg.classList.toggle('has-' + cls, !!sel && this.items.pods.size <= DIM_MAX);
    // Only the elements that gain or lose the mark change (marks.js), and
    // only the canvas lanes of pods among them repaint (all of them while
    // the rest is dimmed).
    const dimming = this.svg.classList.contains('has-' + cls);
    const targets = markTargets(sel, this.items, this.L);
    this.marks.set(cls, targets, (node) => node._lane && this.dirty.add(node._lane));
    // What stays bright while the rest dims also gets kept-<cls>, which the
    // dimming rules test (style.css): a rule with :not(.hl) makes every
    // element that gains or loses hl restyle its whole subtree, and a big
    // picture, which never dims, then never pays for it.
    this.marks.set('kept-' + cls, dimming ? targets : []);
    this.drawCanvasLanes(dims || dimming);
  }
}
