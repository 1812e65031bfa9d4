// Marks: the classes hover (hl), search (match) and focus (focus) put on
// the picture's elements. A highlight used to clear its class from every
// element carrying it (a query over the whole picture) and add it again to
// everything in the new selection: at 5,000 pods a search touched thousands
// of elements twice, and each touched element is restyled. Marks remembers
// which elements carry each class and changes only those that gain or lose
// it. Pure (no document): node --test drives it with stand-in elements.

// markTargets lists the elements that carry a mark for sel ({ids, edgeIds}):
// the boxes, pods and lanes with those ids, the edges with those edge ids,
// and the aggregated edges (layout.js: a Service's edge to a lane, a lane's
// to a Node) whose ends are both lit, a lane's end counting as lit when one
// of its pods is. items are the renderer's {boxes, pods, lanes, edges}
// (id → {el}); L the layout drawn.
export function markTargets(sel, items, L) {
  const out = [];
  if (!sel) return out;
  for (const id of sel.ids) {
    for (const m of ['boxes', 'pods', 'lanes']) {
      const it = items[m].get(id);
      if (it) out.push(it.el);
    }
  }
  for (const eid of sel.edgeIds || []) {
    const it = items.edges.get(eid);
    if (it) out.push(it.el);
  }
  for (const e of aggEdges(L)) {
    if (sel.ids.has(e.from) && (sel.ids.has(e.to) || L.lanes.get(e.to)?.pods.some((p) => sel.ids.has(p)))) {
      const it = items.edges.get(e.id);
      if (it) out.push(it.el);
    }
  }
  return out;
}

const aggCache = new WeakMap(); // layout → its aggregated edges

// aggEdges is L's aggregated edges, found once per layout: a layout holds
// an edge per pod, and a hover would otherwise walk them all.
export function aggEdges(L) {
  if (!L?.edges) return [];
  let list = aggCache.get(L);
  if (!list) {
    list = L.edges.filter((e) => e.agg);
    aggCache.set(L, list);
  }
  return list;
}

export class Marks {
  constructor() {
    this.sets = new Map(); // class → Set of the elements given it
  }

  // set makes els exactly the elements Marks gave cls, and calls changed(el)
  // for each element that gained or lost it. An element kept in the set is
  // checked too: the renderer may have rewritten its class attribute (an
  // edge whose kind or state changed) since it was marked.
  set(cls, els, changed = () => {}) {
    const prev = this.sets.get(cls) || new Set();
    const next = new Set(els);
    for (const el of prev) {
      if (next.has(el) || !el.classList.contains(cls)) continue;
      el.classList.remove(cls);
      changed(el);
    }
    for (const el of next) {
      if (el.classList.contains(cls)) continue;
      el.classList.add(cls);
      changed(el);
    }
    this.sets.set(cls, next);
  }
}
