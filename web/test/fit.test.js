// Presenter type (issue #14): text measured, wrapped and never cut; boxes
// sized from it in lines; the picture laid out for the stage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { estimateWidth, setMeasure, setTextScale, textWidth, wrapText } from '../static/format.js';
import { setLang } from '../static/i18n.js';
import { dashboardRules, DEFAULT_LAYERS, GEOM, ingressRuleText, layout, PRESENTER_COLS, presenterCols, presenterGeom } from '../static/layout.js';
import { fitLayout } from '../static/presenter.js';
import { nsInfoMarkup, podMarkup, presenterType } from '../static/render.js';
import { app, fixture, graphOf, pod } from './fixtures/build.js';

// inPresenterType runs fn with the renderer in presenter type.
function inPresenterType(fn) {
  setTextScale(20 / 14.5);
  try {
    return fn();
  } finally {
    setTextScale(1);
  }
}

describe('textWidth: one home for measuring text', () => {
  it('estimates without a measurer: CJK 1 em, Latin 0.6 em', () => {
    assert.equal(textWidth('ab', 20), 24);
    assert.equal(textWidth('中文', 20), 40);
    assert.equal(textWidth('ab', 20), estimateWidth('ab', 20));
  });

  it('uses the page measurer when one is set, and the estimate again after', () => {
    assert.equal(setMeasure((s, px) => s.length * px), true);
    assert.equal(textWidth('abc', 10), 30);
    setMeasure(null);
    assert.equal(textWidth('abc', 10), 18);
  });
});

describe('wrapText: never cuts', () => {
  const cases = [
    ['rollout', 'revision 1 → 2 · hellok8s:v1 → hellok8s:v2', 200],
    ['node port', 'NodePort 3000 → :30000', 150],
    ['a 40-character name', 'a-very-long-deployment-name-of-forty-ch', 150],
    ['Chinese', '滚动升级 · 修订版本 1 → 2 · hellok8s:v1 → v2', 150],
    ['one long word', 'abcdefghijklmnopqrstuvwxyzabcdefghij', 100],
  ];
  for (const [name, s, w] of cases) {
    it(name, () => {
      const lines = wrapText(s, w, 20);
      assert.equal(lines.join('').replace(/ /g, ''), s.replace(/ /g, ''), `lines ${JSON.stringify(lines)} lose text`);
      for (const l of lines) assert.ok(textWidth(l, 20) <= w, `${JSON.stringify(l)} is wider than ${w}`);
      assert.ok(!lines.some((l) => l.includes('…')));
    });
  }

  it('breaks between the parts of a line first', () => {
    assert.deepEqual(wrapText('revision 1 → 2 · hellok8s:v2', 200, 20), ['revision 1 → 2 ·', 'hellok8s:v2']);
  });

  it('keeps a line that fits whole', () => {
    assert.deepEqual(wrapText('NodePort 3000 → :30000', 400, 20), ['NodePort 3000 → :30000']);
  });
});

describe('presenter layout: boxes measured in lines of presenter type', () => {
  setLang('en');
  const g = graphOf(fixture('rollout.json'));

  it('scales the columns to the width asked for, keeping their order', () => {
    const G = presenterGeom({ width: 1280, row: 40, laneHeader: 30, boxH: () => null, laneHead: () => 30 });
    assert.equal(G.width, 1280);
    assert.ok(G.col.ingress.x < G.col.service.x && G.col.service.x < G.col.work.x && G.col.work.x < G.col.node.x);
    assert.ok(G.col.node.x + G.col.node.w <= 1280);
  });

  it('sizes each box from its text: a long name and a wrapped line make it taller', () => {
    const L = inPresenterType(() => layout(g, null, { type: presenterType(g, 1280) }));
    assert.equal(L.width, 1280);
    assert.notEqual(L.geom, GEOM);
    const svc = [...L.boxes.values()].find((b) => b.kind === 'Service');
    const long = graphOf(fixture('rollout.json'));
    const n = long.nodes.get(svc.id);
    long.nodes.set(svc.id, { ...n, name: 'a-service-name-of-exactly-forty-chars-xx' });
    const L2 = inPresenterType(() => layout(long, null, { type: presenterType(long, 1280) }));
    assert.ok(L2.boxes.get(svc.id).h > svc.h, `a 40-character name: ${L2.boxes.get(svc.id).h} ≤ ${svc.h}`);
  });

  it('gives pod rows the height of a line of pod type', () => {
    const L = inPresenterType(() => layout(g, null, { type: presenterType(g, 1280) }));
    const lane = [...L.lanes.values()].find((l) => l.pods.length > 1);
    const ys = lane.pods.map((id) => L.pods.get(id).y).sort((a, b) => a - b);
    assert.ok(ys[1] - ys[0] >= 22 * 1.2, `rows ${ys[1] - ys[0]} apart`);
  });

  it('fits the stage: as large as it can be, never under presenter type', () => {
    const { nodes, edges } = app({ pods: 3 });
    const small = graphOf({ nodes, edges });
    const L = inPresenterType(() => fitLayout(small, null, {}, 1280, 640));
    const k = Math.min(1280 / L.width, 640 / L.height);
    assert.ok(k >= 1, `zoom ${k}`);
    assert.ok(L.width < 1280, `a small picture is laid out narrower (${L.width}) so it is drawn larger`);
  });
});

describe('pod rows name their node in every mode', () => {
  const p = pod('default', 'web-abc-x1', 'ReplicaSet/default/web-abc', 'kind-worker-two');
  const lane = { x: 0, w: 520 };
  const geo = { x: 30, y: 0, r: 12 };
  for (const [mode, scale] of [['dashboard', 1], ['presenter', 20 / 14.5]]) {
    it(mode, () => {
      setTextScale(scale);
      try {
        const s = podMarkup(p, geo, lane, null, { colour: 1 });
        assert.match(s, /<text[^>]*data-fact="node">kind-worker-two<\/text>/);
      } finally {
        setTextScale(1);
      }
    });
  }
  it('a node the layout does not draw gets no chip, an unscheduled pod says so', () => {
    assert.doesNotMatch(podMarkup(p, geo, lane, null, null), /data-fact="node"/);
    assert.match(podMarkup({ ...p, node: '' }, geo, lane, null, null), /chip-none/);
  });
});

describe('presenter columns sized by what they hold (the talk demo)', () => {
  setLang('en');
  // Two scenes of the built-in talk, as /api/graph sent them: the Ingress
  // scene (five columns, four Services with 26-character names) and the
  // drain scene (two namespaces, no Service: the workloads are taller than
  // a 1280×720 stage).
  const ingress = graphOf(fixture('talk-33.json'));
  const drain = graphOf(fixture('talk-65.json'));
  const opts = { layers: new Set(DEFAULT_LAYERS), collapsed: new Set() };
  const fit = (g, w, h) => inPresenterType(() => fitLayout(g, null, opts, w, h));
  const zoom = (L, w, h) => Math.min(w / L.width, h / L.height);
  const boxesIn = (L, kind) => [...L.boxes.values()].filter((b) => b.kind === kind);

  it('leaves out the columns that hold nothing, and gives their room to the others', () => {
    const L = fit(drain, 1280, 720);
    assert.deepEqual(L.columns.map((c) => c.id), ['work', 'node']);
    const type = presenterType(drain, 1280, false, opts.layers);
    const cols = presenterCols(type, 1280, false);
    assert.equal(cols.ingress.w, 0);
    assert.equal(cols.service.w, 0);
    assert.ok(cols.work.w > PRESENTER_COLS.work.w * 1280, `workloads ${cols.work.w} wide`);
  });

  it('is shorter than with the columns at fixed shares', () => {
    const type = presenterType(ingress, 1280, true, opts.layers);
    const sized = inPresenterType(() => layout(ingress, null, { ...opts, type }));
    const fixed = inPresenterType(() => layout(ingress, null, { ...opts, type: { ...type, natural: undefined } }));
    assert.ok(sized.height <= fixed.height - 40, `${sized.height} high, with fixed shares ${fixed.height}`);
  });

  it('stands the workloads in two columns when one is taller than the stage', () => {
    const L = fit(drain, 1280, 720);
    assert.equal(L.geom.type.workCols, 2);
    const work = boxesIn(L, 'Deployment').concat(boxesIn(L, 'group'));
    const xs = new Set(work.map((b) => b.x));
    assert.equal(xs.size, 2, `workload boxes at x ${[...xs]}`);
    for (const a of work) {
      for (const b of work) {
        if (a === b) continue;
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        assert.ok(apart, `${a.id} and ${b.id} overlap`);
      }
    }
    // Lanes and pods moved with their box.
    for (const [id, p] of L.pods) {
      const lane = L.lanes.get(p.lane);
      assert.ok(p.x > lane.x && p.x < lane.x + lane.w && p.y > lane.y && p.y < lane.y + lane.h, `${id} outside its lane`);
    }
    // Edges from the first column to the Nodes pass under the second's boxes.
    const first = Math.min(...xs);
    for (const e of L.edges.filter((x) => x.kind === 'runs-on')) {
      const p = L.pods.get(e.from);
      assert.equal(!!e.under, L.lanes.get(p.lane).x < first + L.geom.col.work.w, `${e.id} under: ${e.under}`);
    }
  });

  it('lifts a column its anchors pushed below the workloads', () => {
    // The references in their column (not below the workloads).
    const L = inPresenterType(() => layout(ingress, null, { ...opts, type: presenterType(ingress, 1280, true, opts.layers) }));
    const bottom = (kind) => Math.max(...boxesIn(L, kind).map((b) => b.y + b.h));
    const work = Math.max(bottom('Deployment'), bottom('StatefulSet'), bottom('group'));
    // data-db-0 stood beside db-0 (its anchor); it moved up, so the claims
    // end where the workloads do, or (a stack taller than theirs) start
    // where they start.
    const claim = L.boxes.get('PersistentVolumeClaim/demo/data-db-0');
    assert.ok(claim.y < L.pods.get('Pod/demo/db-0').y - 40, `data-db-0 at ${claim.y}, db-0 at ${L.pods.get('Pod/demo/db-0').y}`);
    const top = (kind) => Math.min(...boxesIn(L, kind).map((b) => b.y));
    assert.ok(bottom('PersistentVolume') <= work || top('PersistentVolumeClaim') === top('Deployment'), `claims ${top('PersistentVolumeClaim')}–${bottom('PersistentVolume')}, workloads ${top('Deployment')}–${work}`);
  });

  it('lays a band out again for another variant of the same width', () => {
    // A band is reused while its inputs and the geometry's key are the
    // same: the key must tell one column of workloads from two.
    const type = presenterType(drain, 1280, true, opts.layers);
    const two = inPresenterType(() => layout(drain, null, { ...opts, type: { ...type, workCols: 2 } }));
    const one = inPresenterType(() => layout(drain, two.state, { ...opts, type: { ...type, workCols: 1 } }));
    assert.equal(new Set(boxesIn(two, 'Deployment').map((b) => b.x)).size, 2);
    assert.equal(new Set(boxesIn(one, 'Deployment').map((b) => b.x)).size, 1);
  });

  it('stands the Ingress above the Services on a narrow stage, its edges bending out left', () => {
    const type = { ...presenterType(ingress, 1024, true, opts.layers), ingressAbove: true };
    const L = inPresenterType(() => layout(ingress, null, { ...opts, type }));
    assert.equal(L.geom.ingressAbove, true);
    assert.ok(!L.columns.some((c) => c.id === 'ingress'), 'no Ingress column');
    const ing = boxesIn(L, 'Ingress')[0];
    const svcs = boxesIn(L, 'Service');
    assert.ok(svcs.every((b) => b.x === ing.x && b.y >= ing.y + ing.h), 'Services under the Ingress');
    for (const e of L.edges.filter((x) => x.kind === 'routes')) assert.match(e.d, new RegExp(`^M${ing.x},`), `${e.id} leaves from the left side`);
    // Without it the scene was laid out at 0.69 (estimate).
    assert.ok(zoom(L, 1024, 768) >= 0.75, `zoom ${zoom(L, 1024, 768).toFixed(3)}`);
  });

  it('stands the references below the workloads on a narrow stage, their column given to the others', () => {
    const L = fit(ingress, 1024, 768);
    assert.equal(L.geom.refsBelow, true);
    assert.ok(!L.columns.some((c) => c.id === 'ref'), 'no references column');
    const work = boxesIn(L, 'Deployment').concat(boxesIn(L, 'StatefulSet'), boxesIn(L, 'group'));
    const foot = Math.max(...work.map((b) => b.y + b.h));
    const area = L.geom.col.work;
    const claims = boxesIn(L, 'PersistentVolumeClaim');
    assert.equal(claims.length, 2);
    assert.equal(new Set(claims.map((b) => b.y)).size, 1, 'the claims side by side in one row');
    for (const c of claims) {
      assert.ok(c.y > foot && c.x >= area.x && c.x + c.w <= area.x + area.w + 1, `${c.id} at ${c.x},${c.y} (workloads end at ${foot})`);
      // Its mounts edge drops into its top, under the boxes it passes.
      const m = L.edges.find((e) => e.kind === 'mounts' && e.to === c.id);
      assert.ok(m && m.under, `${c.id}'s mounts edge under: ${m?.under}`);
      assert.match(m.d, new RegExp(`,${c.y - 4}$`));
    }
    // With the column the scene was laid out at 0.79 (estimate).
    assert.ok(zoom(L, 1024, 768) >= 0.85, `zoom ${zoom(L, 1024, 768).toFixed(3)}`);
  });

  it("stands the claims' volumes under them, or in the cluster column when that is shorter", () => {
    const at = (pvsOut) => inPresenterType(() => layout(ingress, null, { ...opts, type: { ...presenterType(ingress, 1024, true, opts.layers), ingressAbove: true, refsBelow: true, pvsOut } }));
    const under = at(false);
    const out = at(true);
    const node = out.columns.find((c) => c.id === 'node');
    const sc = boxesIn(out, 'StorageClass')[0];
    for (const c of boxesIn(out, 'PersistentVolumeClaim')) {
      const pv = under.boxes.get(under.edges.find((e) => e.kind === 'bound' && e.from === c.id).to);
      assert.ok(pv.claim === c.id && pv.y > under.boxes.get(c.id).y && pv.x > under.boxes.get(c.id).x, `${c.id}'s volume under it: ${pv.x},${pv.y}`);
      // Out: in the cluster column, under the StorageClass, the bound edge
      // from the claim's right side into the volume's left; its class
      // edge a bracket on their left.
      const bound = out.edges.find((e) => e.kind === 'bound' && e.from === c.id);
      const v = out.boxes.get(bound.to);
      assert.ok(v.x === node.x && v.y > sc.y + sc.h && !v.claim, `${c.id}'s volume ${bound.to} at ${v.x},${v.y}`);
      // Out of its foot, along under its row, beneath what it passes.
      assert.match(bound.d, new RegExp(`^M${c.x + c.w - 18},${c.y + c.h} L${c.x + c.w - 18},${c.y + c.h + 6} `));
      assert.equal(bound.under, true);
      const cls = out.edges.find((e) => e.kind === 'class' && e.from === bound.to);
      assert.match(cls.d, new RegExp(`^M${v.x},.* L${node.x - 10},`));
    }
    // The rows below the workloads are shorter by the volumes.
    const bottom = (L, kinds) => Math.max(...[...L.boxes.values()].filter((b) => kinds.includes(b.kind)).map((b) => b.y + b.h));
    assert.ok(bottom(out, ['PersistentVolumeClaim']) < bottom(under, ['PersistentVolume']) - 60);
  });

  it("stands a namespace's quotas on its band's title row in presenter type", () => {
    const L = inPresenterType(() => layout(drain, null, { ...opts, type: presenterType(drain, 1280, true, opts.layers) }));
    const band = L.bands.find((b) => b.ns === 'demo-team');
    assert.equal(band.info.inline, true);
    // No row under the title: only the room the bars reach below it.
    assert.ok(band.info.h <= 8, `the quotas take ${band.info.h} below the title`);
    const dash = layout(drain, null, opts).bands.find((b) => b.ns === 'demo-team');
    assert.ok(dash.info.h >= 26, `the dashboard's quota row: ${dash.info.h}`);
    const m = inPresenterType(() => nsInfoMarkup(drain.nodes.get('Namespace/demo-team'), band.info, band, L.bandW));
    assert.match(m, /data-testid="quota-line"[^>]*>pods 3\/3 · requests.cpu 600m\/1</);
    const bars = [...m.matchAll(/class="quota-bg" x="(\d+)" y="(\d+)"/g)].map((x) => [Number(x[1]), Number(x[2])]);
    assert.equal(bars.length, 2);
    for (const [, y] of bars) assert.ok(y > band.y + 26 && y + 5 <= band.y + L.geom.bandHeader + band.info.h, `a bar at ${y}, the band at ${band.y}`);
    assert.ok(bars[1][0] > bars[0][0], 'each bar under its words');
  });

  it('draws the network-policy caveat under the Nodes, in the picture', () => {
    const netpol = { ...opts, layers: new Set([...DEFAULT_LAYERS, 'netpol']) };
    const L = inPresenterType(() => layout(drain, null, { ...netpol, type: presenterType(drain, 1280, true, netpol.layers) }));
    const node = L.columns.find((c) => c.id === 'node');
    const nodesEnd = Math.max(...boxesIn(L, 'Node').map((b) => b.y + b.h));
    assert.ok(L.caveat, 'no caveat');
    assert.equal(L.caveat.x, node.x);
    assert.equal(L.caveat.w, node.w);
    assert.ok(L.caveat.y > nodesEnd && L.caveat.h >= 40 && L.caveat.y + L.caveat.h <= L.height, `caveat ${JSON.stringify(L.caveat)}, Nodes end at ${nodesEnd}`);
    assert.match(L.caveat.text, /Policy as declared/);
    // Without the layer, or on the dashboard, there is none.
    assert.equal(inPresenterType(() => layout(drain, null, { ...opts, type: presenterType(drain, 1280, true, opts.layers) })).caveat, undefined);
    assert.equal(layout(drain, null, netpol).caveat, undefined);
  });

  it('stands a reference under the workload column that ends highest', () => {
    const netpol = { ...opts, layers: new Set(['netpol', 'warnings']) };
    const type = { ...presenterType(drain, 1024, true, netpol.layers), workCols: 2, refsBelow: true };
    const L = inPresenterType(() => layout(drain, null, { ...netpol, type }));
    const pol = L.boxes.get('NetworkPolicy/demo/hellok8s-from-nginx');
    assert.equal(pol.w, L.geom.col.work.w, 'as wide as a workload column');
    const above = [...L.boxes.values()].filter((b) => b.x === pol.x && b.id !== pol.id && b.y < pol.y && b.id.includes('/demo/') || (b.id.startsWith('group:demo:') && b.x === pol.x));
    const other = [...L.boxes.values()].filter((b) => b.x !== pol.x && (b.id.includes('/demo/') || b.id.startsWith('group:demo:')) && b.kind !== 'Node' && b.x < L.geom.col.node.x);
    const end = (list) => Math.max(...list.map((b) => b.y + b.h));
    assert.ok(end(above) <= end(other), `under the column ending at ${end(above)}, not the one at ${end(other)}`);
    assert.ok(pol.y > end(above) && pol.y < end(other) + 40, `the policy at ${pol.y}`);
  });

  it('breaks no name mid-letters where the picture fits', () => {
    // "demo-data-1" may wrap after "demo-", never inside "data" (TestProjectorFit's
    // 1280×720 picture had "dem / o- / data- / 1").
    const work = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
    for (const [name, g] of [['Ingress scene', ingress], ['drain scene', drain]]) {
      for (const [w, h] of [[1280, 720], [1920, 1080]]) {
        const L = fit(g, w, h);
        // With the estimate (wider than the browser's measure) the Ingress
        // scene does not fit 1280×720: the largest picture wins then.
        if (Math.min(w / L.width, h / L.height) < 0.999) continue;
        for (const b of L.boxes.values()) {
          const n = g.nodes.get(b.id);
          if (!n?.name || !b.w) continue;
          const lines = inPresenterType(() => wrapText(n.name, b.w - 40, work.has(n.kind) ? 28 : 26, true));
          for (const line of lines.slice(0, -1)) {
            assert.match(line, /[-/.:]$/, `${name} at ${w}×${h}: ${b.id} (${b.w} wide) wraps as ${JSON.stringify(lines)}`);
          }
        }
      }
    }
  });

  // The estimate (0.6 em Latin) is wider than the browser's measure: these
  // are floors, measured with it, that the fixed shares were far under
  // (0.73 and 0.70). e2e/fit_test.go checks the browser's 20 px.
  for (const [name, g, min] of [['Ingress scene', ingress, 0.85], ['drain scene', drain, 0.9]]) {
    it(`lays the ${name} out for 1280×720 at a zoom of ${min} or more`, () => {
      const z = zoom(fit(g, 1280, 720), 1280, 720);
      assert.ok(z >= min, `zoom ${z.toFixed(3)}`);
    });
  }
});

describe('the dashboard wraps a long Ingress rule instead of cutting it', () => {
  it('puts each rule on as many lines as it needs, its edge at its first', () => {
    const rules = [{ path: '/hello', service: 'service-hellok8s-clusterip' }, { path: '/', service: 'web' }];
    const d = dashboardRules(rules, 250);
    const first = d.lines.filter((l) => l.rule === 0);
    assert.ok(first.length >= 2, `the long rule on ${first.length} line(s)`);
    assert.equal(first.map((l) => l.text).join(' ').replace(/\s+/g, ''), ingressRuleText(rules[0]).replace(/\s+/g, ''));
    assert.ok(!d.lines.some((l) => l.text.includes('…')));
    assert.equal(d.ports[0], first[0].y);
    assert.equal(d.ports[1], d.lines.find((l) => l.rule === 1).y);
    assert.ok(d.h > dashboardRules([rules[1]], 250).h);
  });
});
