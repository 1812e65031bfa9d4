// English strings of the presenter features (issue 7): presenter mode, focus,
// keyboard help, export and the latency readout. i18n.js merges them into its
// English table; their zh-CN forms are in i18n-zh.js with everything else.

export const presenterEN = {
  'lang.other': '中文', // the button names the language it switches to
  'canvas.label': 'Cluster topology',
  'lang.switch': 'Language: English / 中文 (l)',

  'btn.presenter': 'Presenter',
  'btn.presenter.title': 'Presenter mode: large type, no chrome (p)',
  'btn.help': 'Keyboard shortcuts (?)',
  'btn.exportSVG': 'SVG',
  'btn.exportSVG.title': 'Download the current view as SVG',
  'btn.exportPNG': 'PNG',
  'btn.exportPNG.title': 'Download the current view as PNG',
  'btn.latency': 'Latency readout (d)',

  'help.title': 'Keyboard shortcuts',
  'help.close': 'Close (Esc)',
  'key.help': 'Show or hide this help',
  'key.presenter': 'Presenter mode',
  'key.fit': 'Fit the picture to the screen',
  'key.search': 'Search by name',
  'key.lang': 'Switch language (English / 中文)',
  'key.theme': 'Light or dark theme',
  'key.steps': 'Previous / next happening (replay)',
  'key.zoom': 'Zoom in / out',
  'key.focus': 'Focus on the selected object; Esc clears it',
  'key.latency': 'Show or hide the latency readout',
  'key.export': 'Download SVG / PNG',
  'key.escape': 'Close panels, clear the focus',

  'focus.label': 'Focus: {what}',
  'focus.clear': 'Clear the focus (Esc)',
  'focus.namespace': 'namespace {ns}',
  'focus.missing': '{what} is not in the picture',
  'focus.button': 'Focus on this',

  'latency.title': 'Latency',
  'latency.server': 'server → paint',
  'latency.event': 'event → paint',
  'latency.rate': '{rate} events/s',
  'latency.none': 'waiting for a change…',
  'latency.value': 'p50 {p50} ms · p95 {p95} ms · last {last} ms',

  'export.failed': 'Export failed: {detail}',

  // A workload, Service or Ingress created or deleted, and a Service's
  // ready endpoints moving (informers/graph/created.go).
  'happening.created': '{kind} {name} created',
  'happening.deleted': '{kind} {name} deleted',
  'happening.endpoints': 'Service {name}: ready endpoints {from} → {to}',
};
