// Pure formatting helpers shared by the layout, the renderer and the panels.
// No DOM access, so node --test can run them and the server-side SVG export
// can reuse them.

// Pod display states, in legend order. Each has a colour AND a shape/icon
// (see style.css and render.js), so no state is told by colour alone.
export const POD_STATES = ['ready', 'notready', 'pending', 'creating', 'terminating', 'failed', 'completed'];

const FAILED = new Set([
  'CrashLoopBackOff', 'Error', 'Failed', 'OOMKilled', 'ErrImagePull', 'ImagePullBackOff',
  'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
  'Evicted', 'ContainerStatusUnknown', 'StartError', 'Unknown', 'NodeLost', 'UnexpectedAdmissionError',
]);

// podState maps a Pod's kubectl-style status and readiness to a display state.
export function podState(pod) {
  const s = String(pod?.status || '');
  if (s === 'Terminating') return 'terminating';
  if (s === 'Completed' || s === 'Succeeded') return 'completed';
  if (s === 'Running') return pod.ready ? 'ready' : 'notready';
  if (s === 'ContainerCreating' || s === 'PodInitializing' || s.startsWith('Init:')) {
    // Init:Error and Init:CrashLoopBackOff are failures, not progress.
    const rest = s.startsWith('Init:') ? s.slice(5) : '';
    return FAILED.has(rest) ? 'failed' : 'creating';
  }
  if (s === 'Pending' || s === '') return 'pending';
  if (FAILED.has(s) || s.startsWith('Signal:') || s.startsWith('ExitCode:')) return 'failed';
  // NotReady and unrecognised reasons: treat as running without readiness,
  // which is the least alarming state that is still not "ready".
  return pod?.ready ? 'ready' : 'notready';
}

// shortPodName drops the owner's prefix so a lane of pods reads as its
// distinguishing suffixes: "hellok8s-66799848c4-kpc6q" under its ReplicaSet
// "hellok8s-66799848c4" becomes "…-kpc6q".
export function shortPodName(name, ownerName) {
  name = String(name || '');
  if (ownerName && name.startsWith(ownerName + '-') && name.length > ownerName.length + 1) {
    return '…-' + name.slice(ownerName.length + 1);
  }
  return name;
}

// rsHash returns the pod-template-hash part of a ReplicaSet name owned by a
// Deployment.
export function rsHash(rsName, deployName) {
  if (deployName && rsName.startsWith(deployName + '-')) return rsName.slice(deployName.length + 1);
  return rsName;
}

// ellipsize cuts s to at most max characters, keeping the end when keepEnd
// (pod names differ at the end) and the start otherwise.
// textScale is how much larger than the layout's boxes were sized for the
// detail lines are drawn: presenter mode enlarges them (presenter.js), and
// ellipsizeLine's character budgets shrink to match, so they stay in their
// boxes. Names keep ellipsize's budgets, which have room to spare.
let textScale = 1;
export function setTextScale(k) {
  const v = Number.isFinite(k) && k > 1 ? k : 1;
  const changed = v !== textScale;
  textScale = v;
  return changed;
}

// textScaleNow is the text scale in effect (1 outside presenter mode).
export const textScaleNow = () => textScale;

// ellipsizeLine is ellipsize for a box's detail line, at the text scale.
export function ellipsizeLine(s, max) {
  return ellipsize(s, textScale === 1 ? max : Math.max(4, Math.floor(max / textScale)));
}

// --- measured text --------------------------------------------------------
// Every width of text the layout and the renderer size a box by comes from
// textWidth. In the browser the page measures for real (setMeasure: a
// canvas's measureText, cached); without one (node tests, the server's SVG
// run of layout.js in goja) it is a deterministic estimate: a wide (CJK)
// character 1 em, others 0.6 em (0.68 in bold).

// (The ellipsis counts as wide: CJK fonts draw it a full em.)
const WIDE = /[\u2026\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

let measure = null;

// setMeasure installs the page's measurer (s, px, bold) → width, or null
// for the estimate. It returns whether it changed.
export function setMeasure(fn) {
  const changed = measure !== (fn || null);
  measure = fn || null;
  return changed;
}

// estimateWidth is the deterministic estimate of s's width at font size px.
export function estimateWidth(s, px, bold = false) {
  let em = 0;
  for (const ch of String(s ?? '')) em += WIDE.test(ch) ? 1 : bold ? 0.68 : 0.6;
  return em * px;
}

// textWidth is the width of s at font size px (layout units).
export function textWidth(s, px, bold = false) {
  return measure ? measure(String(s ?? ''), px, bold) : estimateWidth(s, px, bold);
}

// fitText cuts s with an ellipsis (at its end, or its start when keepEnd)
// until it fits width at px; '' when not even one character does.
export function fitText(s, width, px, { keepEnd = false, bold = false } = {}) {
  s = String(s ?? '');
  if (textWidth(s, px, bold) <= width) return s;
  const chars = [...s];
  let lo = 0;
  let hi = chars.length - 1;
  const cut = (n) => (keepEnd ? '…' + chars.slice(chars.length - n).join('') : chars.slice(0, n).join('') + '…');
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(cut(mid), px, bold) <= width) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? cut(lo) : '';
}

const NBSP = '\u00a0';

// longestWord is the width of the widest piece of s that wrapText breaks
// only between letters: s split at spaces and after '-', '/', '.' and ':'.
// A box narrower than it (and its padding) breaks a word mid-letters.
export function longestWord(s, px, bold = false) {
  let w = 0;
  for (const part of String(s ?? '').split(/[ \u00a0]+/)) {
    for (const piece of splitAfter(part, '-/.:')) w = Math.max(w, textWidth(piece, px, bold));
  }
  return w;
}

// splitAfter splits s after each occurrence of sep (a string of several
// characters), or of any one of its characters, keeping them.
function splitAfter(s, sep) {
  const out = [];
  let cur = '';
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    cur += chars[i];
    const end = sep === ' · ' ? cur.endsWith(sep) : sep.includes(chars[i]);
    if (end && i < chars.length - 1) {
      out.push(cur);
      cur = '';
    }
  }
  if (cur) out.push(cur);
  return out;
}

// wrapText breaks s into lines no wider than width at px, never cutting
// anything: first between the parts of a line (" · "), then between words,
// then after a "-", "/" or "." inside a long name, and only a word longer
// than a whole line (or a run of CJK) character by character.
export function wrapText(s, width, px, bold = false) {
  s = String(s ?? '');
  const fits = (x) => textWidth(x, px, bold) <= width;
  if (fits(s)) return [s];
  // A transition ("3000 → :30000", "v1 → v2") stays on one line when it can.
  s = s.replace(/ → /g, `${NBSP}→${NBSP}`);
  // Tokens keep their separator at their end, so a line ends in "·" or
  // "-" and the next one starts clean.
  const tokens = [];
  // Each level splits only what the one before left too wide.
  const levels = [' · ', ' ', NBSP, '-/.:'];
  const split = (x, level) => {
    if (fits(x) || level === levels.length) {
      if (fits(x)) tokens.push(x);
      else {
        let cur = '';
        for (const ch of x) {
          if (cur && !fits(cur + ch)) {
            tokens.push(cur);
            cur = '';
          }
          cur += ch;
        }
        if (cur) tokens.push(cur);
      }
      return;
    }
    for (const part of splitAfter(x, levels[level])) split(part, level + 1);
  };
  split(s, 0);
  const lines = [];
  let cur = '';
  for (const tok of tokens) {
    if (cur && !fits((cur + tok).trimEnd())) {
      lines.push(cur.trimEnd());
      cur = '';
    }
    cur += tok;
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  return lines.length ? lines.map((l) => l.replace(/\u00a0/g, ' ').trim()) : [''];
}

export function ellipsize(s, max, keepEnd = false) {
  s = String(s ?? '');
  if (max < 2 || s.length <= max) return s;
  return keepEnd ? '…' + s.slice(s.length - max + 1) : s.slice(0, max - 1) + '…';
}

// shortImage keeps the repository's last path element and the tag:
// "registry.example/team/hellok8s:v3" → "hellok8s:v3".
export function shortImage(image) {
  const s = String(image || '');
  // A digest is cut to its first 8 hex digits; nobody reads more from afar.
  const at = s.indexOf('@');
  const name = at >= 0 ? s.slice(0, at) : s;
  const digest = at >= 0 ? '@' + s.slice(at + 1).replace(/^(sha256:)?([0-9a-f]{8})[0-9a-f]*$/, '$2') : '';
  const slash = name.lastIndexOf('/');
  return (slash >= 0 ? name.slice(slash + 1) : name) + digest;
}

// imageDiff shortens the second of two images when only the tag differs:
// ("hellok8s:v2", "hellok8s:v3") → ["hellok8s:v2", "v3"].
export function imageDiff(a, b) {
  a = shortImage(a);
  b = shortImage(b);
  const ia = a.lastIndexOf(':');
  const ib = b.lastIndexOf(':');
  if (ia > 0 && ib > 0 && a.slice(0, ia) === b.slice(0, ib)) return [a, b.slice(ib + 1)];
  return [a, b];
}

// pad2 zero-pads to two digits.
const pad2 = (n) => String(n).padStart(2, '0');

// formatTime renders an RFC 3339 time as HH:MM:SS in the viewer's local
// time (or UTC when utc is set, for tests). Bad input gives "--:--:--".
export function formatTime(rfc3339, utc = false) {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return utc
    ? `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
    : `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

// formatAge renders a duration in kubectl's AGE style: 45s, 3m, 2h, 5d.
export function formatAge(fromRFC3339, nowMs) {
  const t = new Date(fromRFC3339).getTime();
  if (Number.isNaN(t)) return '';
  let s = Math.max(0, Math.floor((nowMs - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

// resolveBudget turns a maxSurge/maxUnavailable value ("1", "25%", "") into
// a pod count for `replicas`, the way the Deployment controller does: surge
// rounds up, unavailable rounds down.
export function resolveBudget(value, replicas, roundUp) {
  const s = String(value ?? '').trim();
  if (s === '') return 0;
  if (s.endsWith('%')) {
    const pct = Number(s.slice(0, -1));
    if (!Number.isFinite(pct)) return 0;
    const x = (pct * replicas) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

// budgetInUse reports how much of a rolling update's budgets are spent: surge
// is pods beyond the desired count (across all of the Deployment's
// ReplicaSets), unavailable is desired pods that are not available.
export function budgetInUse(deploy, totalPods) {
  const desired = deploy.replicas | 0;
  return {
    surge: resolveBudget(deploy.strategy?.maxSurge, desired, true),
    unavailable: resolveBudget(deploy.strategy?.maxUnavailable, desired, false),
    surgeUsed: Math.max(0, (totalPods | 0) - desired),
    unavailableUsed: Math.max(0, desired - (deploy.available | 0)),
  };
}

// ordinal returns a StatefulSet pod's ordinal from its name, or -1.
export function ordinal(podName, setName) {
  const s = String(podName || '');
  if (setName && !s.startsWith(setName + '-')) return -1;
  const m = /-(\d+)$/.exec(s);
  return m ? Number(m[1]) : -1;
}

// idParts splits a protocol id into kind, namespace and name.
export function idParts(id) {
  const s = String(id || '');
  const i = s.indexOf('/');
  if (i < 0) return { kind: s, namespace: '', name: '' };
  const kind = s.slice(0, i);
  const rest = s.slice(i + 1);
  const j = rest.indexOf('/');
  if (kind === 'Node' || j < 0) return { kind, namespace: '', name: rest };
  return { kind, namespace: rest.slice(0, j), name: rest.slice(j + 1) };
}

// countBy counts pod display states.
export function countStates(pods) {
  const c = {};
  for (const p of pods) {
    const s = podState(p);
    c[s] = (c[s] || 0) + 1;
  }
  return c;
}
