// The audience link (server/follow.go): the presenter's page leads, every
// page opened with ?follow=1 (or the short link /f) follows its lesson
// step, focus, layers and presenter mode, each in its own language.
//
// Only the page opened with the presenter's link (?lead=SECRET, printed at
// start) leads. It keeps the secret in sessionStorage and takes it out of
// the address at once, so a projected or shared URL never shows it, and
// sends its state (POST api/follow, X-Podium-Lead) whenever it changes. A
// follower never sends: it long-polls GET api/follow and, when the
// connection drops, asks again with a growing, bounded delay, from version
// 0, so it rejoins at the presenter's current state.
//
// The pure parts are exported for node --test (web/test/follow.test.js).

export const LEAD_KEY = 'podium-lead';
export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 15000;

// takeLead reads ?lead= from href: it stores the secret in storage and
// returns it with the address to show instead (without lead). Without one
// in the address, the secret this tab stored before (a reload) is used.
export function takeLead(href, storage) {
  const u = new URL(href);
  const fromURL = u.searchParams.get('lead');
  let secret = '';
  if (fromURL) {
    secret = fromURL;
    u.searchParams.delete('lead');
    try {
      storage?.setItem(LEAD_KEY, secret);
    } catch {
      // storage off: this page still leads until it is reloaded
    }
  } else {
    try {
      secret = storage?.getItem(LEAD_KEY) || '';
    } catch {
      secret = '';
    }
  }
  return { secret, href: fromURL ? u.toString().replace(/%2C/g, ',').replace(/%2F/g, '/') : href };
}

// isFollower reads ?follow=1 (any value but 0/false/no).
export function isFollower(href) {
  const p = new URL(href).searchParams;
  if (!p.has('follow')) return false;
  return !['0', 'false', 'no'].includes(p.get('follow').toLowerCase());
}

// followerLink is the short link the audience types or scans: /f beside
// the page, which the server redirects to ?follow=1.
export function followerLink(href) {
  const u = new URL('f', href);
  u.search = '';
  u.hash = '';
  return u.toString();
}

// backoff is the wait before the attempt-th retry (0 is the first): it
// doubles from BACKOFF_MIN_MS and stays at BACKOFF_MAX_MS.
export function backoff(attempt) {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, Math.min(attempt, 20)));
}

// leadState is the body of POST api/follow (server FollowState, without
// version): what a follower shows.
export function leadState({ step = -1, focus = '', layers = [], presenter = false, marker = -1 } = {}) {
  return { step: Number.isInteger(step) ? step : -1, focus: String(focus || ''), layers: [...layers].sort(), presenter: !!presenter, marker: Number.isInteger(marker) ? marker : -1 };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Leader sends the presenter's state, one request at a time: a change made
// while one is in flight is sent after it (only the newest). onResult gets
// '' when the followers have it, or the problem; a refused secret (403: an
// old link, Podium restarted) stops leading and is forgotten.
export class Leader {
  constructor({ fetchImpl, base, secret, storage, onResult = () => {} }) {
    this.fetch = fetchImpl;
    this.url = new URL('api/follow', base).toString();
    this.secret = secret;
    this.storage = storage;
    this.onResult = onResult;
    this.sent = null;
    this.want = null;
    this.busy = false;
    this.refused = false;
  }

  // send asks to send st unless it is what the followers already have.
  async send(st) {
    if (this.refused) return;
    this.want = leadState(st);
    if (this.busy || same(this.want, this.sent)) return;
    this.busy = true;
    try {
      while (this.want && !same(this.want, this.sent) && !this.refused) {
        const body = this.want;
        let problem = '';
        try {
          const r = await this.fetch(this.url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Podium-Lead': this.secret }, body: JSON.stringify(body) });
          if (r.ok) this.sent = body;
          else if (r.status === 403 || r.status === 401) {
            this.refused = true;
            try {
              this.storage?.removeItem(LEAD_KEY);
            } catch {
              // nothing stored
            }
            problem = 'refused';
          } else {
            problem = String((await r.json().catch(() => ({}))).error || r.status);
          }
        } catch (err) {
          problem = String(err?.message || err);
        }
        this.onResult(problem);
        // A failure other than a refusal is tried again with the next change.
        if (problem) break;
      }
    } finally {
      this.busy = false;
    }
  }
}

// Follower long-polls the presenter's state and hands every new version to
// apply. onState says 'on', 'lost' (with the delay before the next try) or
// 'none' (this Podium has no audience link: 404, polling stops). sleep and
// fetchImpl are injectable for tests; stop() ends the loop.
export class Follower {
  constructor({ fetchImpl, base, apply, onState = () => {}, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) }) {
    this.fetch = fetchImpl;
    this.base = base;
    this.apply = apply;
    this.onState = onState;
    this.sleep = sleep;
    this.version = 0;
    this.stopped = false;
    this.failures = 0;
  }

  stop() { this.stopped = true; }

  // once asks for one answer; it returns false when the loop must stop.
  async once() {
    const u = new URL('api/follow', this.base);
    u.searchParams.set('since', String(this.version));
    let r;
    try {
      r = await this.fetch(u.toString(), { headers: { Accept: 'application/json' }, cache: 'no-store' });
    } catch {
      r = null;
    }
    if (r?.status === 404) {
      this.onState('none');
      return false;
    }
    let st = null;
    if (r?.ok) {
      try {
        st = await r.json();
      } catch {
        st = null;
      }
    }
    if (!st || typeof st.version !== 'number') {
      // Lost (or a bad answer): wait, then ask from 0, which answers at
      // once with the current state even if the server restarted and
      // counts versions from 0 again.
      const ms = backoff(this.failures++);
      this.version = 0;
      this.onState('lost', ms);
      await this.sleep(ms);
      return !this.stopped;
    }
    this.failures = 0;
    this.onState('on');
    // Version 0: nobody has led yet; nothing to follow.
    if (st.version > 0 && st.version !== this.version) this.apply(st);
    this.version = st.version;
    return !this.stopped;
  }

  async run() {
    while (!this.stopped && (await this.once()));
  }
}

// The keys that would lead: lesson steps and the replay's own keys
// (replay.js: space, k, [ and ]). A follower's page swallows them.
const LEADING_KEYS = new Set(['ArrowLeft', 'ArrowRight', ' ', 'k', '[', ']']);

// leadingKey reports whether a keydown would lead (outside fields).
export function leadingKey(ev) {
  if (!ev || ev.ctrlKey || ev.metaKey || ev.altKey) return false;
  const tag = String(ev.target?.tagName || '').toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return false;
  return LEADING_KEYS.has(ev.key);
}

// readOnlyFetch wraps fetch so that nothing but GET (and HEAD) leaves a
// follower's page: the replay controls and the lesson's seek would
// otherwise steer the presenter's replay for everyone.
export function readOnlyFetch(fetchImpl) {
  return (input, init) => {
    const method = String(init?.method || input?.method || 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return Promise.reject(new Error(`a follower's page does not send (${method})`));
    return fetchImpl(input, init);
  };
}

// install wires the audience link into the page (app.js). page gives:
// doc, base (the page's address), secret ('' unless this page leads),
// follower, state() (what a leader sends), apply(st) (what a follower
// does with the presenter's state) and t (the page's words). It returns
// changed(), to call when the state may have changed outside what the
// body's data attributes show, and relabel(), for a language switch.
export function install({ doc, base, secret, follower, state, apply, t, fetchImpl }) {
  const body = doc.body;
  const $ = (id) => doc.querySelector(`[data-testid="${id}"]`);
  const status = $('follow');
  const audience = $('audience');
  let note = () => '';
  const show = () => {
    const text = note();
    if (!status) return;
    status.hidden = !text;
    status.textContent = text;
  };

  if (follower) {
    body.dataset.follow = 'true';
    // Capture, before app.js, presenter.js and replay.js see the key.
    doc.defaultView.addEventListener('keydown', (ev) => {
      if (leadingKey(ev)) ev.stopImmediatePropagation();
    }, true);
    const f = new Follower({
      fetchImpl, base, apply,
      onState(st, ms) {
        status.dataset.state = st;
        note = () => (st === 'on' ? t('follow.on') : st === 'lost' ? t('follow.lost', { seconds: Math.round(ms / 1000) }) : t('follow.none'));
        show();
      },
    });
    f.run();
    return { changed() {}, relabel: show, follower: f };
  }
  if (!secret) return { changed() {}, relabel() {} };

  // The presenter's page: the QR code and the short link, shown in
  // presenter mode (lesson.css), and its state sent on every change.
  body.dataset.lead = 'true';
  const link = followerLink(base);
  if (audience) {
    const img = audience.querySelector('img');
    img.src = new URL(`api/qr.svg?text=${encodeURIComponent(link)}`, base).toString();
    audience.querySelector('.audience-url').textContent = link.replace(/^https?:\/\//, '');
    audience.hidden = false;
  }
  const leader = new Leader({
    fetchImpl, base, secret, storage: safeSession(doc.defaultView),
    onResult(problem) {
      if (status) status.dataset.state = problem ? 'lead-error' : 'lead';
      note = () => (!problem ? '' : problem === 'refused' ? t('follow.leadLost') : t('follow.leadFailed', { detail: problem }));
      show();
      if (problem === 'refused') {
        delete body.dataset.lead;
        if (audience) audience.hidden = true;
      }
    },
  });
  const changed = () => leader.send(state());
  new MutationObserver(changed).observe(body, { attributes: true, attributeFilter: ['data-presenter', 'data-focus', 'data-layers'] });
  changed();
  return { changed, relabel: show, leader };
}

// safeSession is sessionStorage, or null where the browser refuses it.
export function safeSession(win) {
  try {
    return win?.sessionStorage || null;
  } catch {
    return null;
  }
}
