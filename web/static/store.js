// The store holds the graph as the server last described it and applies the
// /ws messages of protocol v1 (docs/protocol.md): a snapshot replaces
// everything, a delta covers (from, seq] and is applied only when `from` is
// where the store stands; otherwise there was a gap and the connection must
// resume with ?epoch=E&since=seq. Pure: no DOM, no sockets.

// ProtocolError is a message the store refuses: the page shows it and
// resyncs, and the graph it holds is left untouched.
export class ProtocolError extends Error {
  constructor(detail) {
    super(detail);
    this.name = 'ProtocolError';
  }
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isSeq = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

// list accepts an array or null/undefined (Go encodes a nil slice as null).
function list(v, what) {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new ProtocolError(`${what} is not a list`);
  return v;
}

function checkNode(n, where) {
  if (!isObj(n)) throw new ProtocolError(`${where}: node is not an object`);
  if (typeof n.id !== 'string' || n.id === '') throw new ProtocolError(`${where}: node without id`);
  if (typeof n.kind !== 'string' || n.kind === '') throw new ProtocolError(`${where}: node ${n.id} without kind`);
}

function checkEdge(e, where) {
  if (!isObj(e)) throw new ProtocolError(`${where}: edge is not an object`);
  for (const k of ['id', 'kind', 'from', 'to']) {
    if (typeof e[k] !== 'string' || e[k] === '') throw new ProtocolError(`${where}: edge without ${k}`);
  }
}

// parseMessage decodes and validates one /ws text frame. It throws
// ProtocolError for anything that is not a well-formed v1 message, so a bad
// frame can never half-apply.
export function parseMessage(text) {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(`not JSON (${String(err.message).slice(0, 80)})`);
  }
  return validateMessage(msg);
}

// validateMessage checks an already decoded message and normalises null
// lists to empty ones.
export function validateMessage(msg) {
  if (!isObj(msg)) throw new ProtocolError('message is not an object');
  if (typeof msg.type !== 'string') throw new ProtocolError('message without type');
  switch (msg.type) {
    case 'snapshot': {
      if (typeof msg.epoch !== 'string') throw new ProtocolError('snapshot without epoch');
      if (!isSeq(msg.seq)) throw new ProtocolError('snapshot with a bad seq');
      const nodes = list(msg.nodes, 'snapshot nodes');
      const edges = list(msg.edges, 'snapshot edges');
      nodes.forEach((n) => checkNode(n, 'snapshot'));
      edges.forEach((e) => checkEdge(e, 'snapshot'));
      // The happenings that led here (a page opened mid-rollout).
      const happenings = list(msg.happenings, 'happenings').filter(isObj);
      return { ...msg, nodes, edges, happenings };
    }
    case 'delta': {
      if (!isSeq(msg.seq)) throw new ProtocolError('delta with a bad seq');
      if (msg.from !== undefined && !isSeq(msg.from)) throw new ProtocolError('delta with a bad from');
      if (msg.from !== undefined && msg.from > msg.seq) throw new ProtocolError('delta from > seq');
      const up = msg.upsert ?? {};
      const rm = msg.remove ?? {};
      if (!isObj(up) || !isObj(rm)) throw new ProtocolError('delta upsert/remove is not an object');
      const upsert = { nodes: list(up.nodes, 'upsert nodes'), edges: list(up.edges, 'upsert edges') };
      const remove = { nodes: list(rm.nodes, 'remove nodes'), edges: list(rm.edges, 'remove edges') };
      upsert.nodes.forEach((n) => checkNode(n, 'delta'));
      upsert.edges.forEach((e) => checkEdge(e, 'delta'));
      for (const id of [...remove.nodes, ...remove.edges]) {
        if (typeof id !== 'string') throw new ProtocolError('delta removes a non-string id');
      }
      const happenings = list(msg.happenings, 'happenings').filter(isObj);
      return { ...msg, upsert, remove, happenings };
    }
    case 'status': {
      if (msg.apiserver !== undefined && typeof msg.apiserver !== 'string') {
        throw new ProtocolError('status with a bad apiserver');
      }
      const denied = list(msg.denied, 'status denied').filter((d) => typeof d === 'string');
      return { ...msg, denied };
    }
    default:
      // Unknown types are for newer servers; an older page ignores them.
      return msg;
  }
}

// emptyChange is what apply returns: what was added, updated and removed
// (with the previous object, so the renderer can animate from it).
function emptyChange(type) {
  return {
    type,
    added: new Set(),
    updated: new Map(), // id → previous node
    removed: new Map(), // id → removed node
    addedEdges: new Set(),
    updatedEdges: new Map(), // id → previous edge
    removedEdges: new Map(),
    happenings: [],
  };
}

// MAX_WARNINGS bounds an object's warnings, as the server does
// (graph.MaxWarnings).
export const MAX_WARNINGS = 5;

// warningOf reads a warning happening's params as a warnings entry, or
// null when it names no reason.
export function warningOf(h) {
  const p = isObj(h?.params) ? h.params : {};
  if (typeof p.reason !== 'string' || p.reason === '') return null;
  const count = Number.parseInt(p.count, 10);
  return { reason: p.reason, message: String(p.message ?? ''), count: Number.isFinite(count) && count > 0 ? count : 1, last: String(p.last || h.time || '') };
}

// mergeWarning is docs/protocol.md's rule for a warning happening: the entry
// with that reason is replaced (else the warning is inserted), the list is
// sorted newest first (by last, then reason), and the first MAX_WARNINGS are
// kept. It returns a new list; list is not changed.
export function mergeWarning(list, w) {
  const out = (Array.isArray(list) ? list : []).filter((x) => x && x.reason !== w.reason);
  out.push(w);
  // RFC 3339 times of one server compare as strings only at one precision;
  // compare them as instants.
  const ms = (x) => {
    const v = Date.parse(x.last);
    return Number.isNaN(v) ? -Infinity : v;
  };
  out.sort((a, b) => ms(b) - ms(a) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  return out.slice(0, MAX_WARNINGS);
}

export class Store {
  constructor() {
    this.reset();
    this.status = { apiserver: 'connected', synced: true, denied: [] };
    this.gen = 0; // counts applied snapshots and deltas, for caches
  }

  // reset forgets the graph, e.g. when the namespace filter changes.
  reset() {
    this.epoch = '';
    this.seq = 0;
    this.synced = false; // a snapshot has been applied in this epoch
    /** @type {Map<string, any>} */
    this.nodes = new Map();
    /** @type {Map<string, any>} */
    this.edges = new Map();
  }

  // forgetResume keeps the graph on screen but makes the next connection ask
  // for a fresh snapshot, and refuses deltas until it arrives.
  forgetResume() {
    this.epoch = '';
    this.synced = false;
  }

  // resume returns the query parameters for reconnecting: the server sends
  // only what changed after seq when epoch matches and seq is still in its log.
  resume() {
    return this.synced ? { epoch: this.epoch, since: this.seq } : null;
  }

  // apply applies a validated message and returns what changed. type is
  // "snapshot", "delta", "status", "gap" (the store did not change; resume
  // from this.seq), "stale" (already applied) or "ignored".
  apply(msg) {
    switch (msg.type) {
      case 'snapshot':
        return this.#snapshot(msg);
      case 'delta':
        return this.#delta(msg);
      case 'status':
        this.status = {
          apiserver: msg.apiserver || 'connected',
          synced: msg.synced !== false,
          denied: msg.denied || [],
        };
        return emptyChange('status');
      default:
        return emptyChange('ignored');
    }
  }

  #snapshot(msg) {
    const ch = emptyChange('snapshot');
    const nodes = new Map();
    for (const n of msg.nodes) nodes.set(n.id, n);
    const edges = new Map();
    for (const e of msg.edges) edges.set(e.id, e);
    for (const [id, n] of nodes) {
      const old = this.nodes.get(id);
      if (!old) ch.added.add(id);
      else if (old !== n) ch.updated.set(id, old);
    }
    for (const [id, n] of this.nodes) if (!nodes.has(id)) ch.removed.set(id, n);
    for (const [id, e] of edges) {
      const old = this.edges.get(id);
      if (!old) ch.addedEdges.add(id);
      else ch.updatedEdges.set(id, old);
    }
    for (const [id, e] of this.edges) if (!edges.has(id)) ch.removedEdges.set(id, e);
    this.nodes = nodes;
    this.edges = edges;
    this.epoch = msg.epoch;
    this.seq = msg.seq;
    this.synced = true;
    this.gen++;
    ch.happenings = msg.happenings || [];
    return ch;
  }

  #delta(msg) {
    if (!this.synced) return emptyChange('gap');
    if (msg.seq <= this.seq) return emptyChange('stale');
    // Without `from` (a plain v1 server) a gap cannot be told from a skip.
    if (msg.from !== undefined && msg.from !== this.seq) return emptyChange('gap');
    const ch = emptyChange('delta');
    // Removals first: an id both removed and upserted in one delta means the
    // object was re-created, and the upsert must win.
    for (const id of msg.remove.edges) {
      const old = this.edges.get(id);
      if (old) {
        this.edges.delete(id);
        ch.removedEdges.set(id, old);
      }
    }
    for (const id of msg.remove.nodes) {
      const old = this.nodes.get(id);
      if (old) {
        this.nodes.delete(id);
        ch.removed.set(id, old);
      }
    }
    for (const n of msg.upsert.nodes) {
      const old = this.nodes.get(n.id) ?? ch.removed.get(n.id);
      ch.removed.delete(n.id);
      if (old && old.uid === n.uid) {
        ch.updated.set(n.id, old);
      } else {
        // A new uid under an old id is a new object (a re-created
        // StatefulSet pod): it animates in as new.
        ch.added.add(n.id);
      }
      this.nodes.set(n.id, n);
    }
    for (const e of msg.upsert.edges) {
      const old = this.edges.get(e.id) ?? ch.removedEdges.get(e.id);
      if (old) {
        ch.removedEdges.delete(e.id);
        ch.updatedEdges.set(e.id, old);
      } else ch.addedEdges.add(e.id);
      this.edges.set(e.id, e);
    }
    ch.happenings = msg.happenings || [];
    // A warning changes no object on the wire (events churn; a pod's upsert
    // must stay small): the happening carries it, and it is merged into
    // the object's warnings here as the server merges it, so the graph
    // equals /api/graph. An object upserted in this delta already carries
    // its warnings as of this seq.
    const upserted = new Set(msg.upsert.nodes.map((n) => n.id));
    for (const h of ch.happenings) {
      if (h.kind !== 'warning' || typeof h.ref !== 'string' || upserted.has(h.ref)) continue;
      const old = this.nodes.get(h.ref);
      const w = warningOf(h);
      if (!old || !w) continue;
      this.nodes.set(h.ref, { ...old, warnings: mergeWarning(old.warnings, w) });
      if (!ch.added.has(h.ref) && !ch.updated.has(h.ref)) ch.updated.set(h.ref, old);
    }
    ch.time = typeof msg.time === 'number' ? msg.time : 0; // server receive time, for the latency readout
    this.seq = msg.seq;
    this.gen++;
    return ch;
  }
}
