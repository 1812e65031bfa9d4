// The addresses of the page's requests about the graph, /ws and /api/graph,
// for a view (namespaces, label selector) of the page's cluster: relative
// to the page, so Podium works behind a path prefix; and what a page
// address names. A leaf module, so that first.js can ask for the first
// picture before the app has loaded.

// What a page address names: its cluster, namespaces and label selector.

// clusterOf is the cluster a page address names ('' for the server's first).
export function clusterOf(href) {
  return (new URL(href).searchParams.get('cluster') || '').trim();
}

// pageNamespaces reads the namespaces of a page address (?namespace=a,b).
export function pageNamespaces(href) {
  return (new URL(href).searchParams.get('namespace') || '').split(',').map((s) => s.trim()).filter(Boolean);
}

// pageSelector reads the selector of a page address, "" for none. The
// parameter repeated means all of them, as the server reads it.
export function pageSelector(href) {
  return new URL(href).searchParams.getAll('selector').map((s) => s.trim()).filter(Boolean).join(',');
}

// viewAddress is the address of path for the view: the page's cluster,
// namespaces (a list) and selector ("" for none), then extra parameters.
function viewAddress(path, pageHref, namespaces, selector, extra = []) {
  const u = new URL(path, pageHref);
  u.search = '';
  u.hash = '';
  const q = [];
  const cluster = clusterOf(pageHref);
  if (cluster) q.push('cluster=' + encodeURIComponent(cluster));
  if (namespaces && namespaces.length) q.push('namespace=' + namespaces.map(encodeURIComponent).join(','));
  if (selector) q.push('selector=' + encodeURIComponent(selector));
  q.push(...extra);
  u.search = q.length ? '?' + q.join('&') : '';
  return u;
}

// wsURL is the /ws address for the view; resume is {epoch, since} or null.
export function wsURL(pageHref, namespaces, resume, selector = '') {
  const extra = resume && resume.epoch ? ['epoch=' + encodeURIComponent(resume.epoch), 'since=' + resume.since] : [];
  const u = viewAddress('ws', pageHref, namespaces, selector, extra);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

// graphURL is the /api/graph address for the view: its snapshot.
export function graphURL(pageHref, namespaces, selector = '') {
  return viewAddress('api/graph', pageHref, namespaces, selector).toString();
}
