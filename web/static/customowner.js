// Custom owners (issue #16): a custom resource that controls workloads (an
// Argo Rollout, a CloudNativePG Cluster, a Strimzi Kafka) is drawn in the
// workloads column as the box of what it owns, as a Deployment is: its
// ReplicaSets are its lanes, and the pods it owns directly one more lane.
// Its title is its Kind and name ("Widget web"), its line its API group,
// and its Ready condition when Podium reads its status (--read-status).
// Pure, with no imports: layout.js runs in the server's JavaScript engine
// too (web/layoutjs.go), and the words come from the caller's t.

// CUSTOM_BOX is the box kind of a custom owner (its node's kind is its own:
// Widget, Rollout…), and the key the layout buckets them under.
export const CUSTOM_BOX = 'CustomOwner';

// isCustomOwner: a node of a custom owner kind carries its API group
// (docs/protocol.md); no built-in kind does.
export const isCustomOwner = (n) => !!n && typeof n.group === 'string' && n.group !== '' && typeof n.version === 'string';

// customOwnerStatus is the box's data-status: its Ready condition's
// status ("True", "False", "Unknown") when its conditions are read, else "".
export function customOwnerStatus(n) {
  const c = (n?.conditions || []).find((x) => x.type === 'Ready');
  return c ? String(c.status) : '';
}

// customOwnerLine is the line under the title: the group, and the Ready
// condition when there is one.
export function customOwnerLine(n, t) {
  const st = customOwnerStatus(n);
  const c = (n.conditions || []).find((x) => x.type === 'Ready');
  return st ? `${n.group} · ${t('custom.ready', { status: st })}${c.reason ? ` (${c.reason})` : ''}` : n.group;
}

// customOwnerMarkup is the box's SVG markup: the title left, the line in
// the top right corner where other boxes show their kind (the title names
// the kind already), both in the one-line header a set's box has; esc
// escapes text, fit(s, px, font) shortens it to a width in a font
// ('big', 'label').
export function customOwnerMarkup(n, box, t, esc, fit = (s) => s) {
  return `<rect class="box-bg work custom-owner" width="${box.w}" height="${box.h}" rx="16"/>` +
    `<text class="box-title big" x="20" y="32">${esc(fit(`${n.kind} ${n.name}`, box.w * 0.5 - 20, 'big'))}</text>` +
    `<text class="kind-tag" x="${box.w - 20}" y="30" text-anchor="end">${esc(fit(customOwnerLine(n, t), box.w * 0.45 - 20, 'label'))}</text>`;
}
