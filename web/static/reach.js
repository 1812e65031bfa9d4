// Reachability (the netpol layer): who may talk to a focused pod, as the
// server computes it from the NetworkPolicies (GET /api/reachability?pod=ID).
// The fetcher keeps it cheap and safe: one request in flight, a short
// debounce while the focus moves, answers for a pod no longer wanted
// dropped, and an error kept as a message for the panel, never thrown.
// Pure (no DOM): node --test drives it with a fake fetch and fake timers.

import { esc } from './render.js';
import { t } from './i18n.js';

export const REACH_DEBOUNCE_MS = 120;

// ReachFetcher asks for one pod's reachability at a time. want(id) says
// which pod is focused ('' for none); state is {pod, data} or {pod, error}
// for the last answer about the pod still wanted, or null. A Service id
// asks ?service= instead (is it reachable from the ingress controller's
// namespace?), and its answer names the Service instead of the pod.
export class ReachFetcher {
  // (The timers are wrapped: a browser's setTimeout called as a method of
  // another object throws "Illegal invocation".)
  constructor({ fetch, onResult = () => {}, delay = REACH_DEBOUNCE_MS, setTimer = (f, ms) => setTimeout(f, ms), clearTimer = (id) => clearTimeout(id) } = {}) {
    this.fetch = fetch;
    this.onResult = onResult;
    this.delay = delay;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.wanted = '';
    this.state = null;
    this.inFlight = '';
    this.timer = null;
    this.requests = 0; // for tests: how many were sent
  }

  want(pod) {
    pod = String(pod || '');
    if (pod === this.wanted) return;
    this.wanted = pod;
    if (this.timer) this.clearTimer(this.timer);
    this.timer = null;
    if (this.state && this.state.pod !== pod) this.state = null;
    if (!pod) return;
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.start();
    }, this.delay);
  }

  start() {
    // One in flight: the answer's arrival asks again if the focus moved.
    if (this.inFlight || !this.wanted || this.state?.pod === this.wanted) return;
    const pod = this.wanted;
    this.inFlight = pod;
    this.requests++;
    let p;
    try {
      const param = pod.startsWith('Service/') ? 'service' : 'pod';
      p = Promise.resolve(this.fetch(`/api/reachability?${param}=${encodeURIComponent(pod)}`));
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(async (res) => {
      if (!res.ok) {
        // The server's errors are {"error": "…"}; anything else as text.
        let body = String(await res.text().catch(() => '')).trim();
        try {
          body = JSON.parse(body)?.error || body;
        } catch {
          // not JSON: the text itself
        }
        throw new Error(`${res.status} ${String(body).slice(0, 160) || res.statusText || ''}`.trim());
      }
      const data = await res.json();
      if (!data || typeof data !== 'object' || (data.pod ?? data.service) !== pod) throw new Error('unexpected answer');
      return { pod, data };
    }).catch((err) => ({ pod, error: String(err?.message || err) })).then((st) => {
      this.inFlight = '';
      if (st.pod === this.wanted) {
        this.state = st;
        this.onResult(st);
      } else this.start();
    });
  }
}

const podIds = (list, key) => new Set((list || []).map((a) => a?.[key]).filter((id) => typeof id === 'string' && id.startsWith('Pod/')));

// reachSets turns an answer into the pods to light: in (may reach the
// pod), out (the pod may reach). The server lists the allowed peers even
// for a direction that is not isolated (the peer's own policies still
// count); an answer without a list lets every pod through a direction that
// is not isolated.
export function reachSets(data, nodes) {
  const all = () => new Set([...nodes.values()].filter((n) => n.kind === 'Pod' && n.id !== data.pod).map((n) => n.id));
  const side = (d, key) => (Array.isArray(d?.allowed) ? podIds(d.allowed, key) : d?.isolated === false ? all() : new Set());
  const inSet = side(data.ingress, 'from');
  const outSet = side(data.egress, 'to');
  inSet.delete(data.pod);
  outSet.delete(data.pod);
  return { pod: data.pod, in: inSet, out: outSet };
}

const shortId = (id) => String(id || '').split('/').slice(1).join('/') || String(id || '');

// ruleText names the rule that allows a peer ("web-allow-api rule 1",
// 1-based) and its ports; '' for a side that is not isolated.
const ruleText = (a) => [a.policy ? t('reach.rule', { policy: shortId(a.policy), rule: Number.isInteger(a.rule) ? a.rule + 1 : '?' }) : '', (a.ports || []).join(', ')].filter(Boolean).join(' · ');

// beyondText is one thing allowed outside the graph: anywhere, a namespace
// (and pod) selector, or an ipBlock.
function beyondText(b) {
  if (typeof b === 'string') return b;
  let what;
  if (b?.anywhere) what = t('reach.anywhere');
  else if (b?.ipBlock) what = b.ipBlock.cidr + ((b.ipBlock.except || []).length ? ` −${b.ipBlock.except.join(',')}` : '');
  else if (b?.namespaces !== undefined) what = [t('np.ns', { sel: b.namespaces || t('np.allNamespaces') }), b.pods ?? ''].filter(Boolean).join(' ');
  else what = JSON.stringify(b);
  const rule = ruleText(b || {});
  return rule ? `${what} (${rule})` : what;
}

function dirHTML(dir, side, key) {
  if (!side) return '';
  let s = `<h4>${esc(t(dir === 'ingress' ? 'reach.ingress' : 'reach.egress'))}</h4>`;
  if (side.isolated === false) s += `<p class="reach-open">${esc(t('reach.open'))}</p>`;
  const allowed = side.allowed || [];
  if (!allowed.length && side.isolated !== false) s += `<p class="reach-none">${esc(t('reach.none'))}</p>`;
  if (allowed.length) {
    s += `<ul class="reach-list" data-testid="reach-${dir}">` + allowed.map((a) => {
      const rule = ruleText(a);
      return `<li data-peer="${esc(a[key])}"><strong>${esc(shortId(a[key]))}</strong>${rule ? ' · ' + esc(rule) : ''}</li>`;
    }).join('') + '</ul>';
  }
  if ((side.hidden | 0) > 0) s += `<p class="reach-hidden muted">${esc(t('reach.hidden', { count: side.hidden | 0 }))}</p>`;
  const beyond = (side.beyond || []).map(beyondText);
  if (beyond.length) s += `<p class="reach-beyond">${esc(t('reach.beyond', { list: beyond.join(', ') }))}</p>`;
  return s;
}

// reachHTML is the details panel's section for a focused pod: the peers
// allowed each way with policy, rule and ports, or the error, and always
// the caveat that this is policy as declared.
export function reachHTML(state) {
  let s = `<h3>${esc(t('reach.title'))}</h3>`;
  if (!state) s += `<p class="muted">${esc(t('reach.loading'))}</p>`;
  else if (state.error) s += `<p class="reach-error bad" data-testid="reach-error">${esc(t('reach.error', { detail: state.error }))}</p>`;
  else s += dirHTML('ingress', state.data.ingress, 'from') + dirHTML('egress', state.data.egress, 'to');
  return s + `<p class="reach-caveat" data-testid="reach-caveat">${esc(t('reach.caveat'))}</p>`;
}

// serviceCutOff reports whether a Service's answer says none of the pods it
// selects can be reached from where its traffic comes from (the ingress
// controller's namespace, data.from): every selected pod is unreachable.
// selected are the pod ids the Service selects; none selected, no flag.
export function serviceCutOff(data, selected) {
  if (!data || !selected.length) return false;
  const un = new Set(data.unreachable || []);
  return selected.every((id) => un.has(id));
}
