// Wall-screen mode (?wall=1, issue #15): the whole view on one screen, kept
// fitted as the cluster changes, for a platform team's wall. The picture is
// the dashboard's, laid out to the screen's shape: the workloads stand in as
// many columns side by side as make it largest on screen, and big lanes'
// grids of cells close up (layout.js wallGeom). The page never scrolls
// (style.css), and what is in trouble is counted in large type in the header
// (drawTrouble), readable from across a room.

import { GEOM, layout, WALL_SUBGAP } from './layout.js';
import { podState } from './format.js';
import { t } from './i18n.js';
import { NO_GROUPS, nodeTroubleKinds } from './nodegroups.js';

// wallMode reports whether the page's address asks for a wall screen.
export function wallMode(href) {
  const v = new URL(href).searchParams.get('wall');
  return v === '1' || v === 'true';
}

// PITCHES are the grid pitches a wall tries, largest first; COLS the most
// workload columns side by side.
const PITCHES = [GEOM.cell, 10, 8, 6];
const COLS = 4;

// wallLayout lays graph out for a stage sw × sh px (opts as layout.js
// takes them). memo keeps the variant chosen between frames, so a scale-up
// does not rearrange the wall at every pod: it is chosen again only when the
// stage's size changes, or the number of pods or workloads moves by more
// than a tenth.
export function wallLayout(graph, prev, opts, sw, sh, memo) {
  const pods = countPods(graph.nodes);
  const size = `${Math.round(sw)}x${Math.round(sh)}`;
  // Node groups the viewer has not opened or closed may all close, when the
  // Node column is what keeps the picture small.
  const closed = opts.nodeGroups && opts.nodeGroups.open === null && opts.nodeGroups.by !== NO_GROUPS
    ? { ...opts, nodeGroups: { ...opts.nodeGroups, open: new Set() } }
    : null;
  if (memo.pick && memo.size === size && Math.abs(pods - memo.pods) <= memo.pods / 10 && memo.closed === !!closed && memo.closeNodes !== undefined) {
    const L = layout(graph, prev, { ...(memo.closeNodes ? closed : opts), wall: memo.pick });
    if (workloads(L) === memo.work) return L;
  }
  let best = null;
  for (const o of closed ? [opts, closed] : [opts]) {
    const base = layout(graph, prev, { ...o, wall: { k: 1, p: GEOM.cell } });
    const pick = chooseWall(base, sw, sh);
    if (!best || pick.z > best.pick.z + 0.02) best = { base, pick, o };
  }
  const { base, pick, o } = best;
  Object.assign(memo, { pick, size, pods, work: workloads(base), closed: !!closed, closeNodes: o === closed });
  if (pick.k === 1 && pick.p === GEOM.cell) return base;
  return layout(graph, base.state, { ...o, wall: pick });
}

// workloads counts a picture's boxes with lanes (and its bands).
const workloads = (L) => `${L.bands.length}|${[...L.boxes.values()].filter((b) => b.lanes).length}`;

function countPods(nodes) {
  let n = 0;
  for (const x of nodes.values()) if (x.kind === 'Pod') n++;
  return n;
}

// chooseWall picks the variant ({k, p}: k workload columns, grid pitch p)
// whose picture is largest on a sw × sh stage, from base, the picture laid
// out with one column at the dashboard's pitch: each variant's height is
// estimated from it (wallHeight), not laid out. The zoom (z) counts up to
// 1 (the dashboard's own size); of variants as large, the one with the
// larger cells, then the fewer columns, wins.
export function chooseWall(base, sw, sh) {
  let best = null;
  for (const p of PITCHES) {
    for (let k = 1; k <= COLS; k++) {
      const w = base.width + (k - 1) * (GEOM.col.work.w + WALL_SUBGAP);
      const z = Math.min(1, sw / w, sh / wallHeight(base, k, p));
      if (!best || z > best.z + 0.02) best = { k, p, z };
    }
  }
  return best;
}

// wallHeight estimates how tall base would be with its workloads in k
// columns and its grids at pitch p: per namespace band, its workloads go in
// order to the shortest column (as layout.js splitWorkloads places them),
// each compact lane shorter or taller by its rows at the new pitch; the
// Services, Ingresses and references beside them keep their heights, and
// the Node column its own.
export function wallHeight(base, k, p) {
  const G = GEOM;
  const workX = G.col.work.x;
  const nodeCols = new Set(base.columns.filter((c) => c.id === 'node').map((c) => c.x));
  let y = G.top;
  for (const band of base.bands) {
    if (band.collapsed) {
      y += band.h + G.bandGap;
      continue;
    }
    const inBand = (b) => !nodeCols.has(b.x) && b.y >= band.y && b.y < band.y + band.h;
    const boxes = [...base.boxes.values()].filter(inBand);
    const work = boxes.filter((b) => b.x === workX).sort((a, b) => a.y - b.y);
    const top = Math.min(band.y + band.h, ...boxes.map((b) => b.y));
    const ends = Array(k).fill(0);
    for (const b of work) {
      let h = b.h;
      for (const id of b.lanes || []) {
        const l = base.lanes.get(id);
        if (l?.compact) h += gridRows(l, p) * p - gridRows(l, G.cell) * G.cell;
      }
      const c = ends.indexOf(Math.min(...ends));
      ends[c] += h + G.boxGap;
    }
    // The other columns of the band, stacked.
    const other = new Map();
    for (const b of boxes) if (b.x !== workX) other.set(b.x, (other.get(b.x) || 0) + b.h + G.boxGap);
    const content = Math.max(0, ...ends, ...other.values());
    y += top - band.y + Math.max(content - G.boxGap, 24) + 12 + G.bandGap;
  }
  let nodes = 0;
  for (const b of base.boxes.values()) if (nodeCols.has(b.x)) nodes = Math.max(nodes, b.y + b.h);
  return Math.max(y, nodes) + 24;
}

// gridRows is how many rows a compact lane's grid has at pitch p.
function gridRows(l, p) {
  return Math.max(1, Math.ceil(l.cap / Math.max(1, Math.floor((l.w - 24) / p))));
}

// trouble counts what a wall shows in red: Nodes not Ready, under pressure
// or cordoned, pods failing or pending, and rollouts that stalled.
export function trouble(nodes) {
  const c = { nodes: 0, failed: 0, pending: 0, stalled: 0 };
  for (const n of nodes.values()) {
    if (n.kind === 'Node') {
      const k = nodeTroubleKinds(n);
      if (k.notReady || k.pressure || k.cordoned) c.nodes++;
    } else if (n.kind === 'Pod') {
      const s = podState(n);
      if (s === 'failed') c.failed++;
      else if (s === 'pending') c.pending++;
    } else if (n.kind === 'Deployment' && n.rollout === 'stalled') c.stalled++;
  }
  return c;
}

// drawTrouble writes the counts into el: each kind of trouble, in the
// page's language, or that all is well.
export function drawTrouble(el, nodes) {
  const c = trouble(nodes);
  const parts = [];
  if (c.nodes) parts.push(t('wall.nodes', { count: c.nodes }));
  if (c.failed) parts.push(t('wall.failed', { count: c.failed }));
  if (c.pending) parts.push(t('wall.pending', { count: c.pending }));
  if (c.stalled) parts.push(t('wall.stalled', { count: c.stalled }));
  const text = parts.length ? parts.join(' · ') : t('wall.ok');
  if (el.textContent !== text) el.textContent = text;
  el.dataset.trouble = String(parts.length > 0);
  for (const [k, v] of Object.entries(c)) el.dataset[k] = String(v);
}
