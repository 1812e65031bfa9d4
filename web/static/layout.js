// Layout: graph in, positions out. Pure and deterministic: no DOM, no clock,
// no randomness, so the same graph and the same previous state always give
// the same picture, and the server-side SVG export can reuse it.
//
// Columns, left to right: Ingress | Service | workloads | references |
// Node. Each namespace is a horizontal band across the first four columns;
// Nodes are cluster-scoped and stack in their own column, with the
// cluster-scoped storage (StorageClasses, PersistentVolumes no claim holds)
// below them.
//
// References (ConfigMaps, Secrets, PersistentVolumeClaims with their bound
// PersistentVolume) get a column of their own right of the workloads: the
// mounts edges then run from a workload's right side, away from the
// Service → Pod edges on its left and from every lane label, and a new pod
// never moves a reference above it. The column (and the wider picture, the
// Node column moved right) is there only while something is drawn in it,
// so a cluster without references keeps the wave-1 picture, as large on a
// projector as before; it appears once, with the first reference, not per
// pod.
//
// Stability: the previous call's `state` is passed back in. A pod keeps its
// slot in its lane for as long as it exists (new pods take the first free
// slot, deleted ones leave a hole until a new pod fills it), and boxes keep
// their relative order, so a scale-up or scale-down moves nothing else in
// the lane and nothing above it.

import { ordinal, POD_STATES, podState, wrapText } from './format.js';
import { placeNodeGroups, routeToGroups } from './nodegroups.js';
import { hideKinds, pruneHidden } from './kinds.js';
import { GATEWAY_KINDS, gatewayBoxH, isGatewayEdge, placeGateways, routeGatewayEdges } from './gateway.js';
import { CUSTOM_BOX, isCustomOwner } from './customowner.js';

export const GEOM = Object.freeze({
  width: 1600,
  top: 64, // first band; column headings sit above it
  col: {
    ingress: { x: 34, w: 250 },
    service: { x: 334, w: 270 },
    work: { x: 660, w: 560 },
    node: { x: 1310, w: 250 },
  },
  // With references drawn: their column, and the Node column moved right.
  refCol: { x: 1290, w: 250 },
  nodeWide: { x: 1580, w: 250 },
  widthWide: 1860,
  bandHeader: 40,
  bandGap: 28,
  ingressHead: 58,
  ingressRules: 6,
  ruleLine: 24,
  serviceH: 86,
  boxGap: 18,
  deployHeader: 108,
  setHeader: 50,
  laneInset: 16,
  laneHeader: 32,
  laneGap: 10,
  lanePad: 8,
  row: 36,
  podR: 12,
  cell: 13, // compact grid pitch
  cellSize: 10,
  countsLine: 24,
  nodeH: 96,
  nodeHCompact: 44,
  nodeGap: 16,
  clusterGap: 20, // above the cluster's storage, identity and caveat, below the Nodes
  nodeCompactAbove: 40, // more nodes than this: short node boxes
  aggNodesMax: 6, // a compact lane on more nodes than this draws no node edges
  jobHeader: 84, // a Job's or CronJob's header: title, then one line and a bar (two lines of presenter type)
  cronJobsShown: 4, // a CronJob box shows its newest Jobs, as lanes
  // Boxes of two text lines are at least 60 high: the SVG export prints a
  // box's second line at y 54.
  hpaH: 86, // an autoscaler's box, above the workload it scales: two lines in presenter type
  hpaGap: 12,
  refH: 60, // a ConfigMap or Secret
  pvcH: 60, // a PersistentVolumeClaim
  pvH: 60, // its bound PersistentVolume, just below it
  pvInset: 22,
  refGap: 10,
  scH: 60, // a StorageClass, in the cluster column
  // Issue #13: identity, network policy and quotas, in the side column
  // (the references column) and the cluster column.
  saH: 60, // a ServiceAccount: name, token line (86 with a risky line)
  roleH: 86, // a Role or ClusterRole: name, rules, risky flags
  subjectH: 44, // a User or Group: its name only
  netpolH: 86, // a NetworkPolicy: name, its types, one line of rules
  pdbH: 60, // a PodDisruptionBudget: name, disruptions allowed
  grantGap: 24, // room above a granted role for its bindings' label
  nodeTaints: 22, // a Node box grows a line for its taints
  quotaRow: 26, // the namespace band's quota bars, a row
  quotaBarW: 270, // one quota's bar and its label
  limitRow: 22, // the band's limit-range line
});

// The geometry in use: GEOM on the dashboard; in presenter type (layout's
// opts.type) one sized from the measured text, see presenterGeom. Set for
// the length of one layout() call only.
let current = GEOM;
const geo = () => current;

// PRESENTER_COLS are the columns of a presenter picture, as fractions of
// its width, when nothing says how wide its boxes are (type.natural).
export const PRESENTER_COLS = Object.freeze({
  ingress: { x: 0.02, w: 0.15 },
  service: { x: 0.195, w: 0.17 },
  work: { x: 0.395, w: 0.345 },
  node: { x: 0.785, w: 0.19 },
});

// PRESENTER_GAPS are the margins and the gaps between presenter columns,
// as fractions of the width, left to right: the one right of the
// workloads is wide enough for the fan of edges to the Nodes.
// ingressAbove: the left margin when Ingresses stand above the Services,
// wide enough for their edges, which bend out into it.
const PRESENTER_GAPS = Object.freeze({ left: 0.015, ingress: 0.025, service: 0.03, work: 0.045, ref: 0.035, right: 0.01, ingressAbove: 0.04 });

// presenterCols sizes the columns of a presenter picture width wide by what
// they hold, not by fixed shares: type.natural is, per column, the width
// its widest box needs for its facts on one line (render.js
// naturalWidths). When they all fit, each column gets its need and a share
// of what is left. When they do not, the columns are sized so that the
// tallest of them (columnDemand: its boxes, wrapped at that width) is as
// short as it can be: a Node column whose names would wrap onto two lines
// each costs more height than a rollout line that wraps once. No column
// goes under its floor (the workloads: a pod row with its node's name; the
// others: the least of their need and a tenth of the width). wide: the
// side column is drawn.
export function presenterCols(type, width, wide) {
  const natural = presenterNeeds(type);
  const ids = presenterIds(natural, wide);
  const avail = width * (1 - presenterGaps(ids) - (type.ingressAbove ? PRESENTER_GAPS.ingressAbove - PRESENTER_GAPS.left : 0));
  // Workloads in k columns side by side (type.workCols) need k pod rows.
  const k = type.workCols || 1;
  const subGap = k > 1 ? PRESENTER_SUBGAP : 0;
  const need = ids.map((id) => Math.max(1, (id === 'work' ? k * natural.work + (k - 1) * subGap : natural[id]) || 0));
  const least = ids.map((id, i) => Math.min(need[i], id === 'work' ? k * (type.minWork || natural.work) + (k - 1) * subGap : width / 10));
  // No column so narrow that a name breaks mid-letters (natural.word),
  // where the width allows it.
  const words = least.map((x, i) => Math.min(need[i], Math.max(x, natural.word?.[ids[i]] || 0)));
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const floor = sum(words) <= avail ? words : least;
  let w;
  if (sum(need) <= avail) {
    const total = sum(need);
    w = need.map((n) => n + ((avail - total) * n) / total);
  } else if (sum(floor) >= avail) {
    const f = sum(floor);
    w = floor.map((x) => (x * avail) / f);
  } else {
    const height = columnDemand(type);
    // narrowest(i, H): the least width at which column i is no taller than H.
    const narrowest = (i, H) => {
      let lo = floor[i];
      let hi = need[i];
      if (height(ids[i], lo) <= H) return lo;
      for (let k = 0; k < 8 && hi - lo > 2; k++) {
        const mid = (lo + hi) / 2;
        if (height(ids[i], mid) <= H) hi = mid;
        else lo = mid;
      }
      return hi;
    };
    let lo = Math.max(...ids.map((id, i) => height(id, need[i])));
    let hi = Math.max(...ids.map((id, i) => height(id, floor[i])));
    let best = ids.map((_, i) => narrowest(i, hi));
    for (let k = 0; k < 12 && hi - lo > 4; k++) {
      const H = (lo + hi) / 2;
      const at = ids.map((_, i) => narrowest(i, H));
      if (sum(at) <= avail) {
        hi = H;
        best = at;
      } else lo = H;
    }
    // What is left goes to each column in proportion to what it still lacks.
    const left = Math.max(0, avail - sum(best));
    const lack = best.map((x, i) => need[i] - x);
    const lacking = sum(lack);
    w = best.map((x, i) => x + (lacking > 0 ? (left * lack[i]) / lacking : left / ids.length));
  }
  const left = width * (type.ingressAbove ? PRESENTER_GAPS.ingressAbove : PRESENTER_GAPS.left);
  // A column left out is there, 0 wide, where the picture starts.
  const cols = { ingress: { x: Math.round(left), w: 0 }, service: { x: Math.round(left), w: 0 } };
  // Whether a name breaks mid-letters in a column narrower than its words.
  cols.wordsBroken = ids.some((id, i) => w[i] + 0.5 < Math.min(need[i], natural.word?.[id] || 0));
  let x = left;
  ids.forEach((id, i) => {
    cols[id] = { x: Math.round(x), w: Math.floor(w[i]) };
    x += w[i] + width * (PRESENTER_GAPS[id] || 0);
  });
  if (k > 1) {
    // The workloads' area, and its first column: layout places boxes in
    // it and moves the later ones into the next (placeWorkloads).
    const area = cols.work;
    const sub = Math.floor((area.w - (k - 1) * subGap) / k);
    cols.workArea = area;
    cols.work = { x: area.x, w: sub };
    cols.workShift = sub + subGap;
  }
  return cols;
}

// presenterNeeds is type.natural as the columns see it: with the Ingresses
// standing above the Services (type.ingressAbove) their column is the
// Services', and the left margin holds their edges.
function presenterNeeds(type) {
  let n = type.natural;
  // References below the workloads: the claims' volumes stand in the
  // cluster column (placeRef).
  if (type.refsBelow && type.pvsOut && n.pv) n = { ...n, node: Math.max(n.node, n.pv.need), word: { ...n.word, node: Math.max(n.word?.node || 0, n.pv.word) } };
  if (!type.ingressAbove) return n;
  return { ...n, service: Math.max(n.service, n.ingress), empty: { ...n.empty, ingress: true, service: false } };
}

// PRESENTER_SUBGAP is the gap between workload columns side by side.
const PRESENTER_SUBGAP = 24;

// presenterIds are the columns a presenter picture draws: an Ingress or
// Service column that would hold nothing is left out (render.js
// naturalWidths says which), the side column only when drawn.
function presenterIds(natural, wide) {
  return ['ingress', 'service', 'work', 'ref', 'node'].filter((id) => (id === 'ref' ? wide : !natural.empty?.[id]));
}

// presenterGaps is the share of the width the margins and the gaps between
// the columns ids take.
const presenterGaps = (ids) => PRESENTER_GAPS.left + PRESENTER_GAPS.right + ids.slice(0, -1).reduce((s, id) => s + PRESENTER_GAPS[id], 0);

// presenterMinWidth is the narrowest picture whose columns all keep their
// floor (presenterCols): no pod row cuts its node's name.
export function presenterMinWidth(type) {
  const ids = presenterIds(presenterNeeds(type), (type.natural.ref || 0) > 0 && !type.refsBelow);
  const k = type.workCols || 1;
  // The floors other than the workloads' are at most a tenth of the width.
  const work = k * (type.minWork || 0) + (k - 1) * PRESENTER_SUBGAP;
  return work / Math.max(0.05, 1 - presenterGaps(ids) - (ids.length - 1) / 10);
}

// columnDemand models how tall each presenter column's stack is at a width
// w, in presenter type (type.boxH, laneHead, row): every band's boxes with
// their gaps, a workload's lanes and the rows it reserves, the Nodes with
// the cluster's storage. It is the layout's placement without its anchors
// (a Service beside its pods), which is enough to tell which column's
// wrapping costs the most height. Memoised per type and width.
function columnDemand(type) {
  if (type.demand) return type.demand;
  const G = GEOM;
  const shown = filterLayers(toMap(type.graph.nodes), toMap(type.graph.edges), type.layers || new Set(LAYERS));
  const nodes = shown.nodes;
  const { podsByOwner, buckets, k8sNodes } = indexNodes(nodes);
  const items = { ingress: [], service: [], work: [], ref: [], node: [] };
  const box = (kind, n, w, dflt, extra) => type.boxH(kind, n, w, extra)?.h ?? dflt;
  const boundPV = new Map(); // PersistentVolume id → its claim's id
  for (const e of shown.edges.values()) if (e.kind === 'bound') boundPV.set(e.to, e.from);
  const pvOf = new Map([...boundPV].map(([pv, pvc]) => [pvc, nodes.get(pv)]));
  const refBands = []; // per band, its references' heights at a width (a claim with its volume)
  for (const [ns, b] of buckets) {
    const of = (k) => b.get(k) || [];
    for (const wl of workloadsOf(ns, nodes, podsByOwner, of)) {
      items.work.push((w) => {
        let h = box(wl.kind, wl.node, w, G.setHeader, { lanes: wl.lanes });
        for (const l of wl.lanes) h += type.laneHead(l, w - 2 * G.laneInset) + Math.max(1, l.pods.length, l.desired | 0) * type.row + G.lanePad + G.laneGap;
        return h + G.laneInset + G.boxGap;
      });
    }
    for (const n of of('HorizontalPodAutoscaler')) items.work.push((w) => box(n.kind, n, w, G.hpaH) + G.hpaGap);
    for (const n of of('Service')) items.service.push((w) => box(n.kind, n, w, G.serviceH) + G.boxGap);
    for (const n of of('Ingress')) items[type.ingressAbove ? 'service' : 'ingress'].push((w) => box(n.kind, n, w, G.ingressHead) + G.boxGap);
    for (const n of GATEWAY_KINDS.flatMap(of)) items[type.ingressAbove ? 'service' : 'ingress'].push(() => gatewayBoxH(n) + G.boxGap);
    const refs = [];
    for (const k of ['PersistentVolumeClaim', 'ConfigMap', 'Secret', ...SIDE_KINDS]) {
      for (const n of of(k)) {
        // Below the workloads, a claim's volume is in the cluster column.
        const pv = !(type.refsBelow && type.pvsOut) && pvOf.get(n.id);
        refs.push((w) => box(n.kind, n, w, G.refH) + (pv ? box(pv.kind, pv, w - G.pvInset, G.pvH) + 8 : 0));
      }
    }
    if (refs.length) refBands.push(refs);
  }
  if (type.refsBelow) {
    // Below the workloads, in rows (placeRefsBelow).
    for (const refs of refBands) {
      items.work.push((w) => {
        const grid = refGrid(w, refs, G.refGap);
        return grid.h + G.boxGap + refsBelowRoom(grid.per);
      });
    }
  } else for (const refs of refBands) for (const f of refs) items.ref.push((w) => f(w) + G.refGap);
  for (const n of k8sNodes) items.node.push((w) => box('Node', n, w, G.nodeH) + G.nodeGap);
  for (const n of nodes.values()) {
    if ((n.kind === 'PersistentVolume' && ((type.refsBelow && type.pvsOut) || !boundPV.has(n.id))) || n.kind === 'StorageClass') items.node.push((w) => box(n.kind, n, w, G.scH) + G.nodeGap);
  }
  if (type.caveat) items.node.push((w) => 20 + type.caveat.h(w) + G.nodeGap);
  const memo = new Map();
  const k = type.workCols || 1;
  type.demand = (col, w) => {
    const key = `${col}|${Math.round(w)}`;
    let h = memo.get(key);
    if (h === undefined) {
      if (col === 'work' && k > 1) {
        // k columns side by side: about a k-th of the stack, and never
        // less than its tallest box.
        const sub = (w - (k - 1) * PRESENTER_SUBGAP) / k;
        const hs = items.work.map((f) => f(sub));
        h = Math.max(hs.reduce((a, b) => a + b, 0) / k, ...hs, 0);
      } else {
        h = 0;
        for (const f of items[col]) h += f(w);
      }
      memo.set(key, h);
    }
    return h;
  };
  return type.demand;
}

// presenterGeom is the geometry of a picture drawn in presenter type:
// type.width wide, its columns sized by what they hold (presenterCols;
// PRESENTER_COLS without type.natural), every height measured in lines of
// text at that type, by the renderer's callbacks (render.js presenterType):
// type.boxH(kind, node, w, extra) → {h, ports?} (null: GEOM's),
// type.laneHead(lane, w) and type.row.
export function presenterGeom(type) {
  const sx = type.width / GEOM.width;
  const scale = (c) => ({ x: Math.round(c.x * sx), w: Math.round(c.w * sx) });
  const sized = type.natural ? { narrow: presenterCols(type, type.width, false), wide: presenterCols(type, type.width, !type.refsBelow) } : null;
  // Without measures, the Node column is wider than the dashboard's share:
  // at presenter type a Node's name and "✓ Ready · IP" must fit on a line
  // each, or a small cluster's Nodes no longer fit the stage's height.
  const col = {};
  const split = (c) => (c.workArea ? { workArea: c.workArea, workShift: c.workShift } : {});
  if (sized) for (const k of ['ingress', 'service', 'work', 'node']) col[k] = sized.narrow[k];
  else for (const [k, c] of Object.entries(PRESENTER_COLS)) col[k] = { x: Math.round(c.x * type.width), w: Math.round(c.w * type.width) };
  return {
    ...GEOM,
    // The variant is part of the key: a band laid out for one is not reused for another.
    key: `${type.width}|${type.key || ''}|${type.workCols || 1}${type.ingressAbove ? 'i' : ''}${type.refsBelow ? 'r' : ''}${type.refsBelow && type.pvsOut ? 'v' : ''}`,
    type,
    width: type.width,
    col,
    // With the side column drawn, the picture keeps its width: the columns
    // share it (sized), or it grows as the dashboard's does.
    ...(sized
      ? { widthWide: type.width, colWide: sized.wide, refCol: sized.wide.ref, nodeWide: sized.wide.node, ...split(sized.narrow) }
      : { widthWide: Math.round(GEOM.widthWide * sx), refCol: scale(GEOM.refCol), nodeWide: scale(GEOM.nodeWide) }),
    // References below the workloads (a narrow stage): their column's
    // width goes to the others (placeRefsBelow).
    refsBelow: !!(sized && type.refsBelow),
    // and the claims' volumes in the cluster column (placeRef).
    pvsOut: !!(sized && type.refsBelow && type.pvsOut),
    wordsBroken: !!sized?.narrow.wordsBroken,
    row: type.row,
    laneHeader: type.laneHeader,
    // A picture too tall for the stage closes up its gaps.
    // (The column headings keep their place: the first band rises to them.)
    ...(type.tight ? { top: 36, headRise: 14, bandHeader: 32, bandGap: 10, boxGap: 10, laneGap: 4, lanePad: 4, bottom: 2, nodeGap: 10, clusterGap: 10 } : {}),
    ingressAbove: !!type.ingressAbove,
  };
}

// boxH is a box's height in the geometry in use: measured in presenter
// type, GEOM's fixed one (dflt) otherwise. extra goes to the measurer.
function boxH(kind, n, w, dflt, extra) {
  const m = geo().type?.boxH(kind, n, w, extra);
  return m ? m.h : dflt;
}

// LAYERS are the kinds of things a viewer can turn on and off (?layers=,
// remembered per browser; app.js). Each hides its kinds, the edges into
// them and, for jobs, the pods Jobs own.
export const LAYERS = Object.freeze(['storage', 'config', 'jobs', 'autoscaling', 'warnings', 'identity', 'netpol', 'quotas']);

// DEFAULT_LAYERS are what a first-time viewer sees: everything a tutorial
// shows a command doing (a Job's pods, a StatefulSet's claims, an
// autoscaler, a pod's warnings) is on. ConfigMaps and Secrets are off:
// most application pods reference one, so the config layer would open the
// references column (the picture 1860 units wide instead of 1600, smaller
// on a projector) and draw an edge per workload before anything a first
// demo shows; the speaker who reaches configuration turns it on with c.
// Identity and network policy are off too, for the same reason and more:
// every pod runs as a ServiceAccount and most namespaces have a policy, so
// either would open the side column and draw an edge per workload in every
// picture; they answer a question ("who may do what?", "who may talk to
// whom?") the speaker asks with i or n. Quotas are on: they draw inside
// the namespace band (no column, no edge), and only where a namespace has a
// quota, a limit range or a Pod Security level, which is exactly what
// explains a pod that is refused; a PodDisruptionBudget (rarer: the side
// column opens for it) explains a drain that waits.
export const DEFAULT_LAYERS = Object.freeze(['storage', 'jobs', 'autoscaling', 'warnings', 'quotas']);

const LAYER_OF_KIND = {
  PersistentVolumeClaim: 'storage', PersistentVolume: 'storage', StorageClass: 'storage',
  ConfigMap: 'config', Secret: 'config', Job: 'jobs', CronJob: 'jobs', HorizontalPodAutoscaler: 'autoscaling',
  ServiceAccount: 'identity', Role: 'identity', ClusterRole: 'identity', User: 'identity', Group: 'identity',
  NetworkPolicy: 'netpol', Namespace: 'quotas', PodDisruptionBudget: 'quotas',
};
const LAYER_OF_EDGE = { bound: 'storage', scales: 'autoscaling', 'runs-as': 'identity', grants: 'identity', isolates: 'netpol' };

// layerOf names the layer an object (or an id: its kind is its first part)
// belongs to, '' for the always-drawn ones. A Job's pods are the jobs layer.
export function layerOf(n) {
  if (typeof n === 'string') return LAYER_OF_KIND[n.split('/')[0]] || '';
  if (n.kind === 'Pod' && typeof n.owner === 'string' && n.owner.startsWith('Job/')) return 'jobs';
  return LAYER_OF_KIND[n.kind] || '';
}

// parseLayers reads a ?layers= value ("storage,jobs"; "" for none). It
// returns the layers and the names it did not know, so the page can say
// which part of the URL it ignored.
export function parseLayers(raw) {
  const layers = new Set();
  const unknown = [];
  for (const part of String(raw ?? '').split(',')) {
    const name = part.trim().toLowerCase();
    if (!name) continue;
    if (LAYERS.includes(name)) layers.add(name);
    else unknown.push(part.trim());
  }
  return { layers, unknown };
}

// formatLayers writes layers as ?layers= does, in LAYERS order.
export const formatLayers = (layers) => LAYERS.filter((l) => layers.has(l)).join(',');

// filterLayers returns the graph without what the layers turned off: the
// objects, edges from or to them (a dangling reference by its id's kind),
// and edges of a hidden layer. With nothing to hide it returns the same
// maps, so the common case costs one pass and no copy.
export function filterLayers(nodes, edges, layers) {
  ({ nodes, edges } = relevantStorage(nodes, edges));
  ({ nodes, edges } = relevantIdentity(nodes, edges));
  if (!layers) return { nodes, edges };
  const off = (l) => l !== '' && !layers.has(l);
  const hidden = new Set();
  for (const n of nodes.values()) if (off(layerOf(n))) hidden.add(n.id);
  const edgeOff = (e) => off(LAYER_OF_EDGE[e.kind] || '') || hidden.has(e.from) || hidden.has(e.to) ||
    (!nodes.has(e.to) && off(layerOf(e.to)));
  let anyEdge = false;
  for (const e of edges.values()) {
    if (edgeOff(e)) {
      anyEdge = true;
      break;
    }
  }
  if (!hidden.size && !anyEdge) return { nodes, edges };
  const n2 = new Map();
  for (const [id, n] of nodes) if (!hidden.has(id)) n2.set(id, n);
  const e2 = new Map();
  for (const [id, e] of edges) if (!edgeOff(e)) e2.set(id, e);
  return { nodes: n2, edges: e2 };
}

// relevantStorage drops the cluster-scoped storage a view has no use for:
// a PersistentVolume is drawn when a claim in view is bound to it (or, free,
// when a claim in view asks for its class), a StorageClass when a claim or
// volume drawn uses it. Every cluster has a default StorageClass; a view
// without claims must not grow a references column for it.
export function relevantStorage(nodes, edges) {
  let any = false;
  for (const n of nodes.values()) {
    if (n.kind === 'PersistentVolume' || n.kind === 'StorageClass') {
      any = true;
      break;
    }
  }
  if (!any) return { nodes, edges };
  const classes = new Set();
  const keep = new Set();
  for (const n of nodes.values()) {
    if (n.kind !== 'PersistentVolumeClaim') continue;
    if (n.storageClass) classes.add(n.storageClass);
    if (n.volume) keep.add(n.volume);
  }
  for (const n of nodes.values()) {
    if (n.kind !== 'PersistentVolume') continue;
    if ((n.claim && nodes.has(n.claim)) || (!n.claim && classes.has(n.storageClass))) keep.add(n.id);
  }
  for (const id of keep) {
    const pv = nodes.get(id);
    if (pv?.storageClass) classes.add(pv.storageClass);
  }
  const hidden = new Set();
  for (const n of nodes.values()) {
    if ((n.kind === 'PersistentVolume' && !keep.has(n.id)) || (n.kind === 'StorageClass' && !classes.has(n.name))) hidden.add(n.id);
  }
  if (!hidden.size) return { nodes, edges };
  const n2 = new Map();
  for (const [id, n] of nodes) if (!hidden.has(id)) n2.set(id, n);
  const e2 = new Map();
  for (const [id, e] of edges) if (!hidden.has(e.from) && !hidden.has(e.to)) e2.set(id, e);
  return { nodes: n2, edges: e2 };
}

// bindingNamespace is the namespace of a grants edge's binding
// ("RoleBinding/ns/name"), '' for a ClusterRoleBinding.
export function bindingNamespace(e) {
  const parts = String(e?.binding || '').split('/');
  return parts[0] === 'RoleBinding' && parts.length === 3 ? parts[1] : '';
}

// relevantIdentity drops the cluster-scoped identity a view has no use
// for. Every cluster has dozens of ClusterRoles and system Users and
// Groups bound cluster-wide; drawing them all would bury the namespace in
// view. A User or Group is drawn when a RoleBinding in a namespace in view
// names it; a ClusterRole when it is granted to a ServiceAccount in view or
// to a User or Group drawn.
export function relevantIdentity(nodes, edges) {
  let any = false;
  for (const n of nodes.values()) {
    if (n.kind === 'ClusterRole' || n.kind === 'User' || n.kind === 'Group') {
      any = true;
      break;
    }
  }
  if (!any) return { nodes, edges };
  const inView = new Set();
  for (const n of nodes.values()) if (n.namespace) inView.add(n.namespace);
  const keep = new Set();
  const grants = [];
  for (const e of edges.values()) if (e.kind === 'grants') grants.push(e);
  for (const e of grants) {
    const k = nodes.get(e.from)?.kind;
    if ((k === 'User' || k === 'Group') && inView.has(bindingNamespace(e))) keep.add(e.from);
  }
  for (const e of grants) {
    if (nodes.get(e.to)?.kind !== 'ClusterRole') continue;
    const from = nodes.get(e.from);
    if ((from?.kind === 'ServiceAccount' && inView.has(from.namespace)) || keep.has(e.from)) keep.add(e.to);
  }
  const hidden = new Set();
  for (const n of nodes.values()) {
    if ((n.kind === 'ClusterRole' || n.kind === 'User' || n.kind === 'Group') && !keep.has(n.id)) hidden.add(n.id);
  }
  if (!hidden.size) return { nodes, edges };
  const n2 = new Map();
  for (const [id, n] of nodes) if (!hidden.has(id)) n2.set(id, n);
  const e2 = new Map();
  for (const [id, e] of edges) if (!hidden.has(e.from) && !hidden.has(e.to)) e2.set(id, e);
  return { nodes: n2, edges: e2 };
}

export const DEFAULTS = Object.freeze({
  compactAbove: 12, // a lane with more slots than this becomes a grid of cells
  collapsed: new Set(), // namespaces drawn as a header only
  namespaces: [], // namespaces in the viewer's filter: drawn even when empty
  layers: null, // Set of LAYERS drawn; null: all of them
  hide: null, // Set of kinds the viewer hid (kinds.js)
  nodeGroups: null, // how the Node column groups (nodegroups.js); null: it does not
});

// Node identity colours (indices into the --node-N CSS variables).
export const NODE_COLOURS = 8;

const byStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function toMap(x) {
  if (x instanceof Map) return x;
  const m = new Map();
  for (const v of x || []) m.set(v.id, v);
  return m;
}

// stickyOrder keeps the previous relative order of ids that still exist and
// appends new ones in their default order.
export function stickyOrder(prevOrder, ids) {
  const want = new Set(ids);
  const out = [];
  const seen = new Set();
  for (const id of prevOrder || []) {
    if (want.has(id) && !seen.has(id)) {
      out.push(id);
      seen.add(id);
    }
  }
  for (const id of ids) if (!seen.has(id)) out.push(id);
  return out;
}

// assignSlots gives each pod of a lane a slot. Pods seen before keep theirs;
// new pods take the lowest free slots, in the order given.
export function assignSlots(prev, podIds) {
  const slots = new Map();
  const used = new Set();
  if (prev) {
    for (const id of podIds) {
      const s = prev.get(id);
      if (s !== undefined && !used.has(s)) {
        slots.set(id, s);
        used.add(s);
      }
    }
  }
  let next = 0;
  for (const id of podIds) {
    if (slots.has(id)) continue;
    while (used.has(next)) next++;
    slots.set(id, next);
    used.add(next);
  }
  return slots;
}

const podCreated = (p) => String(p.created || '');

// defaultPodOrder: oldest first, then by name; deterministic for a first
// layout and for several pods arriving in one delta.
function defaultPodOrder(a, b) {
  return byStr(podCreated(a), podCreated(b)) || byStr(a.name, b.name) || byStr(a.id, b.id);
}

// jobOrder: oldest first (a CronJob's newest Job is its last lane).
function jobOrder(a, b) {
  return byStr(String(a.started || ''), String(b.started || '')) || byStr(a.name, b.name);
}

// jobDesired is how many pod slots a Job's lane keeps: its completions, or
// for a work queue (no completions) its parallelism.
export function jobDesired(j) {
  const c = j.completions;
  return Number.isInteger(c) && c >= 0 ? c : Math.max(1, j.parallelism | 0);
}

// workloadsOf groups a namespace's pods into boxes and lanes.
function workloadsOf(ns, nodes, podsByOwner, of) {
  const boxes = [];
  const usedPods = new Set();
  const rsByDeploy = new Map();
  // A custom owner (customowner.js) holds its ReplicaSets as a Deployment does.
  const holdsLanes = (o) => o?.kind === 'Deployment' || isCustomOwner(o);
  for (const n of of('ReplicaSet')) {
    const owner = n.owner && holdsLanes(nodes.get(n.owner)) ? n.owner : '';
    if (!rsByDeploy.has(owner)) rsByDeploy.set(owner, []);
    rsByDeploy.get(owner).push(n);
  }
  const lane = (id, kind, owner, pods, desired, extra = {}) => {
    pods.forEach((p) => usedPods.add(p.id));
    return { id, kind, owner, pods, desired, ...extra };
  };
  const rsLanes = (d) => {
    const rss = (rsByDeploy.get(d.id) || []).slice();
    rss.sort((a, b) => (a.revision | 0) - (b.revision | 0) || byStr(a.id, b.id));
    // Old ReplicaSets are kept by Kubernetes at 0 replicas; show those that
    // hold pods or want some, plus the two newest revisions, so a finished
    // rollout still shows the lane it emptied.
    const newest = new Set(rss.slice(-2).map((r) => r.id));
    const lanes = rss
      .filter((r) => newest.has(r.id) || (r.replicas | 0) > 0 || (r.current | 0) > 0 || podsByOwner.has(r.id))
      .map((r) => lane(r.id, 'ReplicaSet', r, podsByOwner.get(r.id) || [], r.replicas | 0));
    return lanes;
  };
  for (const d of of('Deployment')) boxes.push({ id: d.id, kind: 'Deployment', sortKey: '0' + d.name, node: d, lanes: rsLanes(d) });
  for (const c of of(CUSTOM_BOX)) {
    const lanes = rsLanes(c);
    const pods = podsByOwner.get(c.id) || [];
    if (pods.length) lanes.push(lane(c.id, 'group', null, pods, 0));
    boxes.push({ id: c.id, kind: CUSTOM_BOX, sortKey: '0' + c.name, node: c, lanes });
  }
  for (const r of rsByDeploy.get('') || []) {
    boxes.push({
      id: r.id,
      kind: 'ReplicaSet',
      sortKey: '1' + r.name,
      node: r,
      lanes: [lane(r.id, 'ReplicaSet', r, podsByOwner.get(r.id) || [], r.replicas | 0)],
    });
  }
  for (const kind of ['StatefulSet', 'DaemonSet']) {
    for (const s of of(kind)) {
      const pods = podsByOwner.get(s.id) || [];
      boxes.push({
        id: s.id,
        kind,
        sortKey: (kind === 'StatefulSet' ? '2' : '3') + s.name,
        node: s,
        lanes: [lane(s.id, kind, s, pods, kind === 'StatefulSet' ? s.replicas | 0 : 0, { setName: s.name })],
      });
    }
  }
  // A CronJob's box holds its newest Jobs as lanes (Kubernetes keeps a few
  // by its history limits); a Job of its own is a box with one lane. Each
  // lane reserves room for the Job's completions, so it fills up as pods
  // succeed instead of growing.
  const jobsByCron = new Map();
  for (const j of of('Job')) {
    const o = j.owner && nodes.get(j.owner)?.kind === 'CronJob' ? j.owner : '';
    if (!jobsByCron.has(o)) jobsByCron.set(o, []);
    jobsByCron.get(o).push(j);
  }
  for (const c of of('CronJob')) {
    const jobs = (jobsByCron.get(c.id) || []).slice().sort(jobOrder);
    const recent = jobs.slice(-geo().cronJobsShown);
    // Pods of older Jobs are folded with them, not drawn as bare pods.
    for (const j of jobs) for (const p of podsByOwner.get(j.id) || []) usedPods.add(p.id);
    const lanes = recent.map((j) => lane(j.id, 'Job', j, podsByOwner.get(j.id) || [], jobDesired(j), { inCron: true }));
    boxes.push({ id: c.id, kind: 'CronJob', sortKey: '4' + c.name, node: c, lanes, older: jobs.length - recent.length });
  }
  for (const j of jobsByCron.get('') || []) {
    boxes.push({ id: j.id, kind: 'Job', sortKey: '5' + j.name, node: j, lanes: [lane(j.id, 'Job', j, podsByOwner.get(j.id) || [], jobDesired(j))] });
  }
  // Bare pods and pods whose owner is not drawn (a filtered owner).
  const rest = of('Pod').filter((n) => !usedPods.has(n.id));
  if (rest.length) {
    const id = `group:${ns}:pods`;
    boxes.push({ id, kind: 'group', sortKey: '6', node: null, lanes: [lane(id, 'group', null, rest, 0)] });
  }
  boxes.sort((a, b) => byStr(a.sortKey, b.sortKey) || byStr(a.id, b.id));
  return boxes;
}

// layout computes the picture. graph has nodes and edges (Maps by id or
// arrays); prev is the previous result's .state (or null); opts overrides
// DEFAULTS.
export function layout(graph, prev = null, options = {}) {
  const was = current;
  current = options.type ? presenterGeom(options.type) : options.wall ? wallGeom(options.wall) : GEOM;
  try {
    return layoutIn(graph, prev, options);
  } finally {
    current = was;
  }
}

function layoutIn(graph, prev, options) {
  const opts = { ...DEFAULTS, ...options };
  // The viewer's hidden kinds (kinds.js) go with the layers turned off.
  const shown = hideKinds(filterLayers(toMap(graph.nodes), toMap(graph.edges), opts.layers), opts.hide);
  const nodes = shown.nodes;
  const state = { slots: new Map(), order: new Map() };
  const prevOrder = prev?.order || new Map();
  let G = geo();
  const wide = drawsRefs(nodes, shown.edges);
  // Presenter columns sized by what they hold share the width with the
  // side column when it is drawn (presenterCols).
  if (wide && G.colWide) {
    const { ingress, service, work, node } = G.colWide;
    current = G = { ...G, key: `${G.key}|wide`, col: { ingress, service, work, node }, workArea: G.colWide.workArea, workShift: G.colWide.workShift, wordsBroken: !!G.colWide.wordsBroken };
  }
  const sideOnly = wide && !drawsRefs(nodes, shown.edges, REF_COLUMN);
  const nodeCol = wide ? G.nodeWide : G.col.node;
  const out = {
    width: wide ? G.widthWide : G.width,
    height: 0,
    columns: [
      // A column 0 wide (presenterCols left it out) has no heading.
      ...['ingress', 'service', 'work'].map((id) => ({ id, ...(id === 'work' && G.workArea ? G.workArea : G.col[id]) })).filter((c) => c.w > 0).map(({ id, x, w }) => ({ id, x, w })),
      // The side column holds references, identity and policy; its heading
      // says which it holds.
      ...(wide && !G.refsBelow ? [{ id: 'ref', x: G.refCol.x, w: G.refCol.w, head: sideOnly ? 'col.policy' : drawsSide(nodes) ? 'col.refsPolicy' : 'col.refs' }] : []),
      { id: 'node', x: nodeCol.x, w: nodeCol.w },
    ],
    // Bands span every column but the Nodes', from x 20.
    bandW: wide && !G.refsBelow ? G.refCol.x + G.refCol.w : workRight(G),
    bands: [],
    boxes: new Map(), // id → {id, kind, x, y, w, h, ...}
    lanes: new Map(), // id → lane geometry
    pods: new Map(), // id → {x, y, r, compact, lane, slot}
    ghosts: [], // dangling references: {id, kind, x, y, w, h, name, ns}
    mounts: [], // mounts edges as drawn: per pod, or one per workload or lane
    edges: [], // {id, kind, from, to, d, state, label, lx, ly, agg, count}
    state,
  };
  const { podsByOwner, namespaces, buckets, k8sNodes } = indexNodes(nodes);
  // The viewer's filter names namespaces to draw even when they are empty.
  for (const ns of opts.namespaces || []) if (ns) namespaces.add(ns);
  const { byKind, selectsByNs, selectsEdgesByNs, mountsByPod, runsAsByPod, isolatesByPod, grantsTo, refEdgesByNs, boundByPVC } = indexEdges(shown.edges);
  // Many Nodes: grouped by zone and pool (nodegroups.js), when the page asks.
  const nodeH = (n, compact) => (compact ? G.nodeHCompact : boxH('Node', n, nodeCol.w, n.unschedulable || (n.taints || []).length ? G.nodeH + G.nodeTaints : G.nodeH));
  let nodesBottom = placeNodeGroups(k8sNodes, byKind['runs-on'], out, nodeCol, G, opts.nodeGroups, nodeH, NODE_COLOURS) ??
    placeNodes(k8sNodes, prevOrder, out, nodeCol);
  const ctx = {
    nodes, opts, prev, prevOrder, buckets, podsByOwner, selectsByNs, mountsByPod, runsAsByPod, isolatesByPod, grantsTo,
    refEdgesByNs, boundByPVC, bandW: out.bandW,
  };
  const bandsBottom = placeBands([...namespaces].sort(byStr), selectsEdgesByNs, ctx, out);
  nodesBottom = placeClusterStorage(nodes, nodesBottom, out, nodeCol);
  nodesBottom = placeClusterIdentity(nodes, grantsTo, nodesBottom, out, nodeCol);
  nodesBottom = placeCaveat(nodesBottom, out, nodeCol);
  out.height = Math.max(Math.max(nodesBottom, bandsBottom) + (G.bottom ?? 24), 400);
  routeEdges(out, nodes, byKind);
  pruneHidden(out, opts.hide);
  out.geom = G;
  return out;
}

// workRight is where the workloads end: the last of the columns they
// stand in, side by side (presenterCols) or one.
const workRight = (G) => (G.workArea ? G.workArea.x + G.workArea.w : G.col.work.x + G.col.work.w);

// workCols is how many workload columns stand side by side.
const workCols = (G) => (G.workShift ? Math.round((G.workArea.w + G.workShift - G.col.work.w) / G.workShift) : 1);

// beforeLastWork reports whether x (an edge's start at a workload's right
// side) is in a workload column with another right of it: its edges pass
// under the boxes of the columns they cross, not across their pod rows.
const beforeLastWork = (G, x) => !!G.workShift && x <= workRight(G) - G.col.work.w - 1;

// WALL_SUBGAP is the gap between workload columns on a wall screen.
export const WALL_SUBGAP = 28;

// wallGeom is the dashboard's geometry for a wall screen (?wall=1,
// wall.js): the workloads in k columns side by side (the Node and
// reference columns moved right of them), and a compact lane's grid at a
// pitch of p (its cells p - 3 wide), so thousands of pods fit one screen.
export function wallGeom({ k = 1, p = GEOM.cell }) {
  const shift = GEOM.col.work.w + WALL_SUBGAP;
  const dx = (k - 1) * shift;
  const right = (c) => ({ x: c.x + dx, w: c.w });
  return {
    ...GEOM,
    key: `wall|${k}|${p}`,
    width: GEOM.width + dx,
    widthWide: GEOM.widthWide + dx,
    col: { ...GEOM.col, node: right(GEOM.col.node) },
    refCol: right(GEOM.refCol),
    nodeWide: right(GEOM.nodeWide),
    ...(k > 1 ? { workArea: { x: GEOM.col.work.x, w: k * GEOM.col.work.w + (k - 1) * WALL_SUBGAP }, workShift: shift } : {}),
    cell: p,
    cellSize: Math.max(3, p - 3),
    // A wall's Node column is as short as the workloads': short boxes
    // past a dozen Nodes.
    nodeCompactAbove: 12,
  };
}

// keepOrder is stickyOrder for the order named key, recorded in into for
// the next layout.
function keepOrder(prevOrder, into, key, ids) {
  const o = stickyOrder(prevOrder.get(key), ids);
  into.set(key, o);
  return o;
}

// indexNodes sorts the graph's nodes, in one pass, into what the layout
// looks up: pods by owner (only owners in the graph: the others' pods are
// drawn as bare), each namespace's nodes by kind, and the Kubernetes Nodes.
function indexNodes(nodes) {
  const podsByOwner = new Map();
  const namespaces = new Set();
  const buckets = new Map(); // namespace → kind → [node]
  const k8sNodes = [];
  for (const n of nodes.values()) {
    if (n.kind === 'Node') k8sNodes.push(n);
    else if (n.namespace) {
      // Every namespace has a ServiceAccount, many a policy: those alone
      // open no band (kube-node-lease would be a band of one "default").
      if (!SIDE_KINDS.has(n.kind)) namespaces.add(n.namespace);
      let b = buckets.get(n.namespace);
      if (!b) buckets.set(n.namespace, (b = new Map()));
      const k = isCustomOwner(n) ? CUSTOM_BOX : n.kind; // any custom kind, under one key
      if (!b.has(k)) b.set(k, []);
      b.get(k).push(n);
    }
    if (n.kind === 'Pod') {
      const o = n.owner && nodes.has(n.owner) ? n.owner : '';
      if (!o) continue;
      if (!podsByOwner.has(o)) podsByOwner.set(o, []);
      podsByOwner.get(o).push(n);
    }
  }
  return { podsByOwner, namespaces, buckets, k8sNodes };
}

// indexEdges groups the edges the layout draws by kind, in one pass (each
// group is ordered where it is used), and the selects edges by namespace:
// a band's cache key holds its own selects edges only.
function indexEdges(edges) {
  const byKind = { routes: [], selects: [], 'runs-on': [], mounts: [], bound: [], scales: [], 'runs-as': [], grants: [], isolates: [] };
  for (const e of edges.values()) byKind[e.kind]?.push(e);
  // mounts by pod, and the namespace's reference edges (mounts and bound)
  // for its band's cache key.
  const mountsByPod = new Map();
  const refEdgesByNs = new Map();
  const boundByPVC = new Map();
  const nsEdge = (ns, e) => {
    if (!refEdgesByNs.has(ns)) refEdgesByNs.set(ns, []);
    refEdgesByNs.get(ns).push(e);
  };
  for (const e of byKind.mounts) {
    if (!mountsByPod.has(e.from)) mountsByPod.set(e.from, []);
    mountsByPod.get(e.from).push(e);
    nsEdge(e.from.split('/')[1], e);
  }
  for (const e of byKind.bound) {
    boundByPVC.set(e.from, e);
    nsEdge(e.from.split('/')[1], e);
  }
  for (const e of byKind.scales) nsEdge(e.from.split('/')[1], e);
  // runs-as and isolates by pod, planned like mounts; grants by role.
  const runsAsByPod = new Map();
  const isolatesByPod = new Map();
  const grantsTo = new Map();
  const push = (m, k, e) => {
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(e);
  };
  for (const e of byKind['runs-as']) {
    push(runsAsByPod, e.from, e);
    nsEdge(e.from.split('/')[1], e);
  }
  for (const e of byKind.isolates) {
    push(isolatesByPod, e.to, e);
    nsEdge(e.to.split('/')[1], e);
  }
  for (const e of byKind.grants) {
    push(grantsTo, e.to, e);
    const f = e.from.split('/');
    const to = e.to.split('/');
    if (f.length === 3) nsEdge(f[1], e);
    if (to.length === 3 && to[1] !== f[1]) nsEdge(to[1], e);
  }
  const selectsByNs = new Map(); // namespace → service id → [pod ids]
  const selectsEdgesByNs = new Map(); // namespace → [edge]
  for (const e of byKind.selects) {
    const ns = e.from.split('/')[1];
    if (!selectsEdgesByNs.has(ns)) selectsEdgesByNs.set(ns, []);
    selectsEdgesByNs.get(ns).push(e);
    if (!selectsByNs.has(ns)) selectsByNs.set(ns, new Map());
    const m = selectsByNs.get(ns);
    if (!m.has(e.from)) m.set(e.from, []);
    m.get(e.from).push(e.to);
  }
  return { byKind, selectsByNs, selectsEdgesByNs, mountsByPod, runsAsByPod, isolatesByPod, grantsTo, refEdgesByNs, boundByPVC };
}

// selectedBy maps each Service of ns to the pods it selects that are drawn.
function selectedBy(selectsByNs, ns, pods) {
  const out = new Map();
  for (const [svc, podIds] of selectsByNs.get(ns) || []) {
    const drawn = podIds.filter((p) => pods.has(p));
    if (drawn.length) out.set(svc, drawn);
  }
  return out;
}

// placeNodes stacks the Nodes column, cluster-wide, and returns its bottom.
// Past nodeCompactAbove nodes the boxes shrink, so a big cluster's column
// stays about as tall as its workloads.
function placeNodes(k8sNodes, prevOrder, out, col) {
  const G = geo();
  k8sNodes.sort((a, b) => byStr(a.name, b.name));
  const order = keepOrder(prevOrder, out.state.order, 'nodes', k8sNodes.map((n) => n.id));
  const compact = order.length > G.nodeCompactAbove;
  const h = compact ? G.nodeHCompact : G.nodeH;
  let y = G.top;
  const byId = new Map(k8sNodes.map((n) => [n.id, n]));
  order.forEach((id, i) => {
    // A cordoned Node, or one with taints, says so on a line of its own.
    const n = byId.get(id);
    let hh = !compact && (n?.unschedulable || (n?.taints || []).length) ? h + G.nodeTaints : h;
    if (!compact && n) hh = boxH('Node', n, col.w, hh);
    out.boxes.set(id, { id, kind: 'Node', x: col.x, y, w: col.w, h: hh, colour: i % NODE_COLOURS, compact });
    y += hh + (compact ? 8 : G.nodeGap);
  });
  return y;
}

// placeBands lays out the namespace bands top to bottom into out and
// returns where the last one ends. Each band is laid out on its own, and
// reused as is (or just shifted) when nothing in its namespace changed:
// with thousands of pods most deltas touch one namespace, and this keeps
// layout and garbage small.
function placeBands(nsOrder, selectsEdgesByNs, ctx, out) {
  const { opts, prev } = ctx;
  const { state } = out;
  const prevBands = prev?.bands || new Map();
  state.bands = new Map();
  let y = geo().top;
  for (const ns of nsOrder) {
    const collapsed = opts.collapsed.has(ns);
    const sig = bandInputs(ctx.buckets.get(ns), selectsEdgesByNs.get(ns), ctx.refEdgesByNs.get(ns), ctx.nodes);
    sig.push(ctx.nodes.get(`Namespace/${ns}`), ctx.bandW);
    const c = prevBands.get(ns);
    let part;
    if (c && c.collapsed === collapsed && c.compactAbove === opts.compactAbove && c.geom === (geo().key || '') && sameRefs(c.sig, sig)) {
      part = c.y === y ? c.part : shiftBand(c.part, y - c.y);
    } else {
      part = layoutBand(ns, y, ctx);
    }
    state.bands.set(ns, { sig, part, y, collapsed, compactAbove: opts.compactAbove, geom: geo().key || '' });
    out.bands.push(...part.bands);
    for (const [k, v] of part.boxes) out.boxes.set(k, v);
    for (const [k, v] of part.lanes) out.lanes.set(k, v);
    for (const [k, v] of part.pods) out.pods.set(k, v);
    out.ghosts.push(...part.ghosts);
    out.mounts.push(...part.mounts);
    for (const [k, v] of part.st.slots) state.slots.set(k, v);
    for (const [k, v] of part.st.order) state.order.set(k, v);
    y = part.yEnd;
  }
  return y;
}

// layoutBand lays out namespace ns from y: the workloads first, because
// the Services sit beside the pods they select and the Ingresses beside
// the Services they route to. It returns the band's part of the picture,
// its state (slots and orders) and where the next band starts.
function layoutBand(ns, y, ctx) {
  const G = geo();
  const { nodes, opts, buckets, podsByOwner, prevOrder } = ctx;
  const prevSlots = ctx.prev?.slots || new Map();
  const o = { bands: [], boxes: new Map(), lanes: new Map(), pods: new Map(), ghosts: [], mounts: [] };
  const st = { slots: new Map(), order: new Map() };
  const collapsed = opts.collapsed.has(ns);
  const band = { ns, y, h: 0, collapsed, counts: {}, pods: 0 };
  o.bands.push(band);
  const of = (kind) => buckets.get(ns)?.get(kind) || [];
  const boxes = workloadsOf(ns, nodes, podsByOwner, of);
  const services = of('Service').slice();
  const ingresses = of('Ingress').slice();
  const refs = [...of('PersistentVolumeClaim'), ...of('ConfigMap'), ...of('Secret')];
  const side = [...of('ServiceAccount'), ...of('Role'), ...of('NetworkPolicy'), ...of('PodDisruptionBudget')];
  countBand(band, boxes, services, ingresses);
  const info = nsInfo(nodes.get(`Namespace/${ns}`), ctx.bandW);
  if (info) band.info = info;
  if (collapsed) {
    keepCollapsedState(ns, prevSlots, prevOrder, st);
    band.h = G.bandHeader;
    return { ...o, st, yEnd: y + band.h + G.bandGap };
  }
  // The namespace's quotas and limit ranges stand under its title.
  const top = y + G.bandHeader + (info ? info.h : 0);
  const workBottom = placeWorkloads(ns, boxes, of('HorizontalPodAutoscaler'), top, opts, prevSlots, prevOrder, o, st);
  o.mounts = [
    ...planMounts(boxes, ctx.mountsByPod, o),
    ...planMounts(boxes, ctx.runsAsByPod, o, 'runs-as'),
    ...planMounts(boxes, ctx.isolatesByPod, o, 'isolates'),
  ];
  const refItems = [...refs, ...sideItems(side, ctx, o)];
  let refBottom = G.refsBelow ? top : placeRefs(ns, refItems, nodes, ctx.boundByPVC, top, o);
  // Ingresses above the Services (presenter type, a narrow stage): first
  // in the Service column, the Services below them.
  const gwBox = (kind, n, w) => Math.max(gatewayBoxH(n), G.type?.boxH(kind, n, w)?.h || 0);
  const svcTop = G.ingressAbove ? placeGateways(of, G.col.service.x, G.col.service.w, placeIngressesAbove(ingresses, top, o), G.boxGap, o, gwBox) : top;
  let sy = placeServices(services, selectedBy(ctx.selectsByNs, ns, o.pods), svcTop, o);
  sy = placeGhosts(ns, ingresses, nodes, sy, o);
  let svcBottom = sy > top ? sy - G.boxGap : top;
  if (G.type) {
    // In presenter type height is what the stage lacks: a column its
    // anchors pushed below the workloads moves up (before the Ingresses
    // anchor to the Services).
    svcBottom = liftStack(o, G.col.service.x, top, workBottom, G.boxGap);
    if (refBottom > top) refBottom = liftStack(o, G.refCol.x, top, workBottom, G.refGap);
  }
  if (G.refsBelow) refBottom = placeRefsBelow(ns, refItems, nodes, ctx.boundByPVC, workBottom + G.boxGap, o, top);
  let ingBottom = G.ingressAbove ? top : placeIngresses(ns, ingresses, nodes, top, o);
  if (!G.ingressAbove) ingBottom = Math.max(ingBottom, placeGateways(of, G.col.ingress.x, G.col.ingress.w, ingBottom > top ? ingBottom + G.boxGap : top, G.boxGap, o, gwBox) - G.boxGap);
  const contentBottom = Math.max(workBottom, svcBottom, ingBottom, refBottom, top + 24);
  band.h = contentBottom - y + 12;
  band.empty = boxes.length + services.length + ingresses.length + refs.length + side.length + GATEWAY_KINDS.flatMap(of).length === 0;
  return { ...o, st, yEnd: contentBottom + 12 + G.bandGap };
}

// liftStack moves the boxes (and ghosts) of one column of a band, the
// column at x, up towards top, so that it ends no lower than bottom where
// its anchors (a Service beside its pods, a claim beside its pod) had
// pushed it lower: none goes above top, none onto the one above, and a
// PersistentVolume keeps its place under its claim. Returns the column's
// new bottom.
function liftStack(o, x, top, bottom, gap) {
  const items = [...o.boxes.values(), ...o.ghosts].filter((b) => b.x === x || (b.claim && o.boxes.get(b.claim)?.x === x));
  if (!items.length) return top;
  items.sort((a, b) => a.y - b.y);
  // Groups: a box with the PersistentVolume drawn under it.
  const groups = [];
  for (const b of items) {
    if (b.claim && groups.length && groups[groups.length - 1].items[0].id === b.claim) groups[groups.length - 1].items.push(b);
    else groups.push({ items: [b] });
  }
  const span = (g) => [Math.min(...g.items.map((b) => b.y)), Math.max(...g.items.map((b) => b.y + b.h))];
  const move = (g, dy) => g.items.forEach((b) => (b.y += dy));
  let limit = bottom;
  for (let i = groups.length - 1; i >= 0; i--) {
    const [y0, y1] = span(groups[i]);
    if (y1 > limit) move(groups[i], limit - y1);
    limit = Math.min(limit, span(groups[i])[0]) - gap;
  }
  let y = top;
  for (const g of groups) {
    const [y0] = span(g);
    if (y0 < y) move(g, y - y0);
    y = span(g)[1] + gap;
  }
  return y - gap;
}

// countBand fills in what a band's header says, collapsed or not.
function countBand(band, boxes, services, ingresses) {
  const allPods = boxes.flatMap((b) => b.lanes.flatMap((l) => l.pods));
  band.pods = allPods.length;
  const counts = {};
  for (const p of allPods) {
    const s = podState(p);
    counts[s] = (counts[s] || 0) + 1;
  }
  for (const s of POD_STATES) if (counts[s]) band.counts[s] = counts[s];
  band.services = services.length;
  band.ingresses = ingresses.length;
  band.workloads = boxes.length;
}

// keepCollapsedState carries a collapsed namespace's slots and orders over
// from the previous layout, so expanding it restores the same picture.
function keepCollapsedState(ns, prevSlots, prevOrder, st) {
  for (const [k, v] of prevSlots) if (k.includes(`/${ns}/`) || k === `group:${ns}:pods`) st.slots.set(k, v);
  for (const [k, v] of prevOrder) if (k.endsWith(`:${ns}`) && !st.order.has(k)) st.order.set(k, v);
}

// placeWorkloads stacks a band's workload boxes, in sticky order, each with
// its lanes, and returns the bottom of the last (top when there is none).
function placeWorkloads(ns, boxes, hpas, top, opts, prevSlots, prevOrder, o, st) {
  const G = geo();
  const boxOrder = keepOrder(prevOrder, st.order, `boxes:${ns}`, boxes.map((b) => b.id));
  const boxById = new Map(boxes.map((b) => [b.id, b]));
  // An autoscaler sits just above the workload it scales, its scales edge
  // a short arrow down; one whose target is not drawn goes last.
  const hpaByTarget = new Map();
  const loose = [];
  for (const h of hpas.slice().sort((a, b) => byStr(a.name, b.name))) {
    if (h.target && boxById.has(h.target)) {
      if (!hpaByTarget.has(h.target)) hpaByTarget.set(h.target, []);
      hpaByTarget.get(h.target).push(h);
    } else loose.push(h);
  }
  const placeHPA = (h, y) => {
    const hh = boxH('HorizontalPodAutoscaler', h, G.col.work.w, G.hpaH);
    o.boxes.set(h.id, { id: h.id, kind: 'HorizontalPodAutoscaler', x: G.col.work.x, y, w: G.col.work.w, h: hh, target: h.target });
    return y + hh + G.hpaGap;
  };
  let wy = top;
  for (const bid of boxOrder) {
    const b = boxById.get(bid);
    for (const h of hpaByTarget.get(bid) || []) wy = placeHPA(h, wy);
    let header = b.kind === 'Deployment' ? G.deployHeader : b.kind === 'Job' || b.kind === 'CronJob' ? G.jobHeader : G.setHeader;
    header = boxH(b.kind, b.node, G.col.work.w, header, { lanes: b.lanes });
    const box = { id: b.id, kind: b.kind, x: G.col.work.x, y: wy, w: G.col.work.w, h: 0, lanes: [], header };
    if (b.older) box.older = b.older;
    let ly = wy + header;
    for (const l of b.lanes) {
      const geo = placeLane(l, ly, prevSlots.get(l.id), opts, o, st);
      box.lanes.push(l.id);
      ly += geo.h + G.laneGap;
    }
    box.h = Math.max(header + 8, ly - wy - (b.lanes.length ? G.laneGap : 0) + G.laneInset - 4);
    o.boxes.set(b.id, box);
    wy += box.h + G.boxGap;
  }
  for (const h of loose) wy = placeHPA(h, wy) - G.hpaGap + G.boxGap;
  if (G.workShift && wy > top) return splitWorkloads(o, top, G);
  return wy > top ? wy - G.boxGap : top;
}

// splitWorkloads moves the later of a band's workload boxes (with their
// autoscalers, lanes and pods) into the next column of the workloads, so
// the columns are as even as the boxes' order allows. Returns the bottom
// of the taller.
function splitWorkloads(o, top, G) {
  const boxes = [...o.boxes.values()].filter((b) => b.x === G.col.work.x).sort((a, b) => a.y - b.y);
  // An autoscaler stays with the workload under it.
  const units = [];
  for (const b of boxes) {
    const last = units[units.length - 1];
    if (last && last.items[last.items.length - 1].kind === 'HorizontalPodAutoscaler' && last.items[last.items.length - 1].target === b.id) last.items.push(b);
    else units.push({ items: [b] });
  }
  for (const u of units) {
    u.y0 = u.items[0].y;
    u.y1 = Math.max(...u.items.map((b) => b.y + b.h));
  }
  // Each unit, in order, goes to the shortest column (the first on a tie).
  const ends = Array(workCols(G)).fill(top);
  const dx = G.workShift;
  for (const u of units) {
    const c = ends.indexOf(Math.min(...ends));
    const dy = ends[c] - u.y0;
    ends[c] += u.y1 - u.y0 + G.boxGap;
    if (!c && !dy) continue;
    for (const b of u.items) {
      b.x += c * dx;
      b.y += dy;
      for (const lid of b.lanes || []) {
        const l = o.lanes.get(lid);
        l.x += c * dx;
        l.y += dy;
        if (l.gridY !== undefined) l.gridY += dy;
        for (const id of l.pods) {
          const p = o.pods.get(id);
          p.x += c * dx;
          p.y += dy;
        }
      }
    }
  }
  return Math.max(...ends) - G.boxGap;
}

// placeServices puts each Service as close as it can get to the first of
// the pods it selects, so edges run short and mostly flat. They are ordered
// by where their pods are (then by name), so edges barely cross, and a
// Service moves only when the pods it selects move. Returns the y below
// the last.
function placeServices(services, selected, top, o) {
  const G = geo();
  const anchors = new Map();
  const heights = new Map();
  for (const sv of services) {
    const podIds = selected.get(sv.id) || [];
    anchors.set(sv.id, podIds.length ? Math.min(...podIds.map((p) => o.pods.get(p).y)) - G.serviceH / 2 : Infinity);
    heights.set(sv.id, boxH('Service', sv, G.col.service.w, G.serviceH));
  }
  const svcOrder = services
    .sort((a, b) => anchors.get(a.id) - anchors.get(b.id) || byStr(a.name, b.name))
    .map((sv) => sv.id);
  let sy = top;
  for (const id of svcOrder) {
    const anchor = anchors.get(id);
    const yy = Math.max(sy, Number.isFinite(anchor) ? Math.round(anchor) : sy);
    const h = heights.get(id);
    o.boxes.set(id, { id, kind: 'Service', x: G.col.service.x, y: yy, w: G.col.service.w, h });
    sy = yy + h + G.boxGap;
  }
  return sy;
}

// placeGhosts draws the Services that Ingress rules name but that do not
// exist, below the real ones from sy, so a dangling route has somewhere to
// point. Returns the y below the last.
function placeGhosts(ns, ingresses, nodes, sy, o) {
  const G = geo();
  const missing = new Map();
  for (const ing of ingresses) {
    for (const r of ing.rules || []) {
      if (!r || !r.service) continue;
      const sid = `Service/${ns}/${r.service}`;
      if (!nodes.has(sid) && !missing.has(sid)) missing.set(sid, r.service);
    }
  }
  for (const [sid, name] of [...missing].sort((a, b) => byStr(a[0], b[0]))) {
    const g = { id: sid, kind: 'Service', x: G.col.service.x, y: sy, w: G.col.service.w, h: 60, name, ns };
    o.ghosts.push(g);
    sy += g.h + G.boxGap;
  }
  return sy;
}

// placeIngresses puts each Ingress beside the first Service it routes to,
// and returns the bottom of the last (top when there is none).
function placeIngresses(ns, ingresses, nodes, top, o) {
  const G = geo();
  const ghostById = new Map(o.ghosts.map((g) => [g.id, g]));
  const ingAnchor = new Map();
  for (const ing of ingresses) {
    const ys = (ing.rules || [])
      .map((r) => `Service/${ns}/${r?.service}`)
      .map((t) => (o.boxes.get(t) || ghostById.get(t))?.y)
      .filter((v) => v !== undefined);
    ingAnchor.set(ing.id, ys.length ? Math.min(...ys) : Infinity);
  }
  const ingOrder = ingresses
    .sort((a, b) => ingAnchor.get(a.id) - ingAnchor.get(b.id) || byStr(a.name, b.name))
    .map((i) => i.id);
  let iy = top;
  for (const id of ingOrder) {
    const ing = nodes.get(id);
    const anchor = ingAnchor.get(id);
    const yy = Math.max(iy, Number.isFinite(anchor) ? anchor : iy);
    // The dashboard wraps a long rule too (dashboardRules).
    const m = G.type ? G.type.boxH('Ingress', ing, G.col.ingress.w) : dashboardRules(ing.rules, G.col.ingress.w);
    o.boxes.set(id, { id, kind: 'Ingress', x: G.col.ingress.x, y: yy, w: G.col.ingress.w, h: m.h, ...(m.ports?.length ? { ports: m.ports } : {}) });
    iy = yy + m.h + G.boxGap;
  }
  return iy > top ? iy - G.boxGap : top;
}

// placeIngressesAbove stacks a band's Ingresses, by name, at the top of
// the Service column, and returns where the Services start.
function placeIngressesAbove(ingresses, top, o) {
  const G = geo();
  let y = top;
  for (const ing of ingresses.slice().sort((a, b) => byStr(a.name, b.name))) {
    const m = G.type.boxH('Ingress', ing, G.col.service.w);
    o.boxes.set(ing.id, { id: ing.id, kind: 'Ingress', x: G.col.service.x, y, w: G.col.service.w, h: m.h, ...(m.ports?.length ? { ports: m.ports } : {}) });
    y += m.h + G.boxGap;
  }
  return y;
}

// bandInputs lists, by reference, everything a namespace band's layout
// reads: its objects (in a fixed kind order) and its selects edges.
const BAND_KINDS = ['Ingress', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Pod',
  'Job', 'CronJob', 'HorizontalPodAutoscaler', 'PersistentVolumeClaim', 'ConfigMap', 'Secret',
  'ServiceAccount', 'Role', 'NetworkPolicy', 'PodDisruptionBudget', ...GATEWAY_KINDS];
function bandInputs(bucket, selects, refEdges, nodes) {
  const refs = [];
  for (const k of BAND_KINDS) {
    const list = bucket?.get(k) || [];
    refs.push(list.length);
    for (const n of list) refs.push(n);
  }
  for (const e of selects || []) refs.push(e);
  refs.push(-1);
  // A bound PersistentVolume is drawn in its claim's band.
  for (const e of refEdges || []) {
    refs.push(e);
    if (e.kind === 'bound') refs.push(nodes.get(e.to));
  }
  return refs;
}

function sameRefs(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// shiftBand moves a cached band by dy, as new objects (layouts are values).
function shiftBand(part, dy) {
  const mv = (m) => new Map([...m].map(([k, v]) => [k, { ...v, y: v.y + dy, ...(v.gridY !== undefined ? { gridY: v.gridY + dy } : {}) }]));
  return {
    bands: part.bands.map((b) => ({ ...b, y: b.y + dy })),
    boxes: mv(part.boxes),
    lanes: mv(part.lanes),
    pods: mv(part.pods),
    ghosts: part.ghosts.map((g) => ({ ...g, y: g.y + dy })),
    mounts: part.mounts,
    st: part.st,
    yEnd: part.yEnd + dy,
  };
}

// claimOwner is the StatefulSet pod whose ordinal claim a mounts edge is:
// "<template>-<set>-<ordinal>" for one of the set's claimTemplates. Such an
// edge is the pod's own (db-0 → data-db-0), never a workload's.
function isOrdinalClaim(e, pod, set) {
  if (!set || !(set.claimTemplates || []).length || !e.to.startsWith('PersistentVolumeClaim/')) return false;
  const claim = e.to.slice(e.to.lastIndexOf('/') + 1);
  return set.claimTemplates.some((tpl) => claim === `${tpl}-${pod.name}`);
}

const mountSig = (list) => list.map((e) => `${e.to}|${e.as || ''}|${e.broken ? 1 : 0}`).sort().join('\n');

// majority returns the signature most of the pods share (ties: the
// smallest, so the answer does not depend on order).
function majority(sigs) {
  const count = new Map();
  for (const s of sigs) count.set(s, (count.get(s) || 0) + 1);
  let best = null;
  for (const [s, c] of count) if (best === null || c > count.get(best) || (c === count.get(best) && s < best)) best = s;
  return best;
}

// planMounts decides where each drawn pod's mounts edges are drawn from.
// A workload whose pods all reference the same objects in the same way
// draws one edge per object from its box (fifty replicas, one edge); when
// they differ (a rollout changed a ConfigMap), each lane whose pods agree
// draws one from the lane, and a pod that differs from its lane's majority
// draws its own. A StatefulSet pod's ordinal claim is always its own.
// Returns [{id, edge, from (box, lane or pod id), at ('box'|'lane'|'pod'),
// to, as, broken, count}].
//
// The same plan draws runs-as edges (Pod → ServiceAccount, kind 'runs-as':
// one per workload whose pods run as the same account, token mounted or
// not) and isolates edges (NetworkPolicy → Pod, kind 'isolates': one per
// workload whose pods the same policies select). For those, "to" is the
// box drawn in the side column: the ServiceAccount, or the policy.
function planMounts(boxes, byPod, o, kind = 'mounts') {
  const plan = [];
  const target = kind === 'isolates' ? (e) => e.from : (e) => e.to;
  const sigOf = kind === 'mounts' ? mountSig : kind === 'runs-as' ? (list) => list.map((e) => `${e.to}|${e.token ? 1 : 0}`).sort().join('\n') : (list) => list.map((e) => e.from).sort().join('\n');
  const fields = (e) => (kind === 'mounts' ? { as: e.as || '', broken: !!e.broken } : kind === 'runs-as' ? { token: !!e.token } : {});
  const own = (p, e) => plan.push({ id: e.id, kind, edge: e, from: p.id, at: 'pod', to: target(e), ...fields(e), count: 1 });
  const shared = (at, from, list, count) => {
    for (const e of list) {
      const to = target(e);
      const id = kind === 'isolates' ? `agg:isolates:${to}->${from}` : `agg:${kind}:${from}->${to}`;
      plan.push({ id, kind, from, at, to, ...fields(e), count, agg: true });
    }
  };
  for (const b of boxes) {
    const set = kind === 'mounts' && b.kind === 'StatefulSet' ? b.node : null;
    const lanes = b.lanes.map((l) => {
      const pods = l.pods.filter((p) => o.pods.has(p.id)).map((p) => {
        const all = byPod.get(p.id) || [];
        const mine = all.filter((e) => isOrdinalClaim(e, p, set));
        const rest = all.filter((e) => !mine.includes(e));
        return { p, mine, rest, sig: sigOf(rest) };
      });
      return { l, pods };
    });
    for (const { pods } of lanes) for (const x of pods) for (const e of x.mine) own(x.p, e);
    const all = lanes.flatMap((x) => x.pods);
    if (!all.length) continue;
    // A group of bare pods is no workload: each pod draws its own.
    if (b.kind === 'group') {
      for (const x of all) for (const e of x.rest) own(x.p, e);
      continue;
    }
    if (all.length > 1 && all.every((x) => x.sig === all[0].sig)) {
      shared('box', b.id, all[0].rest, all.length);
      continue;
    }
    for (const { l, pods } of lanes) {
      if (!pods.length) continue;
      const best = pods.length > 1 ? majority(pods.map((x) => x.sig)) : null;
      const agree = pods.filter((x) => x.sig === best);
      if (best !== null && agree.length > 1) shared(lanes.length > 1 ? 'lane' : 'box', lanes.length > 1 ? l.id : b.id, agree[0].rest, agree.length);
      for (const x of pods) if (x.sig !== best || agree.length <= 1) for (const e of x.rest) own(x.p, e);
    }
  }
  return plan;
}

// mountSourceY is the y a planned mounts edge leaves from.
function mountSource(m, o) {
  if (m.at === 'box') {
    const b = o.boxes.get(m.from);
    return { x: b.x + b.w, y: b.y + 26 };
  }
  if (m.at === 'lane') {
    const l = o.lanes.get(m.from);
    return { x: l.x + l.w, y: l.y + 16 };
  }
  const p = o.pods.get(m.from);
  const l = o.lanes.get(p.lane);
  return p.compact ? { x: l.x + l.w, y: l.gridY + 6 } : { x: l.x + l.w, y: p.y };
}

const REF_ORDER = { PersistentVolumeClaim: 0, ConfigMap: 1, Secret: 2, ServiceAccount: 3, Role: 4, NetworkPolicy: 5, PodDisruptionBudget: 6 };

// SIDE_KINDS are the namespaced kinds of issue #13 drawn in the side
// column; they open no namespace band of their own.
const SIDE_KINDS = new Set(['ServiceAccount', 'Role', 'NetworkPolicy', 'PodDisruptionBudget']);

// BAND_REF_KINDS are the kinds a band places in the references' column (or
// below its workloads: placeRefsBelow).
export const BAND_REF_KINDS = new Set(['PersistentVolumeClaim', 'ConfigMap', 'Secret', ...SIDE_KINDS]);

// sideItems picks what of a band's identity and policy is worth drawing,
// each with where it wants to stand: a ServiceAccount a drawn pod runs as
// or that is granted a role, a Role granted to something (just below the
// first account it is granted to), every NetworkPolicy (beside the pods it
// selects) and every PodDisruptionBudget (beside the first pod it covers).
function sideItems(side, ctx, o) {
  const anchor = new Map();
  for (const m of o.mounts) {
    if (m.kind !== 'runs-as' && m.kind !== 'isolates') continue;
    const y = mountSource(m, o).y;
    if (!anchor.has(m.to) || y < anchor.get(m.to)) anchor.set(m.to, y);
  }
  const granted = new Set();
  for (const n of side) if (n.kind === 'ServiceAccount' || n.kind === 'Role') for (const e of ctx.grantsTo.get(n.id) || []) granted.add(e.to);
  const grantsFrom = new Set();
  for (const list of ctx.grantsTo.values()) for (const e of list) grantsFrom.add(e.from);
  const items = [];
  for (const n of side) {
    if (n.kind === 'ServiceAccount' && !anchor.has(n.id) && !grantsFrom.has(n.id)) continue;
    if (n.kind === 'Role' && !(ctx.grantsTo.get(n.id) || []).length) continue;
    let a = anchor.get(n.id);
    if (n.kind === 'Role') {
      for (const e of ctx.grantsTo.get(n.id) || []) {
        const ay = anchor.get(e.from);
        if (ay !== undefined && (a === undefined || ay + 1 < a)) a = ay + 1;
      }
    } else if (n.kind === 'PodDisruptionBudget') {
      for (const [pid, geo] of o.pods) {
        if (matchSelector(n.selector, ctx.nodes.get(pid)?.labels) && (a === undefined || geo.y < a)) a = geo.y;
      }
    }
    items.push({ n, anchor: a, granted: (ctx.grantsTo.get(n.id) || []).length > 0 });
  }
  return items;
}

// matchSelector reports whether a label selector selects labels. A null
// selector selects nothing, an empty one everything (as informers/graph
// reads PodDisruptionBudgets).
export function matchSelector(sel, labels) {
  if (!sel) return false;
  const l = labels || {};
  for (const [k, v] of Object.entries(sel.matchLabels || {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const vals = r.values || [];
    switch (r.operator) {
      case 'In':
        if (!has || !vals.includes(l[r.key])) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[r.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

// sideHeight is the height of a side-column box.
function sideHeight(n) {
  const G = geo();
  switch (n.kind) {
    case 'ServiceAccount':
      return (n.risky || []).length ? G.roleH : G.saH;
    case 'Role':
    case 'ClusterRole':
      return G.roleH;
    case 'NetworkPolicy':
      return G.netpolH;
    case 'PodDisruptionBudget':
      return G.pdbH;
    case 'User':
    case 'Group':
      return G.subjectH;
    default:
      return G.refH;
  }
}

// nsInfo is what the quotas layer draws under a namespace band's title:
// rows of quota bars and a limit-range line ({id, h, perRow, rows,
// limits, pss}), or null when the namespace has none of it. Its Pod
// Security level sits in the title row and takes no room.
export function nsInfo(n, bandW) {
  if (!n || n.kind !== 'Namespace') return null;
  const G = geo();
  const quotas = (n.quotas || []).length;
  const limits = (n.limitRanges || []).length > 0;
  const perRow = Math.max(1, Math.floor((bandW - 60) / G.quotaBarW));
  const rows = Math.ceil(quotas / perRow);
  const pss = String(n.podSecurity?.enforce || '');
  // In presenter type the limit ranges are not drawn (fine print), and
  // the quotas' bars stand under their words on the title row where they
  // fit (render.js quotaLine): the band keeps only the room the bars reach
  // below its header.
  const inline = !!(quotas && G.type?.quotaInline?.(n, bandW));
  const drawn = limits && !G.type;
  const h = inline ? Math.max(0, 38 - G.bandHeader) : rows * G.quotaRow + (drawn ? G.limitRow : 0) + (rows || drawn ? 8 : 0);
  if (!h && !pss && !inline && !limits) return null;
  return { id: n.id, h, perRow, rows, limits, pss, ...(inline ? { inline } : {}) };
}

// placeRefs stacks a band's references in the references column, each as
// near as it can get to the first thing that mounts it (like Services
// beside their pods), so a StatefulSet's data-db-0 sits beside db-0. A
// claim's bound PersistentVolume goes right below it. A mounts edge into
// an object that does not exist (a claim not created yet) gets a ghost
// box. Returns the bottom of the last (top when there is none).
function placeRefs(ns, refs, nodes, boundByPVC, top, o) {
  const G = geo();
  const { x, w } = G.refCol;
  let y = top;
  for (const it of refOrder(ns, refs, nodes, o)) {
    const a = it.at;
    // A granted role leaves room above it for its bindings' label.
    if (it.granted && it.kind === 'Role') y += G.grantGap;
    const yy = Math.max(y, Number.isFinite(a) ? Math.round(a - 20) : y);
    y = placeRef(it, nodes, boundByPVC, x, yy, w, o) + G.refGap;
  }
  return y > top ? y - G.refGap : top;
}

// refOrder is a band's references in the order they are placed: each after
// the first thing that mounts it (at: that y), a mounts edge into an object
// that does not exist as a ghost.
function refOrder(ns, refs, nodes, o) {
  const anchor = new Map();
  for (const m of o.mounts) {
    const y = mountSource(m, o).y;
    if (!anchor.has(m.to) || y < anchor.get(m.to)) anchor.set(m.to, y);
  }
  const items = refs.map((r) => (r.n ? { id: r.n.id, kind: r.n.kind, name: r.n.name, n: r.n, side: true, granted: r.granted, a: r.anchor } : { id: r.id, kind: r.kind, name: r.name, n: r }));
  const have = new Set(items.map((x) => x.id));
  for (const id of anchor.keys()) {
    if (have.has(id) || nodes.has(id)) continue;
    have.add(id);
    items.push({ id, kind: id.split('/')[0], name: id.slice(id.lastIndexOf('/') + 1), ghost: true, ns });
  }
  for (const it of items) it.at = it.side ? (it.a ?? Infinity) : anchor.has(it.id) ? anchor.get(it.id) : Infinity;
  return items.sort((a, b) => a.at - b.at || (REF_ORDER[a.kind] ?? 3) - (REF_ORDER[b.kind] ?? 3) || byStr(a.name, b.name));
}

// placeRef places one reference at (x, y), w wide, and a claim's bound
// PersistentVolume right below it; it returns the bottom.
function placeRef(it, nodes, boundByPVC, x, y, w, o) {
  const G = geo();
  if (it.ghost) {
    o.ghosts.push({ id: it.id, kind: it.kind, x, y, w, h: G.refH, name: it.name, ns: it.ns });
    return y + G.refH;
  }
  const h = refBoxH(it, w);
  o.boxes.set(it.id, { id: it.id, kind: it.kind, x, y, w, h });
  let bottom = y + h;
  // Below the workloads (presenter type, a narrow stage) a claim's bound
  // volume may stand in the cluster column instead (G.pvsOut), with the
  // StorageClasses (placeClusterStorage), where the rows below the
  // workloads are what is short of room.
  const pv = !G.pvsOut && boundPV(it, nodes, boundByPVC);
  if (pv) {
    const pvH = boxH(pv.kind, pv, w - G.pvInset, G.pvH);
    o.boxes.set(pv.id, { id: pv.id, kind: pv.kind, x: x + G.pvInset, y: bottom + 8, w: w - G.pvInset, h: pvH, claim: it.id });
    bottom += 8 + pvH;
  }
  return bottom;
}

// refBoxH is a reference's own box height at width w.
function refBoxH(it, w) {
  const G = geo();
  return boxH(it.kind, it.n, w, it.side ? sideHeight(it.n) : it.kind === 'PersistentVolumeClaim' ? G.pvcH : G.refH);
}

// boundPV is the PersistentVolume drawn under a claim: the one it is bound to.
function boundPV(it, nodes, boundByPVC) {
  const b = it.kind === 'PersistentVolumeClaim' && !it.ghost && boundByPVC.get(it.id);
  const pv = b && nodes.get(b.to);
  return pv?.kind === 'PersistentVolume' ? pv : null;
}

// placeRefsBelow places a band's references below its workloads, in rows
// across the workloads' width (G.refsBelow: a stage too narrow for their
// column), in the order placeRefs stacks them; with the workloads in
// columns side by side, each under the column that ends highest where that
// is shorter. top: below the workloads; bandTop: where they start. Returns
// the bottom (top - the gap when there is none).
function placeRefsBelow(ns, refs, nodes, boundByPVC, top, o, bandTop) {
  const G = geo();
  const items = refOrder(ns, refs, nodes, o);
  if (!items.length) return top - G.boxGap;
  const area = G.workArea || G.col.work;
  const height = (it, w) => {
    if (it.ghost) return G.refH;
    // A claim's bound volume under it, or in the cluster column (placeRef).
    const pv = !G.pvsOut && boundPV(it, nodes, boundByPVC);
    return refBoxH(it, w) + (pv ? 8 + boxH(pv.kind, pv, w - G.pvInset, G.pvH) : 0) + (it.granted && it.kind === 'Role' ? G.grantGap : 0);
  };
  const { per, w, h } = refGrid(area.w, items.map((it) => (cw) => height(it, cw)), G.refGap);
  // Workloads in columns side by side: each reference under the column
  // that ends highest, as a box of the workloads, where that ends higher
  // than rows across all of them below the tallest.
  const k = workCols(G);
  if (k > 1) {
    const sub = G.col.work.w;
    const xs = Array.from({ length: k }, (_, c) => G.col.work.x + c * G.workShift);
    const ends = xs.map((x) => Math.max(bandTop - G.boxGap, ...[...o.boxes.values()].filter((b) => b.x === x).map((b) => b.y + b.h)));
    const at = [];
    for (const it of items) {
      const c = ends.indexOf(Math.min(...ends));
      const y = ends[c] + G.boxGap + refsBelowRoom(1);
      at.push([it, c, y]);
      ends[c] = y + height(it, sub);
    }
    if (Math.max(...ends) < top + refsBelowRoom(per) + h - G.refGap) {
      for (const [it, c, y] of at) {
        placeRef(it, nodes, boundByPVC, xs[c], y + (it.granted && it.kind === 'Role' ? G.grantGap : 0), sub, o);
        (o.boxes.get(it.id) || o.ghosts[o.ghosts.length - 1]).edgeLevel = 0;
      }
      return Math.max(...ends);
    }
  }
  // Room above the first row for the mounts edges' levels (routeMounts):
  // one per cell of a row.
  let y = top + refsBelowRoom(per);
  for (let i = 0; i < items.length; i += per) {
    const row = items.slice(i, i + per);
    const roomy = row.some((it) => it.granted && it.kind === 'Role') ? G.grantGap : 0;
    let bottom = y;
    row.forEach((it, j) => {
      bottom = Math.max(bottom, placeRef(it, nodes, boundByPVC, Math.round(area.x + j * (w + 2 * G.refGap)), y + roomy, w, o));
      // Its edges' level: the rightmost cell's nearest the row.
      const b = o.boxes.get(it.id) || o.ghosts[o.ghosts.length - 1];
      b.edgeLevel = per - 1 - j;
    });
    y = bottom + G.refGap;
  }
  return y - G.refGap;
}

// refsBelowRoom is the gap above references below the workloads, per in a
// row: a level for each cell's mounts edges.
const refsBelowRoom = (per) => 6 + 6 * per;

// refGrid is how many references stand in a row of an area wide, and how
// wide each is: the count (up to four, no cell under a fifth of the area)
// whose rows are the shortest in all. hs are the references' heights as
// functions of their width; it also returns that height.
function refGrid(wide, hs, refGap) {
  const gap = 2 * refGap;
  let best = null;
  for (let per = 1; per <= Math.min(4, hs.length); per++) {
    const w = Math.floor((wide - (per - 1) * gap) / per);
    if (per > 1 && w < wide / 5) break;
    let h = 0;
    for (let i = 0; i < hs.length; i += per) h += Math.max(...hs.slice(i, i + per).map((f) => f(w))) + refGap;
    if (!best || h < best.h) best = { per, w, h };
  }
  return best;
}

// drawsRefs reports whether the references column has anything to draw:
// a reference or storage object, or a mounts edge (into a missing one).
const REF_COLUMN = new Set(['PersistentVolumeClaim', 'ConfigMap', 'Secret', 'PersistentVolume', 'StorageClass']);
const SIDE_COLUMN = new Set([...REF_COLUMN, ...SIDE_KINDS]);
function drawsRefs(nodes, edges, kinds = SIDE_COLUMN) {
  for (const n of nodes.values()) if (kinds.has(n.kind)) return true;
  for (const e of edges.values()) if (e.kind === 'mounts') return true;
  return false;
}
const drawsSide = (nodes) => [...nodes.values()].some((n) => SIDE_KINDS.has(n.kind));

// placeClusterStorage stacks the StorageClasses, then the PersistentVolumes
// no drawn claim holds, below the Nodes, and returns the new bottom.
function placeClusterStorage(nodes, y, out, col) {
  const G = geo();
  const list = [];
  for (const n of nodes.values()) {
    if (n.kind === 'StorageClass' || (n.kind === 'PersistentVolume' && !out.boxes.has(n.id))) list.push(n);
  }
  list.sort((a, b) => byStr(a.kind === 'StorageClass' ? '0' : '1', b.kind === 'StorageClass' ? '0' : '1') || byStr(a.name, b.name));
  if (list.length) y += G.clusterGap;
  for (const n of list) {
    const h = boxH(n.kind, n, col.w, n.kind === 'StorageClass' ? G.scH : G.pvH);
    out.boxes.set(n.id, { id: n.id, kind: n.kind, x: col.x, y, w: col.w, h });
    y += h + G.nodeGap;
  }
  return y;
}

// placeClusterIdentity stacks, below the Nodes and the cluster's storage,
// the Users and Groups bound in view, then the ClusterRoles granted in view
// (relevantIdentity chose them), each role with room above it for its
// bindings' label. Returns the new bottom.
function placeClusterIdentity(nodes, grantsTo, y, out, col) {
  const G = geo();
  const rank = { User: 0, Group: 1, ClusterRole: 2 };
  const list = [...nodes.values()].filter((n) => n.kind in rank).sort((a, b) => rank[a.kind] - rank[b.kind] || byStr(a.name, b.name));
  if (list.length) y += G.clusterGap;
  for (const n of list) {
    if (n.kind === 'ClusterRole' && (grantsTo.get(n.id) || []).length) y += G.grantGap;
    const h = boxH(n.kind, n, col.w, sideHeight(n));
    out.boxes.set(n.id, { id: n.id, kind: n.kind, x: col.x, y, w: col.w, h });
    y += h + G.nodeGap;
  }
  return y;
}

// placeCaveat puts the network-policy caveat of a presenter picture
// (type.caveat: the netpol layer is on) under the cluster column, as a
// note of the picture's own: the stage keeps no band for it. Returns the
// column's new bottom.
function placeCaveat(y, out, col) {
  const c = geo().type?.caveat;
  if (!c) return y;
  y += geo().clusterGap;
  const h = c.h(col.w);
  out.caveat = { x: col.x, y, w: col.w, h, text: c.text };
  return y + h + geo().nodeGap;
}

// routeGrants draws each grants edge between drawn boxes: out of the
// subject's right side and into the role's; within one column as a bracket
// beside it. The first edge into a role carries the label of all its
// bindings ({name, ns} each: ns when a RoleBinding confines a ClusterRole to
// one namespace), drawn in the room left above the role.
function routeGrants(out, grants) {
  const byRole = new Map();
  for (const e of grants.slice().sort((a, b) => byStr(a.id, b.id))) {
    const from = out.boxes.get(e.from);
    const to = out.boxes.get(e.to);
    if (!from || !to) continue;
    if (!byRole.has(e.to)) byRole.set(e.to, []);
    byRole.get(e.to).push({ e, from, to });
  }
  for (const [, list] of [...byRole].sort((a, b) => byStr(a[0], b[0]))) {
    const to = list[0].to;
    const ys = spread(list.length, to.y + 18, to.y + Math.min(to.h, 60) - 14);
    const bindings = list.map(({ e }) => ({ name: String(e.binding || '').split('/').pop(), ns: e.namespace || '' }));
    list.forEach(({ e, from }, i) => {
      const fy = from.y + Math.min(from.h, 60) / 2;
      let d;
      if (Math.abs(from.x - to.x) < 1) {
        const x = from.x + from.w;
        d = `M${r1(x)},${r1(fy)} C${r1(x + 24)},${r1(fy)} ${r1(x + 24)},${r1(ys[i])} ${r1(x + 4)},${r1(ys[i])}`;
      } else if (to.x > from.x) d = curve(from.x + from.w, fy, to.x - 4, ys[i]);
      else d = curve(from.x, fy, to.x + to.w + 4, ys[i]);
      const edge = { id: e.id, kind: 'grants', from: e.from, to: e.to, state: e.namespace ? 'namespaced' : '', d, binding: e.binding || '', ns: e.namespace || '' };
      if (i === 0) Object.assign(edge, { bindings, lx: to.x + 10, ly: to.y - 7 });
      out.edges.push(edge);
    });
  }
}

// entryPoints lists, for a NodePort (or LoadBalancer) Service svc, every
// Node's way in: the address a client outside dials (<node internalIP>:
// <nodePort>, each nodePort of the Service), where its label goes (at the
// Node box's top left) and a path from the Node into the Service box. Empty
// when the Service has no nodePort or is not drawn.
export function entryPoints(L, nodes, svc) {
  const sbox = L.boxes.get(svc?.id);
  const ports = (svc?.ports || []).map((p) => p?.nodePort).filter((p) => Number.isInteger(p) && p > 0);
  if (!sbox || !ports.length) return [];
  const out = [];
  const nodeBoxes = [...L.boxes.values()].filter((b) => b.kind === 'Node').sort((a, b) => a.y - b.y);
  const ys = spread(nodeBoxes.length, sbox.y + 16, sbox.y + sbox.h - 16);
  nodeBoxes.forEach((b, i) => {
    const n = nodes.get(b.id);
    const ip = n?.internalIP || n?.name || '';
    out.push({
      id: b.id, label: ports.map((p) => `${ip}:${p}`).join(', '), x: b.x + 12, y: b.y - 6,
      d: curve(b.x, b.y + Math.min(b.h, 40) / 2, sbox.x + sbox.w + 4, ys[i]),
    });
  });
  return out;
}

// ingressHeight fits the title, the class line and one line per rule (up
// to ingressRules, then a "+n more" line).
export function ingressHeight(rules) {
  const shown = Math.min(rules, GEOM.ingressRules + (rules > GEOM.ingressRules ? 1 : 0));
  return GEOM.ingressHead + Math.max(1, shown) * GEOM.ruleLine + 10;
}

// ingressRuleText is an Ingress rule as its box says it: where → which
// Service.
export const ingressRuleText = (r) => `${r?.default ? '*' : `${r?.host || '*'}${r?.path || '/'}`} → ${r?.service || '?'}`;

// RULE_PX is the dashboard's rule type (style.css .rule).
export const RULE_PX = 14;

// dashboardRules is an Ingress's rules as the dashboard draws them in a box
// w wide: each rule on as many lines as it wraps to (its Service is the
// fact the box is for: never cut), from the box's top. Returns the lines
// ({rule, text, y}: y a line's middle), each rule's port (the middle of its
// first line, where its edge leaves) and the box's height.
export function dashboardRules(rules, w) {
  const shown = (rules || []).slice(0, GEOM.ingressRules);
  const lines = [];
  const ports = [];
  let y = GEOM.ingressHead;
  shown.forEach((r, i) => {
    ports.push(y + GEOM.ruleLine / 2);
    for (const text of wrapText(ingressRuleText(r), w - 32, RULE_PX)) {
      lines.push({ rule: i, text, y: y + GEOM.ruleLine / 2 });
      y += GEOM.ruleLine;
    }
  });
  const more = (rules || []).length - shown.length;
  if (!shown.length || more > 0) y += GEOM.ruleLine;
  return { lines, ports, more, h: y + 10 };
}

// rulePortY is the y of an Ingress rule's line (its edge leaves from there).
export function rulePortY(box, i) {
  if (box.ports) return box.y + box.ports[Math.min(i, box.ports.length - 1)];
  return box.y + GEOM.ingressHead + Math.min(i, GEOM.ingressRules) * GEOM.ruleLine + GEOM.ruleLine / 2;
}

// placeLane positions a lane and its pods from y, recording slots in state.
function placeLane(l, y, prevLane, opts, out, state) {
  const G = geo();
  const x = G.col.work.x + G.laneInset;
  const w = G.col.work.w - 2 * G.laneInset;
  let slots;
  if (l.kind === 'StatefulSet') {
    // Ordinal order: pod-3 is always in slot 3, gaps included.
    slots = new Map();
    const taken = new Set();
    const stray = [];
    for (const p of l.pods) {
      const o = ordinal(p.name, l.setName);
      if (o >= 0 && !taken.has(o)) {
        slots.set(p.id, o);
        taken.add(o);
      } else stray.push(p);
    }
    let next = 0;
    for (const p of stray.sort(defaultPodOrder)) {
      while (taken.has(next)) next++;
      slots.set(p.id, next);
      taken.add(next);
    }
  } else {
    const order = l.kind === 'DaemonSet'
      ? l.pods.slice().sort((a, b) => byStr(a.node || '', b.node || '') || defaultPodOrder(a, b))
      : l.pods.slice().sort(defaultPodOrder);
    slots = assignSlots(prevLane, order.map((p) => p.id));
  }
  state.slots.set(l.id, slots);
  let used = 0;
  for (const s of slots.values()) used = Math.max(used, s + 1);
  // Reserve room for the desired count, so a scale-up grows the lane once,
  // when the spec changes, and not once per pod.
  const cap = Math.max(used, l.desired | 0);
  const compact = cap > opts.compactAbove;
  const podIds = [...slots].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  // The header holds the lane's label: in presenter type as many lines
  // as it wraps to.
  const head = G.type ? G.type.laneHead(l, w) : G.laneHeader;
  const lane = { id: l.id, kind: l.kind, x, y, w, h: 0, head, compact, cap, pods: podIds };
  if (l.inCron) lane.inCron = true;
  if (compact) {
    const cols = Math.max(1, Math.floor((w - 24) / G.cell));
    const rows = Math.max(1, Math.ceil(cap / cols));
    lane.cols = cols;
    lane.gridY = y + head + G.countsLine;
    lane.h = head + G.countsLine + rows * G.cell + G.lanePad + 4;
    for (const [id, s] of [...slots].sort((a, b) => a[1] - b[1])) {
      const cx = x + 12 + (s % cols) * G.cell + G.cellSize / 2;
      const cy = lane.gridY + Math.floor(s / cols) * G.cell + G.cellSize / 2;
      out.pods.set(id, { id, x: cx, y: cy, r: G.cellSize / 2, compact: true, lane: l.id, slot: s });
    }
  } else {
    lane.h = head + Math.max(cap, 1) * G.row + G.lanePad;
    for (const [id, s] of [...slots].sort((a, b) => a[1] - b[1])) {
      const cy = y + head + s * G.row + G.row / 2;
      out.pods.set(id, { id, x: x + 14 + G.podR, y: cy, r: G.podR, compact: false, lane: l.id, slot: s });
    }
  }
  out.lanes.set(l.id, lane);
  return lane;
}

// curve is a horizontal S-bend from (x1,y1) to (x2,y2).
function curve(x1, y1, x2, y2) {
  const mx = (x1 + x2) / 2;
  return `M${r1(x1)},${r1(y1)} C${r1(mx)},${r1(y1)} ${r1(mx)},${r1(y2)} ${r1(x2)},${r1(y2)}`;
}
const r1 = (v) => Math.round(v * 10) / 10;

// drop is an edge from a right side at (x1, y1) down into the top of a box
// below at (x2, y2): out to the right, down beside the boxes, along level
// (the gap above the box) and into it.
function drop(x1, y1, x2, y2, level) {
  const out = x1 + 14;
  return `M${r1(x1)},${r1(y1)} L${r1(out)},${r1(y1)} L${r1(out)},${r1(level)} L${r1(x2)},${r1(level)} L${r1(x2)},${r1(y2)}`;
}

// spread returns n port positions evenly inside [a, b].
function spread(n, a, b) {
  if (n <= 1) return [(a + b) / 2];
  const step = (b - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => a + i * step);
}

// routeEdges draws the protocol edges between placed entities. Edges into
// compact lanes are merged into one per (service, lane) or (lane, node),
// because thousands of hair-thin lines tell nothing.
function routeEdges(out, nodes, byKind) {
  routeIngresses(out, nodes, (byKind.routes || []).filter((e) => !isGatewayEdge(e)));
  routeGatewayEdges(out, byKind.routes || []);
  routeSelects(out, byKind.selects);
  routeRunsOn(out, byKind['runs-on']);
  routeMounts(out);
  routeStorage(out, nodes, byKind.bound);
  routeScales(out, byKind.scales);
  routeGrants(out, byKind.grants);
}

// routeMounts draws the planned mounts edges, from the right side of the
// workload, lane or pod into the reference's left side; the ports spread
// down the reference in source order, so edges do not cross there. A
// broken one (the pod says the object is missing) carries its state.
function routeMounts(out) {
  const ghostById = new Map(out.ghosts.map((g) => [g.id, g]));
  const byTarget = new Map();
  for (const m of out.mounts) {
    const to = out.boxes.get(m.to) || ghostById.get(m.to);
    if (!to) continue;
    if (!byTarget.has(m.to)) byTarget.set(m.to, []);
    byTarget.get(m.to).push({ m, src: mountSource(m, out), to });
  }
  for (const [, list] of [...byTarget].sort((a, b) => byStr(a[0], b[0]))) {
    list.sort((a, b) => a.src.y - b.src.y || byStr(a.m.id, b.m.id));
    const to = list[0].to;
    const top = to.y + 14;
    const ys = spread(list.length, top, Math.max(top, to.y + Math.min(to.h, geo().refH) - 14));
    const G = geo();
    // References below the workloads: into the top of the box, the ports
    // spread along it.
    const xs = G.refsBelow ? spread(list.length, to.x + 24, to.x + Math.max(24, to.w - 24)) : null;
    list.forEach(({ m, src }, i) => {
      const d = xs ? drop(src.x + 2, src.y, xs[i], to.y - 4, to.y - 10 - 6 * (to.edgeLevel || 0)) : curve(src.x + 2, src.y, to.x - 4, ys[i]);
      // From a workload column with another right of it: under its boxes.
      const under = beforeLastWork(G, src.x) || !!xs;
      if (m.kind === 'runs-as' || m.kind === 'isolates') {
        // An isolates edge is the policy's: from the policy to the pods.
        const [from, too] = m.kind === 'isolates' ? [m.to, m.from] : [m.from, m.to];
        const e = { id: m.id, kind: m.kind, from, to: too, state: m.kind === 'runs-as' ? (m.token ? 'token' : 'no-token') : 'isolated', d };
        if (m.kind === 'runs-as') e.token = m.token;
        if (m.agg) Object.assign(e, { agg: true, count: m.count });
        if (m.kind === 'runs-as' && ghostById.has(m.to)) Object.assign(e, { state: 'dangling', lx: to.x - 8, ly: ys[i] - 5 });
        if (under) e.under = true;
        out.edges.push(e);
        return;
      }
      const e = {
        id: m.id, kind: 'mounts', from: m.from, to: m.to, state: m.broken ? 'broken' : ghostById.has(m.to) ? 'dangling' : 'ok',
        as: m.as, broken: m.broken, d,
      };
      if (m.agg) Object.assign(e, { agg: true, count: m.count });
      if (m.broken || ghostById.has(m.to)) Object.assign(e, { lx: to.x - 8, ly: ys[i] - 5 });
      if (under) e.under = true;
      out.edges.push(e);
    });
  }
}

// routeStorage draws each bound edge as a short drop from the claim to the
// volume below it, and links each drawn PersistentVolume to its
// StorageClass (a field, not a protocol edge, so the link is synthetic).
function routeStorage(out, nodes, bound) {
  for (const e of bound.slice().sort((a, b) => byStr(a.id, b.id))) {
    const pvc = out.boxes.get(e.from);
    const pv = out.boxes.get(e.to);
    if (!pvc || !pv) continue;
    const G = geo();
    const x = pvc.x + G.pvInset / 2;
    if (pv.claim === e.from) {
      const d = `M${r1(x)},${r1(pvc.y + pvc.h)} L${r1(x)},${r1(pv.y + pv.h / 2)} L${r1(pv.x)},${r1(pv.y + pv.h / 2)}`;
      out.edges.push({ id: e.id, kind: 'bound', from: e.from, to: e.to, state: '', d });
    } else if (G.pvsOut && pv.x > workRight(G)) {
      // A claim below the workloads, its volume in the cluster column: out
      // of its foot, along under its row (not through the claims beside
      // it), beneath the boxes it passes.
      const sx = pvc.x + pvc.w - 18;
      const yb = pvc.y + pvc.h + 6;
      const right = workRight(G) + 14;
      const d = `M${r1(sx)},${r1(pvc.y + pvc.h)} L${r1(sx)},${r1(yb)} L${r1(right)},${r1(yb)} ${curve(right, yb, pv.x - 4, pv.y + Math.min(pv.h, 60) / 2).replace(/^M[^ ]+ /, '')}`;
      out.edges.push({ id: e.id, kind: 'bound', from: e.from, to: e.to, state: '', d, under: true });
    } else {
      out.edges.push({ id: e.id, kind: 'bound', from: e.from, to: e.to, state: '', d: curve(pvc.x + pvc.w, pvc.y + pvc.h / 2, pv.x, pv.y + pv.h / 2) });
    }
  }
  const scByName = new Map();
  for (const b of out.boxes.values()) if (b.kind === 'StorageClass') scByName.set(nodes.get(b.id)?.name, b);
  const pvs = [...out.boxes.values()].filter((b) => b.kind === 'PersistentVolume').sort((a, b) => byStr(a.id, b.id));
  for (const b of pvs) {
    const sc = scByName.get(nodes.get(b.id)?.storageClass);
    if (!sc) continue;
    // Left of its class: a curve; in its column (the cluster's): a bracket
    // on their left; under its claim: down past the claim's column, along.
    const d = b.x < sc.x && b.x + b.w <= sc.x
      ? curve(b.x + b.w, b.y + b.h / 2, sc.x, sc.y + sc.h / 2)
      : b.x === sc.x
        ? `M${r1(b.x)},${r1(b.y + Math.min(b.h, 60) / 2)} L${r1(b.x - 10)},${r1(b.y + Math.min(b.h, 60) / 2)} L${r1(b.x - 10)},${r1(sc.y + Math.min(sc.h, 60) / 2)} L${r1(sc.x)},${r1(sc.y + Math.min(sc.h, 60) / 2)}`
        : `M${r1(b.x + 12)},${r1(b.y + b.h)} L${r1(b.x + 12)},${r1(sc.y + sc.h / 2)} L${r1(sc.x)},${r1(sc.y + sc.h / 2)}`;
    out.edges.push({ id: `class:${b.id}->${sc.id}`, kind: 'class', from: b.id, to: sc.id, state: '', d, synthetic: true });
  }
}

// routeScales draws an autoscaler's scales edge: a short arrow down into
// the workload just below it.
function routeScales(out, scales) {
  for (const e of scales.slice().sort((a, b) => byStr(a.id, b.id))) {
    const h = out.boxes.get(e.from);
    const w = out.boxes.get(e.to);
    if (!h || !w) continue;
    const x = h.x + 40;
    const d = w.y > h.y
      ? `M${r1(x)},${r1(h.y + h.h)} L${r1(x)},${r1(w.y - 2)}`
      : curve(h.x + h.w, h.y + h.h / 2, w.x + w.w, w.y + 20);
    out.edges.push({ id: e.id, kind: 'scales', from: e.from, to: e.to, state: '', d });
  }
}

// routesByIngress groups the routes edges whose ends are drawn by Ingress,
// adding one for each rule into a missing Service: the server sends no edge
// to an object that does not exist, but the dangling route is the point.
function routesByIngress(out, nodes, routes, ghostById) {
  const byIngress = new Map();
  for (const e of routes) {
    const from = out.boxes.get(e.from);
    const to = out.boxes.get(e.to) || ghostById.get(e.to);
    if (!from || !to) continue;
    if (!byIngress.has(e.from)) byIngress.set(e.from, []);
    byIngress.get(e.from).push({ e, to });
  }
  for (const g of out.ghosts) {
    for (const [iid, box] of out.boxes) {
      if (box.kind !== 'Ingress') continue;
      const ing = nodes.get(iid);
      if (!(ing.rules || []).some((r) => r && `Service/${ing.namespace}/${r.service}` === g.id)) continue;
      const list = byIngress.get(iid) || [];
      if (list.some((x) => x.e.to === g.id)) continue;
      const e = { id: `routes:${iid}->${g.id}`, kind: 'routes', from: iid, to: g.id, synthetic: true };
      list.push({ e, to: g });
      byIngress.set(iid, list);
    }
  }
  return byIngress;
}

// routeIngresses draws Ingress → Service (or → missing Service) edges.
function routeIngresses(out, nodes, routes) {
  const ghostById = new Map(out.ghosts.map((g) => [g.id, g]));
  const byIngress = routesByIngress(out, nodes, routes, ghostById);
  for (const [iid, list] of [...byIngress].sort((a, b) => byStr(a[0], b[0]))) {
    const from = out.boxes.get(iid);
    const ing = nodes.get(iid);
    const rules = ing?.rules || [];
    list.sort((a, b) => a.to.y - b.to.y || byStr(a.e.id, b.e.id));
    list.forEach(({ e, to }) => {
      // Leave from the first rule line that names this Service, so the
      // edge reads as that rule's.
      let i = rules.findIndex((r) => r && `Service/${ing.namespace}/${r.service}` === e.to);
      if (i < 0) i = 0;
      const y1 = rulePortY(from, i);
      // An Ingress above its Services: out of its left side, a bend in the
      // margin, into the Service's left side.
      const bend = Math.max(8, from.x - 6);
      const d = geo().ingressAbove
        ? `M${r1(from.x)},${r1(y1)} C${r1(from.x - bend)},${r1(y1)} ${r1(to.x - bend)},${r1(to.y + 30)} ${r1(to.x - 4)},${r1(to.y + 30)}`
        : curve(from.x + from.w, y1, to.x - 4, to.y + 30);
      out.edges.push({
        id: e.id, kind: 'routes', from: e.from, to: e.to, state: ghostById.has(e.to) ? 'dangling' : '', d,
        label: e.label || ruleLabel(ing, to.id), synthetic: !!e.synthetic,
      });
    });
  }
}

// selectsTargets lists where a Service's selects edges end: each full-size
// pod, and once per compact lane (an aggregate counting its pods' states).
function selectsTargets(out, list) {
  const targets = []; // {y, x, e | agg}
  const aggs = new Map();
  for (const { e, pod } of list) {
    if (!pod.compact) {
      targets.push({ y: pod.y, x: pod.x - pod.r - 4, e });
      continue;
    }
    const lane = out.lanes.get(pod.lane);
    let a = aggs.get(lane.id);
    if (!a) {
      a = { lane, count: 0, states: {} };
      aggs.set(lane.id, a);
      targets.push({ y: lane.gridY + 6, x: lane.x + 4, agg: a });
    }
    a.count++;
    const st = e.state || 'ready';
    a.states[st] = (a.states[st] || 0) + 1;
  }
  targets.sort((a, b) => a.y - b.y || byStr(a.e?.id || a.agg.lane.id, b.e?.id || b.agg.lane.id));
  return targets;
}

// routeSelects draws Service → Pod (or → compact lane) edges.
function routeSelects(out, selects) {
  const G = geo();
  const wx = G.col.work.x;
  const bySvc = new Map();
  for (const e of selects) {
    const from = out.boxes.get(e.from);
    const pod = out.pods.get(e.to);
    if (!from || !pod) continue;
    if (!bySvc.has(e.from)) bySvc.set(e.from, []);
    bySvc.get(e.from).push({ e, pod });
  }
  for (const [sid, list] of [...bySvc].sort((a, b) => byStr(a[0], b[0]))) {
    const from = out.boxes.get(sid);
    const targets = selectsTargets(out, list);
    // Ports spread down the Service's side in target order, so its edges
    // fan out without crossing each other.
    const ys = spread(targets.length, from.y + 22, from.y + from.h - 12);
    targets.forEach((t, i) => {
      const x1 = from.x + from.w;
      // Bend in the gutter, then run flat into the lane, so the edge
      // never crosses a lane's header text.
      const d = `${curve(x1, ys[i], wx - 2, t.y)} L${r1(t.x)},${r1(t.y)}`;
      // Into a workload column right of another, under the boxes before it.
      const under = G.workShift && t.x > wx + G.col.work.w ? { under: true } : {};
      if (t.e) {
        out.edges.push({ id: t.e.id, kind: 'selects', from: t.e.from, to: t.e.to, state: t.e.state || 'none', d, ...under });
      } else {
        // An aggregate shows its best state: one ready endpoint in the lane
        // means the Service routes there.
        const st = ['ready', 'serving', 'terminating', 'none'].find((s) => t.agg.states[s]) || 'none';
        out.edges.push({
          id: `agg:selects:${sid}->${t.agg.lane.id}`, kind: 'selects', from: sid, to: t.agg.lane.id, state: st, d,
          agg: true, count: t.agg.count, states: t.agg.states, lx: wx - 10, ly: t.y - 6, ...under,
        });
      }
    });
  }
}

// runsOnSources lists where a Node's runs-on edges start: each full-size
// pod's row end, and once per compact lane. A compact lane spread over
// many nodes draws no node edges at all (its counts line says how many
// nodes; hover lights them): a fan of hundreds of curves across the screen
// says nothing and costs every frame.
function runsOnSources(out, list) {
  const sources = [];
  const aggs = new Map();
  for (const { e, pod } of list) {
    const lane = out.lanes.get(pod.lane);
    if (!pod.compact) {
      sources.push({ y: pod.y, x: lane.x + lane.w, e });
      continue;
    }
    if (lane.nodes.size > geo().aggNodesMax) continue;
    let a = aggs.get(lane.id);
    if (!a) {
      a = { lane, count: 0 };
      aggs.set(lane.id, a);
      sources.push({ y: lane.gridY + 6, x: lane.x + lane.w, agg: a });
    }
    a.count++;
  }
  sources.sort((a, b) => a.y - b.y || byStr(a.e?.id || a.agg.lane.id, b.e?.id || b.agg.lane.id));
  return sources;
}

// runsOnPath is a runs-on edge from (x1, y1) at a lane's right edge into a
// Node column box at (x2, y2): straight past the workloads, then a curve.
// From a workload column with others right of it, the edge passes under
// their boxes instead of across their pod rows.
function runsOnPath(G, x1, y1, x2, y2) {
  const right = workRight(G) + 2;
  const d = `M${r1(x1)},${r1(y1)} L${r1(right)},${r1(y1)} ${curve(right, y1, x2, y2).replace(/^M[^ ]+ /, '')}`;
  return beforeLastWork(G, x1) ? { d, under: true } : { d };
}

// routeRunsOn draws Pod → Node edges, leaving from the lane's right edge.
function routeRunsOn(out, runsOn) {
  const G = geo();
  const wx = G.col.work.x;
  // Every lane learns its nodes, for its counts line, whether or not its
  // edges are drawn.
  for (const lane of out.lanes.values()) lane.nodes = new Set();
  for (const e of runsOn) {
    const pod = out.pods.get(e.from);
    if (pod?.compact && (out.boxes.has(e.to) || out.nodeAlias?.has(e.to))) out.lanes.get(pod.lane).nodes.add(e.to);
  }
  // Edges into a collapsed Node group end on its header (nodegroups.js).
  runsOn = routeToGroups(out, runsOn, { spread, maxTargets: G.aggNodesMax, path: (x1, y1, x2, y2) => runsOnPath(G, x1, y1, x2, y2) });
  const byNode = new Map();
  for (const e of runsOn) {
    const pod = out.pods.get(e.from);
    const node = out.boxes.get(e.to);
    if (!pod || !node) continue;
    if (!byNode.has(e.to)) byNode.set(e.to, []);
    byNode.get(e.to).push({ e, pod });
  }
  for (const [nid, list] of [...byNode].sort((a, b) => byStr(a[0], b[0]))) {
    const node = out.boxes.get(nid);
    const sources = runsOnSources(out, list);
    const ys = spread(sources.length, node.y + 14, node.y + node.h - 14);
    sources.forEach((s, i) => {
      const { d, ...under } = runsOnPath(G, s.x, s.y, node.x, ys[i]);
      if (s.e) {
        out.edges.push({ id: s.e.id, kind: 'runs-on', from: s.e.from, to: s.e.to, d, colour: node.colour, ...under });
      } else {
        out.edges.push({
          id: `agg:runs-on:${s.agg.lane.id}->${nid}`, kind: 'runs-on', from: s.agg.lane.id, to: nid, d,
          // No count label: their width tells it, and labels at a Node's edge
          // pile up on one another.
          colour: node.colour, agg: true, count: s.agg.count, ...under,
        });
      }
    });
  }
}

// ruleLabel is the host+path text for an Ingress → Service route.
function ruleLabel(ing, serviceId) {
  if (!ing) return '';
  const parts = [];
  for (const r of ing.rules || []) {
    if (!r || `Service/${ing.namespace}/${r.service}` !== serviceId) continue;
    parts.push(r.default ? '*' : `${r.host || ''}${r.path || '/'}`);
  }
  return parts.join(', ');
}
