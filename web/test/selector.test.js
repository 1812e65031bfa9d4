import { test } from 'node:test';
import assert from 'node:assert/strict';

import { wsURL } from '../static/conn.js';
import { pageSelector, withoutSelector } from '../static/selector.js';

test('pageSelector reads ?selector=, repeated meaning all of them', () => {
  assert.equal(pageSelector('http://h/'), '');
  assert.equal(pageSelector('http://h/?selector=app%3Dweb,tier!%3Ddb'), 'app=web,tier!=db');
  assert.equal(pageSelector('http://h/?selector=app=web&namespace=a&selector=%20env%20in%20(a,b)%20'), 'app=web,env in (a,b)');
  assert.equal(pageSelector('http://h/?selector='), '');
});

test('withoutSelector keeps the rest of the address', () => {
  assert.equal(withoutSelector('http://h/p/?namespace=a,b&selector=app%3Dweb&layers=storage#x'), 'http://h/p/?namespace=a,b&layers=storage#x');
  assert.equal(withoutSelector('http://h/?selector=app%3Dweb'), 'http://h/');
});

test('wsURL passes the selector on, encoded', () => {
  assert.equal(wsURL('http://h/', ['a'], null, 'app=web,env in (x,y)'), 'ws://h/ws?namespace=a&selector=app%3Dweb%2Cenv%20in%20(x%2Cy)');
  assert.equal(wsURL('http://h/', [], { epoch: 'E', since: 3 }, '!tier'), 'ws://h/ws?selector=!tier&epoch=E&since=3');
  assert.equal(wsURL('http://h/', [], null, ''), 'ws://h/ws');
});
