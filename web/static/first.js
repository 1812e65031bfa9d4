// The page's first picture, asked for as early as the page can: first.js is
// the page's first module and imports one leaf module, so its request to
// /api/graph leaves while app.js's modules are still loading, and the
// server's snapshot (20 MB of JSON at 20,000 pods, gzipped) is on its way
// before the app has started. conn.js takes it when its address is the
// view's (takeFirst).

import { graphURL, pageNamespaces, pageSelector } from './address.js';

// fetchGraph is the /api/graph answer at url, parsed, or null when there
// is none (an error status, a network failure, not JSON).
export function fetchGraph(url, fetchFn = globalThis.fetch) {
  return fetchFn(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : null))
    .catch(() => null);
}

// EARLY holds the early request, { url, answer }, on the global object: the
// page's script tag and app.js's import may load this module twice (as
// static/first.js?v=… and, where a CSP keeps the import map out, as
// static/first.js), and the request must be found from either.
const EARLY = Symbol.for('podium.first');

// askEarly asks for the view that the page address names.
export function askEarly(href, fetchFn = globalThis.fetch) {
  const url = graphURL(href, pageNamespaces(href), pageSelector(href));
  globalThis[EARLY] = { url, answer: fetchGraph(url, fetchFn) };
}

// takeFirst is the early answer when url is the one asked for (once: a
// later view asks again), else a request of its own.
export function takeFirst(url, fetchFn = globalThis.fetch) {
  const e = globalThis[EARLY];
  delete globalThis[EARLY];
  return e && e.url === url ? e.answer : fetchGraph(url, fetchFn);
}

// In the page, ask at once (once, however many times the module loads): not
// under node --test (no document), nor on an exported page, which plays the
// segment it carries and has no server.
const doc = globalThis.document;
if (doc && globalThis.location && !doc.getElementById('podium-segment') && !(EARLY in globalThis)) askEarly(globalThis.location.href);
