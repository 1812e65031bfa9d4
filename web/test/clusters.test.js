import { test } from 'node:test';
import assert from 'node:assert/strict';

import { wsURL } from '../static/conn.js';
import { clusterHref, clusterOf, initClusterPicker, withCluster } from '../static/clusters.js';

test('clusterOf reads ?cluster=, none for the server\'s first', () => {
  assert.equal(clusterOf('http://h/'), '');
  assert.equal(clusterOf('http://h/?namespace=a&cluster=kind-east'), 'kind-east');
  assert.equal(clusterOf('http://h/?cluster=arn%3Aaws%3Aeks%3Aeu%3A1%3Acluster%2Fprod'), 'arn:aws:eks:eu:1:cluster/prod');
});

test('requests about the graph name the page\'s cluster', () => {
  assert.equal(wsURL('http://h/p/?cluster=west&namespace=a', ['a'], { epoch: 'e1', since: 4 }), 'ws://h/p/ws?cluster=west&namespace=a&epoch=e1&since=4');
  assert.equal(wsURL('http://h/', ['a'], null), 'ws://h/ws?namespace=a');
  assert.equal(withCluster('/api/reachability?pod=Pod%2Fa%2Fp', 'http://h/?cluster=a%2Fb'), '/api/reachability?pod=Pod%2Fa%2Fp&cluster=a%2Fb');
  assert.equal(withCluster('/api/graph', 'http://h/?cluster=east'), '/api/graph?cluster=east');
  assert.equal(withCluster('/api/graph', 'http://h/'), '/api/graph');
});

test('clusterHref keeps the rest of the view', () => {
  assert.equal(clusterHref('http://h/?cluster=east&lang=zh-CN&namespace=a#x', 'east,west'), 'http://h/?cluster=east%2Cwest&lang=zh-CN&namespace=a#x');
  assert.equal(clusterHref('http://h/?layers=storage', 'west'), 'http://h/?layers=storage&cluster=west');
});

test('the picker moves the whole window, from inside a frame too', () => {
  const listeners = {};
  const select = { value: '', addEventListener: (type, fn) => (listeners[type] = fn) };
  const doc = { body: { dataset: {} }, querySelector: (q) => (q === '[data-testid="cluster-select"]' ? select : null) };
  const top = { location: { assign: (u) => (top.went = u) } };
  const frame = { location: { href: 'http://h/?cluster=east&lang=zh-CN' }, top };
  initClusterPicker(doc, frame);
  assert.equal(doc.body.dataset.framed, 'true', 'a frame\'s header is the compact one');
  select.value = 'east,west';
  listeners.change();
  assert.equal(top.went, 'http://h/?cluster=east%2Cwest&lang=zh-CN');

  const alone = { location: { href: 'http://h/?cluster=east', assign: (u) => (alone.went = u) } };
  alone.top = alone;
  initClusterPicker(doc, alone);
  select.value = 'west';
  listeners.change();
  assert.equal(alone.went, 'http://h/?cluster=west');
  assert.equal(top.went, 'http://h/?cluster=east%2Cwest&lang=zh-CN');

  // One cluster: no picker, nothing wired.
  assert.doesNotThrow(() => initClusterPicker({ querySelector: () => null }, alone));
});
