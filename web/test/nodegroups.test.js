// Node groups (nodegroups.js): grouping by zone and pool or a chosen label,
// counts and trouble on the headers, collapsed groups' edges aggregated
// onto the header and never drawn to a Node that is not drawn, and the
// state in the page address.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { setTextScale, textWidth } from '../static/format.js';
import { setLang } from '../static/i18n.js';
import { layout } from '../static/layout.js';
import {
  COLLAPSE_ABOVE, GROUP_ABOVE, groupNodes, groupTitle, headerHeight, NONE, nodeGroupMarkup, parseNodeGroups, toggleGroup, validLabelKey, withGroups, withNodeGroups,
} from '../static/nodegroups.js';
import { app, edge, graphOf, node, pod } from './fixtures/build.js';
import { FakeElement, installFakeDOM } from './fixtures/dom.js';

installFakeDOM();
const { Renderer } = await import('../static/render.js');
const { fitLayout } = await import('../static/presenter.js');

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const POOLS = ['general', 'spot'];

// cluster builds count Nodes spread over ZONES × POOLS (node i in zone
// i%3, pool i%2), plus the app's Deployment with pods on the first nodes.
function cluster(count, { pods = 6, on = null, extra = () => ({}) } = {}) {
  const names = Array.from({ length: count }, (_, i) => `n-${String(i).padStart(3, '0')}`);
  const g = app({ pods, nodes: on || names.slice(0, 2) });
  g.nodes = g.nodes.filter((n) => n.kind !== 'Node');
  names.forEach((name, i) => {
    const zone = ZONES[i % 3];
    const pool = POOLS[i % 2];
    g.nodes.push(node(name, { zone, pool, labels: { 'topology.kubernetes.io/zone': zone, 'example.com/rack': `r${i % 4}` }, ...extra(i) }));
  });
  return g;
}

const opts = (href = 'http://h/') => ({ nodeGroups: parseNodeGroups(href) });
const nodeGroups = (L) => [...L.boxes.values()].filter((b) => b.kind === 'NodeGroup');
const nodeBoxes = (L) => [...L.boxes.values()].filter((b) => b.kind === 'Node');

// dangling lists the drawn edges with an end that is not drawn.
function dangling(L) {
  const drawn = (id) => L.boxes.has(id) || L.pods.has(id) || L.lanes.has(id) || L.ghosts.some((g) => g.id === id);
  return L.edges.filter((e) => !drawn(e.from) || !drawn(e.to)).map((e) => e.id);
}

describe('nodegroups: the address', () => {
  it('reads ?nodegroup= and ?nodegroups=, defaults when absent', () => {
    assert.deepEqual(parseNodeGroups('http://h/'), { by: '', open: null, problems: [] });
    const st = parseNodeGroups('http://h/?nodegroup=karpenter.sh/nodepool&nodegroups=spot,%20general,');
    assert.equal(st.by, 'karpenter.sh/nodepool');
    assert.deepEqual([...st.open].sort(), ['general', 'spot']);
    assert.deepEqual([...parseNodeGroups('http://h/?nodegroups=').open], []);
    assert.equal(parseNodeGroups('http://h/?nodegroup=none').by, 'none');
  });

  it('ignores a nodegroup= that is not a label key, and says so', () => {
    setLang('en');
    for (const bad of ['a b', '/x', 'x/', 'UPPER.example/x', 'a'.repeat(64), 'x/-y', '<script>']) {
      const st = parseNodeGroups('http://h/?nodegroup=' + encodeURIComponent(bad));
      assert.equal(st.by, '', bad);
      assert.equal(st.problems.length, 1, bad);
      assert.match(st.problems[0], /nodegroup=/);
      assert.ok(st.problems[0].includes(bad), st.problems[0]);
    }
    for (const good of ['zone', 'topology.kubernetes.io/zone', 'example.com/a_b.c-d', 'a'.repeat(63)]) assert.ok(validLabelKey(good), good);
  });

  it('writes the state back, readable, and reads it again the same', () => {
    const st = { by: 'example.com/rack', open: new Set(['r1', 'r0']), problems: [] };
    const href = withNodeGroups('http://h/p?namespace=a,b', st);
    assert.equal(href, 'http://h/p?namespace=a,b&nodegroup=example.com/rack&nodegroups=r0,r1');
    const back = parseNodeGroups(href);
    assert.equal(back.by, st.by);
    assert.deepEqual([...back.open].sort(), ['r0', 'r1']);
    assert.equal(withNodeGroups(href, { by: '', open: null }), 'http://h/p?namespace=a,b');
  });
});

describe('nodegroups: grouping', () => {
  it('groups by zone and pool past GROUP_ABOVE Nodes, not at it', () => {
    assert.equal(groupNodes(cluster(GROUP_ABOVE).nodes.filter((n) => n.kind === 'Node'), new Map(), { by: '', open: null }), null);
    const nodes = cluster(60).nodes.filter((n) => n.kind === 'Node');
    const groups = groupNodes(nodes, new Map(), { by: '', open: null });
    assert.deepEqual(groups.map((g) => g.key), ['zone-a/general', 'zone-a/spot', 'zone-b/general', 'zone-b/spot', 'zone-c/general', 'zone-c/spot']);
    assert.deepEqual(groups.map((g) => g.nodes.length), [10, 10, 10, 10, 10, 10]);
    for (const g of groups) for (const n of g.nodes) assert.equal(`${n.zone}/${n.pool}`, g.key);
    assert.equal(groups.reduce((k, g) => k + g.nodes.length, 0), 60);
  });

  it('puts Nodes without zone or pool in a group of their own, last', () => {
    const nodes = [...cluster(20).nodes.filter((n) => n.kind === 'Node'), node('bare-1'), node('bare-2', { zone: 'zone-a' })];
    const groups = groupNodes(nodes, new Map(), { by: '', open: null });
    assert.deepEqual(groups.slice(-1).map((g) => [g.key, g.nodes.map((n) => n.name)]), [[`${NONE}/${NONE}`, ['bare-1']]]);
    assert.ok(groups.some((g) => g.key === `zone-a/${NONE}` && g.nodes[0].name === 'bare-2'));
    setLang('en');
    assert.equal(groupTitle(groups.at(-1)), 'no zone · no pool');
  });

  it('groups by the label the viewer picks, however few Nodes', () => {
    const nodes = cluster(8).nodes.filter((n) => n.kind === 'Node');
    nodes.push(node('unlabelled'));
    const groups = groupNodes(nodes, new Map(), { by: 'example.com/rack', open: null });
    assert.deepEqual(groups.map((g) => [g.key, g.nodes.length]), [['r0', 2], ['r1', 2], ['r2', 2], ['r3', 2], [NONE, 1]]);
    setLang('en');
    assert.equal(groupTitle(groups.at(-1)), '(not set)');
    assert.equal(groupNodes(nodes, new Map(), { by: 'none', open: null }), null);
  });

  it('counts pods and trouble per group: NotReady, pressure, cordoned', () => {
    const nodes = cluster(24).nodes.filter((n) => n.kind === 'Node');
    // All in zone-a/general (i % 6 === 0): n-000, n-006, n-012, n-018.
    const trouble = {
      'n-000': { ready: false },
      'n-006': { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'True' }, { type: 'MemoryPressure', status: 'False' }] },
      'n-012': { unschedulable: true, ready: false },
    };
    for (const n of nodes) Object.assign(n, trouble[n.name] || {});
    const podsOn = new Map([['Node/n-000', 3], ['Node/n-006', 2], ['Node/n-001', 7]]);
    const groups = new Map(groupNodes(nodes, podsOn, { by: '', open: null }).map((g) => [g.key, g]));
    const a = groups.get('zone-a/general');
    assert.deepEqual([a.nodes.length, a.pods, a.notReady, a.pressure, a.cordoned, a.trouble], [4, 5, 2, 1, 1, 3]);
    const b = groups.get('zone-b/spot'); // n-001
    assert.deepEqual([b.pods, b.notReady, b.pressure, b.cordoned, b.trouble], [7, 0, 0, 0, 0]);
    setLang('en');
    const markup = nodeGroupMarkup({ w: 250, h: 80, group: a });
    // Every part of the trouble, never cut, wrapped between parts.
    const said = [...markup.match(/data-testid="nodegroup-trouble">(.*?)<\/text>/)[1].matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]);
    assert.ok(said.length >= 2, `wrapped: ${said}`);
    assert.equal(said.join(' ').replace(/ +/g, ' '), '✗ 2 NotReady · 1 under pressure · 1 cordoned');
    assert.ok(headerHeight(a, 250, false) > headerHeight(b, 250, false), 'a header grows a line for its trouble');
    assert.match(markup, />4 nodes · 5 pods</);
    assert.match(nodeGroupMarkup({ w: 250, h: 80, group: b }), /class="box-sub ok"[^>]*><tspan[^>]*>✓ all Ready</);
    setLang('zh-CN');
    assert.match(nodeGroupMarkup({ w: 250, h: 80, group: a }), /2 个未就绪/);
    setLang('en');
  });

  it('collapses by default past COLLAPSE_ABOVE Nodes; the address overrides', () => {
    const few = groupNodes(cluster(COLLAPSE_ABOVE).nodes.filter((n) => n.kind === 'Node'), new Map(), { by: '', open: null });
    assert.ok(few.every((g) => !g.collapsed));
    const nodes = cluster(COLLAPSE_ABOVE + 1).nodes.filter((n) => n.kind === 'Node');
    const many = groupNodes(nodes, new Map(), { by: '', open: null });
    assert.ok(many.every((g) => g.collapsed));
    const st = toggleGroup({ by: '', open: null }, 'zone-b/spot', many);
    assert.deepEqual([...st.open], ['zone-b/spot']);
    const after = groupNodes(nodes, new Map(), st);
    assert.deepEqual(after.filter((g) => !g.collapsed).map((g) => g.key), ['zone-b/spot']);
    // Toggled again: every group collapsed, said explicitly (nodegroups=).
    assert.deepEqual([...toggleGroup(st, 'zone-b/spot', after).open], []);
    // From an open default, the first toggle closes one and keeps the rest open.
    const open = toggleGroup({ by: '', open: null }, 'zone-a/general', few);
    assert.equal(open.open.size, few.length - 1);
  });
});

describe('nodegroups: in the layout', () => {
  it('draws only headers for collapsed groups; each lane edge ends on the header, with its count', () => {
    // 6 pods on n-000 (zone-a/general) and n-001 (zone-b/spot).
    const g = cluster(500, { pods: 6 });
    const L = layout(graphOf(g), null, opts());
    assert.equal(nodeGroups(L).length, 6);
    assert.equal(nodeBoxes(L).length, 0, 'a collapsed group draws no Node');
    assert.equal(L.pods.size, 6, 'every pod is drawn');
    assert.deepEqual(dangling(L), []);
    const runsOn = L.edges.filter((e) => e.kind === 'runs-on');
    assert.deepEqual(runsOn.map((e) => [e.to, e.count, e.agg]).sort(), [['nodegroup:zone-a/general', 3, true], ['nodegroup:zone-b/spot', 3, true]]);
    for (const e of runsOn) assert.ok(e.id.startsWith('agg:runs-on:') && e.d.startsWith('M'), e.id);
    // Headers in key order, each below the last, counting the pods.
    const hs = nodeGroups(L);
    for (let i = 1; i < hs.length; i++) assert.ok(hs[i].y >= hs[i - 1].y + hs[i - 1].h, 'headers overlap');
    assert.equal(L.boxes.get('nodegroup:zone-a/general').group.pods, 3);
    assert.equal(L.boxes.get('nodegroup:zone-a/general').group.nodes.length, 84);
  });

  it('an open group draws its Nodes, and their pods\' own edges', () => {
    const g = cluster(500, { pods: 6 });
    const L = layout(graphOf(g), null, opts('http://h/?nodegroups=zone-a/general'));
    const drawn = nodeBoxes(L);
    assert.equal(drawn.length, 84);
    assert.ok(drawn.every((b) => b.group === 'nodegroup:zone-a/general'));
    const head = L.boxes.get('nodegroup:zone-a/general');
    assert.ok(drawn.every((b) => b.y > head.y + head.h - 1), 'Nodes below their header');
    assert.ok(L.boxes.get('nodegroup:zone-b/general').y > Math.max(...drawn.map((b) => b.y)), 'the next group after them');
    assert.deepEqual(dangling(L), []);
    const toN0 = L.edges.filter((e) => e.to === 'Node/n-000');
    assert.equal(toN0.length, 3);
    assert.ok(toN0.every((e) => !e.agg && e.id === `runs-on:${e.from}->Node/n-000`), 'pods keep their protocol edges');
    assert.equal(L.edges.filter((e) => e.to === 'nodegroup:zone-b/spot').length, 1);
  });

  it('a compact lane into collapsed groups aggregates once per group', () => {
    const g = cluster(300, { pods: 40, on: ['n-000', 'n-006', 'n-001'] });
    const L = layout(graphOf(g), null, opts());
    assert.ok([...L.pods.values()].every((p) => p.compact), 'a big lane is a grid');
    const runsOn = L.edges.filter((e) => e.kind === 'runs-on');
    // n-000 and n-006 are both zone-a/general: one edge for both.
    assert.deepEqual(runsOn.map((e) => [e.to, e.count]).sort(), [['nodegroup:zone-a/general', 27], ['nodegroup:zone-b/spot', 13]]);
    const lane = [...L.lanes.values()][0];
    assert.equal(lane.nodes.size, 3, 'the counts line still counts Nodes');
  });

  it('does not group without the page asking, nor with nodegroup=none', () => {
    const g = graphOf(cluster(60));
    for (const L of [layout(g), layout(g, null, opts('http://h/?nodegroup=none'))]) {
      assert.equal(nodeGroups(L).length, 0);
      assert.equal(nodeBoxes(L).length, 60);
    }
  });

  it('draws headers as groups, not entities, with their counts; no edge to an undrawn Node', () => {
    setLang('en');
    const g = cluster(120, { pods: 4, extra: (i) => (i === 0 ? { ready: false } : {}) });
    g.nodes.push(pod('default', 'lost', '', 'n-003'));
    g.edges.push(edge('runs-on', 'Pod/default/lost', 'Node/n-003'));
    const graph = graphOf(g);
    const svg = new FakeElement('svg');
    new Renderer(svg, { motion: false }).render(layout(graph, null, opts()), graph);
    const heads = svg.all((e) => e.hasAttribute('data-group') && e.getAttribute('data-group').startsWith('nodegroup:'));
    assert.equal(heads.length, 6);
    for (const h of heads) assert.equal(h.getAttribute('data-id'), null, 'a group is not an entity');
    const a = heads.find((h) => h.getAttribute('data-nodegroup') === 'zone-a/general');
    assert.deepEqual(['data-nodes', 'data-pods', 'data-not-ready', 'data-trouble', 'data-collapsed'].map((k) => a.getAttribute(k)), ['20', '2', '1', 'true', 'true']);
    assert.ok(a.classList.contains('trouble'));
    const edges = svg.all((e) => e.hasAttribute('data-edge') || e.hasAttribute('data-agg'));
    const drawnIds = new Set(svg.all((e) => e.hasAttribute('data-id')).map((e) => e.getAttribute('data-id')));
    for (const e of edges) {
      const id = e.getAttribute('data-edge') || e.getAttribute('data-agg');
      const to = id.split('->')[1];
      assert.ok(drawnIds.has(to) || to.startsWith('nodegroup:'), `${id} ends on nothing drawn`);
    }
    assert.ok(!drawnIds.has('Node/n-003'));
    assert.ok(drawnIds.has('Pod/default/lost'), 'a pod on a hidden Node is still drawn');
  });
});

describe('nodegroups: lit with what they hold', () => {
  it('a hovered pod or a matched Node lights its collapsed group; an open group\'s Node lights itself', () => {
    const L = layout(graphOf(cluster(100, { pods: 2 })), null, opts('http://h/?nodegroups=zone-b/spot'));
    const sel = { ids: new Set(['Pod/default/web-abc123-p000', 'Node/n-000', 'Node/n-001']), edgeIds: [] };
    const lit = withGroups(sel, L);
    assert.ok(lit.ids.has('nodegroup:zone-a/general'), 'n-000 is folded into zone-a/general');
    assert.ok(!lit.ids.has('nodegroup:zone-b/spot'), 'n-001 is drawn: its open group is not lit for it');
    assert.equal(sel.ids.size, 3, 'the selection given is left as it was');
    const none = { ids: new Set(['Pod/default/web-abc123-p000']), edgeIds: [] };
    assert.equal(withGroups(none, L), none);
    assert.equal(withGroups(sel, layout(graphOf(cluster(100)))), sel, 'no groups: nothing to add');
  });
});

describe('nodegroups: in presenter type', () => {
  it('headers grow for their trouble and every line fits their width, in English and Chinese', () => {
    for (const lang of ['en', 'zh-CN']) {
      setLang(lang);
      setTextScale(20 / 14.5);
      try {
        const g = cluster(200, { pods: 4, extra: (i) => (i % 6 === 0 ? { ready: false, unschedulable: i % 12 === 0, conditions: [{ type: 'PIDPressure', status: 'True' }] } : {}) });
        const L = fitLayout(graphOf(g), null, opts(), 1920, 1080);
        const heads = nodeGroups(L);
        assert.equal(heads.length, 6, lang);
        for (const h of heads) {
          const markup = nodeGroupMarkup(h);
          const lines = [...markup.matchAll(/<(?:text|tspan)[^>]*y="([\d.]+)"[^>]*>([^<]+)</g)].map((m) => ({ y: Number(m[1]), s: m[2] }));
          assert.ok(lines.length >= 3, `${lang} ${h.id}: ${markup}`);
          for (const [i, l] of lines.entries()) {
            assert.ok(i === 0 ? textWidth(l.s, 26, true) <= h.w - 20 : textWidth(l.s, 20) <= h.w - 20, `${lang} ${h.id}: ${l.s} is wider than its header`);
            assert.ok(l.y + 6 <= h.h, `${lang} ${h.id}: "${l.s}" at y ${l.y} below the header's ${h.h}`);
          }
          if (h.group.trouble) assert.ok(!markup.includes('…'), `${lang}: trouble cut: ${markup}`);
        }
      } finally {
        setTextScale(1);
        setLang('en');
      }
    }
  });
});
