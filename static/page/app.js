// The page's only script: send an image to /predict?explain=true and show the answer with its heatmap.
// Plain browser JavaScript (no build step, no dependencies) so the CSP can forbid inline and foreign scripts.
import { initBatch } from './batch.js';
import { decisionValue } from './report.js';
import { setupBoxEditor } from './roi.js';
import { clearHeatmapSummary, setCurrent, setModelCard, showDecision, showHeatmapSummary } from './trust.js';

const $ = (id) => document.getElementById(id);
const els = {
  drop: $('drop'), file: $('file'), cameraButton: $('camera-button'), camera: $('camera'), accepts: $('accepts'),
  keyBox: $('key-box'), apiKey: $('api-key'), status: $('status'), error: $('error'), result: $('result'),
  resultTitle: $('result-title'), image: $('image'), heatmap: $('heatmap'), heatmapNote: $('heatmap-note'),
  opacity: $('opacity'), sideMalignant: $('side-malignant'), sideBenign: $('side-benign'), ramp: $('ramp'),
  legendSide: $('legend-side'), classification: $('classification'), tier: $('tier'), description: $('description'),
  bar: $('bar'), fill: $('fill'), threshold: $('threshold'), probability: $('probability'),
  thresholdNote: $('threshold-note'), timings: $('timings'), model: $('model'), limits: $('limits'),
  batch: $('batch'), batchTitle: $('batch-title'), decision: $('decision'),
  gate: $('gate'), gateScore: $('gate-score'), classifyAnyway: $('classify-anyway'),
};

// What each API status means for someone at the page; the API's own message follows it.
const HINTS = {
  400: 'The upload was not understood.',
  401: 'This server needs an API key: enter it under "API key" and try again.',
  404: 'This server has no prediction route.',
  408: 'The upload took too long to arrive.',
  413: 'The image is too large for this server.',
  415: 'Only PNG, JPEG, BMP, TIFF, GIF, DICOM and WebP images can be read.',
  422: 'The file looks damaged or incomplete.',
  429: 'Too many requests: wait a moment and try again.',
  503: 'The model is not ready: try again in a few seconds.',
};

// Filled from GET /model; used for the threshold explanation.
let thresholdRationale = '';
// The server's upload limits (GET /model), used to shrink oversized photos before sending them.
let serverLimits = null;
// The last answer's heatmap and image size, redrawn when the evidence side changes.
let shown = null;

// Colour ramps from transparent to strong: yellow→red for malignancy, cyan→blue for benign.
const RAMPS = {
  malignant: (v) => [255, Math.round(220 * (1 - v)), 0],
  benign: (v) => [0, Math.round(60 + 170 * (1 - v)), 255],
};

function showError(message) {
  els.error.textContent = message;
  els.error.hidden = false;
  els.status.textContent = '';
}

function clearError() {
  els.error.hidden = true;
  els.error.textContent = '';
  els.gate.hidden = true;
}

// The input gate (422 not_ultrasound): say so plainly and offer to classify the same file anyway (check=off).
let refused = null;
function showNotUltrasound(file, roi, inputCheck) {
  refused = { file, roi };
  const score = inputCheck?.ultrasoundLike;
  els.gateScore.textContent = typeof score === 'number' ? `(How ultrasound-like: ${score.toFixed(2)}; below 0.50 is refused.)` : '';
  els.gate.hidden = false;
  els.status.textContent = '';
}
els.classifyAnyway.addEventListener('click', () => refused && classify(refused.file, refused.roi, true));

/** "20 MiB", "8.0 megapixels": limits as people read them. */
function formatBytes(n) {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`;
}

function listItem(text) {
  const li = document.createElement('li');
  li.textContent = text;
  return li;
}

async function loadModelInfo() {
  try {
    const res = await fetch('/model', { headers: { accept: 'application/json' } });
    const card = await res.json();
    // While the model loads the server answers 503: ask again shortly instead of giving up.
    if (res.status === 503) setTimeout(loadModelInfo, 2000);
    if (!res.ok) throw new Error(card.error?.message ?? res.statusText);
    setModelCard(card);
    const { inputSpec, limits } = card.serving;
    const test = card.metrics?.busiTest;
    const external = card.metrics?.external;
    thresholdRationale = card.threshold.rationale ?? '';
    els.model.textContent = `${card.name} ${card.version}: ${inputSpec.width}×${inputSpec.height} px ` +
      `${inputSpec.channels === 1 ? 'grayscale' : 'colour'} input, operating threshold ${card.threshold.value.toFixed(2)}.` +
      (test ? ` ROC AUC ${test.auc.toFixed(2)} on held-out BUSI images` : '') +
      (test && external ? `, ${external.auc.toFixed(2)} on images from another hospital (BrEaST).` : test ? '.' : '');
    serverLimits = limits ?? null;
    if (limits) {
      els.accepts.textContent = `PNG, JPEG, BMP, TIFF, GIF, WebP or DICOM, up to ${formatBytes(limits.maxBodyBytes)}, ` +
        `${+(limits.maxPixels / 1e6).toFixed(1)} megapixels and ${limits.maxSide} px per side.`;
    }
    els.limits.replaceChildren(...(card.limitations ?? []).map(listItem));
  } catch (err) {
    els.model.textContent = `Model information is unavailable (${err.message}).`;
  }
}

// Draws the image as the server decoded it: the heatmap's coordinates are in those pixels.
function drawImage(bitmap, width, height) {
  els.image.width = width;
  els.image.height = height;
  els.image.getContext('2d').drawImage(bitmap, 0, 0, width, height);
}

// Paints one side of the heatmap grid over the whole image; the browser's smoothing interpolates between cell
// centres. Colour and opacity grow with the evidence.
function drawHeatmap(heatmap, side, width, height) {
  const canvas = els.heatmap;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  const grid = document.createElement('canvas');
  grid.width = heatmap.cols;
  grid.height = heatmap.rows;
  const g = grid.getContext('2d');
  const pixels = g.createImageData(heatmap.cols, heatmap.rows);
  const values = side === 'benign' ? heatmap.benignValues : heatmap.values;
  values.forEach((v, i) => pixels.data.set([...RAMPS[side](v), Math.round(255 * Math.min(1, 1.2 * v))], i * 4));
  g.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // In box mode the grid covers only the box the model read, whose corner is (x0, y0).
  ctx.drawImage(grid, heatmap.x0 ?? 0, heatmap.y0 ?? 0, heatmap.cols * heatmap.cellWidth, heatmap.rows * heatmap.cellHeight);
  canvas.dataset.drawn = 'true';
  canvas.dataset.side = side;
  showHeatmapSummary(heatmap, side, width, height);
  els.ramp.className = `ramp ${side}`;
  els.legendSide.textContent = side === 'benign' ? 'evidence against malignancy (towards benign)' : 'evidence for malignancy';
}

function chosenSide() {
  return els.sideBenign.checked ? 'benign' : 'malignant';
}

function setHeatmapNote(text) {
  els.heatmapNote.textContent = text;
  els.heatmapNote.hidden = !text;
}

function showResult(r) {
  // The bar shows the value the threshold applies to (raw or calibrated score; see thresholdOn in the answer).
  const score = decisionValue(r);
  const p = score.toFixed(2);
  const t = r.threshold.toFixed(2);
  showDecision(r);
  els.classification.textContent = r.classification;
  els.classification.parentElement.className = `classification ${r.classification}`;
  els.tier.textContent = r.tier.replaceAll('_', ' ');
  els.description.textContent = r.description;
  els.fill.style.left = `${(100 * score).toFixed(1)}%`;
  els.threshold.style.left = `${(100 * r.threshold).toFixed(1)}%`;
  els.probability.textContent = `score ${p}`;
  els.bar.setAttribute('aria-label', `Model score ${p}; operating threshold ${t}`);
  els.thresholdNote.textContent = `${r.aboveThreshold ? 'Above' : 'Below'} the model's operating threshold (${t})` +
    (thresholdRationale ? `: ${thresholdRationale}` : '.');
  const ms = r.timings;
  els.timings.textContent = `Model ${r.model.name} ${r.model.version} · ${r.image.format.toUpperCase()} ` +
    `${r.image.width}×${r.image.height} · decode ${ms.decode.toFixed(1)} ms, preprocess ${ms.preprocess.toFixed(1)} ms, ` +
    `inference ${ms.inference.toFixed(1)} ms` + (ms.explain === undefined ? '' : `, heatmap ${ms.explain.toFixed(1)} ms`);
  els.result.hidden = false;
}

// The API answers JSON errors; a proxy in between may not, so fall back to the status text.
async function readBody(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: res.ok ? 'The server sent an answer this page cannot read.' : res.statusText } };
  }
}

/**
 * Phone cameras take 12 MP and larger photos, beyond the server's pixel limit. Such images are scaled down in the
 * browser to fit (the model reads 128 px anyway) and re-encoded without visible loss; anything else goes as is.
 */
async function fitToLimits(file) {
  if (!serverLimits || !/^image\/(png|jpeg)$/.test(file.type)) return { upload: file, note: '' };
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' }); // upright, as the server reads it
  } catch {
    return { upload: file, note: '' }; // let the server say what is wrong with it
  }
  const { width, height } = bitmap;
  const { maxPixels, maxSide } = serverLimits;
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)), maxSide / Math.max(width, height));
  if (scale >= 1) {
    bitmap.close();
    return { upload: file, note: '' };
  }
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, file.type, 0.95));
  if (!blob) return { upload: file, note: '' };
  const upload = new File([blob], file.name, { type: file.type });
  return { upload, note: ` Reduced from ${width}×${height} to ${w}×${h} px to fit this server's limits.` };
}

// The image on show (as uploaded), re-sent when a lesion box is classified or cleared.
let current = null;
const boxEditor = setupBoxEditor(
  { layer: $('roi-layer'), run: $('roi-run'), clear: $('roi-clear'), note: $('roi-note'), mode: $('mode') },
  (roi) => current && classify(current, roi),
);

/**
 * Sends `file` to the API; `roi` ("x,y,width,height") classifies only that box (a re-run of the shown image);
 * `anyway` adds check=off (after the input gate refused it).
 */
async function classify(file, roi = null, anyway = false) {
  const rerun = file === current;
  if (!rerun) boxEditor.reset();
  const original = file; // the report hashes the bytes the user chose, not a reduced copy
  clearError();
  els.status.textContent = `Classifying ${file.name}…`;
  els.heatmap.dataset.drawn = '';
  els.drop.setAttribute('aria-busy', 'true');
  const { upload, note } = await fitToLimits(file);
  file = upload;
  current = file;
  const form = new FormData();
  form.append('image', file);
  const headers = authHeaders();
  let res;
  try {
    const query = (roi ? `&roi=${encodeURIComponent(roi)}` : '') + (anyway ? '&check=off' : '');
    res = await fetch(`/predict?explain=true${query}`, { method: 'POST', body: form, headers });
  } catch {
    showError('The server could not be reached: check the connection and try again.');
    return;
  } finally {
    els.drop.removeAttribute('aria-busy');
  }
  const body = await readBody(res);
  if (res.status === 422 && body.error?.code === 'not_ultrasound') {
    showNotUltrasound(file, roi, body.inputCheck);
    els.result.hidden = true;
    return;
  }
  if (!res.ok) {
    const hint = HINTS[res.status] ?? `The image could not be classified (HTTP ${res.status}).`;
    showError(`${file.name}: ${hint} ${body.error?.message ?? ''}`.trim());
    if (res.status === 401) els.keyBox.open = true;
    els.result.hidden = true;
    return;
  }
  showResult(body);
  await showImage(file, body);
  boxEditor.answered(body);
  setCurrent(original, body);
  els.batch.hidden = true;
  const gateNote = body.inputCheck?.flagged ? ' Classified anyway, though it does not look like breast ultrasound: the answer means nothing.' : '';
  els.status.textContent = `Done: ${file.name} — ${els.decision.textContent} (score ${decisionValue(body).toFixed(2)}).${note}${gateNote}`;
  // A box re-run keeps focus where the user is working (the box editor).
  if (rerun) return;
  els.result.scrollIntoView({ behavior: 'smooth', block: 'start' });
  els.resultTitle.focus({ preventScroll: true });
}

async function showImage(file, body) {
  const { width, height } = body.image;
  setHeatmapNote('');
  try {
    // Drawn upright (EXIF orientation applied), as the server classified it and as the heatmap lies on it.
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    drawImage(bitmap, width, height);
    bitmap.close();
  } catch {
    els.image.width = width;
    els.image.height = height;
    setHeatmapNote('This browser cannot display this image; the heatmap is drawn on its own.');
  }
  if (body.heatmap) {
    // Start on the side of the operating threshold the image falls: below it, the weak evidence for malignancy
    // tends to sit on borders and burned-in text (see the README's heatmap evaluation).
    els.sideBenign.disabled = !body.heatmap.benignValues;
    (body.decision === 'below_threshold' && body.heatmap.benignValues ? els.sideBenign : els.sideMalignant).checked = true;
    shown = { heatmap: body.heatmap, width, height };
    drawHeatmap(body.heatmap, chosenSide(), width, height);
  } else {
    shown = null;
    clearHeatmapSummary();
    els.heatmap.getContext('2d').clearRect(0, 0, els.heatmap.width, els.heatmap.height);
    setHeatmapNote('This model provides no heatmap.');
  }
}

function authHeaders() {
  return els.apiKey.value ? { authorization: `Bearer ${els.apiKey.value.trim()}` } : {};
}

// Several files: one request (up to the server's per-request limit), a table in the batch section.
const classifyBatch = initBatch({
  open: async (file, body, time, sha256) => {
    // The opened row becomes the image on show, so a lesion box re-runs it.
    boxEditor.reset();
    current = file;
    showResult(body);
    await showImage(file, body);
    boxEditor.answered(body);
    setCurrent(file, body, time, sha256);
    els.result.scrollIntoView({ behavior: 'smooth', block: 'start' });
    els.resultTitle.focus({ preventScroll: true });
  },
  request: (files) => {
    const form = new FormData();
    for (const file of files) form.append('image', file);
    return fetch('/predict?explain=true', { method: 'POST', body: form, headers: authHeaders() });
  },
  // A refused slot (input gate) needs no "damaged file" hint: the API's message says what happened.
  describeError: (status, body) => body.error?.code === 'not_ultrasound' ? body.error.message
    : `${HINTS[status] ?? `HTTP ${status}.`} ${body.error?.message ?? ''}`.trim(),
});

async function classifyMany(files) {
  clearError();
  els.result.hidden = true;
  els.status.textContent = `Classifying ${files.length} images…`;
  els.drop.setAttribute('aria-busy', 'true');
  try {
    els.status.textContent = await classifyBatch(files, serverLimits?.maxImagesPerRequest ?? files.length);
    els.batch.scrollIntoView({ behavior: 'smooth', block: 'start' });
    els.batchTitle.focus({ preventScroll: true });
  } catch (err) {
    showError(`Batch: ${err.message}`);
  } finally {
    els.drop.removeAttribute('aria-busy');
  }
}

function pickFrom(input) {
  const files = [...(input.files ?? [])];
  if (files.length > 1) classifyMany(files);
  else if (files[0]) classify(files[0]);
  input.value = ''; // so choosing the same file again still fires "change"
}

els.drop.addEventListener('click', () => els.file.click());
els.cameraButton.addEventListener('click', () => els.camera.click());
els.file.addEventListener('change', () => pickFrom(els.file));
els.camera.addEventListener('change', () => pickFrom(els.camera));
for (const type of ['dragenter', 'dragover']) {
  els.drop.addEventListener(type, (e) => {
    e.preventDefault();
    els.drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) els.drop.addEventListener(type, () => els.drop.classList.remove('over'));
els.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  const files = [...(e.dataTransfer?.files ?? [])];
  if (files.length > 1) classifyMany(files);
  else if (files[0]) classify(files[0]);
});
// A file dropped anywhere else would make the browser navigate away from the page.
for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
// The camera shortcut only makes sense on touch screens; elsewhere the file picker is the way in.
els.cameraButton.hidden = !(matchMedia('(pointer: coarse)').matches || navigator.maxTouchPoints > 0);
for (const radio of [els.sideMalignant, els.sideBenign]) {
  radio.addEventListener('change', () => shown && drawHeatmap(shown.heatmap, chosenSide(), shown.width, shown.height));
}
const applyOpacity = () => (els.heatmap.style.opacity = String(els.opacity.value / 100));
els.opacity.addEventListener('input', applyOpacity);
applyOpacity();
loadModelInfo();
