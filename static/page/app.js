// The page's only script: upload an image to /predict?explain=true and show the answer with its heatmap.
const $ = (id) => document.getElementById(id);
const els = {
  drop: $('drop'), file: $('file'), status: $('status'), error: $('error'), result: $('result'),
  image: $('image'), heatmap: $('heatmap'), opacity: $('opacity'), classification: $('classification'),
  tier: $('tier'), description: $('description'), bar: $('bar'), fill: $('fill'), threshold: $('threshold'),
  probability: $('probability'), thresholdNote: $('threshold-note'), timings: $('timings'), model: $('model'), limits: $('limits'),
};

// What each API error means for someone at the page (the API's own message is shown as well).
const HINTS = {
  400: 'The upload was not understood.',
  401: 'This server needs an API key.',
  413: 'The image is too large for this server.',
  415: 'Only PNG and JPEG images can be read.',
  422: 'The file looks damaged or incomplete.',
  429: 'Too many requests: wait a moment and try again.',
  503: 'The model is still starting: try again in a few seconds.',
};

function showError(message) {
  els.error.textContent = message;
  els.error.hidden = false;
  els.status.textContent = '';
}

function clearError() {
  els.error.hidden = true;
  els.error.textContent = '';
}

async function loadModelInfo() {
  try {
    const res = await fetch('/model');
    if (!res.ok) throw new Error((await res.json()).error?.message ?? res.statusText);
    const card = await res.json();
    const test = card.metrics?.busiTest;
    const external = card.metrics?.external;
    els.model.textContent = `${card.name} ${card.version}: ${card.serving.inputSpec.width}×${card.serving.inputSpec.height} px input, ` +
      `operating threshold ${card.threshold.value.toFixed(2)}.` +
      (test ? ` ROC AUC ${test.auc.toFixed(2)} on held-out BUSI images` : '') +
      (external ? `, ${external.auc.toFixed(2)} on images from another hospital (BrEaST).` : '.');
    els.limits.replaceChildren(...(card.limitations ?? []).map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }));
  } catch (err) {
    els.model.textContent = `Model information is unavailable (${err.message}).`;
  }
}

function drawImage(bitmap) {
  els.image.width = bitmap.width;
  els.image.height = bitmap.height;
  els.image.getContext('2d').drawImage(bitmap, 0, 0);
}

// Paints the heatmap grid, smoothed by the browser's image scaling, over the whole image.
function drawHeatmap(heatmap, width, height) {
  const canvas = els.heatmap;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  if (!heatmap) return;
  const grid = document.createElement('canvas');
  grid.width = heatmap.cols;
  grid.height = heatmap.rows;
  const g = grid.getContext('2d');
  const pixels = g.createImageData(heatmap.cols, heatmap.rows);
  heatmap.values.forEach((v, i) => {
    pixels.data.set([255, Math.round(80 * (1 - v)), 0, Math.round(255 * v)], i * 4);
  });
  g.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(grid, 0, 0, width, height);
  canvas.dataset.drawn = 'true';
}

function showResult(r) {
  els.classification.textContent = r.classification;
  els.classification.parentElement.className = `classification ${r.classification}`;
  els.tier.textContent = r.tier.replaceAll('_', ' ');
  els.description.textContent = r.description;
  els.fill.style.left = `${(100 * r.probability).toFixed(1)}%`;
  els.threshold.style.left = `${(100 * r.threshold).toFixed(1)}%`;
  els.probability.textContent = `p = ${r.probability.toFixed(2)}`;
  els.bar.setAttribute('aria-label', `Probability of malignancy ${r.probability.toFixed(2)}; operating threshold ${r.threshold.toFixed(2)}`);
  els.thresholdNote.textContent = r.aboveThreshold
    ? `Above the model's operating threshold (${r.threshold.toFixed(2)}, chosen for ≥ 90% sensitivity on validation data).`
    : `Below the model's operating threshold (${r.threshold.toFixed(2)}, chosen for ≥ 90% sensitivity on validation data).`;
  const t = r.timings;
  els.timings.textContent = `Model ${r.model.name} ${r.model.version} · decode ${t.decode.toFixed(1)} ms, preprocess ${t.preprocess.toFixed(1)} ms, inference ${t.inference.toFixed(1)} ms`;
  els.result.hidden = false;
}

async function classify(file) {
  clearError();
  els.status.textContent = `Classifying ${file.name}…`;
  els.heatmap.dataset.drawn = '';
  const form = new FormData();
  form.append('image', file);
  let res;
  try {
    res = await fetch('/predict?explain=true', { method: 'POST', body: form });
  } catch {
    showError('The server could not be reached.');
    return;
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const hint = HINTS[res.status] ?? 'The image could not be classified.';
    showError(`${hint} ${body.error?.message ?? ''}`.trim());
    els.result.hidden = true;
    return;
  }
  try {
    const bitmap = await createImageBitmap(file);
    drawImage(bitmap);
    drawHeatmap(body.heatmap, bitmap.width, bitmap.height);
  } catch {
    // The server could read it but this browser cannot draw it: still show the answer.
  }
  showResult(body);
  els.status.textContent = `Done: ${file.name}`;
  els.result.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

els.drop.addEventListener('click', () => els.file.click());
els.file.addEventListener('change', () => {
  if (els.file.files?.[0]) classify(els.file.files[0]);
  els.file.value = '';
});
for (const type of ['dragenter', 'dragover']) {
  els.drop.addEventListener(type, (e) => {
    e.preventDefault();
    els.drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) els.drop.addEventListener(type, () => els.drop.classList.remove('over'));
els.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files?.[0];
  if (file) classify(file);
});
els.opacity.addEventListener('input', () => (els.heatmap.style.opacity = String(els.opacity.value / 100)));
els.heatmap.style.opacity = String(els.opacity.value / 100);
loadModelInfo();
