// Kind toggles (issue #15): the viewer hides core kinds of the picture
// (?hide=ReplicaSet,Node). Layers (layout.js LAYERS) turn the optional
// kinds on and off; these are the ones always drawn otherwise. A hidden
// kind's objects and every edge into or out of them are not drawn, and
// nothing is drawn in their place: a route into a hidden Service gets no
// "missing Service" box, a pod's edge to a hidden Node no stub.
//
// layout.js calls hideKinds before it places anything and pruneHidden on
// its result; app.js keeps the set in the address and draws the control.

import { t } from './i18n.js';

// KINDS are the kinds a viewer can hide, in column order.
export const KINDS = Object.freeze(['Ingress', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Pod', 'Node']);

const BY_LOWER = new Map(KINDS.map((k) => [k.toLowerCase(), k]));

// parseHide reads a ?hide= value ("ReplicaSet,Node", any case). It returns
// the kinds and the names it did not know, for the page to say it ignored
// them.
export function parseHide(raw) {
  const hide = new Set();
  const unknown = [];
  for (const part of String(raw ?? '').split(',')) {
    const name = part.trim();
    if (!name) continue;
    const k = BY_LOWER.get(name.toLowerCase());
    if (k) hide.add(k);
    else unknown.push(name);
  }
  return { hide, unknown };
}

// formatHide writes kinds as ?hide= does, in KINDS order.
export const formatHide = (hide) => KINDS.filter((k) => hide.has(k)).join(',');

// pageHide reads a page address's hidden kinds; problems says, in the
// viewer's language, what it ignored.
export function pageHide(href) {
  const { hide, unknown } = parseHide(new URL(href).searchParams.get('hide'));
  return { hide, problems: unknown.length ? [t('kinds.unknown', { list: unknown.join(', ') })] : [] };
}

// withHide is href with hide written into it (absent when empty).
export function withHide(href, hide) {
  const u = new URL(href);
  const v = formatHide(hide);
  if (v) u.searchParams.set('hide', v);
  else u.searchParams.delete('hide');
  return u.toString().replace(/%2C/g, ',');
}

const kindOfId = (id) => String(id).split('/')[0];

// hideKinds returns the graph ({nodes, edges} Maps by id) without the
// hidden kinds' objects and the edges that touch one (by the id's kind, so
// an edge into an object not in the graph goes too). With nothing hidden
// it returns the same maps.
export function hideKinds(graph, hide) {
  if (!hide?.size) return graph;
  const nodes = new Map();
  for (const [id, n] of graph.nodes) if (!hide.has(n.kind)) nodes.set(id, n);
  const edges = new Map();
  for (const [id, e] of graph.edges) if (!hide.has(kindOfId(e.from)) && !hide.has(kindOfId(e.to))) edges.set(id, e);
  return { nodes, edges };
}

// pruneHidden takes out of layout L what the layout drew for a hidden
// kind from what points at it: the ghost of a hidden Service an Ingress
// rule names, and any edge from or to a hidden kind's id.
export function pruneHidden(L, hide) {
  if (!hide?.size) return L;
  L.ghosts = L.ghosts.filter((g) => !hide.has(g.kind || kindOfId(g.id)));
  L.edges = L.edges.filter((e) => !hide.has(kindOfId(e.from)) && !hide.has(kindOfId(e.to)));
  return L;
}

// kindsControl makes the kind toggles, a section for the Layers menu (the
// header has no room for another control at 1280 px): a checkbox per kind,
// checked when shown; onChange(hide) gets the new hidden set. Its words
// are data-i18n keys (the page's chromeText fills them). Its changes stop
// here: the menu's own listener reads only the layers.
export function kindsControl(doc, hide, onChange) {
  const el = doc.createElement('div');
  el.className = 'kinds-section';
  el.dataset.testid = 'kinds';
  el.innerHTML = '<p class="kinds-head"><span data-i18n="kinds.label"></span> <span class="kinds-current"></span></p>' +
    `<ul class="ns-list">${KINDS.map((k) => `<li><label><input type="checkbox" data-testid="kind-option" value="${k}"> <span data-i18n="kind.${k}"></span></label></li>`).join('')}</ul>`;
  const sync = (h) => {
    for (const i of el.querySelectorAll('input')) i.checked = !h.has(i.value);
    el.querySelector('.kinds-current').textContent = `${KINDS.length - h.size}/${KINDS.length}`;
  };
  sync(hide);
  el.addEventListener('change', (ev) => {
    ev.stopPropagation();
    const h = new Set([...el.querySelectorAll('input')].filter((i) => !i.checked).map((i) => i.value));
    sync(h);
    onChange(h);
  });
  return el;
}
