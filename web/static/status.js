// Status and label rules: a box's data-status and the summary lines under
// its name. The page (render.js) and the server's SVG file (svgview.js, run
// in goja) both take them from here, so the picture and the file cannot
// tell a viewer two different things about the same object.
//
// Pure: no DOM. A rule reads the entity, plus the layout where the answer
// depends on what else is drawn (an Ingress rule naming a Service the
// layout had to draw as missing; a Deployment's lanes).

import { budgetInUse, formatTime, imageDiff, shortImage } from './format.js';
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
  } else if (type === 'LoadBalancer') {
    // The external address is what the audience types; until the cloud
    // (or MetalLB) assigns one, say so rather than show nothing.
    const lb = (n.loadBalancer || []).filter(Boolean);
    const port = (n.ports || [])[0]?.port;
    address = lb.length ? `${type} ${lb[0]}${port ? ':' + port : ''}${lb.length > 1 ? ` +${lb.length - 1}` : ''}` : `${type} ${t('svc.lbPending')}`;
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
  return new Set(L.ghosts.filter((g) => g.ns === ns && g.kind === 'Service').map((g) => g.name));
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

// --- wave 2 kinds ----------------------------------------------------------

const STATE_STATUS = { running: 'Running', complete: 'Complete', failed: 'Failed', suspended: 'Suspended' };

// jobStatus is a Job's state as its data-status: Running, Complete, Failed
// or Suspended (an unknown state reads Running: it has not finished).
export const jobStatus = (n) => STATE_STATUS[n.state] || 'Running';

// jobProgress is how far a Job is: done of total, total null for a work
// queue (no completions).
export function jobProgress(n) {
  const c = Number.isInteger(n.completions) ? n.completions : null;
  return { done: n.succeeded | 0, total: c, active: n.active | 0, failed: n.failed | 0 };
}

// jobLine is a Job's line: progress, running and failed pods, and its state
// when that is not running.
export function jobLine(n) {
  const p = jobProgress(n);
  const parts = [p.total === null ? t('job.queue', { succeeded: p.done }) : t('job.progress', { succeeded: p.done, completions: p.total })];
  if (p.active) parts.push(t('job.active', { count: p.active }));
  if (p.failed) parts.push(t('job.failed', { count: p.failed }));
  if (n.state && n.state !== 'running') parts.push(t(n.state === 'failed' ? 'job.failedState' : 'job.' + n.state) + (n.reason ? ` (${n.reason})` : ''));
  return parts.join(' · ');
}

export const cronStatus = (n) => (n.suspend ? 'Suspended' : (n.active | 0) > 0 ? 'Active' : 'Scheduled');

// cronLine is a CronJob's line: its schedule, when it last ran, and how
// many of its Jobs run now (older: Jobs kept but not drawn).
export function cronLine(n, older = 0) {
  const parts = [n.schedule || '?'];
  parts.push(n.lastSchedule ? t('cron.last', { time: formatTime(n.lastSchedule) }) : t('cron.never'));
  if (n.suspend) parts.push(t('cron.suspended'));
  else if (n.active | 0) parts.push(t('cron.active', { count: n.active | 0 }));
  if (older > 0) parts.push(t('cron.older', { count: older }));
  return parts.join(' · ');
}

const condition = (n, type) => (n.conditions || []).find((c) => c && c.type === type);

// hpaStatus: NoMetrics when the autoscaler cannot read its metrics (it then
// scales nothing), Scaling while desired and current differ, else Stable.
export function hpaStatus(n) {
  if (condition(n, 'ScalingActive')?.status === 'False') return 'NoMetrics';
  if ((n.desired | 0) !== (n.current | 0)) return 'Scaling';
  return 'Stable';
}

// hpaLines are an autoscaler's two lines: its bounds and replicas, and its
// metrics as kubectl get hpa prints them (current/target).
export function hpaLines(n) {
  const line = t('hpa.line', { min: n.min | 0, max: n.max | 0, current: n.current | 0, desired: n.desired | 0 });
  const ms = (n.metrics || []).filter(Boolean).map((m) => `${m.name} ${m.current || t('hpa.unknown')}/${m.target}`);
  return { line, metrics: ms.length ? ms.join(' · ') : t('hpa.noMetrics') };
}

// Storage: a claim and a volume report their phase; a class is Ready.
export const pvcStatus = (n) => n.phase || 'Pending';
export const pvStatus = (n) => n.phase || 'Pending';
export const pvcLine = (n) => t('pvc.line', { phase: pvcStatus(n), capacity: n.capacity || '?', modes: (n.accessModes || []).map(shortMode).join(',') || '—', class: n.storageClass || '—' });
export const pvLine = (n) => t('pv.line', { phase: pvStatus(n), capacity: n.capacity || '?', reclaim: n.reclaimPolicy || '—' });
export const scLine = (n) => [n.provisioner || '?', n.default ? 'default' : ''].filter(Boolean).join(' · ');
const MODES = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const shortMode = (m) => MODES[m] || m;

// brokenRefs names the references some drawn mounts edge says are missing.
// Kept per layout: every reference box asks.
const brokenCache = new WeakMap();
export function brokenRefs(L) {
  let out = brokenCache.get(L);
  if (out) return out;
  out = new Set();
  for (const e of L.edges || []) if (e.kind === 'mounts' && e.broken) out.add(e.to);
  brokenCache.set(L, out);
  return out;
}

// refStatus: a ConfigMap or Secret a pod cannot find is Broken, else
// Referenced (Podium never reads these objects, so it cannot say more).
export const refStatus = (n, broken) => (broken.has(n.id) ? 'Broken' : 'Referenced');
export const refLine = (n) => t(n.kind === 'Secret' ? 'ref.secret' : 'ref.configmap');

// newestWarning is an object's newest warning, or null: the list is newest
// first on the wire; sorted here too, so a stale order cannot mislead.
export function newestWarning(n) {
  const ws = (n?.warnings || []).filter((w) => w && w.reason);
  if (!ws.length) return null;
  return ws.slice().sort((a, b) => String(b.last || '').localeCompare(String(a.last || '')) || String(a.reason).localeCompare(String(b.reason)))[0];
}

// warningBadge is an object's warning badge: the newest reason, with how
// many times it was seen; null when it has no warnings.
export function warningBadge(n) {
  const w = newestWarning(n);
  if (!w) return null;
  const count = Math.max(1, w.count | 0);
  return { text: t('warn.badge', { count, reason: w.reason }), reason: w.reason, message: w.message || '', count, total: n.warnings.length };
}

// podWarningLine is what a pod's row says after its status: a Pending
// pod's newest warning message (the scheduler's "0/3 nodes are
// available: 3 Insufficient cpu"), '' otherwise.
export function podWarningLine(p) {
  if (p?.status !== 'Pending') return '';
  return newestWarning(p)?.message || '';
}

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
    case 'Job':
      return { status: jobStatus(n), line: jobLine(n) };
    case 'CronJob':
      return { status: cronStatus(n), line: cronLine(n, box.older || 0) };
    case 'HorizontalPodAutoscaler':
      return { status: hpaStatus(n), ...hpaLines(n) };
    case 'PersistentVolumeClaim':
      return { status: pvcStatus(n), line: pvcLine(n) };
    case 'PersistentVolume':
      return { status: pvStatus(n), line: pvLine(n) };
    case 'StorageClass':
      return { status: 'Ready', line: scLine(n) };
    case 'ConfigMap':
    case 'Secret':
      return { status: refStatus(n, brokenRefs(L)), line: refLine(n) };
    case 'ServiceAccount':
    case 'Role':
    case 'ClusterRole':
      return { status: identityStatus(n), line: box.kind === 'ServiceAccount' ? '' : rulesLine(n), risky: riskyText(n.risky) };
    case 'User':
    case 'Group':
      return { status: 'Bound', line: '' };
    case 'NetworkPolicy':
      return { status: netpolStatus(n), line: netpolLine(n) };
    case 'PodDisruptionBudget':
      return { status: pdbStatus(n), line: pdbLine(n) };
    default:
      return { status: setStatus(n) };
  }
}

// --- issue #13: identity, network policy, quotas, Nodes for real -------------

// riskyText names a role's or account's risky flags in words, in their
// order ("can read Secrets, exec into pods"), so "who can read Secrets
// here?" is one glance.
export const riskyText = (flags) => (flags || []).map((f) => t('risky.' + f)).join(', ');

// identityStatus: Risky when a flag is set, else Ready.
export const identityStatus = (n) => ((n.risky || []).length ? 'Risky' : 'Ready');

// ruleText is one rule as verbs × resources ("get,list secrets"), with its
// resource names or non-resource URLs when it has them.
export function ruleText(r) {
  // A wildcard reads as words: "* *" says nothing from the back of a room.
  const verbs = (r?.verbs || []).map((v) => (v === '*' ? t('role.anyVerb') : v)).join(',') || '—';
  const what = (r?.resources || []).length ? r.resources.map((x) => (x === '*' ? t('role.anyResource') : x)).join(',')
    : (r?.nonResourceURLs || []).map((x) => (x === '*' ? t('role.anyURL') : x)).join(',');
  const names = (r?.resourceNames || []).length ? ` (${r.resourceNames.join(',')})` : '';
  return `${verbs} ${what || '—'}${names}`;
}

// rulesLine summarises a role's rules on one line, the box cuts it by width.
export const rulesLine = (n) => ((n.rules || []).length ? n.rules.map(ruleText).join(' · ') : t('role.noRules'));

// saLine says how many drawn pods run as the account and whether they
// mount its token (from the runs-as edges' token).
export function saLine(n, pods, tokens) {
  if (!pods) return n.automount === false ? t('sa.automountOff') : t('sa.idle');
  if (tokens === pods) return t('sa.token', { count: pods });
  if (!tokens) return t('sa.noToken', { count: pods });
  return t('sa.someToken', { count: pods, tokens });
}

const selText = (s) => {
  if (!s) return '';
  const parts = Object.entries(s.matchLabels || {}).map(([k, v]) => `${k}=${v}`);
  for (const r of s.matchExpressions || []) parts.push(`${r.key} ${r.operator}${(r.values || []).length ? ' ' + r.values.join(',') : ''}`);
  return parts.join(',');
};

// peerText is one peer of a policy rule, as short as it can be read.
export function peerText(p) {
  if (p?.ipBlock) return p.ipBlock.cidr + ((p.ipBlock.except || []).length ? ` −${p.ipBlock.except.join(',')}` : '');
  const pods = p?.podSelector ? selText(p.podSelector) || t('np.allPods') : '';
  const nss = p?.namespaceSelector ? selText(p.namespaceSelector) || t('np.allNamespaces') : '';
  if (nss && pods) return `${t('np.ns', { sel: nss })} ${pods}`;
  return nss ? t('np.ns', { sel: nss }) : pods || t('np.anyone');
}

const portText = (p) => `${p.protocol || 'TCP'}${p.port ? '/' + p.port + (p.endPort ? '-' + p.endPort : '') : ''}`;

// policyRuleText is one ingress or egress rule: its peers and ports.
export function policyRuleText(r, dir) {
  const peers = (r?.peers || []).length ? r.peers.map(peerText).join(', ') : t('np.anyone');
  const ports = (r?.ports || []).map(portText).join(',');
  return `${t(dir === 'egress' ? 'np.to' : 'np.from', { peers })}${ports ? ' :' + ports : ''}`;
}

// netpolLine is a policy's rules on one line: per direction it isolates,
// its rules, or that it denies everything in that direction.
export function netpolLine(n) {
  const parts = [];
  for (const [dir, type] of [['ingress', 'Ingress'], ['egress', 'Egress']]) {
    if (!(n.policyTypes || []).includes(type)) continue;
    const rules = n[dir] || [];
    parts.push(rules.length ? rules.map((r) => policyRuleText(r, dir)).join('; ') : t(dir === 'ingress' ? 'np.denyIn' : 'np.denyOut'));
  }
  return parts.join(' · ') || t('np.none');
}

// netpolStatus is the directions a policy isolates: Ingress, Egress or
// Ingress+Egress.
export const netpolStatus = (n) => (n.policyTypes || []).join('+') || 'Ingress';

// pdbStatus: Blocked when no disruption is allowed (a drain waits), else Allowed.
export const pdbStatus = (n) => ((n.disruptionsAllowed | 0) > 0 ? 'Allowed' : 'Blocked');

export function pdbLine(n) {
  const rule = n.minAvailable ? t('pdb.min', { n: n.minAvailable }) : n.maxUnavailable ? t('pdb.maxUnavailable', { n: n.maxUnavailable }) : '';
  return [t('pdb.allowed', { count: n.disruptionsAllowed | 0 }), rule, t('pdb.healthy', { current: n.currentHealthy | 0, desired: n.desiredHealthy | 0 })].filter(Boolean).join(' · ');
}

// parseQuantity reads a Kubernetes quantity ("500m", "1.5Gi", "3", "2e3")
// as a number, NaN when it cannot.
const SUFFIX = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
export function parseQuantity(s) {
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(String(s ?? '').trim());
  return m ? Number(m[1]) * SUFFIX[m[2] || ''] : NaN;
}

// quotaFill is how full one quota is, 0..1 (1 or more is full), NaN when
// used or hard cannot be read; hard 0 with nothing used is empty.
export function quotaFill(q) {
  const used = parseQuantity(q?.used || '0');
  const hard = parseQuantity(q?.hard);
  if (!Number.isFinite(used) || !Number.isFinite(hard)) return NaN;
  if (hard <= 0) return used > 0 ? 1 : 0;
  return used / hard;
}

// namespaceStatus: Full when a quota is used up (the next pod is refused),
// else the namespace's phase.
export const namespaceStatus = (n) => ((n.quotas || []).some((q) => quotaFill(q) >= 1) ? 'Full' : n.phase || 'Active');

// limitLine is a namespace's limit ranges on one line.
export function limitLine(n) {
  const byType = new Map();
  for (const l of n.limitRanges || []) {
    const bits = [['default', l.default], ['request', l.defaultRequest], ['min', l.min], ['max', l.max]].filter(([, v]) => v).map(([k, v]) => `${t('limit.' + k)} ${v}`);
    const txt = `${l.resource}${bits.length ? ' ' + bits.join(' ') : ''}`;
    if (!byType.has(l.type)) byType.set(l.type, []);
    byType.get(l.type).push(txt);
  }
  return [...byType].map(([type, parts]) => `${t('limit.label', { type })} ${parts.join(', ')}`).join(' · ');
}

// nodeTrouble lists a Node's conditions that are not fine: Ready not True,
// any pressure or NetworkUnavailable True.
export const nodeTrouble = (n) => (n.conditions || []).filter((c) => c && (c.type === 'Ready' ? c.status !== 'True' : c.status === 'True')).map((c) => c.type);

// nodeCapacityLine: the Node's pods against its pod capacity and its
// allocatable cpu and memory (without a capacity: its roles and pods).
export function nodeCapacityLine(n, podCount) {
  const cap = n.allocatable?.pods || n.capacity?.pods;
  // With a capacity the line is full: the roles give way (details has them).
  const parts = cap ? [t('node.podsOf', { count: podCount, cap })] : [(n.roles || []).join(','), t('node.pods', { count: podCount })].filter(Boolean);
  const a = n.allocatable || n.capacity || {};
  if (a.cpu) parts.push(t('node.cpu', { v: a.cpu }));
  if (a.memory) parts.push(t('node.mem', { v: a.memory }));
  return parts.join(' · ');
}

// nodeFull: as many pods as the Node holds.
export function nodeFull(n, podCount) {
  const cap = parseQuantity(n.allocatable?.pods || n.capacity?.pods);
  return Number.isFinite(cap) && cap > 0 && podCount >= cap;
}

// nodeExtraLine is a Node's extra line: cordoned (SchedulingDisabled, as
// kubectl says it) and its taints, without the taint the cordon itself
// adds. '' when there is neither.
export function nodeExtraLine(n) {
  const taints = (n.taints || []).filter((x) => !(n.unschedulable && x.key === 'node.kubernetes.io/unschedulable'))
    .map((x) => `${x.key}${x.value ? '=' + x.value : ''}:${x.effect}`).join(', ');
  return [n.unschedulable ? t('node.schedulingDisabled') : '', taints].filter(Boolean).join(' · ');
}
