import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { gatewayLines, gatewayMarkup, gatewayStatus, routeGatewayEdges, shareLabel } from '../static/gateway.js';
import { GEOM, layout } from '../static/layout.js';
import { edge, graphOf, service } from './fixtures/build.js';

// A Gateway, an HTTPRoute it accepts splitting 90/10 between two Services,
// as the server sends them (issue #16).
function canary({ accepted = 'true' } = {}) {
  const gw = {
    id: 'Gateway/shop/gw', kind: 'Gateway', namespace: 'shop', name: 'gw', uid: 'u-gw', class: 'eg',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP', attachedRoutes: 1 }], addresses: ['10.0.0.9'],
    accepted: 'true', programmed: 'true',
  };
  const route = {
    id: 'HTTPRoute/shop/web', kind: 'HTTPRoute', namespace: 'shop', name: 'web', uid: 'u-r', hostnames: ['shop.example'],
    parents: [{ gateway: gw.id, accepted }],
    rules: [{ matches: ['PathPrefix /'], backends: [{ service: 'Service/shop/stable', weight: 90 }, { service: 'Service/shop/canary', weight: 10 }] }],
  };
  return graphOf({
    nodes: [gw, route, service('shop', 'stable'), service('shop', 'canary')],
    edges: [
      edge('routes', gw.id, route.id, { accepted }),
      edge('routes', route.id, 'Service/shop/stable', { weight: 90, share: 90 }),
      edge('routes', route.id, 'Service/shop/canary', { weight: 10, share: 10 }),
    ],
  });
}

describe('gateway: layout', () => {
  it('draws Gateways and routes in the Ingress column, each Gateway above its routes', () => {
    const L = layout(canary());
    const gw = L.boxes.get('Gateway/shop/gw');
    const rt = L.boxes.get('HTTPRoute/shop/web');
    assert.ok(gw && rt, 'both boxes placed');
    assert.equal(gw.x, GEOM.col.ingress.x);
    assert.equal(rt.x, GEOM.col.ingress.x);
    assert.ok(gw.y + gw.h <= rt.y, `Gateway ${gw.y}+${gw.h} above route ${rt.y}`);
    assert.ok(L.boxes.get('Service/shop/stable').x > rt.x + rt.w, 'the Services right of the route');
  });

  it('draws the routes edges, the split labelled with each share', () => {
    const L = layout(canary());
    const by = new Map(L.edges.map((e) => [e.id, e]));
    const g = by.get('routes:Gateway/shop/gw->HTTPRoute/shop/web');
    assert.ok(g, 'Gateway → route drawn');
    assert.equal(g.state, '');
    assert.equal(by.get('routes:HTTPRoute/shop/web->Service/shop/stable')?.label, '90%');
    assert.equal(by.get('routes:HTTPRoute/shop/web->Service/shop/canary')?.label, '10%');
    // Each from its own port: the two labels never sit on each other.
    const a = by.get('routes:HTTPRoute/shop/web->Service/shop/stable');
    const b = by.get('routes:HTTPRoute/shop/web->Service/shop/canary');
    assert.notEqual(a.ly, b.ly);
  });

  it('draws a rejected or unanswered route dashed', () => {
    for (const [accepted, state] of [['false', 'rejected'], ['unknown', 'pending']]) {
      const L = layout(canary({ accepted }));
      assert.equal(L.edges.find((e) => e.from === 'Gateway/shop/gw').state, state, accepted);
    }
  });

  it('bends a route → Service edge out left when the route stands above its Services (a narrow presenter stage)', () => {
    const g = canary();
    const boxes = new Map([
      ['HTTPRoute/shop/web', { id: 'HTTPRoute/shop/web', kind: 'HTTPRoute', x: 40, y: 100, w: 300, h: 90 }],
      ['Service/shop/stable', { id: 'Service/shop/stable', kind: 'Service', x: 40, y: 210, w: 300, h: 80 }],
    ]);
    const out = { boxes, edges: [] };
    routeGatewayEdges(out, [...g.edges.values()]);
    assert.equal(out.edges.length, 1);
    assert.match(out.edges[0].d, /^M40,/, 'leaves from the left side');
    assert.ok(out.edges[0].lx > 40 && out.edges[0].ly < 210, 'label over the Service');
  });

  it('is deterministic', () => {
    assert.deepEqual(JSON.stringify([...layout(canary()).boxes]), JSON.stringify([...layout(canary()).boxes]));
  });
});

describe('gateway: boxes', () => {
  const t = (k, p) => k + (p ? JSON.stringify(p) : '');
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  it('says the status', () => {
    const nodes = canary().nodes;
    assert.equal(gatewayStatus(nodes.get('Gateway/shop/gw')), 'Programmed');
    assert.equal(gatewayStatus({ kind: 'Gateway', accepted: 'false' }), 'NotAccepted');
    assert.equal(gatewayStatus({ kind: 'Gateway', accepted: 'true', programmed: 'unknown' }), 'Pending');
    assert.equal(gatewayStatus(nodes.get('HTTPRoute/shop/web')), 'Accepted');
    assert.equal(gatewayStatus(canary({ accepted: 'false' }).nodes.get('HTTPRoute/shop/web')), 'NotAccepted');
    assert.equal(gatewayStatus({ kind: 'HTTPRoute', parents: [] }), 'Pending');
  });
  it('lists a Gateway\'s listeners and a route\'s hosts, escaped', () => {
    const nodes = canary().nodes;
    assert.deepEqual(gatewayLines(nodes.get('Gateway/shop/gw'), t), ['gw.class{"class":"eg"}', 'HTTP *:80', '10.0.0.9']);
    assert.deepEqual(gatewayLines(nodes.get('HTTPRoute/shop/web'), t), ['shop.example', 'PathPrefix /']);
    const m = gatewayMarkup({ ...nodes.get('HTTPRoute/shop/web'), name: '<x>' }, { w: 250, h: 90 }, t, esc);
    assert.ok(m.includes('&lt;x>') && !m.includes('<x>'), m);
  });
  it('labels a weight when a share would mislead', () => {
    assert.equal(shareLabel({ weight: 3 }), '×3');
    assert.equal(shareLabel({ weight: 0, share: 0 }), '0%');
  });
});
