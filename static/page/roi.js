// Lesion-box mode on the page: draw, move, resize and clear a box over the shown image (mouse, touch or keyboard),
// then classify only the box. The box is kept in image pixels (the canvas's own pixels = the server's image).
const MIN_SIDE = 8; // the API's smallest box side
const HANDLE = 12; // CSS px around a corner that grab it for resizing

/** `x,y,width,height` as the API's roi parameter. */
export function roiParam(box) {
  return [box.x, box.y, box.width, box.height].map(Math.round).join(',');
}

/** Keeps a box inside a width × height image with sides ≥ MIN_SIDE (or the image's side when smaller). */
export function fitBox(box, width, height) {
  const w = Math.min(width, Math.max(Math.min(MIN_SIDE, width), Math.round(box.width)));
  const h = Math.min(height, Math.max(Math.min(MIN_SIDE, height), Math.round(box.height)));
  return { x: Math.min(width - w, Math.max(0, Math.round(box.x))), y: Math.min(height - h, Math.max(0, Math.round(box.y))), width: w, height: h };
}

/** The box after one arrow key: move by `step`, or with Shift grow/shrink the right or bottom edge. */
export function boxAfterKey(box, key, shift, step) {
  const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[key];
  if (!d) return null;
  return shift
    ? { ...box, width: box.width + d[0], height: box.height + d[1] }
    : { ...box, x: box.x + d[0], y: box.y + d[1] };
}

/**
 * Wires the box editor to the page's elements: `els.layer` (canvas over the image), `els.run`, `els.clear`,
 * `els.note` and `els.mode`. `classify(roi)` re-sends the current image with the box (or none).
 */
export function setupBoxEditor(els, classify) {
  let size = null; // { width, height } of the shown image
  let box = null; // the user's box, image pixels
  let read = null; // the box the server read (answer's roi), image pixels
  let drag = null;

  const scale = () => {
    const rect = els.layer.getBoundingClientRect();
    return rect.width > 0 ? size.width / rect.width : 1;
  };
  const toImage = (e) => {
    const rect = els.layer.getBoundingClientRect();
    const s = scale();
    return { x: (e.clientX - rect.left) * s, y: (e.clientY - rect.top) * s };
  };

  function draw() {
    const c = els.layer;
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    const s = size ? scale() : 1;
    if (read) {
      ctx.setLineDash([6 * s, 4 * s]);
      ctx.lineWidth = 1.5 * s;
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.strokeRect(read.x, read.y, read.width, read.height);
      ctx.setLineDash([]);
    }
    if (box) {
      ctx.lineWidth = 2.5 * s;
      ctx.strokeStyle = '#00e0ff';
      ctx.strokeRect(box.x, box.y, box.width, box.height);
      ctx.fillStyle = '#00e0ff';
      const h = 6 * s;
      for (const [x, y] of corners(box)) ctx.fillRect(x - h / 2, y - h / 2, h, h);
    }
    c.dataset.box = box ? roiParam(box) : '';
    els.run.disabled = !box;
    els.clear.disabled = !box && !read;
    els.note.textContent = box
      ? `Box: x ${box.x}, y ${box.y}, ${box.width} × ${box.height} px. ` +
        'Arrow keys move it, Shift + arrow keys resize it, Delete clears it.'
      : 'No box: drag over the image to mark the lesion (or focus the image and press an arrow key).';
  }

  const corners = (b) => [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]];

  function set(next) {
    box = next && size ? fitBox(next, size.width, size.height) : null;
    draw();
  }

  els.layer.addEventListener('pointerdown', (e) => {
    if (!size || e.button > 0) return;
    const p = toImage(e);
    const grab = HANDLE * scale();
    const corner = box ? corners(box).findIndex(([x, y]) => Math.abs(p.x - x) <= grab && Math.abs(p.y - y) <= grab) : -1;
    if (corner >= 0) {
      // Resizing drags the grabbed corner; the opposite one stays put.
      const [ox, oy] = corners(box)[3 - corner];
      drag = { kind: 'draw', start: { x: ox, y: oy } };
    } else if (box && p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height) {
      drag = { kind: 'move', start: p, from: box };
    } else {
      drag = { kind: 'draw', start: p };
    }
    els.layer.setPointerCapture(e.pointerId);
    els.layer.focus({ preventScroll: true });
    e.preventDefault();
  });
  els.layer.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const p = toImage(e);
    if (drag.kind === 'move') {
      set({ ...drag.from, x: drag.from.x + p.x - drag.start.x, y: drag.from.y + p.y - drag.start.y });
    } else {
      const x = Math.min(p.x, drag.start.x), y = Math.min(p.y, drag.start.y);
      set({ x, y, width: Math.abs(p.x - drag.start.x), height: Math.abs(p.y - drag.start.y) });
    }
  });
  const end = () => (drag = null);
  els.layer.addEventListener('pointerup', end);
  els.layer.addEventListener('pointercancel', end);

  els.layer.addEventListener('keydown', (e) => {
    if (!size) return;
    if (['Delete', 'Backspace', 'Escape'].includes(e.key) && box) {
      set(null);
      e.preventDefault();
      return;
    }
    if (e.key === 'Enter' && box) {
      els.run.click();
      e.preventDefault();
      return;
    }
    // Steps of 2 % of the image's longer side: a few presses cross a lesion, ~50 cross the image.
    const step = Math.max(1, Math.round(Math.max(size.width, size.height) / 50));
    const current = box ?? { x: size.width / 3, y: size.height / 3, width: size.width / 3, height: size.height / 3 };
    const next = box ? boxAfterKey(current, e.key, e.shiftKey, step) : (e.key.startsWith('Arrow') ? current : null);
    if (!next) return;
    set(next);
    e.preventDefault();
  });

  els.run.addEventListener('click', () => box && classify(roiParam(box)));
  els.clear.addEventListener('click', () => {
    const hadRead = read;
    set(null);
    if (hadRead) classify(null);
  });

  return {
    /** A new image was chosen: drop any box. */
    reset() {
      box = null;
      read = null;
      size = null;
    },
    /** The server answered for an image of width × height; show which mode it used and the box it read. */
    answered(body) {
      const { width, height } = body.image;
      if (!size || size.width !== width || size.height !== height) box = null;
      size = { width, height };
      els.layer.width = width;
      els.layer.height = height;
      read = body.mode === 'roi' ? body.roi : null;
      els.mode.dataset.mode = body.mode ?? 'whole';
      els.mode.textContent = body.mode === 'roi'
        ? `Box mode: the model read only the marked box plus a margin (x ${read.x}, y ${read.y}, ` +
          `${read.width} × ${read.height} px, dashed).`
        : 'Whole-image mode: the model read the whole image. Mark the lesion with a box to classify only it.';
      draw();
    },
  };
}
