// Export: the current view as an SVG or PNG file, for slides. The picture
// is the live <svg> itself: cloned, with each element's computed style
// written into the file's own <style> sheet (a file has no style.css and no
// CSS variables), cut to the whole layout or the focused part, on the page's
// background colour. The sheet is text spliced into the serialized file,
// never a style attribute or element in the page's DOM: the page's CSP
// ('unsafe-inline' is not in style-src) refuses those, even on a detached
// clone.

import { paintNow } from './canvaslane.js';

// Properties that make the picture; the rest are the browser's defaults.
export const PROPS = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'stroke-linecap',
  'stroke-linejoin', 'opacity', 'display', 'visibility', 'font-family', 'font-size', 'font-weight', 'font-style',
  'letter-spacing', 'text-anchor', 'paint-order', 'color',
];

// styleText turns a computed style (anything with getPropertyValue) into a
// CSS declaration list; values equal to SVG's initial ones are left out to
// keep the file small.
const INITIAL = { opacity: '1', display: 'inline', visibility: 'visible', 'fill-opacity': '1', 'stroke-opacity': '1', 'font-style': 'normal', 'letter-spacing': 'normal', 'paint-order': 'normal', 'stroke-dasharray': 'none' };
export function styleText(cs) {
  let s = '';
  for (const p of PROPS) {
    const v = String(cs.getPropertyValue(p) || '').trim();
    if (!v || INITIAL[p] === v) continue;
    s += `${p}:${v};`;
  }
  return s;
}

// transformAttr turns a computed CSS transform into an SVG transform
// attribute ("" for none): the renderer places boxes with CSS transforms,
// which SVG editors and slide tools do not read.
export function transformAttr(cs) {
  const v = String(cs.getPropertyValue('transform') || '').trim();
  return !v || v === 'none' ? '' : v;
}

// fileName is podium-<what>-<UTC time>.<ext>.
export function fileName(ext, date = new Date(), what = '') {
  const ts = date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  const tag = String(what || 'cluster').replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 60);
  return `podium-${tag}-${ts}.${ext}`;
}

// pngScale is the PNG's pixels per layout unit: sharp on a 4K slide, but never
// a canvas bigger than browsers allow.
export function pngScale(w, h, want = 2, maxSide = 8000, maxArea = 32e6) {
  let k = want;
  if (w * k > maxSide) k = maxSide / w;
  if (h * k > maxSide) k = maxSide / h;
  if (w * h * k * k > maxArea) k = Math.sqrt(maxArea / (w * h));
  return Math.max(0.05, k);
}

// StyleClasses gives each distinct declaration list one class name (s0, s1,
// …; the page uses no such class) and writes them out as a style sheet.
export class StyleClasses {
  constructor() {
    this.names = new Map();
  }

  // name returns the class for declarations ('' for none).
  name(declarations) {
    if (!declarations) return '';
    let n = this.names.get(declarations);
    if (n === undefined) {
      n = `s${this.names.size}`;
      this.names.set(declarations, n);
    }
    return n;
  }

  // sheet is the <style> element's text, escaped for XML.
  sheet() {
    let css = '';
    for (const [decl, n] of this.names) css += `.${n}{${decl}}\n`;
    return css.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
}

// SHEET marks where the serialized file gets its <style> element.
const SHEET = 'podium-export-style';

// svgMarkup serializes live svg cut to rect {x, y, w, h} in layout units.
export function svgMarkup(svg, rect, background) {
  const clone = svg.cloneNode(true);
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  const view = svg.ownerDocument.defaultView;
  const classes = new StyleClasses();
  for (let i = 0; i < src.length; i++) {
    const d = dst[i];
    if (src[i].classList?.contains('leaving')) {
      d.remove();
      continue;
    }
    if (i === 0) continue;
    const cs = view.getComputedStyle(src[i]);
    // The live element's own CSSOM style (placement, transitions) is in cs.
    d.removeAttribute('style');
    const n = classes.name(styleText(cs));
    if (n) d.classList.add(n);
    const tr = transformAttr(cs);
    if (tr) d.setAttribute('transform', tr);
    else if (!src[i].hasAttribute('transform')) d.removeAttribute('transform');
  }
  // A big lane's cells are pixels on its canvas (canvaslane.js): the file
  // gets them as an image where the canvas was.
  for (let i = 0; i < src.length; i++) {
    const fo = dst[i].parentNode;
    if (src[i].localName !== 'canvas' || fo?.localName !== 'foreignObject') continue;
    paintNow(src[i]);
    const img = svg.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'image');
    for (const k of ['width', 'height']) img.setAttribute(k, fo.getAttribute(k) || '0');
    img.setAttribute('href', src[i].toDataURL('image/png'));
    fo.replaceWith(img);
  }
  for (const a of ['class', 'style', 'width', 'height', 'data-zoom']) clone.removeAttribute(a);
  // The viewport's pan and zoom are the screen's, not the picture's.
  clone.querySelector('.viewport')?.removeAttribute('transform');
  const { x, y, w, h } = rect;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('viewBox', `${x} ${y} ${w} ${h}`);
  clone.setAttribute('width', String(Math.round(w)));
  clone.setAttribute('height', String(Math.round(h)));
  const bg = svg.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'rect');
  for (const [k, v] of Object.entries({ x, y, width: w, height: h, fill: background })) bg.setAttribute(k, String(v));
  clone.insertBefore(bg, clone.firstChild);
  // A comment serializes as itself, and page text never does (it is escaped).
  clone.insertBefore(svg.ownerDocument.createComment(SHEET), clone.firstChild);
  const xml = new view.XMLSerializer().serializeToString(clone);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml.replace(`<!--${SHEET}-->`, () => `<style>\n${classes.sheet()}</style>`);
}

// download saves blob as name through a temporary link.
export function download(doc, blob, name) {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// pngBlob draws SVG markup of size w×h onto a canvas at scale k.
export function pngBlob(doc, markup, w, h, k) {
  return new Promise((resolve, reject) => {
    const img = new doc.defaultView.Image();
    const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
    img.onload = () => {
      try {
        const c = doc.createElement('canvas');
        c.width = Math.max(1, Math.round(w * k));
        c.height = Math.max(1, Math.round(h * k));
        const g = c.getContext('2d');
        g.scale(k, k);
        g.drawImage(img, 0, 0, w, h);
        URL.revokeObjectURL(url);
        c.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png');
      } catch (err) {
        reject(err);
      }
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('the SVG did not load as an image'));
    };
    img.src = url;
  });
}
