import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ellipsize, ellipsizeLine, setTextScale } from '../static/format.js';

test("detail lines' budgets shrink with the text scale (presenter mode); names' do not", () => {
  const line = 'NodePort 3000 → :32399 · 2 ready · 2 not ready';
  try {
    assert.equal(setTextScale(1), false);
    assert.equal(ellipsizeLine(line, 33), line.slice(0, 32) + '…');
    assert.equal(setTextScale(1.5), true);
    assert.equal(ellipsizeLine(line, 33), line.slice(0, 21) + '…'); // 33 / 1.5 = 22 characters
    assert.equal(ellipsize('service-hellok8s', 22), 'service-hellok8s');
    assert.equal(setTextScale(1.5), false); // unchanged: no redraw needed
    assert.equal(setTextScale(NaN), true); // nonsense means no scaling
    assert.equal(ellipsizeLine(line, 33), line.slice(0, 32) + '…');
  } finally {
    setTextScale(1);
  }
});
