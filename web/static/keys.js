// Keyboard shortcuts: one list drives both the handler (presenter.js, plus
// the older keys in app.js) and the help overlay, so the help never lies.

// SHORTCUTS in help order: keys as shown, and the message id of the text.
export const SHORTCUTS = [
  { keys: ['?'], id: 'key.help' },
  { keys: ['p'], id: 'key.presenter' },
  { keys: ['f'], id: 'key.fit' },
  { keys: ['/'], id: 'key.search' },
  { keys: ['l'], id: 'key.lang' },
  { keys: ['t'], id: 'key.theme' },
  // With a lesson they move between its steps (lesson.js); without one,
  // in a replay, between happenings (presenter.js).
  { keys: ['←', '→'], id: 'key.lesson' },
  { keys: ['+', '−'], id: 'key.zoom' },
  { keys: ['d'], id: 'key.latency' },
  { keys: ['s', 'c', 'j', 'a', 'w', 'i', 'n', 'q'], id: 'key.layers' },
  { keys: ['dblclick'], id: 'key.focus' },
  { keys: ['Esc'], id: 'key.escape' },
];

// actionFor maps a keydown to what presenter.js does, or '' to leave it to
// app.js (f, /, t, zoom) or the browser. Typing in a field and chords with
// Ctrl, Alt or Meta are never shortcuts.
export function actionFor(ev) {
  if (!ev || ev.ctrlKey || ev.metaKey || ev.altKey) return '';
  const tag = String(ev.target?.tagName || '').toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || ev.target?.isContentEditable) return '';
  switch (ev.key) {
    case '?':
      return 'help';
    case 'p':
    case 'P':
      return 'presenter';
    case 'l':
    case 'L':
      return 'lang';
    case 'd':
    case 'D':
      return 'latency';
    case 'ArrowLeft':
      return 'prev';
    case 'ArrowRight':
      return 'next';
    case 'Escape':
      return 'escape';
    default:
      return '';
  }
}

// LAYER_KEYS turn a layer on or off (app.js); layout.js's LAYERS names
// them. Each is the layer's initial, so the help line reads as a key.
export const LAYER_KEYS = Object.freeze({ s: 'storage', c: 'config', j: 'jobs', a: 'autoscaling', w: 'warnings', i: 'identity', n: 'netpol', q: 'quotas' });

// layerFor maps a keydown to the layer it toggles, or ''. Like actionFor,
// typing in a field and chords are never shortcuts.
export function layerFor(ev) {
  if (!ev || ev.ctrlKey || ev.metaKey || ev.altKey) return '';
  const tag = String(ev.target?.tagName || '').toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || ev.target?.isContentEditable) return '';
  return LAYER_KEYS[String(ev.key || '').toLowerCase()] || '';
}

// nextLang is the language the l key switches to.
export function nextLang(lang) {
  return String(lang || '').toLowerCase().startsWith('zh') ? 'en' : 'zh-CN';
}
