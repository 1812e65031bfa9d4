// Status and label rules: a box's data-status and the summary lines under
// its name. The page (render.js) and the server's SVG file (svgview.js, run
// in goja) both take them from here, so the picture and the file cannot
// tell a viewer two different things about the same object.
//
// Pure: no DOM. A rule reads the entity, plus the layout where the answer
// depends on what else is drawn (an Ingress rule naming a Service the
// layout had to draw as missing; a Deployment's lanes).

import { budgetInUse, imageDiff, shortImage } from './format.js';
import { t } from './i18n.js';

// endpointStates groups the states of the selects edges by Service id.
export function endpointStates(edges) {
  const out = new Map();
  for (const e of edges) {
    if (e.kind !== 'selects') continue;
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from).push(e.state || 'none');
  }
  return out;
}

// serviceSummary counts a Service's endpoint states from its selects edges;
// a state the protocol does not name counts as none.
export function serviceSummary(edgeStates) {
  const c = { ready: 0, serving: 0, terminating: 0, none: 0 };
  for (const s of edgeStates) c[s in c ? s : 'none']++;
  return c;
}

// A Service without a selector has its endpoints managed by hand (or by
// another controller): "no endpoints" would blame pods that it never meant
// to select.
const hasSelector = (n) => !!n.selector && Object.keys(n.selector).length > 0;

export function serviceStatus(n, summary) {
  if (!hasSelector(n)) return 'NoSelector';
  return summary.ready ? 'Ready' : 'NoEndpoints';
}

// serviceLines are a Service's two lines: where it answers, and its
// endpoints with a tone (ok, warn, muted).
export function serviceLines(n, summary) {
  // ClusterIP: where it answers inside; NodePort/LoadBalancer: the port
  // pairs are what a speaker points at.
  const type = n.type || 'ClusterIP';
  const ports = (n.ports || []).map((p) => (p.nodePort ? `${p.port} → :${p.nodePort}` : `${p.port}`));
  let address;
  if (type === 'ClusterIP') {
    const ip = n.clusterIP === 'None' ? 'headless' : n.clusterIP || '';
    address = `${type} ${ip}${ip && ports.length && ip !== 'headless' ? ':' + ports.join(',') : ''}`;
  } else {
    address = `${type} ${ports.join(', ')}`;
  }
  if (!hasSelector(n)) return { address: address.trim(), endpoints: t('svc.noSelector'), tone: 'muted' };
  const parts = [];
  if (summary.ready) parts.push(t('svc.ready', { ready: summary.ready }));
  const notReady = summary.serving + summary.none;
  if (notReady) parts.push(t('svc.notReady', { count: notReady }));
  if (summary.terminating) parts.push(t('svc.terminating', { count: summary.terminating }));
  if (!parts.length) parts.push(t('svc.noEndpoints'));
  return { address: address.trim(), endpoints: parts.join(' · '), tone: summary.ready ? 'ok' : 'warn' };
}

// missingServices names the Services of namespace ns that Ingress rules
// route to but that do not exist: the layout draws them as ghosts.
export function missingServices(L, ns) {
  return new Set(L.ghosts.filter((g) => g.ns === ns).map((g) => g.name));
}

// An Ingress with a rule into a missing Service sends that traffic nowhere.
export function ingressStatus(n, missing) {
  return (n.rules || []).some((r) => missing.has(r?.service)) ? 'Dangling' : 'Ready';
}

export function ingressLine(n) {
  const rules = n.rules || [];
  return [n.class, rules.length === 1 ? t('ing.rule') : t('ing.rules', { count: rules.length })].filter(Boolean).join(' · ');
}

export const nodeStatus = (n) => (n.ready ? 'Ready' : 'NotReady');

export function nodeLine(n) {
  return `${n.ready ? t('node.ready') : t('node.notReady')}${n.unschedulable ? ' · ' + t('node.cordoned') : ''}${n.internalIP ? ' · ' + n.internalIP : ''}`;
}

// deploymentLanes pairs each lane of a Deployment's box with its
// ReplicaSet and pods, in revision order, as deploymentInfo takes them.
export function deploymentLanes(box, L, nodes) {
  return (box.lanes || []).map((lid) => ({ rs: nodes.get(lid), pods: L.lanes.get(lid).pods.map((p) => nodes.get(p)) }));
}

// deploymentInfo derives the header lines of a Deployment from its lanes
// ([{rs, pods}] in revision order): a rollout shows as two lanes with pods
// even when the status has not said "progressing" yet.
export function deploymentInfo(d, lanes) {
  const withPods = lanes.filter((l) => l.pods.length > 0 || (l.rs.replicas | 0) > 0);
  const newest = lanes.length ? lanes[lanes.length - 1] : null;
  const livePods = lanes.reduce((n, l) => n + l.pods.filter((p) => p.status !== 'Terminating').length, 0);
  const budget = budgetInUse(d, livePods);
  const oldWithPods = withPods.filter((l) => l !== newest);
  const rolling = d.rollout === 'progressing' || (oldWithPods.length > 0 && newest && withPods.includes(newest));
  const image = (newest?.rs.images || d.images || [])[0] || '';
  let line;
  let tone = 'muted';
  if (d.rollout === 'stalled') {
    line = t('deploy.stalled', { rev: d.revision || newest?.rs.revision || '?' });
    tone = 'bad';
  } else if (rolling && oldWithPods.length) {
    const from = oldWithPods[oldWithPods.length - 1].rs;
    const [a, b] = imageDiff((from.images || [])[0] || '', image);
    line = a !== b && a && b
      ? t('deploy.rollingImage', { from: from.revision, to: newest.rs.revision, fromImage: a, toImage: b })
      : t('deploy.rolling', { from: from.revision, to: newest.rs.revision });
    tone = 'warn';
  } else if (d.rollout === 'progressing') {
    line = t('deploy.progressing', { rev: d.revision || newest?.rs.revision || 0, image: shortImage(image) || '—' });
    tone = 'warn';
  } else {
    line = t('deploy.complete', { rev: d.revision || newest?.rs.revision || 0, image: shortImage(image) || '—' });
  }
  const strat = d.strategy || {};
  const budgetLine = strat.type === 'Recreate'
    ? t('deploy.recreate')
    : t('deploy.budget', {
      surge: strat.maxSurge || '25%', surgeUsed: budget.surgeUsed,
      unavail: strat.maxUnavailable || '25%', unavailUsed: budget.unavailableUsed,
    });
  return { line, tone, rolling: !!rolling, budgetLine, budget, newestId: newest?.rs.id || '' };
}

// deploymentStatus is the rollout state the server reports; a Deployment
// with none yet (an old server, a status not written yet) reads it from
// its lanes.
export function deploymentStatus(d, info) {
  return d.rollout || (info.rolling ? 'progressing' : 'complete');
}

export function deploymentProgress(d) {
  return t('deploy.progress', { updated: d.updated | 0, ready: d.ready | 0, desired: Math.max(0, d.replicas | 0) });
}

// laneStatus tells a Deployment's ReplicaSet lanes apart in a rollout:
// the newest ReplicaSet's lane is 'new', the others 'old'. info is the
// Deployment's deploymentInfo; a ReplicaSet no Deployment owns is 'old'.
export const laneStatus = (laneId, info) => (info && info.newestId === laneId ? 'new' : 'old');

// Sets (StatefulSet, DaemonSet, a ReplicaSet without a Deployment).
export const setStatus = (n) => ((n.ready | 0) >= (n.replicas | 0) ? 'Ready' : 'Progressing');

export const setLine = (n) => t('set.count', { ready: n.ready | 0, desired: n.replicas | 0 });

// boxFacts is everything the rules above say about box (n is its entity,
// undefined for a pod group): its status, plus what a kind's lines are
// drawn from. svcStates comes from endpointStates.
export function boxFacts(box, n, L, nodes, svcStates) {
  if (!n) return { status: '' };
  switch (box.kind) {
    case 'Service': {
      const summary = serviceSummary(svcStates.get(box.id) || []);
      return { status: serviceStatus(n, summary), summary };
    }
    case 'Ingress': {
      const missing = missingServices(L, n.namespace);
      return { status: ingressStatus(n, missing), missing };
    }
    case 'Node':
      return { status: nodeStatus(n) };
    case 'Deployment': {
      const info = deploymentInfo(n, deploymentLanes(box, L, nodes));
      return { status: deploymentStatus(n, info), info };
    }
    default:
      return { status: setStatus(n) };
  }
}
