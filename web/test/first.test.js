import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { graphURL, pageNamespaces, wsURL } from '../static/address.js';
import { Connection } from '../static/conn.js';
import { askEarly, fetchGraph, takeFirst } from '../static/first.js';
import { Store } from '../static/store.js';
import { pod } from './fixtures/build.js';

// A first picture the way /api/graph writes it: a snapshot without "type".
const picture = (seq, nodes, epoch = 'E1') => ({ epoch, seq, nodes, edges: [] });

// harness is a Connection whose first picture comes from answer(url): a
// promise the test resolves when it likes.
function harness(href = 'http://podium.example/p/?namespace=a') {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      sockets.push(this);
    }
    close() {
      this.closed = true;
    }
    recv(msg) {
      this.onmessage?.({ data: JSON.stringify(msg) });
    }
  }
  const asked = [];
  const changes = [];
  const states = [];
  const store = new Store();
  const conn = new Connection({
    store,
    href,
    namespaces: pageNamespaces(href),
    WebSocket: FakeSocket,
    setTimeout: () => 0,
    clearTimeout: () => {},
    onChange: (c) => changes.push(c),
    onState: (s) => states.push(s),
    firstPicture: (url) =>
      new Promise((resolve) => {
        asked.push({ url, resolve });
      }),
  });
  return { sockets, asked, changes, states, store, conn };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the first picture over HTTP', () => {
  it('addresses /api/graph as /ws is addressed, for the same view', () => {
    assert.equal(graphURL('https://h/p/?x=1#y', ['a', 'b'], 'app=web'), 'https://h/p/api/graph?namespace=a,b&selector=app%3Dweb');
    assert.equal(graphURL('http://h/?cluster=east', [], ''), 'http://h/api/graph?cluster=east');
    assert.equal(wsURL('http://h/?cluster=east', ['a'], null, ''), 'ws://h/ws?cluster=east&namespace=a');
    assert.deepEqual(pageNamespaces('http://h/?namespace=b,%20a,,'), ['b', 'a']);
  });

  it('draws the picture, then resumes /ws from its seq', async () => {
    const h = harness();
    h.conn.start();
    assert.equal(h.sockets.length, 0, 'no socket before the picture');
    assert.equal(h.asked[0].url, 'http://podium.example/p/api/graph?namespace=a');
    h.asked[0].resolve(picture(7, [pod('a', 'p', '', '')]));
    await settle();
    assert.equal(h.store.nodes.size, 1);
    assert.equal(h.changes[0].type, 'snapshot');
    assert.equal(h.sockets[0].url, 'ws://podium.example/p/ws?namespace=a&epoch=E1&since=7');
    h.sockets[0].recv({ type: 'delta', from: 7, seq: 8, upsert: { nodes: [pod('a', 'q', '', '')] }, remove: {} });
    assert.equal(h.store.nodes.size, 2);
    assert.equal(h.states.at(-1), 'live');
  });

  it('without a picture (an error, not JSON, not a snapshot), /ws sends the snapshot', async () => {
    for (const answer of [() => null, () => Promise.reject(new Error('offline')), () => ({ epoch: 'E1', seq: 'x' })]) {
      const h = harness();
      h.conn.start();
      h.asked[0].resolve(answer());
      await settle();
      assert.equal(h.store.nodes.size, 0);
      assert.equal(h.sockets[0].url, 'ws://podium.example/p/ws?namespace=a', `after ${answer}`);
    }
  });

  it('drops an answer that comes after stop or after another view was asked for', async () => {
    const h = harness();
    h.conn.start();
    h.conn.stop();
    h.asked[0].resolve(picture(3, [pod('a', 'p', '', '')]));
    await settle();
    assert.equal(h.store.nodes.size, 0);
    assert.equal(h.sockets.length, 0);

    const g = harness();
    g.conn.start();
    g.conn.setNamespaces(['b']);
    assert.equal(g.asked[1].url, 'http://podium.example/p/api/graph?namespace=b');
    g.asked[0].resolve(picture(3, [pod('a', 'p', '', '')]));
    await settle();
    assert.equal(g.store.nodes.size, 0, "namespace a's picture is not b's");
    g.asked[1].resolve(picture(4, [pod('b', 'q', '', '')]));
    await settle();
    assert.deepEqual([...g.store.nodes.keys()], [pod('b', 'q', '', '').id]);
    assert.equal(g.sockets.length, 1);
    assert.equal(g.sockets[0].url, 'ws://podium.example/p/ws?namespace=b&epoch=E1&since=4');
  });

  it('a reconnect resumes over /ws, without asking for a picture', async () => {
    const h = harness();
    h.conn.start();
    h.asked[0].resolve(picture(7, []));
    await settle();
    h.sockets[0].onclose();
    assert.equal(h.asked.length, 1);
  });
});

describe('first.js', () => {
  const fakeFetch = (calls, reply) => (url, init) => {
    calls.push([url, init.credentials]);
    return Promise.resolve(reply);
  };

  it('hands the early request to the view that asks for its address, once', async () => {
    const calls = [];
    askEarly('http://h/?namespace=a&selector=app%3Dweb', fakeFetch(calls, { ok: true, json: async () => picture(1, []) }));
    assert.deepEqual(calls, [['http://h/api/graph?namespace=a&selector=app%3Dweb', 'same-origin']]);
    const got = await takeFirst('http://h/api/graph?namespace=a&selector=app%3Dweb', fakeFetch(calls, null));
    assert.equal(got.seq, 1);
    assert.equal(calls.length, 1, 'not asked for again');
    // Taken: the next view asks for itself.
    await takeFirst('http://h/api/graph?namespace=a&selector=app%3Dweb', fakeFetch(calls, { ok: false }));
    assert.equal(calls.length, 2);
  });

  it('asks again for another address', async () => {
    const calls = [];
    askEarly('http://h/?namespace=a', fakeFetch(calls, { ok: true, json: async () => picture(1, []) }));
    assert.equal(await takeFirst('http://h/api/graph?namespace=b', fakeFetch(calls, { ok: false })), null);
    assert.deepEqual(calls.map((c) => c[0]), ['http://h/api/graph?namespace=a', 'http://h/api/graph?namespace=b']);
  });

  it('answers null for an error status, a failed request or a body that is not JSON', async () => {
    assert.equal(await fetchGraph('u', async () => ({ ok: false, status: 400 })), null);
    assert.equal(await fetchGraph('u', async () => { throw new TypeError('offline'); }), null);
    assert.equal(await fetchGraph('u', async () => ({ ok: true, json: async () => { throw new SyntaxError('x'); } })), null);
  });
});
