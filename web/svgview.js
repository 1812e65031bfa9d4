// Server-side view of the picture, for GET /api/graph.svg (web/layoutjs.go
// runs this in goja after the bundled static/format.js, layout.js, focus.js
// and status.js, so the server uses the browser's one layout and its one set
// of status rules).
// It returns plain JSON: positions from layout(), plus the few labels the
// templ component (export.templ) prints.

/* global __mods, __atPeak */
// Kinds whose box has no kind tag: their column says what they are.
const PLAIN = new Set(['Node', 'Service', 'Ingress']);

function podiumSVGView(graphNodes, graphEdges, namespacesJSON, focusRaw, lang, layersRaw) {
  const F = __mods.format;
  const { t } = __mods.i18n;
  __mods.i18n.setLang(lang || 'en');
  // layers: the page's ?layers= (the export link passes it on); absent:
  // every layer, so a file from curl shows everything there is.
  let layers = null;
  if (layersRaw !== undefined && layersRaw !== null && layersRaw !== '*') {
    const p = __mods.layout.parseLayers(layersRaw);
    if (p.unknown.length) {
      return JSON.stringify({ error: `layers: unknown layer ${JSON.stringify(p.unknown[0])}; known: ${__mods.layout.LAYERS.join(', ')}`, badLayers: true });
    }
    layers = p.layers;
  }
  // The graph's lists, as web/jsgraph.go hands them over (not JSON text to
  // parse here: goja's JSON.parse objects were most of a render's memory).
  const g = { nodes: graphNodes, edges: graphEdges };
  const nodes = new Map((g.nodes || []).map((n) => [n.id, n]));
  const L = __mods.layout.layout({ nodes, edges: g.edges || [] }, null, { namespaces: JSON.parse(namespacesJSON), layers });
  const warnings = !layers || layers.has('warnings');

  let focus = null;
  let sel = null;
  let rect = null;
  if (focusRaw) {
    try {
      focus = __mods.focus.parseFocus(focusRaw);
    } catch (err) {
      return JSON.stringify({ error: String(err.message || err) });
    }
    sel = __mods.focus.withLayout(__mods.focus.chain(focus, nodes, g.edges || []), L);
    if (!sel) return JSON.stringify({ error: `focus ${focusRaw}: no such entity in the graph`, notFound: true });
    rect = __mods.focus.focusRect(L, sel.ids);
  }
  const inFocus = (id) => !sel || sel.ids.has(id);

  const S = __mods.status;
  const svcStates = S.endpointStates(g.edges || []);
  const laneInfo = new Map(); // lane id → its Deployment's deploymentInfo
  const boxes = [...L.boxes.values()].map((b) => {
    const n = nodes.get(b.id);
    const group = b.id.startsWith('group:');
    const tag = group ? t('kind.Pod') : b.kind === 'HorizontalPodAutoscaler' ? t('kind.hpa') : PLAIN.has(b.kind) ? '' : t('kind.' + b.kind);
    // The status and the lines are the page's (static/status.js): a file
    // must not say Ready where the screen says Dangling.
    const facts = S.boxFacts(b, n, L, nodes, svcStates);
    const v = { id: b.id, kind: b.kind, x: b.x, y: b.y, w: b.w, h: b.h, colour: b.colour ?? -1, title: n ? n.name : t('group.pods'), tag: tag.toUpperCase(), sub: '', status: facts.status, dim: !inFocus(b.id), group };
    if (!n) return v;
    switch (b.kind) {
      case 'Service': {
        const lines = S.serviceLines(n, facts.summary);
        v.sub = lines.address;
        v.sub2 = lines.endpoints;
        break;
      }
      case 'Ingress':
        v.sub = S.ingressLine(n);
        break;
      case 'Node':
        v.sub = S.nodeLine(n);
        break;
      case 'CustomOwner': // customowner.js: titled with its kind, its group in the corner
        v.title = `${n.kind} ${n.name}`;
        v.tag = __mods.customowner.customOwnerLine(n, t);
        break;
      case 'Deployment':
        for (const lid of b.lanes || []) laneInfo.set(lid, facts.info);
        v.sub = facts.info.line;
        v.sub2 = S.deploymentProgress(n);
        break;
      case 'PersistentVolume':
        // A claim's volume is one line high: name and line on the title.
        if (b.h < 50) v.title = `${n.name} · ${facts.line}`;
        else v.sub = facts.line;
        break;
      case 'Job':
      case 'CronJob':
      case 'PersistentVolumeClaim':
      case 'StorageClass':
      case 'ConfigMap':
      case 'Secret':
        v.sub = facts.line;
        break;
      case 'HorizontalPodAutoscaler':
        v.sub = `${facts.line} · ${facts.metrics}`;
        break;
      // Issue #13: rules, risky flags, a policy's rules, a budget, a subject.
      case 'ServiceAccount':
      case 'Role':
      case 'ClusterRole':
        v.sub = facts.line || facts.risky || '';
        if (facts.line && facts.risky) v.sub2 = '⚠ ' + facts.risky;
        else if (facts.risky) v.sub = '⚠ ' + facts.risky;
        break;
      case 'NetworkPolicy':
        v.sub = (n.policyTypes || []).join(' · ');
        v.sub2 = facts.line;
        break;
      case 'PodDisruptionBudget':
        v.sub = facts.line;
        break;
      case 'User':
      case 'Group':
        v.sub = '';
        break;
      // Issue #16: the Gateway API (static/gateway.js says the page's).
      case 'Gateway':
      case 'HTTPRoute':
      case 'GRPCRoute':
        v.status = __mods.gateway.gatewayStatus(n);
        [v.sub = '', v.sub2] = __mods.gateway.gatewayLines(n, t);
        break;
      default:
        v.sub = S.setLine(n);
    }
    // The page's warning badge, as a line the file can print.
    const wb = warnings ? S.warningBadge(n) : null;
    if (wb) v.warning = wb.text;
    return v;
  });

  const lanes = [...L.lanes.values()].map((l) => {
    const rs = l.kind === 'ReplicaSet' ? nodes.get(l.id) : null;
    // A CronJob's Job lane is an entity too, as on the page.
    const job = l.kind === 'Job' && l.inCron ? nodes.get(l.id) : null;
    let label = '';
    if (rs) label = `${t('kind.ReplicaSet')} ${F.rsHash(rs.name, nodes.get(rs.owner)?.name)} · ${t('lane.rs', { rev: rs.revision | 0, image: F.shortImage((rs.images || [])[0] || '') || '—' })}`;
    else if (job) label = `${job.name} · ${S.jobLine(job)}`;
    return {
      id: l.id, kind: l.kind, x: l.x, y: l.y, w: l.w, h: l.h, dim: !inFocus(l.id), isEntity: !!rs || !!job,
      status: rs ? S.laneStatus(l.id, laneInfo.get(l.id)) : job ? S.jobStatus(job) : '',
      label,
    };
  });

  // Each pod becomes its JSON text at once: an object per pod kept to the
  // end was 5 MiB of the runtime's heap at 5,000 pods (issue #15).
  const podIDs = [];
  const podsJSON = [...L.pods.values()].map((p) => {
    const n = nodes.get(p.id) || {};
    const owner = n.owner ? nodes.get(n.owner) : null;
    podIDs.push(p.id);
    return JSON.stringify({
      id: p.id, x: p.x, y: p.y, r: p.r, compact: !!p.compact, state: F.podState(n), status: n.status || 'Unknown',
      name: F.ellipsize(F.shortPodName(n.name || '', owner?.name), 28, true), dim: !inFocus(p.id),
      colour: n.node && L.boxes.get(n.node) ? L.boxes.get(n.node).colour : -1,
    });
  }).join(',');

  const edges = L.edges.map((e) => {
    const label = __mods.edgelabel.edgeLabel(e);
    return {
      // mounts edges carry their state (ok, broken, dangling) as selects do.
      id: e.id, kind: e.kind, state: e.state || '', d: e.d, agg: !!e.agg || !!e.synthetic, count: e.count || 0,
      colour: e.colour ?? -1, dim: sel ? !(sel.edgeIds.has(e.id) || (sel.ids.has(e.from) && sel.ids.has(e.to))) : false,
      ...(label ? { label: label.text, lx: e.lx, ly: e.ly, labelClass: label.cls, labelAnchor: label.anchor } : {}),
    };
  });

  // Entities the picture folds away (old ReplicaSets with no pods): named
  // in the file all the same, so it lists every id of the graph.
  // A namespace band the quotas layer draws carries the Namespace entity,
  // as the page's does (render.js, ns-info): its quotas in a line.
  const bands = L.bands.map((b) => {
    const ns = b.info ? nodes.get('Namespace/' + b.ns) : null;
    const quotas = ns ? (ns.quotas || []).map((q) => t('quota.bar', { resource: q.resource, used: q.used, hard: q.hard })).join(' · ') : '';
    return {
      ns: b.ns, y: b.y, h: b.h, pods: b.pods, dim: !!sel && focus.kind === 'Namespace' ? b.ns !== focus.ns : !!sel,
      nsID: ns ? ns.id : '', nsStatus: ns ? S.namespaceStatus(ns) : '', quotas, quotaY: b.y + __mods.layout.GEOM.bandHeader + 16,
    };
  });
  const drawn = new Set([...boxes.map((b) => b.id), ...lanes.map((l) => l.id), ...podIDs, ...bands.map((b) => b.nsID).filter(Boolean)]);
  const folded = (g.nodes || []).filter((n) => !drawn.has(n.id)).map((n) => ({ id: n.id, kind: n.kind }));

  if (typeof __atPeak === 'function') __atPeak(); // tests measure the heap here (layoutjs.go)
  const heads = { ingress: 'col.ingress', service: 'col.service', work: 'col.workloads', ref: 'col.refs', node: 'col.nodes' };
  const rest = JSON.stringify({
    width: L.width, height: L.height, bandW: L.bandW, lang: __mods.i18n.setLang(lang || 'en'),
    columns: L.columns.map((c) => ({ ...c, title: (c.head ? t(c.head) : heads[c.id] ? t(heads[c.id]) : c.id).toUpperCase() })),
    missing: t('ing.missing', { name: '' }).trim(),
    bands,
    boxes, lanes, edges, folded,
    ghosts: L.ghosts.map((g2) => ({ id: g2.id, x: g2.x, y: g2.y, w: g2.w, h: g2.h, name: g2.name })),
    rect,
  });
  return `{"pods":[${podsJSON}],${rest.slice(1)}`;
}
