// Export: the current view as an SVG or PNG file, for slides. The picture
// is the live <svg> itself: cloned, with each element's computed style
// written inline (a file has no style.css and no CSS variables), cut to the
// whole layout or the focused part, on the page's background colour.

// Properties that make the picture; the rest are the browser's defaults.
export const PROPS = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'stroke-linecap',
  'stroke-linejoin', 'opacity', 'display', 'visibility', 'font-family', 'font-size', 'font-weight', 'font-style',
  'letter-spacing', 'text-anchor', 'paint-order', 'color',
];

// styleText turns a computed style (anything with getPropertyValue) into an
// inline style; values equal to SVG's initial ones are left out to keep the
// file small.
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

// svgMarkup serializes live svg cut to rect {x, y, w, h} in layout units.
export function svgMarkup(svg, rect, background) {
  const clone = svg.cloneNode(true);
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  const view = svg.ownerDocument.defaultView;
  for (let i = 0; i < src.length; i++) {
    const d = dst[i];
    if (src[i].classList?.contains('leaving')) {
      d.remove();
      continue;
    }
    if (i === 0) continue;
    const cs = view.getComputedStyle(src[i]);
    d.setAttribute('style', styleText(cs));
    const tr = transformAttr(cs);
    if (tr) d.setAttribute('transform', tr);
    else if (!src[i].hasAttribute('transform')) d.removeAttribute('transform');
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
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new view.XMLSerializer().serializeToString(clone);
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
