// A guided lesson (GET /api/lesson): the steps a speaker walks through. This
// module holds the lesson's state and the panel's text; app.js wires it to
// the keys, the focus, the layers and, in a replay, the timeline.
//
// A step is done when a happening arriving on the stream matches its until
// (kind, ref when given, every param given); the page then says so and
// offers the next step. Moving between steps is the speaker's: ← and →.

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

const WORDS = {
  en: { step: 'Step {n} of {count}', type: 'Type', waiting: 'Waiting for the cluster…', done: 'Done — → for the next step', last: 'Done — that was the last step', problem: 'The lesson file has a problem' },
  'zh-CN': { step: '第 {n} 步，共 {count} 步', type: '输入', waiting: '等待集群……', done: '完成 — 按 → 进入下一步', last: '完成 — 这是最后一步', problem: '课程文件有问题' },
};

function words(lang) {
  return /^zh\b/i.test(String(lang || '')) ? WORDS['zh-CN'] : WORDS.en;
}

// Lesson is the state of one lesson on one page: the step shown and which
// steps are done. markers (a replay's) give each step's timeline marker.
export class Lesson {
  constructor(state) {
    this.lesson = state?.lesson || { steps: [] };
    this.markers = state?.markers || [];
    this.error = state?.error || '';
    this.index = 0;
    this.done = new Set();
  }

  get steps() { return this.lesson.steps || []; }

  get step() { return this.steps[this.index]; }

  // go moves to step i (clamped) and returns it, or null when it did not
  // move. In a replay a step with a marker is done once sought to.
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
    const w = words(lang);
    const s = this.step;
    const count = this.steps.length;
    if (!s) return { title: pick(this.lesson.title, lang), text: '', error: this.error ? `${w.problem}: ${this.error}` : '' };
    const done = this.done.has(this.index);
    let state = '';
    if (s.until) state = done ? (this.index === count - 1 ? w.last : w.done) : w.waiting;
    return {
      lesson: pick(this.lesson.title, lang),
      step: w.step.replace('{n}', this.index + 1).replace('{count}', count),
      title: pick(s.title, lang),
      text: pick(s.text, lang),
      command: s.command || '',
      type: w.type,
      state,
      done,
      error: this.error ? `${w.problem}: ${this.error}` : '',
    };
  }
}
