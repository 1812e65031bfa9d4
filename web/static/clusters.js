// Several clusters (issue #16): the page shows one cluster, named by
// ?cluster= (none: the server's first), or several side by side, each in a
// frame of its own (the server's side-by-side page). Every request about the
// graph names the page's cluster; the header's picker moves the page (the
// whole window, from inside a frame) to another cluster or to all of them,
// keeping the rest of the view.

import { clusterOf } from './address.js';

export { clusterOf };

// withCluster adds the page's cluster to the address of a request about
// the graph (relative or absolute; returned as it was given, plus the
// parameter).
export function withCluster(address, pageHref) {
  const cluster = clusterOf(pageHref);
  if (!cluster) return address;
  return address + (address.includes('?') ? '&' : '?') + 'cluster=' + encodeURIComponent(cluster);
}

// clusterHref is the page address showing clusters (one name, or several
// comma-separated for side by side), with the rest of href's view kept.
export function clusterHref(href, clusters) {
  const u = new URL(href);
  u.searchParams.set('cluster', clusters);
  return u.toString();
}

// initClusterPicker wires the header's picker, when the server has several
// clusters. win is the page's window: from inside a side-by-side frame the
// choice moves the whole window.
export function initClusterPicker(doc = globalThis.document, win = globalThis.window) {
  // A frame of the side-by-side page has half a screen: its header keeps
  // the cluster, the namespaces and the connection (style.css).
  if (win.top && win.top !== win && doc.body) doc.body.dataset.framed = 'true';
  const select = doc.querySelector('[data-testid="cluster-select"]');
  if (!select) return;
  select.addEventListener('change', () => {
    const target = win.top && win.top !== win ? win.top : win;
    target.location.assign(clusterHref(win.location.href, select.value));
  });
}
