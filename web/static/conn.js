// The /ws connection: connects, feeds the store, reconnects with backoff and
// resumes with ?epoch=E&since=N. The socket class, timers and randomness are
// injected, so node --test drives it with fakes.

import { ProtocolError, parseMessage, validateMessage } from './store.js';
import { embeddedSegment, playEmbedded } from './player.js';
import { graphURL, wsURL } from './address.js';

export { wsURL };

// openSource returns the page's source of messages: the /ws Connection, or
// on an exported page (docs/export.md) the player of the segment it
// carries. o is Connection's options.
export function openSource(o, doc = globalThis.document) {
  const text = embeddedSegment(doc);
  return text === null ? new Connection(o) : playEmbedded(o, text, doc);
}

// backoffDelay is the wait before reconnect attempt n (0-based): doubling from
// base to max, with ±20% jitter so a room full of wall screens does not
// reconnect in step after a server restart.
export function backoffDelay(n, random = Math.random, base = 500, max = 10000) {
  const d = Math.min(max, base * 2 ** Math.min(n, 20));
  return Math.round(d * (0.8 + 0.4 * random()));
}

// Connection states reported to onState.
export const STATES = ['connecting', 'live', 'reconnecting', 'resyncing', 'error'];

export class Connection {
  /**
   * @param {object} o
   * @param {import('./store.js').Store} o.store
   * @param {string} o.href page address
   * @param {string[]} o.namespaces
   * @param {string} [o.selector] label selector ("" for none); change it,
   *   then setNamespaces, to ask for another view
   * @param {Function} o.WebSocket socket constructor
   * @param {(change: object) => void} o.onChange called after each applied message
   * @param {(state: string, info: object) => void} o.onState
   * @param {(url: string) => Promise<object|null>} [o.firstPicture] the
   *   /api/graph answer at url (first.js), or null: without a resume point
   *   the picture comes from there, then /ws resumes from it
   */
  constructor(o) {
    this.store = o.store;
    this.href = o.href;
    this.namespaces = o.namespaces || [];
    this.selector = o.selector || '';
    this.WS = o.WebSocket;
    this.onChange = o.onChange || (() => {});
    this.onState = o.onState || (() => {});
    // Wrapped: the browser's timer functions throw "Illegal invocation" when
    // called as methods of another object.
    this.setTimeout = o.setTimeout || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimeout = o.clearTimeout || ((id) => clearTimeout(id));
    this.random = o.random || Math.random;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.closed = false;
    this.pending = ''; // state to show when the next socket opens
    this.firstPicture = o.firstPicture || null;
    this.asked = 0; // counts first pictures asked for: an answer for an older one is dropped
  }

  start() {
    this.closed = false;
    this.#first();
  }

  stop() {
    this.closed = true;
    this.clearTimeout(this.timer);
    this.timer = null;
    this.#drop();
  }

  // setNamespaces changes the filter: the old resume point belongs to another
  // view, so the store is reset and a fresh snapshot is asked for.
  setNamespaces(list) {
    this.namespaces = list.slice();
    this.store.reset();
    this.#drop();
    this.clearTimeout(this.timer);
    this.#first();
  }

  // #first takes the first picture from /api/graph, then opens /ws resuming
  // from it. The browser reads a 20 MB answer (20,000 pods) far faster over
  // HTTP than as one WebSocket message, and first.js asked for it while the
  // app's modules loaded. Without one (no firstPicture, a failed request),
  // /ws sends the snapshot itself.
  async #first() {
    if (!this.firstPicture || this.store.resume()) {
      this.#open('connecting');
      return;
    }
    const asked = ++this.asked;
    const url = graphURL(this.href, this.namespaces, this.selector);
    this.onState('connecting', { url });
    let msg = null;
    try {
      const body = await this.firstPicture(url);
      if (body) msg = validateMessage({ ...body, type: 'snapshot' });
    } catch {
      msg = null; // not a picture: /ws will send one
    }
    if (asked !== this.asked || this.closed || this.ws || this.timer) return; // stopped, or another view asked for
    // /ws resumes from the picture, and opens before it is drawn.
    const change = msg && this.store.apply(msg);
    this.#open('connecting');
    if (change) this.onChange(change);
  }

  #drop() {
    this.asked++;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
  }

  #open(state) {
    this.timer = null;
    if (this.closed) return;
    const url = wsURL(this.href, this.namespaces, this.store.resume(), this.selector);
    this.onState(state, { url });
    let ws;
    try {
      ws = new this.WS(url);
    } catch (err) {
      this.#retry();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => this.#message(ws, ev.data);
    ws.onclose = () => {
      if (this.ws === ws) {
        this.ws = null;
        this.#retry();
      }
    };
    ws.onerror = () => {}; // onclose follows
  }

  #retry() {
    if (this.closed || this.timer) return;
    const delay = backoffDelay(this.attempt++, this.random);
    this.onState('reconnecting', { delay });
    this.timer = this.setTimeout(() => this.#open('connecting'), delay);
  }

  // resync drops the socket and reconnects at once with the store's resume
  // point (or none, for a fresh snapshot).
  #resync(state, info) {
    this.#drop();
    this.clearTimeout(this.timer);
    this.onState(state, info);
    this.timer = this.setTimeout(() => this.#open(state), state === 'error' ? backoffDelay(this.attempt++, this.random) : 0);
  }

  #message(ws, data) {
    if (this.ws !== ws) return;
    let msg;
    try {
      msg = parseMessage(typeof data === 'string' ? data : String(data));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      // Keep the last good picture, show the error, and start over from a
      // fresh snapshot: the stream can no longer be trusted.
      this.store.forgetResume();
      this.#resync('error', { detail: err.message });
      return;
    }
    const change = this.store.apply(msg);
    if (change.type === 'gap') {
      this.#resync('resyncing', { since: this.store.seq });
      return;
    }
    // Live after a snapshot or delta, or after a status on a resumed
    // connection: the server sends nothing else when nothing changed while
    // we were away.
    if (change.type === 'snapshot' || change.type === 'delta' || (change.type === 'status' && this.store.synced)) {
      this.attempt = 0;
      this.onState('live', { seq: this.store.seq });
    }
    this.onChange(change);
  }
}
