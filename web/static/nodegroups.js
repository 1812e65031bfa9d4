// Node groups (issue #15): with many Nodes, the Node column groups them by
// zone and node pool (the server's `zone` and `pool` fields,
// docs/protocol.md), or by a label the viewer picks (?nodegroup=LABEL).
// A group is a header that says its Nodes, its pods and its trouble
// (NotReady, memory/disk/PID pressure, cordoned); collapsed, its Nodes are
// not drawn and the pods' edges to them end, one per lane, on the header.
//
// The page's address holds the state: ?nodegroup= what to group by
// (absent: zone and pool, once more than GROUP_ABOVE Nodes are in view;
// `none`: never group), ?nodegroups= the open groups (absent: all open up
// to COLLAPSE_ABOVE Nodes, all collapsed past it).
//
// Pure but for wireNodeGroup (the header's click): layout.js places the
// groups and routes their edges through placeNodeGroups and routeToGroups,
// render.js draws the headers with nodeGroupMarkup.

import { fitText, textScaleNow, wrapText } from './format.js';
import { t } from './i18n.js';

// GROUP_ABOVE: zone and pool groups appear with more Nodes in view than
// this (a small cluster's column is read at a glance as it is).
export const GROUP_ABOVE = 12;
// COLLAPSE_ABOVE: with more Nodes in view than this, groups start
// collapsed: the count at which Node boxes shrink to one line (layout.js
// GEOM.nodeCompactAbove), past which the column outgrows the workloads.
export const COLLAPSE_ABOVE = 40;
// NONE stands for "no value" in a group key: a label value never holds it.
export const NONE = '~';
// NO_GROUPS is the ?nodegroup= value that turns grouping off.
export const NO_GROUPS = 'none';

const PRESSURE = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure']);

// A Kubernetes label key: an optional DNS-subdomain prefix and '/', then a
// name of at most 63 characters, alphanumeric at both ends.
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export function validLabelKey(k) {
  const s = String(k ?? '');
  const i = s.lastIndexOf('/');
  const name = i < 0 ? s : s.slice(i + 1);
  const prefix = i < 0 ? '' : s.slice(0, i);
  if (i >= 0 && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return LABEL_NAME.test(name);
}

// parseNodeGroups reads the grouping of a page address: by ('' for zone
// and pool, NO_GROUPS, or a label key), open (the open group keys, null
// for the default) and problems (what of the address it ignored, in the
// viewer's language, for the banner).
export function parseNodeGroups(href) {
  const q = new URL(href).searchParams;
  const problems = [];
  let by = (q.get('nodegroup') ?? '').trim();
  if (by && by !== NO_GROUPS && !validLabelKey(by)) {
    problems.push(t('nodegroup.badLabel', { label: by }));
    by = '';
  }
  const raw = q.get('nodegroups');
  const open = raw === null ? null : new Set(raw.split(',').map((s) => s.trim()).filter(Boolean));
  return { by, open, problems };
}

// withNodeGroups is href with the grouping st written into it (the
// default, absent).
export function withNodeGroups(href, st) {
  const u = new URL(href);
  if (st.by) u.searchParams.set('nodegroup', st.by);
  else u.searchParams.delete('nodegroup');
  if (st.open) u.searchParams.set('nodegroups', [...st.open].sort().join(','));
  else u.searchParams.delete('nodegroups');
  return u.toString().replace(/%2C/g, ',').replace(/%2F/g, '/');
}

// groupKey is the group a Node belongs to: "zone/pool" or the value of the
// chosen label, NONE for what it lacks.
export function groupKey(n, by) {
  if (by) return String(n?.labels?.[by] || NONE);
  return `${n?.zone || NONE}/${n?.pool || NONE}`;
}

// nodeTroubleKinds: which trouble a Node has, of those a group counts.
export function nodeTroubleKinds(n) {
  return {
    notReady: !n?.ready,
    pressure: (n?.conditions || []).some((c) => c && PRESSURE.has(c.type) && c.status === 'True'),
    cordoned: !!n?.unschedulable,
  };
}

// groupNodes sorts the Nodes (each {id, name, …}) into groups, or returns
// null when st says not to group them. podsOn maps a Node id to its pod
// count. Groups come in key order (NONE last), Nodes by name; collapsed
// follows st.open, else the default for this many Nodes.
export function groupNodes(k8sNodes, podsOn, st) {
  if (!st || st.by === NO_GROUPS) return null;
  if (!st.by && k8sNodes.length <= GROUP_ABOVE) return null;
  const byKey = new Map();
  for (const n of k8sNodes) {
    const key = groupKey(n, st.by);
    let g = byKey.get(key);
    if (!g) {
      g = { key, id: `nodegroup:${key}`, nodes: [], pods: 0, notReady: 0, pressure: 0, cordoned: 0, trouble: 0 };
      byKey.set(key, g);
    }
    g.nodes.push(n);
    g.pods += podsOn.get(n.id) || 0;
    const tr = nodeTroubleKinds(n);
    if (tr.notReady) g.notReady++;
    if (tr.pressure) g.pressure++;
    if (tr.cordoned) g.cordoned++;
    if (tr.notReady || tr.pressure || tr.cordoned) g.trouble++;
  }
  const shut = k8sNodes.length > COLLAPSE_ABOVE;
  const groups = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const g of groups) {
    g.nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    g.collapsed = st.open ? !st.open.has(g.key) : shut;
    g.by = st.by;
  }
  return groups;
}

// toggleGroup returns the open groups after the viewer toggled key, given
// the groups as last drawn (the default becomes explicit at the first
// toggle, so the address says what the viewer sees).
export function toggleGroup(st, key, groups) {
  const open = st.open ? new Set(st.open) : new Set(groups.filter((g) => !g.collapsed).map((g) => g.key));
  if (open.has(key)) open.delete(key);
  else open.add(key);
  return { ...st, open };
}

// Group header type, in layout units: dashboard, and presenter type
// (render.js fontPx; G.type is set in presenter type).
const headType = (big) => (big ? { tpx: 26, bpx: 20 } : { tpx: 16, bpx: 14.5 });

// troubleLines is the group's trouble as its header draws it: wrapped
// between its parts to the header's width (never cut: trouble is what the
// header is for), or the one "all Ready" line.
export function troubleLines(g, w, big) {
  const text = groupTroubleText(g);
  if (!text) return [`✓ ${t('nodegroup.allReady')}`];
  return wrapText(`✗ ${text}`, w - 30, headType(big).bpx);
}

// titleLines is the group's title (▸ or ▾ and its name), wrapped like
// its trouble: a zone and pool long enough to cut would read as another.
export function titleLines(g, w, big) {
  return wrapText(`${g.collapsed ? '▸' : '▾'} ${groupTitle(g)}`, w - 30, headType(big).tpx, true);
}

// headerHeight is a group header's height: its title, counts and trouble
// lines.
export function headerHeight(g, w, big) {
  const { tpx, bpx } = headType(big);
  return Math.round(8 + tpx * (1 + 1.25 * (titleLines(g, w, big).length - 1)) + bpx * 1.5 * (1 + troubleLines(g, w, big).length) + 12);
}

// placeNodeGroups places the Node column as groups into out (layout.js
// placeNodes' boxes, plus a 'NodeGroup' box per group) and returns its
// bottom, or null when the Nodes are not grouped (the caller places them).
// Nodes of a collapsed group get no box: out.nodeAlias maps each to its
// group's id, for routeToGroups. heightOf(n, compact) is a Node box's
// height as layout.js sizes it.
export function placeNodeGroups(k8sNodes, runsOn, out, col, G, st, heightOf, colours) {
  if (!st) return null;
  const podsOn = new Map();
  for (const e of runsOn) podsOn.set(e.to, (podsOn.get(e.to) || 0) + 1);
  const groups = groupNodes(k8sNodes, podsOn, st);
  if (!groups) return null;
  // Colours by name over every Node, so opening a group recolours nothing.
  const colour = new Map([...k8sNodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((n, i) => [n.id, i % colours]));
  const shown = groups.reduce((k, g) => k + (g.collapsed ? 0 : g.nodes.length), 0);
  const compact = shown > G.nodeCompactAbove;
  out.nodeAlias = new Map();
  out.nodeGroups = groups;
  let y = G.top;
  groups.forEach((g, i) => {
    const h = headerHeight(g, col.w, !!G.type);
    out.boxes.set(g.id, { id: g.id, kind: 'NodeGroup', x: col.x, y, w: col.w, h, colour: i % colours, group: g });
    y += h + (g.collapsed ? G.nodeGap : 8);
    for (const n of g.nodes) {
      if (g.collapsed) {
        out.nodeAlias.set(n.id, g.id);
        continue;
      }
      const hh = heightOf(n, compact);
      out.boxes.set(n.id, { id: n.id, kind: 'Node', x: col.x, y, w: col.w, h: hh, colour: colour.get(n.id), compact, group: g.id });
      y += hh + (compact ? 8 : G.nodeGap);
    }
    if (!g.collapsed) y += G.nodeGap;
  });
  return y;
}

// routeToGroups draws the runs-on edges into collapsed groups: one per
// (lane, group), from the lane's right edge (its first pod going there)
// to the group's header, counting its pods; pods keep their own data-id in
// their lane, and no edge is drawn to a Node that is not drawn. It returns
// the other edges, for layout.js to route. path(x1, y1, x2, y2) is the
// edge's {d, …} as layout.js draws a runs-on edge; spread(n, a, b) spreads
// n ports in [a, b]; maxTargets: a lane into more groups than this draws
// none (layout.js GEOM.aggNodesMax: a fan says nothing).
export function routeToGroups(out, runsOn, { path, spread, maxTargets }) {
  const alias = out.nodeAlias;
  if (!alias?.size) return runsOn;
  const rest = [];
  const agg = new Map(); // lane id → group id → {lane, count, y}
  for (const e of runsOn) {
    const gid = alias.get(e.to);
    if (!gid) {
      rest.push(e);
      continue;
    }
    const pod = out.pods.get(e.from);
    const lane = pod && out.lanes.get(pod.lane);
    if (!lane) continue;
    let m = agg.get(lane.id);
    if (!m) agg.set(lane.id, (m = new Map()));
    const y = pod.compact ? lane.gridY + 6 : pod.y;
    const a = m.get(gid);
    if (a) {
      a.count++;
      a.y = Math.min(a.y, y);
    } else m.set(gid, { lane, count: 1, y });
  }
  const byGroup = new Map();
  for (const m of agg.values()) {
    if (m.size > maxTargets) continue;
    for (const [gid, a] of m) {
      if (!byGroup.has(gid)) byGroup.set(gid, []);
      byGroup.get(gid).push(a);
    }
  }
  for (const [gid, list] of [...byGroup].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const box = out.boxes.get(gid);
    list.sort((a, b) => a.y - b.y || (a.lane.id < b.lane.id ? -1 : 1));
    const ys = spread(list.length, box.y + 14, box.y + box.h - 14);
    list.forEach((a, i) => {
      out.edges.push({
        id: `agg:runs-on:${a.lane.id}->${gid}`, kind: 'runs-on', from: a.lane.id, to: gid,
        colour: box.colour, agg: true, count: a.count, ...path(a.lane.x + a.lane.w, a.y, box.x, ys[i]),
      });
    });
  }
  return rest;
}

// withGroups adds to a highlight ({ids, edgeIds}, as render.js lights
// them) the header of every collapsed group holding one of its Nodes: a
// hovered pod or a search for a Node's name lights the group it is
// folded into. sel itself is left as it was.
export function withGroups(sel, L) {
  const alias = L?.nodeAlias;
  if (!sel || !alias?.size) return sel;
  let ids = null;
  for (const id of sel.ids) {
    const g = alias.get(id);
    if (g && !sel.ids.has(g)) (ids ??= new Set(sel.ids)).add(g);
  }
  return ids ? { ...sel, ids } : sel;
}

// groupTitle is what a group's header calls it.
export function groupTitle(g) {
  const none = (k) => t(k);
  if (g.by) return `${g.key === NONE ? none('nodegroup.unset') : g.key}`;
  const [zone, pool] = g.key.split('/');
  return `${zone === NONE ? none('nodegroup.noZone') : zone} · ${pool === NONE ? none('nodegroup.noPool') : pool}`;
}

// groupTroubleText: the trouble line, '' when every Node is fine.
export function groupTroubleText(g) {
  const parts = [];
  if (g.notReady) parts.push(t('nodegroup.notReady', { count: g.notReady }));
  if (g.pressure) parts.push(t('nodegroup.pressure', { count: g.pressure }));
  if (g.cordoned) parts.push(t('nodegroup.cordoned', { count: g.cordoned }));
  return parts.join(' · ');
}

const escText = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// nodeGroupMarkup is a group header's SVG: ▸/▾ and its name; its Nodes and
// pods; its trouble in the failure colour, or "all Ready". Each line fits
// the box's width (presenter type too).
export function nodeGroupMarkup(box) {
  const g = box.group;
  const big = textScaleNow() > 1;
  const { tpx, bpx } = headType(big);
  const w = box.w - 30;
  const titles = titleLines(g, box.w, big);
  const y1 = 8 + tpx;
  const y2 = Math.round(y1 + tpx * 1.25 * (titles.length - 1) + bpx * 1.5);
  const trouble = groupTroubleText(g);
  const lines = troubleLines(g, box.w, big);
  const counts = `${t('nodegroup.nodes', { count: g.nodes.length })} · ${t('node.pods', { count: g.pods })}`;
  const label = g.by ? `${g.by}=${g.key === NONE ? '' : g.key}` : groupTitle(g);
  return `<title>${escText([label, counts, trouble].filter(Boolean).join('\n'))}</title>` +
    `<rect class="box-bg nodegroup-bg" width="${box.w}" height="${box.h}" rx="12"/><rect class="node-swatch" width="8" height="${box.h}" rx="4"/>` +
    `<text class="box-title small" data-testid="nodegroup-title">${titles.map((l, i) => `<tspan x="20" y="${Math.round(y1 + tpx * 1.25 * i)}">${escText(l)}</tspan>`).join('')}</text>` +
    `<text class="box-sub" x="20" y="${y2}" data-testid="nodegroup-counts">${escText(fitText(counts, w, bpx))}</text>` +
    `<text class="box-sub ${trouble ? 'bad' : 'ok'}" data-testid="nodegroup-trouble">${lines.map((l, i) => `<tspan x="20" y="${Math.round(y2 + bpx * 1.5 * (i + 1))}">${escText(l)}</tspan>`).join('')}</text>`;
}

// nodeGroupAttrs sets what tools and tests read off a header element.
export function nodeGroupAttrs(el, box) {
  const g = box.group;
  const a = {
    'data-nodegroup': g.key, 'data-collapsed': String(g.collapsed), 'data-nodes': String(g.nodes.length), 'data-pods': String(g.pods),
    'data-not-ready': String(g.notReady), 'data-pressure': String(g.pressure), 'data-cordoned': String(g.cordoned), 'data-trouble': String(g.trouble > 0),
    'aria-label': t(g.collapsed ? 'nodegroup.expand' : 'nodegroup.collapse', { group: groupTitle(g) }),
  };
  for (const [k, v] of Object.entries(a)) if (el.getAttribute(k) !== v) el.setAttribute(k, v);
}

// wireNodeGroup makes a header element (made with the protocol's data-id
// by render.js) a group: data-group instead (a group is not an entity),
// and a button that toggles it with onToggle(key).
export function wireNodeGroup(el, box, onToggle) {
  el.removeAttribute('data-id');
  el.setAttribute('data-group', box.id);
  el.setAttribute('role', 'button');
  el.setAttribute('tabindex', '0');
  el.setAttribute('data-testid', 'nodegroup');
  const key = box.group.key;
  el.addEventListener('click', () => onToggle(key));
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      onToggle(key);
    }
  });
}
