// A guided lesson (GET /api/lesson): the steps a speaker walks through. This
// module holds the lesson's state and the panel's text; app.js wires it to
// the keys, the focus, the layers and, in a replay, the timeline.
//
// A step is done when a happening arriving on the stream matches its until
// (kind, ref when given, every param given); the page then says so and
// offers the next step. Moving between steps is the speaker's: ← and →.

import { messages } from './i18n.js';

// matches reports whether happening h completes a step waiting for until,
// exactly as the server's lesson.Until.Matches decides it.
export function matches(until, h) {
  if (!until || !h || h.kind !== until.kind) return false;
  if (until.ref && h.ref !== until.ref) return false;
  for (const [k, v] of Object.entries(until.params || {})) {
    if ((h.params || {})[k] !== v) return false;
  }
  return true;
}

// pick returns a text of the lesson in lang (any Chinese tag reads zh-CN),
// English otherwise.
export function pick(text, lang) {
  if (!text) return '';
  return /^zh\b/i.test(String(lang || '')) ? (text['zh-CN'] || text.en || '') : (text.en || '');
}

// words returns the panel's message id in lang, from the page's tables
// (i18n.js), with its placeholders filled.
function words(lang, id, params = {}) {
  const table = /^zh\b/i.test(String(lang || '')) ? messages['zh-CN'] : messages.en;
  return (table[id] ?? messages.en[id] ?? id).replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? '?'));
}

// Lesson is the state of one lesson on one page: the step shown and which
// steps are done. markers (a replay's) give each step's timeline marker.
export class Lesson {
  constructor(state) {
    this.index = 0;
    this.done = new Set();
    this.update(state);
  }

  // update takes a newer answer of GET /api/lesson (the file was fixed, or
  // broke again: the last good lesson stays, with the problem beside it).
  // The step shown stays, clamped; a changed lesson forgets what was done.
  update(state) {
    const next = state?.lesson || { steps: [] };
    if (JSON.stringify(next) !== JSON.stringify(this.lesson)) this.done = new Set();
    this.lesson = next;
    this.markers = state?.markers || [];
    this.error = state?.error || '';
    this.index = Math.max(0, Math.min(this.steps.length - 1, this.index));
  }

  get steps() { return this.lesson.steps || []; }

  get step() { return this.steps[this.index]; }

  // go moves to step i (clamped) and returns it, or null when it did not
  // move.
  go(i) {
    const to = Math.max(0, Math.min(this.steps.length - 1, i));
    if (to === this.index || !this.steps.length) return null;
    this.index = to;
    return this.step;
  }

  next() { return this.go(this.index + 1); }

  prev() { return this.go(this.index - 1); }

  // marker is the timeline marker the current step seeks to in a replay,
  // or -1 (stay).
  marker() {
    const m = this.markers[this.index];
    return Number.isInteger(m) ? m : -1;
  }

  // sought says the replay now shows the current step's happening: the
  // step is done (a seek sends a snapshot, not the happening's delta).
  sought() {
    if (this.step?.until && this.marker() >= 0) this.done.add(this.index);
  }

  // happened takes the happenings of a delta and reports whether one of
  // them completed the current step.
  happened(list) {
    const s = this.step;
    if (!s?.until || this.done.has(this.index)) return false;
    if (!(list || []).some((h) => matches(s.until, h))) return false;
    this.done.add(this.index);
    return true;
  }

  // view is what the panel shows in lang.
  view(lang) {
    const s = this.step;
    const count = this.steps.length;
    const error = this.error ? `${words(lang, 'lesson.problem')}: ${this.error}` : '';
    if (!s) return { lesson: pick(this.lesson.title, lang), step: '', title: '', text: '', command: '', type: '', state: '', done: false, error };
    const done = this.done.has(this.index);
    let state = '';
    if (s.until) state = words(lang, done ? (this.index === count - 1 ? 'lesson.last' : 'lesson.done') : 'lesson.waiting');
    return {
      lesson: pick(this.lesson.title, lang),
      step: words(lang, 'lesson.step', { n: this.index + 1, count }),
      title: pick(s.title, lang),
      text: pick(s.text, lang),
      command: s.command || '',
      type: words(lang, 'lesson.type'),
      state,
      done,
      error,
    };
  }
}

// lessonURL is where the page asks for its lesson, relative to the page so
// that Podium works behind a path prefix.
export const lessonURL = (base) => new URL('api/lesson', base).toString();

// fetchLesson asks GET /api/lesson: null without a lesson (404), the state
// when there is one, {error} while the file has never been good (422).
// Anything else (a network failure) throws: the caller keeps what it has.
export async function fetchLesson(fetchImpl, base) {
  const r = await fetchImpl(lessonURL(base), { headers: { Accept: 'application/json' } });
  if (r.status === 404) return null;
  let body = {};
  try {
    body = await r.json();
  } catch {
    body = {};
  }
  if (r.status === 422) return { error: String(body.error || 'the lesson file is not valid') };
  if (!r.ok) throw new Error(`GET api/lesson: ${r.status}`);
  return body;
}

// Panel draws a Lesson into the page's lesson panel (page.templ) and holds
// what the page does on a step: apply(step) sets its focus and layers,
// seek(marker) moves a replay's timeline, moved() tells the audience link.
// A follower's panel only shows: the presenter's page moves it.
export class Panel {
  constructor({ el, lang, apply = () => {}, seek = () => {}, moved = () => {}, follower = false }) {
    this.el = el;
    this.lang = lang;
    this.apply = apply;
    this.seek = seek;
    this.moved = moved;
    this.follower = follower;
    this.lesson = null;
    this.$ = (id) => el.querySelector(`[data-testid="${id}"]`);
    el.querySelector('[data-testid="lesson-prev"]')?.addEventListener('click', () => this.move(-1));
    el.querySelector('[data-testid="lesson-next"]')?.addEventListener('click', () => this.move(1));
  }

  // has reports whether there are steps to move between.
  get has() { return !!this.lesson?.steps.length; }

  // take shows a state of GET /api/lesson (null: no lesson, nothing shown).
  // The first good lesson enters its first step.
  take(state) {
    if (!state) {
      this.lesson = null;
      this.draw();
      return;
    }
    const first = !this.has;
    if (this.lesson) this.lesson.update(state);
    else this.lesson = new Lesson(state);
    if (first && this.has) this.enter(false);
    this.draw();
  }

  // move steps by dir (±1) as the speaker does; false when there is no step
  // there.
  move(dir) {
    if (!this.has || this.follower) return false;
    if (!this.lesson.go(this.lesson.index + dir)) return false;
    this.enter(true);
    this.draw();
    return true;
  }

  // show moves to step i as the presenter's page says (a follower);
  // sought: the presenter's replay shows the step's happening.
  show(i, sought = false) {
    if (!this.has || i < 0) return;
    this.lesson.go(i);
    if (sought) this.lesson.sought();
    this.draw();
  }

  // enter applies the step shown: its focus and layers, and in a replay
  // (only when the speaker moved, not when the page opens) its marker.
  enter(seek) {
    const s = this.lesson.step;
    if (this.follower || !s) return;
    this.apply(s);
    const m = this.lesson.marker();
    if (seek && m >= 0) {
      this.seek(m);
      this.lesson.sought();
    }
    this.moved();
  }

  // happened passes a delta's happenings to the lesson.
  happened(list) {
    if (this.lesson?.happened(list)) this.draw();
  }

  draw() {
    const el = this.el;
    const l = this.lesson;
    el.hidden = !l;
    if (!l) return;
    const v = l.view(this.lang());
    const set = (id, text) => {
      const n = this.$(id);
      if (!n) return;
      n.textContent = text;
      n.hidden = !text;
    };
    set('lesson-step', v.step);
    set('lesson-title', v.title || v.lesson);
    set('lesson-text', v.text);
    set('lesson-state', v.state);
    set('lesson-error', v.error);
    const cmd = this.$('lesson-command');
    if (cmd) {
      cmd.hidden = !v.command;
      cmd.querySelector('.lesson-type').textContent = v.type;
      cmd.querySelector('code').textContent = v.command;
    }
    el.dataset.step = String(l.steps.length ? l.index : -1);
    el.dataset.state = v.error && !l.steps.length ? 'error' : !l.step?.until ? 'none' : v.done ? 'done' : 'waiting';
    el.dataset.error = String(!!v.error);
    this.$('lesson-prev')?.toggleAttribute('disabled', l.index === 0);
    this.$('lesson-next')?.toggleAttribute('disabled', l.index >= l.steps.length - 1);
  }
}
