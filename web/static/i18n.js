// Every UI string, keyed by message id. Issue 7 adds zh-CN as a second
// table; nothing else in the app holds user-visible text.
//
// Placeholders are {name}; t() fills them from params. A happening is drawn
// from its kind + params (see happeningText) so it can be translated; when a
// placeholder has no value the server's English text is used instead.

import { presenterEN } from './i18n-presenter.js';
import { zhCN } from './i18n-zh.js';

export const messages = {
  en: {
    'app.title': 'Podium',
    'col.ingress': 'Ingress',
    'col.service': 'Service',
    'col.workloads': 'Workloads',
    'col.nodes': 'Nodes',

    'banner.connecting': 'Connecting…',
    'banner.connected': 'Live',
    'banner.recorded': 'Recorded — not live',
    'banner.reconnecting': 'Connection lost — reconnecting in {seconds}s',
    'banner.resyncing': 'Resyncing…',
    'banner.apiserver': 'API server unreachable — reconnecting',
    'banner.unauthorized': 'The API server refuses Podium’s credentials (expired or revoked token?)',
    'banner.syncing': 'Loading the cluster…',
    'banner.error': 'Bad message from the server: {detail} — resyncing',
    'banner.drawError': 'Could not draw the cluster: {detail}',
    'banner.denied': 'Not allowed to list: {list}',
    'banner.seq': 'seq {seq}',

    'ns.all': 'All namespaces',
    'ns.label': 'Namespaces',
    'ns.count': '{count} namespaces',
    'ns.collapse': 'Collapse namespace {ns}',
    'ns.expand': 'Expand namespace {ns}',
    'ns.empty': 'Nothing in namespace {ns}',

    'search.placeholder': 'Search by name  ( / )',
    'search.matches': '{count} matches',
    'search.none': 'No match',

    'btn.fit': 'Fit',
    'btn.fit.title': 'Fit to screen (f)',
    'btn.zoomIn': 'Zoom in (+)',
    'btn.zoomOut': 'Zoom out (−)',
    'btn.theme': 'Theme',
    'btn.theme.title': 'Light or dark theme (t)',
    'btn.close': 'Close',
    'btn.legend': 'Legend',

    'empty.cluster': 'Nothing to draw yet: no Ingresses, Services, workloads or Nodes in view.',
    'empty.waiting': 'Waiting for the first snapshot…',

    'legend.title': 'Legend',
    'state.ready': 'Running, ready',
    'state.notready': 'Running, not ready',
    'state.pending': 'Pending',
    'state.creating': 'Creating',
    'state.terminating': 'Terminating',
    'state.failed': 'Failed / CrashLoop',
    'state.completed': 'Completed',
    'edge.ready': 'ready endpoint',
    'edge.serving': 'serving, not ready',
    'edge.terminating': 'terminating endpoint',
    'edge.none': 'selected, not an endpoint',
    'edge.routes': 'Ingress route',
    'edge.runsOn': 'runs on Node',
    'legend.restarts': 'restarts',

    'kind.Ingress': 'Ingress',
    'kind.Service': 'Service',
    'kind.Deployment': 'Deployment',
    'kind.ReplicaSet': 'ReplicaSet',
    'kind.StatefulSet': 'StatefulSet',
    'kind.DaemonSet': 'DaemonSet',
    'kind.Pod': 'Pod',
    'kind.Node': 'Node',
    'group.pods': 'Pods',
    // wave 2: the new kinds, references, layers (webdraw)
    'col.refs': 'References',
    'kind.Job': 'Job',
    'kind.CronJob': 'CronJob',
    'kind.HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
    'kind.hpa': 'Autoscaler',
    'kind.PersistentVolumeClaim': 'PersistentVolumeClaim',
    'kind.PersistentVolume': 'PersistentVolume',
    'kind.StorageClass': 'StorageClass',
    'kind.ConfigMap': 'ConfigMap',
    'kind.Secret': 'Secret',
    'job.progress': '{succeeded}/{completions} done',
    'job.queue': '{succeeded} done',
    'job.active': '{count} running',
    'job.failed': '{count} failed',
    'job.running': 'running',
    'job.complete': 'complete',
    'job.failedState': 'failed',
    'job.suspended': 'suspended',
    'cron.last': 'last run {time}',
    'cron.never': 'not run yet',
    'cron.active': '{count} active',
    'cron.suspended': 'suspended',
    'cron.older': '+{count} older',
    'hpa.line': '{min}–{max} replicas · now {current} → {desired}',
    'hpa.noMetrics': 'no metrics',
    'hpa.unknown': 'unknown',
    'pvc.line': '{phase} · {capacity} · {modes} · {class}',
    'pv.line': '{phase} · {capacity} · {reclaim}',
    'ref.configmap': 'ConfigMap · by name',
    'ref.secret': 'Secret · by name, never read',
    'ref.missing': 'missing {kind}',
    'ref.status.Broken': 'missing',
    'ref.status.Pending': 'Pending',
    'ref.status.Lost': 'Lost',
    'ref.status.Released': 'Released',
    'ref.status.Failed': 'Failed',
    'mount.broken': 'missing',
    'mount.count': '×{count}',
    'warn.badge': '⚠ {count} {reason}',
    'warn.badge#one': '⚠ {reason}',
    'svc.lbPending': 'pending',
    'entry.label': '{address}',
    'layers.label': 'Layers',
    'layers.unknown': 'Unknown layers in the URL, ignored: {list}',
    'layer.storage': 'Storage',
    'layer.config': 'Config',
    'layer.jobs': 'Jobs',
    'layer.autoscaling': 'Autoscaling',
    'layer.warnings': 'Warnings',
    'key.layers': 'Layers on/off: s storage, c config, j jobs, a autoscaling, w warnings, i identity, n network policy, q quotas',
    'edge.mounts': 'mounts (volume, env)',
    'edge.broken': 'broken reference',
    'legend.warnings': 'warnings',
    'details.warnings': 'Warnings',
    'field.completions': 'Completions',
    'field.parallelism': 'Parallelism',
    'field.active': 'Active',
    'field.succeeded': 'Succeeded',
    'field.failed': 'Failed',
    'field.state': 'State',
    'field.reason': 'Reason',
    'field.schedule': 'Schedule',
    'field.suspend': 'Suspended',
    'field.lastSchedule': 'Last schedule',
    'field.min': 'Min replicas',
    'field.max': 'Max replicas',
    'field.desired': 'Desired replicas',
    'field.metrics': 'Metrics',
    'field.conditions': 'Conditions',
    'field.phase': 'Phase',
    'field.capacity': 'Capacity',
    'field.storageClass': 'Storage class',
    'field.accessModes': 'Access modes',
    'field.reclaimPolicy': 'Reclaim policy',
    'field.provisioner': 'Provisioner',
    'field.referenced': 'Referenced by name',
    'field.warnings': 'Warnings',
    'field.loadBalancer': 'External address',
    'field.claimTemplates': 'Claim templates',
    'field.target': 'Target',
    'field.volume': 'Volume',
    'field.claim': 'Claim',
    'field.started': 'Started',
    'field.finished': 'Finished',
    'group.orphans': 'Other pods',

    'deploy.rolling': 'rolling update · revision {from} → {to}',
    'deploy.rollingImage': 'rolling update · revision {from} → {to} · {fromImage} → {toImage}',
    'deploy.complete': 'revision {rev} · {image}',
    'deploy.progressing': 'progressing · revision {rev} · {image}',
    'deploy.stalled': 'rollout stalled · revision {rev}',
    'deploy.progress': '{updated} updated · {ready} ready · {desired} desired',
    'deploy.budget': 'maxSurge {surge} (in use: {surgeUsed}) · maxUnavailable {unavail} (in use: {unavailUsed})',
    'deploy.recreate': 'strategy Recreate',
    'lane.rs': 'rev {rev} · {image}',
    'lane.count': '{current} → {desired}',
    'lane.aggregate': '{total} pods: {parts}',
    'lane.nodes': 'on {count} nodes',
    'lane.nodes#one': 'on {count} node',
    'set.count': '{ready}/{desired} ready',

    'svc.ready': '{ready} ready',
    'svc.notReady': '{count} not ready',
    'svc.terminating': '{count} terminating',
    'svc.noEndpoints': 'no endpoints',
    'svc.noSelector': 'no selector',
    'ing.rules': '{count} rules',
    'ing.rule': '1 rule',
    'ing.missing': 'missing Service {name}',
    'node.ready': 'Ready',
    'node.notReady': 'NotReady',
    'node.cordoned': 'cordoned',
    'node.pods': '{count} pods',
    'node.pods#one': '{count} pod',

    'pod.restarts': 'restarts {count}',
    'pod.unscheduled': 'unscheduled',
    'pod.containers': '{ready}/{total}',

    'details.title': 'Details',
    'details.id': 'ID',
    'details.kind': 'Kind',
    'details.namespace': 'Namespace',
    'details.name': 'Name',
    'details.uid': 'UID',
    'details.labels': 'Labels',
    'details.none': 'none',
    'details.hint': 'Click anything in the picture to see its fields.',
    'details.missing': 'This object is gone.',

    // Field names in the details panel (protocol field → label).
    'field.status': 'Status',
    'field.ready': 'Ready',
    'field.readyContainers': 'Ready containers',
    'field.containers': 'Containers',
    'field.restarts': 'Restarts',
    'field.node': 'Node',
    'field.owner': 'Owner',
    'field.images': 'Images',
    'field.ip': 'IP',
    'field.created': 'Created',
    'field.replicas': 'Desired replicas',
    'field.updated': 'Updated',
    'field.available': 'Available',
    'field.revision': 'Revision',
    'field.strategy': 'Strategy',
    'field.rollout': 'Rollout',
    'field.current': 'Current replicas',
    'field.type': 'Type',
    'field.clusterIP': 'Cluster IP',
    'field.ports': 'Ports',
    'field.selector': 'Selector',
    'field.class': 'Class',
    'field.rules': 'Rules',
    'field.roles': 'Roles',
    'field.internalIP': 'Internal IP',
    'field.unschedulable': 'Unschedulable',

    'ticker.title': 'Happenings',
    'ticker.empty': 'Nothing has happened yet.',

    // Happening params are informers/graph/happen.go's: name is "ns/name"
    // (or a Node's name), kind, from, to, state, fromRevision, toRevision,
    // fromImage, toImage, restarts, reason.
    'happening.scaled': '{kind} {name} scaled {from} → {to}',
    'happening.rollout': 'rollout {name}: revision {fromRevision} → {toRevision}',
    'happening.rolloutImage': 'rollout {name}: revision {fromRevision} → {toRevision}, image {fromImage} → {toImage}',
    'happening.rolloutState': 'rollout {name} {stateText}',
    'rollout.progressing': 'progressing',
    'rollout.complete': 'complete',
    'rollout.stalled': 'stalled',
    'happening.restarted': 'Pod {name} restarted ({restarts})',
    'happening.failed': 'Pod {name} failed: {reason}',
    'happening.nodeNotReady': 'Node {name} NotReady',
    'happening.nodeReady': 'Node {name} Ready',

    // issue #13: identity, network policy, quotas, Nodes for real
    'col.policy': 'Identity & policy',
    'col.refsPolicy': 'References & policy',
    'layer.identity': 'Identity',
    'layer.netpol': 'Network policy',
    'layer.quotas': 'Quotas',
    'kind.ServiceAccount': 'ServiceAccount',
    'kind.Role': 'Role',
    'kind.ClusterRole': 'ClusterRole',
    'kind.User': 'User',
    'kind.Group': 'Group',
    'kind.NetworkPolicy': 'NetworkPolicy',
    'kind.Namespace': 'Namespace',
    'kind.PodDisruptionBudget': 'PodDisruptionBudget',
    'kind.sa': 'Account',
    'kind.netpol': 'Policy',
    'kind.pdb': 'Budget',
    'risky.wildcard': 'wildcard (*)',
    'risky.secrets': 'can read Secrets',
    'risky.exec': 'exec into pods',
    'risky.escalate': 'can escalate',
    'risky.bind': 'can bind roles',
    'risky.impersonate': 'can impersonate',
    'risky.cluster-admin': 'cluster admin',
    'role.anyVerb': 'every verb',
    'role.anyResource': 'on everything',
    'role.anyURL': 'on every URL',
    'role.noRules': 'no rules',
    'sa.token': 'token mounted · {count} pods',
    'sa.token#one': 'token mounted · {count} pod',
    'sa.noToken': 'no token · {count} pods',
    'sa.noToken#one': 'no token · {count} pod',
    'sa.someToken': 'token in {tokens} of {count} pods',
    'sa.idle': 'no pods here',
    'sa.automountOff': 'no pods · token off',
    'np.allPods': 'all pods',
    'np.allNamespaces': 'all namespaces',
    'np.ns': 'ns {sel}',
    'np.anyone': 'anyone',
    'np.from': 'from {peers}',
    'np.to': 'to {peers}',
    'np.denyIn': 'no ingress allowed',
    'np.denyOut': 'no egress allowed',
    'np.none': 'no rules',
    'pdb.allowed': '{count} disruptions allowed',
    'pdb.allowed#one': '{count} disruption allowed',
    'pdb.min': 'min {n}',
    'pdb.maxUnavailable': 'max unavailable {n}',
    'pdb.healthy': '{current}/{desired} healthy',
    'limit.label': '{type} limits:',
    'limit.default': 'default',
    'limit.request': 'request',
    'limit.min': 'min',
    'limit.max': 'max',
    'quota.pss': 'Pod Security: {level}',
    'quota.bar': '{resource} {used}/{hard}',
    'node.podsOf': '{count}/{cap} pods',
    'node.cpu': 'cpu {v}',
    'node.mem': 'mem {v}',
    'node.schedulingDisabled': 'SchedulingDisabled',
    'grants.in': '{binding} in {ns}',
    'edge.runsAs': 'runs as (dashed: no token)',
    'edge.grants': 'grants (binding)',
    'edge.isolates': 'isolated by policy',
    'reach.title': 'Who may talk to it',
    'reach.ingress': 'May reach it',
    'reach.egress': 'It may reach',
    'reach.open': 'not isolated: any pod may',
    'reach.none': 'nobody',
    'reach.rule': '{policy} rule {rule}',
    'reach.beyond': 'Beyond the cluster: {list}',
    'reach.caveat': "Policy as declared: whether it is enforced depends on the cluster's network plugin.",
    'reach.error': 'Reachability unavailable: {detail}',
    'reach.loading': 'Asking who may reach it…',
    'reach.anywhere': 'anywhere',
    'reach.hidden': '+{count} outside the namespaces in view',
    'reach.unreachable': 'unreachable from {ns}',
    'happening.replaced': 'Pod {name} replaced: same name, new uid {newUid}',
    'happening.replacedClaims': 'Pod {name} replaced: same name, new uid {newUid}, same claims {claims}',
    'happening.replacedBy': 'Pod {was} deleted: ReplicaSet {rs} replaced it with {name}',
    'happening.jobStarted': 'CronJob {cronjob} started Job {job}',
    'happening.jobCompleteIn': 'Job {job} complete in {duration}',
    'happening.jobComplete': 'Job {job} complete',
    'happening.jobFailedWhy': 'Job {job} failed: {reason}',
    'happening.jobFailed': 'Job {job} failed',
    'happening.warning': '{kind} {name}: {reason}: {message}',
    'happening.warningCount': '{kind} {name}: {reason}: {message} (×{count})',
    'happening.cordoned': 'Node {name} cordoned',
    'happening.uncordoned': 'Node {name} uncordoned',
    'happening.evicted': 'drain {node}: Pod {pod} evicted',
    'happening.held': 'drain {node}: held back by budget {pdb} ({allowed} disruptions allowed)',
    'happening.drainDone': 'Node {node} drained',
    // Offline segments (player.js, replay.js's "Save segment"; docs/export.md).
    'segment.title': 'Recorded segment',
    'segment.recorded': 'Happenings {from}–{to} of {name}, recorded {when}',
    'segment.play': 'Play',
    'segment.pause': 'Pause',
    'segment.ended': 'End of the segment: play to start over',
    'segment.scrubber': 'Position in the segment',
    'segment.bad': 'this file holds no segment to play ({detail})',
    'segment.save': 'Save segment',
    'segment.save.title': 'Save happenings {from}–{to} as one HTML file that plays offline',
    'segment.from': 'From',
    'segment.to': 'to',
    'segment.saving': 'Saving…',
    'segment.failed': 'Could not save the segment: {detail}',
  },
};

// The presenter features' English strings, and the zh-CN table (i18n-zh.js).
Object.assign(messages.en, presenterEN);
messages['zh-CN'] = zhCN;

let current = messages.en;
let plural = new Intl.PluralRules('en');

// setLang picks the table for a BCP 47 tag ("zh-CN", "en-GB"), falling back to
// the language alone and then English. Returns the tag in use.
export function setLang(tag) {
  // Any Chinese tag (zh, zh-Hans, zh-TW…) gets the one Chinese table.
  const tries = [tag, /^zh\b/i.test(String(tag || '')) ? 'zh-CN' : '', String(tag || '').split('-')[0], 'en'];
  for (const k of tries) {
    if (k && messages[k]) {
      current = messages[k];
      plural = new Intl.PluralRules(k);
      return k;
    }
  }
  current = messages.en;
  return 'en';
}

// fill replaces {name} placeholders; it returns null when one has no value,
// so callers can fall back.
export function fill(template, params = {}) {
  let missing = false;
  const out = template.replace(/\{(\w+)\}/g, (_, k) => {
    const v = params[k];
    if (v === undefined || v === null || v === '') {
      missing = true;
      return '';
    }
    return String(v);
  });
  return missing ? null : out;
}

// t returns the message for id in the current language (English when the
// table lacks it). A missing placeholder is shown as "?" rather than hidden,
// so a wrong call is visible.
//
// A numeric params.count picks a plural form when the table has one, as
// "id#one", "id#few"… (Intl.PluralRules categories); "id" is the other form.
export function t(id, params) {
  let tpl;
  if (typeof params?.count === 'number') {
    const k = `${id}#${plural.select(params.count)}`;
    tpl = current[k];
  }
  tpl ??= current[id] ?? messages.en[id];
  if (tpl === undefined) return id;
  return tpl.replace(/\{(\w+)\}/g, (_, k) => {
    const v = params?.[k];
    return v === undefined || v === null ? '?' : String(v);
  });
}

// happeningText renders a happening in the current language from its kind and
// params, and falls back to the server's text when the params do not cover
// the message.
export function happeningText(h) {
  const p = { ...(h?.params || {}) };
  const parts = String(h?.ref || '').split('/');
  if (parts.length >= 2) {
    p.kind ??= parts[0];
    p.name ??= parts.slice(1).join('/');
  }
  const ids = [];
  switch (h?.kind) {
    case 'scaled':
      ids.push('happening.scaled');
      break;
    case 'rollout':
      if (p.state && p.state !== 'started') {
        const st = current['rollout.' + p.state] ?? messages.en['rollout.' + p.state];
        if (st) p.stateText = st;
        ids.push('happening.rolloutState');
      } else ids.push('happening.rolloutImage', 'happening.rollout');
      break;
    case 'restarted':
      ids.push('happening.restarted');
      break;
    case 'failed':
      ids.push('happening.failed');
      break;
    case 'created':
    case 'deleted':
    case 'endpoints':
      ids.push('happening.' + h.kind);
      break;
    // informers/graph/happen2.go: a StatefulSet's ordinal back under its
    // name, or (with was) a ReplicaSet's new pod for a deleted one.
    case 'replaced':
      if (p.was) p.rs = String(p.owner || '').split('/').pop();
      ids.push(p.was ? 'happening.replacedBy' : p.claims ? 'happening.replacedClaims' : 'happening.replaced');
      break;
    // A template with a placeholder the params lack is skipped: the next
    // one is the shorter sentence.
    case 'job':
      if (p.state === 'started') ids.push('happening.jobStarted');
      else if (p.state === 'complete') ids.push('happening.jobCompleteIn', 'happening.jobComplete');
      else if (p.state === 'failed') ids.push('happening.jobFailedWhy', 'happening.jobFailed');
      break;
    case 'warning':
      ids.push(Number(p.count) > 1 ? 'happening.warningCount' : 'happening.warning');
      break;
    case 'node':
      if (p.state === 'Ready') ids.push('happening.nodeReady');
      else if (p.state === 'NotReady') ids.push('happening.nodeNotReady');
      break;
    // issue #13 (informers/graph/cluster.go): name is the Node's name; a
    // drain's params are node, pod ("ns/name") and pdb.
    case 'cordoned':
      ids.push(p.state === 'uncordoned' ? 'happening.uncordoned' : 'happening.cordoned');
      break;
    case 'drained':
      // The ref, and so name, is the pod (evicted), the budget (held) or
      // the Node (done): informers/graph/cluster.go.
      if (p.state === 'held') p.pdb ??= p.name;
      else if (p.state === 'done') p.node ??= p.name;
      else p.pod ??= p.name;
      ids.push(p.state === 'held' ? 'happening.held' : p.state === 'done' ? 'happening.drainDone' : 'happening.evicted');
      break;
  }
  for (const id of ids) {
    const tpl = current[id] ?? messages.en[id];
    const s = tpl && fill(tpl, p);
    if (s) return s;
  }
  return String(h?.text || h?.kind || '');
}

// anatomy: the pod anatomy's strings (anatomy.js: the details panel's pod
// section and a focused pod in presenter mode). The sandbox sentences are
// for someone who has never heard of a pause container.
Object.assign(messages.en, {
  'anatomy.init': 'Init containers · run in order, each to the end',
  'anatomy.running': 'Containers · run together',
  'anatomy.order': 'step {n}',
  'anatomy.sidecar': 'sidecar',
  'anatomy.state.running': 'Running',
  'anatomy.state.waiting': 'Waiting',
  'anatomy.state.waitingReason': 'Waiting: {reason}',
  'anatomy.state.terminated': 'Terminated · exit {code}',
  'anatomy.state.terminatedReason': '{reason} · exit {code}',
  'anatomy.state.unknown': 'state unknown',
  'anatomy.ready': 'ready',
  'anatomy.notReady': 'not ready',
  'anatomy.restarts': 'restarts {count}',
  'anatomy.ports': 'ports',
  'anatomy.port.host': '{port} (host {hostPort})',
  'anatomy.more': '+{count} more',
  'anatomy.moreContainers': '+{count} more containers',
  'anatomy.moreContainers#one': '+{count} more container',
  'anatomy.podIP': 'Pod IP {ip}',
  'anatomy.noIP': 'no IP yet',
  'anatomy.ipUnknown': '(not assigned yet)',
  'anatomy.pause': 'pause',
  'anatomy.sandbox': 'One network for all these containers: the pod IP {ip}, and localhost between them. The tiny pause container holds it open, even while the others restart.',
  'anatomy.sandbox.hostNetwork': 'hostNetwork: these containers use the node\'s own network, so the pod IP is the node IP {ip} and their ports open on the node itself.',
  'anatomy.nodeIP': 'node IP {ip}',
  'anatomy.nodeAddr': 'node',
  'anatomy.unscheduled': 'not on a node yet',
  'anatomy.nodeSide': 'On the node',
  'anatomy.hostNetwork.on': 'hostNetwork: yes (the node\'s IP)',
  'anatomy.hostNetwork.off': 'hostNetwork: no (own IP)',
  'anatomy.hostPorts': 'Host ports',
  'anatomy.hostEntry': '{addr} → {container}:{port}',
  'anatomy.noHostPorts': 'No host ports.',
  'anatomy.serviceAccount': 'Service account',
  'anatomy.refs': 'References, by name only',
  'anatomy.kind.ConfigMap': 'ConfigMap',
  'anatomy.kind.Secret': 'Secret',
  'anatomy.kind.PersistentVolumeClaim': 'PVC',
  'anatomy.as.volume': 'volume',
  'anatomy.as.projected': 'projected volume',
  'anatomy.as.env': 'env',
  'anatomy.as.envFrom': 'envFrom (all keys)',
  'anatomy.as.other': '{as}',
  'anatomy.usedBy': 'used by {list}',
  'anatomy.broken': 'missing',
  'anatomy.warnings': 'Warnings, newest first',
  'anatomy.times': '×{count}',
  'anatomy.readyLabel': 'Ready',
  'anatomy.readyCount': '{ready}/{total} containers ready',
});

// lessons and the audience link (issue #14): the lesson panel (lesson.js),
// the follower's view and the presenter's QR code (follow.js).
Object.assign(messages.en, {
  'lesson.label': 'Lesson',
  'lesson.step': 'Step {n} of {count}',
  'lesson.type': 'Type',
  'lesson.waiting': 'Waiting for the cluster…',
  'lesson.done': 'Done — → for the next step',
  'lesson.last': 'Done — that was the last step',
  'lesson.problem': 'The lesson file has a problem',
  'lesson.prev': 'Previous step (←)',
  'lesson.next': 'Next step (→)',
  'key.lesson': 'Previous / next happening (replay), or lesson step when there is a lesson',
  'follow.on': 'Following the presenter',
  'follow.lost': 'Lost the presenter — rejoining in {seconds}s',
  'follow.none': 'This Podium has no audience link',
  'follow.scan': 'Follow on your device',
  'follow.qr': 'QR code of the audience link',
  'follow.leadLost': 'This page no longer leads: open the presenter link from Podium’s latest start',
  'follow.leadFailed': 'Could not lead the audience: {detail}',
});

// the label selector chip (issue #15, selector.js): the Pods in view are
// the ones ?selector= matches.
Object.assign(messages.en, {
  'selector.label': 'Pods matching',
  'selector.clear': 'Show every pod (clear the label selector)',
});

// Node groups and kind toggles (issue #15, nodegroups.js and kinds.js):
// the Node column's group headers, ?nodegroup= and ?hide=.
Object.assign(messages.en, {
  'kinds.label': 'Kinds',
  'kinds.unknown': 'Unknown kinds in hide=, ignored: {list}',
  'nodegroup.badLabel': 'Not a label key in nodegroup=, ignored: {label}',
  'nodegroup.noZone': 'no zone',
  'nodegroup.noPool': 'no pool',
  'nodegroup.unset': '(not set)',
  'nodegroup.nodes': '{count} nodes',
  'nodegroup.nodes#one': '{count} node',
  'nodegroup.notReady': '{count} NotReady',
  'nodegroup.pressure': '{count} under pressure',
  'nodegroup.cordoned': '{count} cordoned',
  'nodegroup.allReady': 'all Ready',
  'nodegroup.expand': 'Expand node group {group}',
  'nodegroup.collapse': 'Collapse node group {group}',
  'field.zone': 'Zone',
  'field.pool': 'Node pool',
});

// Wall-screen mode (issue #15, wall.js): the trouble counted in the header.
Object.assign(messages.en, {
  'wall.nodes': '{count} Nodes in trouble',
  'wall.nodes#one': '{count} Node in trouble',
  'wall.failed': '{count} pods failing',
  'wall.failed#one': '{count} pod failing',
  'wall.pending': '{count} pods pending',
  'wall.pending#one': '{count} pod pending',
  'wall.stalled': '{count} rollouts stalled',
  'wall.stalled#one': '{count} rollout stalled',
  'wall.ok': 'All Nodes Ready, no pod failing or pending',
});

// the Gateway API (issue #16, gateway.js): Gateway, HTTPRoute and
// GRPCRoute boxes in the Ingress column.
Object.assign(messages.en, {
  'kind.Gateway': 'Gateway',
  'kind.HTTPRoute': 'HTTPRoute',
  'kind.GRPCRoute': 'GRPCRoute',
  'gw.class': 'class {class}',
  'gw.noListeners': 'no listeners',
  'gw.status.NotAccepted': 'not accepted',
  'gw.status.Pending': 'pending',
});

// custom owners (issue #16, customowner.js): a custom resource drawn as
// the owner box of its workloads.
Object.assign(messages.en, {
  'custom.ready': 'Ready {status}',
});
// several clusters (issue #16, clusters.js): the header's cluster picker.
Object.assign(messages.en, {
  'cluster.label': 'Cluster',
  'cluster.all': 'All, side by side',
});
