// i18n completeness: every UI string and every happening exists in zh-CN and
// English, with the same placeholders, and every id the code asks for is in
// the tables. Adding a string in one language only fails here.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { POD_STATES } from '../static/format.js';
import { happeningText, messages, setLang, t } from '../static/i18n.js';
import { KEEP } from '../static/i18n-zh.js';
import { text as replayText } from '../static/replay.js';

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = join(here, '..', 'static');
const LANGS = ['en', 'zh-CN'];
const placeholders = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const CJK = /[\u3400-\u9fff]/;

test('both tables have every id, with the same placeholders', () => {
  const en = messages.en;
  const zh = messages['zh-CN'];
  assert.ok(zh, 'no zh-CN table');
  const missing = Object.keys(en).filter((k) => !(k in zh));
  const extra = Object.keys(zh).filter((k) => !(k in en));
  assert.deepEqual(missing, [], 'ids without a zh-CN translation');
  assert.deepEqual(extra, [], 'zh-CN ids the English table lacks');
  for (const k of Object.keys(en)) {
    for (const lang of LANGS) {
      assert.equal(typeof messages[lang][k], 'string', `${lang} ${k} is not a string`);
      assert.notEqual(messages[lang][k].trim(), '', `${lang} ${k} is empty`);
    }
    assert.deepEqual(placeholders(zh[k]), placeholders(en[k]), `placeholders of ${k} differ`);
  }
});

test('no table names an id twice (the second would silently win)', () => {
  for (const f of ['i18n.js', 'i18n-zh.js', 'i18n-presenter.js']) {
    const seen = new Set();
    const dups = [];
    // One table per file here, except i18n.js's single English table.
    for (const m of readFileSync(join(staticDir, f), 'utf8').matchAll(/^\s*'([\w.#]+)':/gm)) {
      if (seen.has(m[1])) dups.push(m[1]);
      seen.add(m[1]);
    }
    assert.deepEqual(dups, [], `${f} names these ids twice`);
  }
});

test('zh-CN is not English copied over, except the kept Kubernetes terms', () => {
  const en = messages.en;
  const zh = messages['zh-CN'];
  const same = Object.keys(en).filter((k) => zh[k] === en[k] && !KEEP.has(k));
  assert.deepEqual(same, [], 'untranslated (add a translation, or to KEEP when Chinese uses the English term)');
  for (const k of KEEP) assert.ok(k in en, `KEEP names unknown id ${k}`);
  // Pod, Service and Ingress stay in English, as Chinese speakers say them.
  for (const k of ['kind.Pod', 'kind.Service', 'kind.Ingress']) assert.equal(zh[k], en[k]);
});

// ids the code builds from a prefix, per prefix: every value it can take.
const FAMILIES = {
  'state.': POD_STATES,
  'kind.': ['Ingress', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Pod', 'Node'],
  'rollout.': ['progressing', 'complete', 'stalled'],
  'banner.': ['connecting', 'connected', 'reconnecting', 'resyncing', 'apiserver', 'syncing', 'error'],
  'edge.': ['ready', 'serving', 'terminating', 'none'],
  'risky.': ['wildcard', 'secrets', 'exec', 'escalate', 'bind', 'impersonate', 'cluster-admin'],
  'limit.': ['default', 'request', 'min', 'max'],
};

test('every id the code and the page shell ask for is in the tables', () => {
  const ids = new Set();
  const prefixes = new Set(Object.keys(messages.en).map((k) => k.split('.')[0]));
  for (const f of readdirSync(staticDir).filter((f) => f.endsWith('.js') && !f.startsWith('i18n'))) {
    const src = readFileSync(join(staticDir, f), 'utf8');
    for (const m of src.matchAll(/\bt\(\s*'([\w.#]+)'/g)) ids.add(m[1]);
    // Ids passed around before t() sees them ('btn.presenter' in a button
    // list, 'key.help' in the shortcut list): any quoted word.word whose first
    // word is a table prefix, except file names.
    for (const m of src.matchAll(/'([a-z]+)\.([\w.#]+)'/g)) {
      if (prefixes.has(m[1]) && !/\.(js|css|svg|png|json)$/.test(m[2])) ids.add(`${m[1]}.${m[2]}`);
    }
    for (const m of src.matchAll(/data-i18n(?:-\w+)?="([\w.#]+)"/g)) ids.add(m[1]);
  }
  for (const f of ['page.templ']) {
    const src = readFileSync(join(here, '..', f), 'utf8');
    for (const m of src.matchAll(/data-i18n(?:-\w+)?="([\w.#]+)"/g)) ids.add(m[1]);
  }
  // t('state.' + st): a prefix the code completes at run time must be a
  // family listed above. field.* falls back to the wire name by design.
  for (const id of [...ids].filter((x) => x.endsWith('.'))) {
    ids.delete(id);
    assert.ok(id in FAMILIES || id === 'field.', `t('${id}' + …) builds ids this test does not know: add them to FAMILIES`);
  }
  for (const [prefix, values] of Object.entries(FAMILIES)) for (const v of values) ids.add(prefix + v);
  assert.ok(ids.size > 60, `found only ${ids.size} ids: is the scan broken?`);
  const unknown = [...ids].filter((id) => !(id in messages.en)).sort();
  assert.deepEqual(unknown, [], 'ids used but not in the English table');
});

// One happening of every kind and state the server sends (informers/graph/happen.go).
const HAPPENINGS = [
  { kind: 'scaled', ref: 'Deployment/default/web', text: 'Deployment default/web scaled 3 → 6', params: { name: 'default/web', kind: 'Deployment', from: '3', to: '6' } },
  { kind: 'rollout', ref: 'Deployment/default/web', text: 'rollout default/web: revision 2 → 3', params: { name: 'default/web', state: 'started', fromRevision: '2', toRevision: '3' } },
  { kind: 'rollout', ref: 'Deployment/default/web', text: 'rollout default/web: revision 2 → 3, image web:v2 → web:v3', params: { name: 'default/web', state: 'started', fromRevision: '2', toRevision: '3', fromImage: 'web:v2', toImage: 'web:v3' } },
  ...['progressing', 'complete', 'stalled'].map((state) => ({ kind: 'rollout', ref: 'Deployment/default/web', text: `rollout default/web ${state}`, params: { name: 'default/web', state } })),
  { kind: 'restarted', ref: 'Pod/default/web-1', text: 'Pod default/web-1 restarted (4)', params: { name: 'default/web-1', restarts: '4' } },
  { kind: 'failed', ref: 'Pod/default/web-1', text: 'Pod default/web-1 failed: Error', params: { name: 'default/web-1', reason: 'Error' } },
  { kind: 'node', ref: 'Node/worker-2', text: 'Node worker-2 NotReady', params: { name: 'worker-2', state: 'NotReady' } },
  { kind: 'node', ref: 'Node/worker-2', text: 'Node worker-2 Ready', params: { name: 'worker-2', state: 'Ready' } },
  { kind: 'replaced', ref: 'Pod/default/db-1', text: 'Pod default/db-1 replaced: same name, new uid u2', params: { name: 'default/db-1', uid: 'u1', newUid: 'u2' } },
  { kind: 'replaced', ref: 'Pod/default/db-1', text: 'Pod default/db-1 replaced: same name, new uid u2, same claims data-db-1', params: { name: 'default/db-1', uid: 'u1', newUid: 'u2', claims: 'data-db-1' } },
  { kind: 'replaced', ref: 'Pod/default/web-1-b', text: 'Pod default/web-1-a deleted: ReplicaSet web-1 replaced it with default/web-1-b', params: { name: 'default/web-1-b', uid: 'u1', newUid: 'u2', was: 'default/web-1-a', owner: 'ReplicaSet/default/web-1' } },
  { kind: 'job', ref: 'Job/default/backup-2911', text: 'CronJob default/backup started Job default/backup-2911', params: { name: 'default/backup-2911', state: 'started', job: 'default/backup-2911', cronjob: 'default/backup' } },
  { kind: 'job', ref: 'Job/default/pi', text: 'Job default/pi complete in 1m30s', params: { name: 'default/pi', state: 'complete', job: 'default/pi', duration: '1m30s' } },
  { kind: 'job', ref: 'Job/default/pi', text: 'Job default/pi complete', params: { name: 'default/pi', state: 'complete', job: 'default/pi' } },
  { kind: 'job', ref: 'Job/default/pi', text: 'Job default/pi failed: BackoffLimitExceeded', params: { name: 'default/pi', state: 'failed', job: 'default/pi', reason: 'BackoffLimitExceeded' } },
  { kind: 'job', ref: 'Job/default/pi', text: 'Job default/pi failed', params: { name: 'default/pi', state: 'failed', job: 'default/pi', reason: '' } },
  { kind: 'warning', ref: 'Pod/default/web-0', text: 'Pod default/web-0: FailedScheduling: 0/3 nodes are available: 3 Insufficient cpu. (×4)', params: { name: 'default/web-0', kind: 'Pod', reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient cpu.', count: '4', last: '2026-11-25T12:01:03Z' } },
  { kind: 'warning', ref: 'ReplicaSet/default/web-1', text: 'ReplicaSet default/web-1: FailedCreate: exceeded quota', params: { name: 'default/web-1', kind: 'ReplicaSet', reason: 'FailedCreate', message: 'exceeded quota', count: '1', last: '2026-11-25T12:01:03Z' } },
  // server/replay's timeline marker (not on the live stream).
  { kind: 'created', ref: 'Deployment/default/web', text: 'Deployment default/web created', params: { name: 'default/web', kind: 'Deployment' } },
];

test('every happening renders in both languages from its params', () => {
  try {
    for (const h of HAPPENINGS) {
      setLang('en');
      const en = happeningText(h);
      assert.equal(en, h.text, `English of ${h.kind}/${h.params.state || ''} differs from the server's text`);
      setLang('zh-CN');
      const zh = happeningText(h);
      assert.notEqual(zh, h.text, `${h.kind}/${h.params.state || ''} fell back to the English text`);
      assert.match(zh, CJK, `${zh} has no Chinese`);
      assert.ok(!zh.includes('?') && !zh.includes('{'), `${zh} has an unfilled placeholder`);
      for (const v of [h.params.from, h.params.to, h.params.restarts].filter(Boolean)) assert.ok(zh.includes(v), `${zh} lost ${v}`);
    }
  } finally {
    setLang('en');
  }
});

test('setLang: Accept-Language style tags pick a table', () => {
  try {
    assert.equal(setLang('zh-CN'), 'zh-CN');
    assert.equal(t('banner.connected'), '实时');
    assert.equal(setLang('zh'), 'zh-CN');
    assert.equal(setLang('zh-TW'), 'zh-CN');
    assert.equal(setLang('en-GB'), 'en');
    assert.equal(setLang('fr'), 'en');
    assert.equal(t('banner.connected'), 'Live');
    assert.equal(setLang(undefined), 'en');
  } finally {
    setLang('en');
  }
});

test('the replay controls speak both languages too', () => {
  const en = replayText('en');
  const zh = replayText('zh-CN');
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const k of Object.keys(en)) {
    assert.match(zh[k], CJK, `replay ${k} is not translated`);
    assert.deepEqual(placeholders(zh[k]), placeholders(en[k]), `replay ${k} placeholders differ`);
  }
});

test('created, deleted and endpoints happenings render from their params in both languages', () => {
  {
    const hs = [
      { kind: 'created', ref: 'Deployment/shop/web', text: 'x', params: { name: 'shop/web', kind: 'Deployment' } },
      { kind: 'deleted', ref: 'Service/shop/web', text: 'x', params: { name: 'shop/web', kind: 'Service' } },
      { kind: 'endpoints', ref: 'Service/shop/web', text: 'x', params: { name: 'shop/web', from: '1', to: '2' } },
    ];
    setLang('en');
    assert.deepEqual(hs.map(happeningText), ['Deployment shop/web created', 'Service shop/web deleted', 'Service shop/web: ready endpoints 1 → 2']);
    setLang('zh-CN');
    assert.deepEqual(hs.map(happeningText), ['Deployment shop/web 已创建', 'Service shop/web 已删除', 'Service shop/web：就绪端点 1 → 2']);
    setLang('en');
  }
});
