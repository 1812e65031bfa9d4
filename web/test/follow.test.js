import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backoff, BACKOFF_MAX_MS, Follower, followerLink, isFollower, Leader, LEAD_KEY, leadingKey, leadState, readOnlyFetch, takeLead } from '../static/follow.js';

function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), m };
}

const json = (status, body) => ({ ok: status >= 200 && status < 300, status, json: async () => body });

describe('the lead secret', () => {
  it('leaves the address and stays in the tab', () => {
    const s = memoryStorage();
    const got = takeLead('http://podium:8080/?lead=abc123&namespace=a,b&presenter=1', s);
    assert.equal(got.secret, 'abc123');
    assert.equal(got.href, 'http://podium:8080/?namespace=a,b&presenter=1');
    assert.equal(s.getItem(LEAD_KEY), 'abc123');
    // A reload (no ?lead= any more) still leads.
    assert.deepEqual(takeLead('http://podium:8080/?namespace=a,b', s), { secret: 'abc123', href: 'http://podium:8080/?namespace=a,b' });
    // Another tab (its own session storage) does not.
    assert.equal(takeLead('http://podium:8080/', memoryStorage()).secret, '');
  });
  it('survives storage being off', () => {
    const broken = { getItem() { throw new Error('off'); }, setItem() { throw new Error('off'); } };
    assert.equal(takeLead('http://p/?lead=x', broken).secret, 'x');
    assert.equal(takeLead('http://p/', broken).secret, '');
    assert.equal(takeLead('http://p/', null).secret, '');
  });
});

describe('the follower link', () => {
  it('is short and sits beside the page', () => {
    assert.equal(followerLink('http://10.0.0.5:8080/?namespace=a&presenter=1#x'), 'http://10.0.0.5:8080/f');
    assert.equal(followerLink('https://host/podium/?presenter=1'), 'https://host/podium/f');
  });
  it('?follow=1 makes a follower', () => {
    assert.ok(isFollower('http://p/?follow=1'));
    assert.ok(isFollower('http://p/?follow'));
    assert.ok(!isFollower('http://p/?follow=0'));
    assert.ok(!isFollower('http://p/?presenter=1'));
  });
});

describe('backoff', () => {
  it('grows and is bounded', () => {
    assert.deepEqual([0, 1, 2, 3].map(backoff), [1000, 2000, 4000, 8000]);
    assert.equal(backoff(50), BACKOFF_MAX_MS);
    assert.equal(backoff(1e9), BACKOFF_MAX_MS);
  });
});

describe('Leader', () => {
  it('sends each change once, the newest after the one in flight, with the secret', async () => {
    const sent = [];
    let release;
    const fetchImpl = (url, init) => {
      sent.push({ url, init });
      return new Promise((r) => {
        release = () => r(json(200, {}));
      });
    };
    const results = [];
    const l = new Leader({ fetchImpl, base: 'http://p/x/?presenter=1', secret: 's3cret', onResult: (p) => results.push(p) });
    const first = l.send({ step: 0, layers: new Set(['storage']), presenter: true });
    l.send({ step: 1, layers: ['storage'], presenter: true }); // in flight: kept
    l.send({ step: 2, layers: ['storage'], presenter: true }); // newer: replaces it
    assert.equal(sent.length, 1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(sent.length, 2);
    release();
    await first;
    assert.equal(sent[0].url, 'http://p/x/api/follow');
    assert.equal(sent[0].init.method, 'POST');
    assert.equal(sent[0].init.headers['X-Podium-Lead'], 's3cret');
    assert.deepEqual(JSON.parse(sent[1].init.body), { step: 2, focus: '', layers: ['storage'], presenter: true, marker: -1 });
    assert.deepEqual(results, ['', '']);
    await l.send({ step: 2, layers: ['storage'], presenter: true });
    assert.equal(sent.length, 2, 'the same state again is not sent');
  });
  it('stops leading when the secret is refused', async () => {
    const s = memoryStorage();
    s.setItem(LEAD_KEY, 'old');
    let calls = 0;
    const results = [];
    const l = new Leader({ fetchImpl: async () => (calls++, json(403, { error: 'only the presenter' })), base: 'http://p/', secret: 'old', storage: s, onResult: (p) => results.push(p) });
    await l.send({ step: 1 });
    await l.send({ step: 2 });
    assert.equal(calls, 1);
    assert.deepEqual(results, ['refused']);
    assert.equal(s.getItem(LEAD_KEY), null, 'a refused secret is forgotten');
  });
  it('says what went wrong and tries again with the next change', async () => {
    let fail = true;
    const results = [];
    const l = new Leader({ fetchImpl: async () => (fail ? json(400, { error: 'focus "x" is not an entity id' }) : json(200, {})), base: 'http://p/', secret: 's', onResult: (p) => results.push(p) });
    await l.send({ focus: 'x' });
    fail = false;
    await l.send({ focus: 'Deployment/a/b' });
    assert.deepEqual(results, ['focus "x" is not an entity id', '']);
  });
  it('states the body the server reads', () => {
    assert.deepEqual(leadState({ step: 3, focus: 'Pod/a/b', layers: new Set(['jobs', 'config']), presenter: 1, marker: 7 }), { step: 3, focus: 'Pod/a/b', layers: ['config', 'jobs'], presenter: true, marker: 7 });
    assert.deepEqual(leadState(), { step: -1, focus: '', layers: [], presenter: false, marker: -1 });
  });
});

describe('Follower', () => {
  it('follows each version, and rejoins at the current state after losing the server', async () => {
    const answers = [
      json(200, { version: 0, step: -1, presenter: false, marker: -1 }), // nobody led yet
      json(200, { version: 1, step: 0, presenter: true, marker: -1 }),
      json(200, { version: 1, step: 0, presenter: true, marker: -1 }), // the wait ran out
      null, // the network is gone
      null,
      json(200, { version: 4, step: 2, focus: 'Deployment/a/web', presenter: true, marker: -1 }),
    ];
    const asked = [];
    const applied = [];
    const states = [];
    const slept = [];
    const f = new Follower({
      base: 'http://p/?follow=1',
      fetchImpl: async (url, init) => {
        asked.push(url);
        assert.ok(!init?.method || init.method === 'GET', 'a follower only asks');
        const a = answers.shift();
        if (!answers.length) f.stop();
        if (!a) throw new TypeError('Failed to fetch');
        return a;
      },
      apply: (st) => applied.push(st.step),
      onState: (st, ms) => states.push(ms ? `${st} ${ms}` : st),
      sleep: async (ms) => slept.push(ms),
    });
    await f.run();
    assert.deepEqual(applied, [0, 2]);
    assert.deepEqual(slept, [1000, 2000]);
    assert.deepEqual(states, ['on', 'on', 'on', 'lost 1000', 'lost 2000', 'on']);
    assert.deepEqual(asked.map((u) => new URL(u).searchParams.get('since')), ['0', '0', '1', '1', '0', '0']);
    assert.equal(new URL(asked[0]).pathname, '/api/follow');
  });
  it('stops when this Podium has no audience link', async () => {
    const states = [];
    const f = new Follower({ base: 'http://p/', fetchImpl: async () => json(404, {}), apply() {}, onState: (s) => states.push(s) });
    await f.run();
    assert.deepEqual(states, ['none']);
  });
});

describe('a follower never leads', () => {
  it('swallows the keys that would', () => {
    for (const key of ['ArrowLeft', 'ArrowRight', ' ', 'k', '[', ']']) assert.ok(leadingKey({ key, target: { tagName: 'BODY' } }), key);
    for (const key of ['l', '?', 'f', '+']) assert.ok(!leadingKey({ key, target: { tagName: 'BODY' } }), key);
    assert.ok(!leadingKey({ key: 'k', target: { tagName: 'INPUT' } }), 'typing in the search box');
  });
  it('sends nothing but GET', async () => {
    const calls = [];
    const f = readOnlyFetch(async (u, o) => (calls.push([u, o?.method]), json(200, {})));
    await f('api/graph');
    await f('api/follow', { method: 'GET' });
    await assert.rejects(f('api/replay', { method: 'POST', body: '{}' }), /does not send \(POST\)/);
    await assert.rejects(f('api/follow', { method: 'post' }), /does not send/);
    assert.deepEqual(calls, [['api/graph', undefined], ['api/follow', 'GET']]);
  });
});
