// The text an edge carries beside its path: a route's share of its rule's
// traffic, the bindings behind a grant, a broken reference, an aggregate's
// count. One home for the page (render.js) and the server's SVG
// (svgview.js), so /api/graph.svg says what the page says.

import { ellipsize, fitText } from './format.js';
import { GEOM } from './layout.js';
import { t } from './i18n.js';

// grantsLabel is the bindings a grants edge into a role stands for:
// "web-view in shop" for a RoleBinding that confines a ClusterRole.
export const grantsLabel = (bindings) => (bindings || []).map((b) => (b.ns ? t('grants.in', { binding: b.name, ns: b.ns }) : b.name)).join(', ');

// edgeLabel is the label of a laid-out edge e, as {text, cls, anchor} (its
// place is e.lx, e.ly), or null when it has none or no place.
export function edgeLabel(e) {
  const label = e.kind === 'mounts' || e.kind === 'runs-as' ? (e.state === 'broken' || e.state === 'dangling' ? t('mount.broken') : '')
    : e.kind === 'grants' ? grantsLabel(e.bindings) : e.kind === 'isolates' ? '' : e.agg ? `×${e.count}` : e.label || '';
  if (!label || e.lx === undefined) return null;
  return {
    // A grants label has the room above its role, and says every binding.
    text: e.kind === 'grants' ? fitText(label, GEOM.refCol.w - 16, 13) : ellipsize(label, 22),
    cls: e.kind === 'mounts' || e.kind === 'runs-as' ? 'edge-label bad' : e.kind === 'grants' ? 'edge-label grants-label' : 'edge-label',
    anchor: e.kind === 'routes' || e.kind === 'grants' ? 'start' : 'end',
  };
}
