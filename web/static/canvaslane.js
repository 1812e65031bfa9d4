// canvaslane.js draws a big compact lane's grid of cells on one <canvas>
// (in an SVG <foreignObject> inside the lane's pod container), instead of
// one painted SVG element per pod: past a few hundred cells SVG's style and
// paint work per element is what makes a scale-up stutter. Every pod keeps
// its element (render.js: data-id, data-status, data-state, data-node), so
// the DOM contract holds, but in a group of the lane's that is out of the
// render tree (display: none): thousands of hidden elements in the SVG each
// still cost their share of every restyle, repaint and attribute change,
// while the browser does not style a hidden group's children at all. The
// canvas takes the pointer instead and finds the pod under it (podAt), so
// hover, click and the tooltip work as on an SVG cell.
//
// A canvas per lane rather than one overlay per picture: it lives in the
// lane's container, so it pans, zooms and glides with the SVG for free, a
// change redraws one lane's cells only, and nothing has to keep a second
// coordinate system in step with the view.

// CANVAS_CELLS_ABOVE: a compact lane with more cells (pods or reserved
// slots) than this draws on a canvas. Below it SVG cells are cheap and keep
// their fade-in.
export const CANVAS_CELLS_ABOVE = 64;

// canvasScale is the canvas pixels per layout unit for a screen of device
// pixel ratio dpr: cells stay crisp up to a zoom of scale / dpr (2 on a
// plain screen, 1.5 on a HiDPI one). Allocating a fresh backing store
// costs in proportion to its pixels, and a first draw of 20,000 pods
// allocates 100 of them: at 3 pixels per unit on a plain screen that was
// most of a second and a half (docs/benchmarks.md).
export function canvasScale(dpr) {
  return Math.min(3, 2 * Math.max(1, Number(dpr) || 1));
}

// paintedSize is the part of a lane's canvas that cells can reach: from
// the lane's origin (so a canvas pixel is a lane point times the scale)
// to the grid's right edge, plus the lit outline; not the lane's whole
// width, whose right part stays empty.
export function paintedSize(g) {
  return { w: Math.min(g.w, Math.ceil(g.ox + g.cols * g.pitch + 2)), h: g.h };
}

// cellGeom is a compact lane's grid relative to the lane's origin, as
// layout.js placeLane lays it out: cells size wide at a pitch, cols a row.
export function cellGeom(lane, G) {
  return { ox: 12, oy: lane.gridY - lane.y, pitch: G.cell, size: G.cellSize, cols: Math.max(1, lane.cols | 0), w: lane.w, h: lane.h };
}

// cellRect is slot's cell, relative to the lane's origin.
export function cellRect(g, slot) {
  return { x: g.ox + (slot % g.cols) * g.pitch, y: g.oy + Math.floor(slot / g.cols) * g.pitch, w: g.size, h: g.size };
}

// cellAt is the slot whose cell holds point x,y (lane units), or -1 in the
// gaps between cells and outside the grid.
export function cellAt(g, x, y) {
  const dx = x - g.ox;
  const dy = y - g.oy;
  if (dx < 0 || dy < 0) return -1;
  const c = Math.floor(dx / g.pitch);
  const r = Math.floor(dy / g.pitch);
  if (c >= g.cols || dx - c * g.pitch >= g.size || dy - r * g.pitch >= g.size) return -1;
  return r * g.cols + c;
}

// STATE_VARS: the CSS colour each pod state paints with (style.css .st-*).
const STATE_VARS = ['ready', 'notready', 'pending', 'creating', 'terminating', 'failed', 'completed'];

// paletteOf reads the picture's colours from its computed style, so the
// canvas follows the theme like the SVG does.
export function paletteOf(svg) {
  const cs = getComputedStyle(svg);
  const v = (n) => cs.getPropertyValue('--' + n).trim();
  const p = { accent: v('accent'), dim: v('dim'), text: v('text') };
  for (const s of STATE_VARS) p[s] = v(s);
  return p;
}

// drawCells paints cells [{slot, state, lit, dim, faint}] on a 2D context
// whose unit is a layout unit, as style.css draws SVG cells: filled, half
// filled (notready), dashed outline (pending, creating), outline
// (terminating), outlined in the text colour (failed); lit cells get the
// accent outline, dim ones the dim colour, faint ones (outside a focused
// pod's reach) a fifth of their opacity.
export function drawCells(ctx, g, cells, pal) {
  ctx.clearRect(0, 0, g.w, g.h);
  const s = g.size;
  for (const c of cells) {
    const { x, y } = cellRect(g, c.slot);
    const col = c.dim ? pal.dim : pal[c.state] || pal.pending;
    ctx.globalAlpha = c.faint ? 0.22 : 1;
    ctx.setLineDash([]);
    switch (c.state) {
      case 'pending':
      case 'creating':
        ctx.strokeStyle = col;
        ctx.lineWidth = 1;
        ctx.setLineDash([2, 2]);
        ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
        break;
      case 'terminating':
        ctx.strokeStyle = col;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x + 0.75, y + 0.75, s - 1.5, s - 1.5);
        break;
      case 'notready':
        ctx.strokeStyle = col;
        ctx.lineWidth = 1;
        ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
        ctx.fillStyle = col;
        ctx.fillRect(x, y + s / 2, s, s / 2);
        break;
      default:
        ctx.fillStyle = col;
        ctx.fillRect(x, y, s, s);
        if (c.state === 'failed') {
          ctx.strokeStyle = pal.text;
          ctx.lineWidth = 1.5;
          ctx.strokeRect(x + 0.75, y + 0.75, s - 1.5, s - 1.5);
        }
    }
    if (c.lit) {
      ctx.setLineDash([]);
      ctx.strokeStyle = pal.accent;
      ctx.lineWidth = 2.5;
      ctx.strokeRect(x - 0.25, y - 0.25, s + 0.5, s + 0.5);
    }
  }
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
}

// Lanes of a first draw are painted once they come near the screen: a
// first draw of 20,000 pods makes 100 canvases, most of them below the
// fold, and a canvas's first paint allocates its pixels. canvases maps each
// canvas to its lane, for the observer all lanes share and for paintNow.
const canvases = new WeakMap();
let observer = null;

function watchInView(canvas) {
  if (observer === null) {
    observer = typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
        for (const e of entries) canvases.get(e.target)?.seen(e.isIntersecting);
      }, { rootMargin: '50%' })
      : undefined;
  }
  observer?.observe(canvas);
  return !!observer;
}

// paintNow paints canvas (a lane canvas) if its lane waits to be seen: an
// export takes the pixels of lanes off the screen too.
export function paintNow(canvas) {
  canvases.get(canvas)?.paintLater(true);
}

// CanvasLane is one lane's canvas, first in the lane's pod container. A
// lane made by a first draw (lazy) waits until it is near the screen to be
// painted; one made later, while the viewer looks (a lane growing past
// CANVAS_CELLS_ABOVE), paints at once, so that its cells never blink. Once
// a lane is out of view, its changes wait until it is back.
export class CanvasLane {
  constructor(container, lazy = false) {
    const doc = container.ownerDocument;
    this.fo = doc.createElementNS('http://www.w3.org/2000/svg', 'foreignObject');
    this.fo.setAttribute('class', 'cells-fo');
    this.canvas = doc.createElementNS('http://www.w3.org/1999/xhtml', 'canvas');
    this.canvas.setAttribute('class', 'cells');
    this.canvas.setAttribute('data-testid', 'lane-canvas');
    this.canvas.setAttribute('aria-hidden', 'true');
    this.fo.appendChild(this.canvas);
    container.insertBefore(this.fo, container.firstChild);
    // pods: where render.js keeps the lane's pods' elements.
    this.pods = doc.createElementNS('http://www.w3.org/2000/svg', 'g');
    this.pods.setAttribute('class', 'cells-pods');
    container.appendChild(this.pods);
    this.size = '';
    this.sig = '';
    this.cells = [];
    this.g = null;
    this.bySlot = null;
    this.later = null; // what draw would have painted, while out of view
    canvases.set(this.canvas, this);
    // inView: true, false, or undefined (not known yet: paints). Every
    // lane is watched: one out of view is not repainted at each change.
    const watched = watchInView(this.canvas);
    this.inView = lazy && watched ? false : undefined;
  }

  // seen tells the lane whether it is near the screen.
  seen(inView) {
    this.inView = inView;
    if (inView) this.paintLater();
  }

  // paintLater paints what draw left for later, if the lane is in view or
  // now says so.
  paintLater(now = false) {
    if (!this.later || (!now && this.inView === false)) return;
    const { g, cells, pal } = this.later;
    this.later = null;
    this.paint(g, cells, pal);
  }

  // draw paints cells when they or the grid changed since the last draw;
  // out of view, it sizes the canvas and leaves the paint for later.
  draw(g, cells, pal) {
    // Which pod is in which cell is kept even when the pixels are not
    // painted (out of view, or the same: a pod replaced by another in the
    // same state): podAt reads it.
    this.cells = cells;
    this.g = g;
    this.bySlot = null;
    if (this.inView === false) {
      const { w, h } = paintedSize(g);
      this.place(w, h);
      this.later = { g, cells, pal };
      return false;
    }
    this.later = null;
    return this.paint(g, cells, pal);
  }

  paint(g, cells, pal) {
    const scale = canvasScale(this.canvas.ownerDocument.defaultView?.devicePixelRatio);
    const { w, h } = paintedSize(g);
    const size = `${w}x${h}@${scale}`;
    const sig = `${g.ox},${g.oy},${g.pitch},${g.size},${g.cols}|${pal.sig}|` + cells.map((c) => `${c.slot}${c.state}${c.lit ? 'L' : ''}${c.dim ? 'D' : ''}${c.faint ? 'F' : ''}`).join();
    if (sig === this.sig && size === this.size) return false;
    this.sig = sig;
    const ctx = this.canvas.getContext('2d');
    if (size !== this.size) {
      this.size = size;
      this.place(w, h);
      this.canvas.width = Math.ceil(w * scale);
      this.canvas.height = Math.ceil(h * scale);
    }
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    drawCells(ctx, { ...g, w, h }, cells, pal);
    return true;
  }

  // place sizes the canvas and its foreignObject to w by h lane units, its
  // place in the page whether or not it is painted (podAt and the
  // IntersectionObserver read it).
  place(w, h) {
    this.fo.setAttribute('width', w);
    this.fo.setAttribute('height', h);
    this.canvas.style.width = w + 'px';
    this.canvas.style.height = h + 'px';
  }

  // podAt is the id of the pod whose cell is under the viewport point
  // clientX,clientY, or '' (a gap, or outside the grid).
  podAt(clientX, clientY) {
    const g = this.g;
    const r = this.canvas.getBoundingClientRect();
    const w = parseFloat(this.canvas.style.width);
    const h = parseFloat(this.canvas.style.height);
    if (!g || !r.width || !r.height) return '';
    const slot = cellAt(g, ((clientX - r.left) * w) / r.width, ((clientY - r.top) * h) / r.height);
    if (slot < 0) return '';
    if (!this.bySlot) this.bySlot = new Map(this.cells.map((c) => [c.slot, c.id]));
    return this.bySlot.get(slot) || '';
  }

  // remove takes the canvas and the pods' group away; render.js moves
  // the pods that stay back into the lane's container.
  remove() {
    observer?.unobserve(this.canvas);
    this.fo.remove();
    this.pods.remove();
  }
}
