// Focus: one entity's chain, everything else steps back. Pure (no DOM), so
// node --test runs it and the server's /api/graph.svg runs the same code
// (web/layoutjs.go).
//
// A focus is written as in the URL: ?focus=Deployment/default/web,
// ?focus=Service/default/web, or ?focus=Namespace/default (a bare
// "default" means the namespace too).

// parseFocus reads a focus value: {kind, ns, name, id}, or null when it is
// empty. A value it cannot read throws, with a message for the viewer.
export function parseFocus(raw) {
  const s = String(raw ?? '').trim();
  if (!s) return null;
  if (s.length > 300) throw new Error('focus is too long');
  const parts = s.split('/');
  if (parts.some((p) => !/^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$/.test(p))) {
    throw new Error(`focus "${s}" is not Kind/namespace/name, Namespace/name or a namespace`);
  }
  if (parts.length === 1) return { kind: 'Namespace', ns: parts[0], name: parts[0], id: `Namespace/${parts[0]}` };
  if (parts.length === 2 && parts[0] === 'Namespace') return { kind: 'Namespace', ns: parts[1], name: parts[1], id: s };
  if (parts.length === 2) return { kind: parts[0], ns: '', name: parts[1], id: s };
  if (parts.length === 3) return { kind: parts[0], ns: parts[1], name: parts[2], id: s };
  throw new Error(`focus "${s}" has too many parts`);
}

function index(edges) {
  const out = new Map(); // from → [edge]
  const into = new Map(); // to → [edge]
  for (const e of edges.values()) {
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from).push(e);
    if (!into.has(e.to)) into.set(e.to, []);
    into.get(e.to).push(e);
  }
  return { out, into };
}

const toMap = (x) => (x instanceof Map ? x : new Map((x || []).map((v) => [v.id, v])));

// chain returns the ids in focus: the entity, the Pods it leads to, their
// owners (ReplicaSets, Deployments…), the Services that select them, the
// Ingresses that route to those Services, and the Nodes the Pods run on;
// edgeIds are the edges with both ends in it. For a namespace, everything in
// it and the Nodes its Pods run on. null when the entity is not in the graph.
export function chain(focus, nodesIn, edgesIn) {
  if (!focus) return null;
  const nodes = toMap(nodesIn);
  const edges = toMap(edgesIn);
  const { out, into } = index(edges);
  const ids = new Set();
  const pods = new Set();
  if (focus.kind === 'Namespace') {
    for (const n of nodes.values()) {
      if (n.namespace !== focus.ns) continue;
      ids.add(n.id);
      if (n.kind === 'Pod') pods.add(n.id);
    }
    if (!ids.size) return null;
  } else {
    const root = nodes.get(focus.id);
    if (!root) return null;
    ids.add(root.id);
    // Down the owns edges (Deployment → ReplicaSet → Pod), and for a Service
    // or an Ingress down routes and selects, to the Pods.
    const down = [root.id];
    while (down.length) {
      const id = down.pop();
      const n = nodes.get(id);
      if (n?.kind === 'Pod') {
        pods.add(id);
        continue;
      }
      for (const e of out.get(id) || []) {
        if (e.kind === 'runs-on') continue;
        // A Service's Pods, but not, from a Deployment, other Services.
        if (!ids.has(e.to)) {
          ids.add(e.to);
          down.push(e.to);
        }
      }
    }
  }
  // Up from each Pod: owners, Services, their Ingresses; across: Nodes.
  const up = [...pods];
  const seen = new Set(up);
  while (up.length) {
    const id = up.pop();
    ids.add(id);
    for (const e of into.get(id) || []) {
      if (!seen.has(e.from)) {
        seen.add(e.from);
        up.push(e.from);
      }
    }
    const n = nodes.get(id);
    if (n?.kind === 'Pod') {
      for (const e of out.get(id) || []) if (e.kind === 'runs-on') ids.add(e.to);
    }
  }
  // A Service or Ingress with no Pods still shows who routes to it.
  for (const id of [...ids]) {
    if (nodes.get(id)?.kind !== 'Service') continue;
    for (const e of into.get(id) || []) if (e.kind === 'routes') ids.add(e.from);
  }
  const edgeIds = new Set();
  for (const e of edges.values()) if (ids.has(e.from) && ids.has(e.to)) edgeIds.add(e.id);
  return { ids, edgeIds };
}

// withLayout adds the layout's own keys for the focused entities: lanes and
// pod groups that hold a focused Pod, and the boxes that hold those lanes,
// so the renderer can mark them.
export function withLayout(sel, L) {
  if (!sel || !L) return sel;
  const ids = new Set(sel.ids);
  for (const [lid, lane] of L.lanes || []) {
    if (lane.pods.some((p) => sel.ids.has(p))) ids.add(lid);
  }
  for (const [bid, box] of L.boxes || []) {
    if ((box.lanes || []).some((l) => ids.has(l))) ids.add(bid);
  }
  return { ids, edgeIds: sel.edgeIds };
}

// focusRect is the part of layout L the focused ids cover, with a margin, in
// layout units: {x, y, w, h}; null when none of them is drawn.
export function focusRect(L, ids, margin = 24) {
  if (!L || !ids) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const add = (x, y, w, h) => {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + w);
    y1 = Math.max(y1, y + h);
  };
  for (const id of ids) {
    const b = L.boxes.get(id) || L.lanes.get(id);
    if (b) add(b.x, b.y, b.w, b.h);
    const p = L.pods.get(id);
    if (p) {
      const lane = L.lanes.get(p.lane);
      if (lane) add(lane.x, p.y - p.r, lane.w, 2 * p.r);
      else add(p.x - p.r, p.y - p.r, 2 * p.r, 2 * p.r);
    }
  }
  if (!Number.isFinite(x0)) return null;
  // Column headings stay in view when the part starts at the top band.
  return { x: x0 - margin, y: y0 - margin, w: x1 - x0 + 2 * margin, h: y1 - y0 + 2 * margin };
}

// describe is how the focus is named on screen (the caller translates).
export function describe(focus) {
  if (!focus) return '';
  return focus.kind === 'Namespace' ? focus.ns : `${focus.kind} ${focus.ns ? focus.ns + '/' : ''}${focus.name}`;
}
