// The result card's trust parts: the decision headline, the card's own notice with model, threshold and operating
// numbers from GET /model, the seen-in-training warning, the heatmap's text summary, and "Download result".
// Kept apart from app.js so the upload/heatmap code and this stay small; app.js calls the exported functions.
import { describeHeatmap, summariseHeatmap } from './heatmap-text.js';
import { downloadName, recordsCsv, resultRecord, sha256Hex } from './report.js';

const $ = (id) => document.getElementById(id);

// The model card summary (GET /model) once loaded, and the answer on show with its file's name and hash.
let card = null;
let current = null;

const HEADLINES = { flagged: 'Flagged for work-up', below_threshold: "Below the model's threshold" };

const pct = (v) => `${(100 * v).toFixed(0)} %`;
const ci = (c) => (Array.isArray(c) ? ` (${pct(c[0])}–${pct(c[1])})` : '');

/** The sets a reader should weigh the answer by: every reported set except those that chose the threshold. */
export function operatingRows(metrics) {
  return Object.entries(metrics ?? {})
    .filter(([key, m]) => !/^validation/i.test(key) && m && typeof m.sensitivity === 'number' && typeof m.specificity === 'number')
    .map(([key, m]) => ({ key, ...m }));
}

/** Remembers the model card summary and fills the result card's notice (model, threshold, operating numbers). */
export function setModelCard(summary) {
  card = summary;
  const threshold = summary.threshold?.value;
  const model = `Model ${summary.name} ${summary.version}` +
    (typeof threshold === 'number' ? ` · operating threshold ${threshold.toFixed(2)} on the ` +
      `${summary.threshold.scale === 'probability' ? 'calibrated ' : ''}model score` : '') + '.';
  $('result-model').textContent = model;
  $('batch-model').textContent = model;
  const rows = operatingRows(summary.metrics);
  $('operating-rows').replaceChildren(...rows.map((m) => {
    const tr = document.createElement('tr');
    const cells = [m.description ?? m.key, `${m.n}${typeof m.positives === 'number' ? ` (${m.positives})` : ''}`,
      `${pct(m.sensitivity)}${ci(m.sensitivityCi95)}`, `${pct(m.specificity)}${ci(m.specificityCi95)}`];
    cells.forEach((text, i) => {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.scope = 'row';
      cell.textContent = text;
      tr.append(cell);
    });
    return tr;
  }));
  $('operating').hidden = rows.length === 0;
}

/** Shows the decision as the headline, the seen-in-training warning and what the score is (calibrated or not). */
export function showDecision(answer) {
  const headline = $('decision');
  headline.textContent = HEADLINES[answer.decision] ?? answer.decision;
  headline.className = `decision ${answer.decision}`;
  $('decision-text').textContent = answer.decisionText ?? '';
  $('seen-warning').hidden = answer.seenInTraining !== true;
  // "Model score" until calibration is shown to hold on other hospitals' images (docs/trust.md).
  const fitted = card?.calibration?.fittedOn;
  $('score-note').textContent = answer.calibrated
    ? `Calibrated estimate ${answer.probability.toFixed(2)} (Platt map fitted on ${fitted ?? 'validation data'}); ` +
      'not shown to hold at other hospitals, so read it as a model score, not a probability.'
    : 'The model score is not a calibrated probability of malignancy.';
}

/** Writes the heatmap's text summary for the side on show, and the warning when its peak is in the border strips. */
export function showHeatmapSummary(heatmap, side, width, height) {
  const values = side === 'benign' ? heatmap.benignValues : heatmap.values;
  // In box mode the grid covers the crop box from (x0, y0); the summary speaks of that box.
  const w = heatmap.cols * heatmap.cellWidth, h = heatmap.rows * heatmap.cellHeight;
  const summary = values ? summariseHeatmap(heatmap, values, w || width, h || height) : null;
  const text = describeHeatmap(summary, side === 'benign' ? 'benign' : 'malignancy');
  const el = $('heatmap-summary');
  el.textContent = text;
  el.dataset.peakInBorder = String(Boolean(summary?.peakInBorder));
  $('border-warning').hidden = !summary?.peakInBorder;
}

/** Clears the heatmap summary (no heatmap for this answer). */
export function clearHeatmapSummary() {
  $('heatmap-summary').textContent = '';
  $('border-warning').hidden = true;
}

/**
 * Remembers the answer on show with its file, hashing the file's bytes here in the browser for the report; `time` is
 * when the answer arrived, `sha256` a hash already computed (batch rows).
 */
export function setCurrent(file, answer, time = new Date(), sha256 = undefined) {
  current = { file: file.name, answer, time, sha256: sha256 ?? file.arrayBuffer().then(sha256Hex) };
}

/** Saves text as a file through a temporary link (no server round trip). */
export function saveText(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function download(kind) {
  if (!current) return;
  const record = resultRecord({ file: current.file, sha256: await current.sha256, answer: current.answer, time: current.time });
  if (kind === 'json') saveText(JSON.stringify(record, null, 2) + '\n', downloadName(current.file, 'json'), 'application/json');
  else saveText(recordsCsv([record]), downloadName(current.file, 'csv'), 'text/csv');
}

$('download-json').addEventListener('click', () => download('json'));
$('download-csv').addEventListener('click', () => download('csv'));
