// The page's Content-Security-Policy has no 'unsafe-inline' in style-src:
// style attributes and <style> elements in the page are refused. These
// tests keep the modules on the CSSOM (el.style.x = …), which the policy
// allows, and check the export's own style sheet.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

import { StyleClasses } from '../static/export.js';

const staticDir = fileURLToPath(new URL('../static/', import.meta.url));

// Each pattern is a way to write inline style that the CSP refuses.
const REFUSED = [
  [/\bstyle\s*=\s*["'`$]/, 'a style attribute in markup'],
  [/setAttribute(NS)?\(\s*(null\s*,\s*)?['"`]style['"`]/, "setAttribute('style', …)"],
  [/\.cssText\b/, 'style.cssText'],
  [/createElement(NS)?\([^)]*['"`]style['"`]\)/, 'a <style> element'],
  [/\binsertRule\b|\bCSSStyleSheet\b/, 'a constructed style sheet'],
];

describe('CSP: no inline style from the page modules', () => {
  const files = readdirSync(staticDir).filter((f) => f.endsWith('.js'));
  test('there are modules to check', () => assert.ok(files.length > 5, files.join(',')));
  for (const f of files) {
    test(f, () => {
      const lines = readFileSync(join(staticDir, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*\/\//.test(line)) return; // comments may name what is refused
        for (const [re, what] of REFUSED) assert.doesNotMatch(line, re, `${f}:${i + 1}: ${what} (use the CSSOM or a class): ${line.trim()}`);
      });
    });
  }
});

describe('export style sheet', () => {
  test('one class per distinct declaration list, in first-seen order', () => {
    const c = new StyleClasses();
    assert.equal(c.name('fill:red;'), 's0');
    assert.equal(c.name('stroke:blue;'), 's1');
    assert.equal(c.name('fill:red;'), 's0');
    assert.equal(c.name(''), '');
    assert.equal(c.sheet(), '.s0{fill:red;}\n.s1{stroke:blue;}\n');
  });
  test('the sheet is escaped for XML', () => {
    const c = new StyleClasses();
    c.name("font-family:\"A&B\", <x>;");
    assert.equal(c.sheet(), '.s0{font-family:"A&amp;B", &lt;x&gt;;}\n');
  });
});
