// Gateway API (issue #16): Gateways, HTTPRoutes and GRPCRoutes stand in
// the Ingress column, each Gateway above the routes it carries in its
// namespace. Gateway → route edges bend through the column's left margin;
// route → Service edges run right like an Ingress's, each from a port of
// its own, labelled with the Service's share of its rule's traffic
// ("90%") when the route splits it. Pure, with no imports: layout.js runs
// in the server's JavaScript engine too (web/layoutjs.go), and the words
// come from the caller's t.

export const GATEWAY_KINDS = Object.freeze(['Gateway', 'HTTPRoute', 'GRPCRoute']);

export const isGatewayKind = (kind) => GATEWAY_KINDS.includes(kind);

// isGatewayEdge: a routes edge out of a Gateway or a route, not an Ingress.
export const isGatewayEdge = (e) => e.kind === 'routes' && isGatewayKind(String(e.from).split('/')[0]);

// gatewayStatus is a box's data-status. A Gateway: NotAccepted, else
// Programmed, else Pending (no controller has programmed it). A route:
// NotAccepted when a Gateway rejects it, Accepted when every Gateway
// accepts it, else Pending.
export function gatewayStatus(n) {
  if (!n) return '';
  if (n.kind === 'Gateway') {
    if (n.accepted === 'false') return 'NotAccepted';
    return n.programmed === 'true' ? 'Programmed' : 'Pending';
  }
  const ps = n.parents || [];
  if (ps.some((p) => p.accepted === 'false')) return 'NotAccepted';
  if (ps.length && ps.every((p) => p.accepted === 'true')) return 'Accepted';
  return 'Pending';
}

// gatewayLines are the lines under a box's title: a Gateway's class,
// listeners and addresses; a route's hostnames and matches.
export function gatewayLines(n, t) {
  if (!n) return [];
  if (n.kind === 'Gateway') {
    const ls = (n.listeners || []).map((l) => `${l.protocol} ${l.hostname || '*'}:${l.port}`);
    return [t('gw.class', { class: n.class || '—' }), ls.join(' · ') || t('gw.noListeners'), (n.addresses || []).join(', ')].filter(Boolean);
  }
  const matches = (n.rules || []).flatMap((r) => r.matches || []);
  const shown = matches.slice(0, 2).join(' · ');
  return [(n.hostnames || []).join(', ') || '*', shown + (matches.length > 2 ? ` +${matches.length - 2}` : '')].filter(Boolean);
}

const HEAD = 46; // the kind tag and the title
const LINE = 19;

// gatewayBoxH is a box's height on the dashboard (how many lines there
// are does not depend on the language).
export const gatewayBoxH = (n) => HEAD + LINE * gatewayLines(n, (k) => k).length + 8;

const byStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// placeGateways stacks a namespace's Gateways, each followed by its routes
// here, then the routes of no Gateway here, from y in the column at x of
// width w; boxH(kind, n, w) gives a box's height. It returns the y after
// the last box and its gap (y when there is none).
export function placeGateways(of, x, w, y, gap, out, boxH) {
  const gateways = of('Gateway').slice().sort((a, b) => byStr(a.name, b.name));
  const routes = [...of('HTTPRoute'), ...of('GRPCRoute')].sort((a, b) => byStr(a.name, b.name) || byStr(a.kind, b.kind));
  const placed = new Set();
  const put = (n) => {
    if (placed.has(n.id)) return;
    placed.add(n.id);
    const h = boxH(n.kind, n, w);
    out.boxes.set(n.id, { id: n.id, kind: n.kind, x, y, w, h });
    y += h + gap;
  };
  for (const g of gateways) {
    put(g);
    for (const r of routes) if ((r.parents || []).some((p) => p.gateway === g.id)) put(r);
  }
  for (const r of routes) put(r);
  return y;
}

// routeGatewayEdges draws the routes edges out of Gateways and routes
// whose both ends are placed, into out.edges.
export function routeGatewayEdges(out, routes) {
  const bySource = new Map();
  for (const e of routes) {
    if (!isGatewayEdge(e)) continue;
    const from = out.boxes.get(e.from);
    const to = out.boxes.get(e.to);
    if (!from || !to) continue;
    if (!bySource.has(e.from)) bySource.set(e.from, []);
    bySource.get(e.from).push({ e, from, to });
  }
  for (const [, list] of [...bySource].sort((a, b) => byStr(a[0], b[0]))) {
    list.sort((a, b) => a.to.y - b.to.y || byStr(a.e.id, b.e.id));
    const backends = list.filter(({ e }) => isGatewayKind(String(e.to).split('/')[0]) === false);
    list.forEach(({ e, from, to }) => {
      if (from.kind === 'Gateway') {
        // Out of the Gateway's left side, a bend in the margin, into the
        // route's left side.
        const y1 = from.y + 28;
        const y2 = to.y + 24;
        const bend = Math.max(8, Math.min(from.x, to.x) - 6);
        const d = `M${r1(from.x)},${r1(y1)} C${r1(from.x - bend)},${r1(y1)} ${r1(to.x - bend)},${r1(y2)} ${r1(to.x - 2)},${r1(y2)}`;
        const state = e.accepted === 'false' ? 'rejected' : e.accepted === 'true' ? '' : 'pending';
        out.edges.push({ id: e.id, kind: 'routes', from: e.from, to: e.to, state, d, label: '' });
        return;
      }
      // Route → Service: each from a port of its own down the route's
      // right side, in the order of the Services, so the edges never cross
      // at the route.
      const i = backends.findIndex((b) => b.e === e);
      const y1 = from.y + 26 + Math.min(i, 4) * Math.max(6, Math.min(16, (from.h - 32) / Math.max(1, backends.length)));
      const x2 = to.x - 4;
      const y2 = to.y + 30;
      const label = backends.length > 1 || e.weight === 0 ? shareLabel(e) : '';
      if (to.x < from.x + from.w) {
        // Routes above their Services in one column (a narrow presenter
        // stage): out of the route's left side, a bend in the margin, as
        // an Ingress above its Services; the label over the Service.
        const bend = Math.max(8, from.x - 6);
        const d = `M${r1(from.x)},${r1(y1)} C${r1(from.x - bend)},${r1(y1)} ${r1(to.x - bend)},${r1(y2)} ${r1(x2)},${r1(y2)}`;
        out.edges.push({ id: e.id, kind: 'routes', from: e.from, to: e.to, state: '', d, label, lx: to.x + to.w - 48, ly: to.y - 5 });
        return;
      }
      const x1 = from.x + from.w;
      const mx = (x1 + x2) / 2;
      const d = `M${r1(x1)},${r1(y1)} C${r1(mx)},${r1(y1)} ${r1(mx)},${r1(y2)} ${r1(x2)},${r1(y2)}`;
      // The label stands where the edge meets its Service, clear of the
      // route's other edges, which all leave from one side.
      out.edges.push({ id: e.id, kind: 'routes', from: e.from, to: e.to, state: '', d, label, lx: x2 - 40, ly: y2 - 7 });
    });
  }
}

// shareLabel is a route → Service edge's label: its share of the rule's
// traffic ("90%"), or its weight ("×3") when the Service is in several
// rules and a share would mislead.
export function shareLabel(e) {
  if (e.share !== undefined && e.share !== null) return `${e.share}%`;
  if (e.weight !== undefined && e.weight !== null) return `×${e.weight}`;
  return '';
}

const r1 = (v) => Math.round(v * 10) / 10;

// gatewayMarkup is a box's SVG body: its kind, its name, its lines, the
// status it says in words when it is not fine.
export function gatewayMarkup(n, box, t, esc) {
  const lines = gatewayLines(n, t);
  const status = gatewayStatus(n);
  let s = `<title>${esc(n.namespace + '/' + n.name)}</title><rect class="box-bg" width="${box.w}" height="${box.h}" rx="12"/>`;
  const tag = t('kind.' + n.kind).toUpperCase();
  const word = STATUS_WORDS[status] ? t(STATUS_WORDS[status]) : '';
  s += `<text class="box-sub" x="16" y="20">${esc(tag)}${word ? ` · <tspan class="bad">${esc(word)}</tspan>` : ''}</text>`;
  s += `<text class="box-title" x="16" y="40">${esc(cut(n.name, Math.floor((box.w - 32) / 10)))}</text>`;
  lines.forEach((l, i) => {
    s += `<text class="box-sub" x="16" y="${HEAD + 12 + i * LINE}" data-fact="gw-line">${esc(cut(l, Math.floor((box.w - 32) / 7.4)))}</text>`;
  });
  return s;
}

// STATUS_WORDS say the statuses that are not fine.
const STATUS_WORDS = { NotAccepted: 'gw.status.NotAccepted', Pending: 'gw.status.Pending' };

// cut shortens s to max characters with an ellipsis.
const cut = (s, max) => (s.length <= max ? s : s.slice(0, Math.max(1, max - 1)) + '…');
