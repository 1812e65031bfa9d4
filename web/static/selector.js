// The viewer's label selector (?selector=app=web,tier!=db; docs/protocol.md):
// the server sends only the Pods it matches, and their edges, so the page
// only passes it on (conn.js) and says it is on, with a way to clear it.

import { pageSelector } from './address.js';

export { pageSelector };

// withoutSelector is href with its selector taken out.
export function withoutSelector(href) {
  const u = new URL(href);
  u.searchParams.delete('selector');
  return u.toString().replace(/%2C/g, ',');
}

// selectorChip makes the header's chip naming selector (hidden when ""),
// whose × calls onClear. Its words are data-i18n keys: the page's
// chromeText fills them, again on a language switch.
export function selectorChip(doc, selector, onClear) {
  const chip = doc.createElement('div');
  chip.className = 'selector-chip';
  chip.dataset.testid = 'selector-chip';
  chip.innerHTML = '<span class="selector-label" data-i18n="selector.label"></span> <code class="selector-value"></code> ' +
    '<button type="button" class="link selector-clear" data-testid="selector-clear" data-i18n-title="selector.clear" data-i18n-aria="selector.clear">×</button>';
  chip.querySelector('.selector-value').textContent = selector;
  chip.hidden = !selector;
  chip.querySelector('button').addEventListener('click', () => {
    chip.hidden = true;
    onClear();
  });
  return chip;
}
