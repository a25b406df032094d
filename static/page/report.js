// "Download result": one record per image with only what identifies the file and the answer (file name, SHA-256 of
// the bytes, model, threshold, decision, score, tier, box, time) and nothing else about the image or the patient.
// Pure functions except sha256Hex (Web Crypto): tests/page imports this file directly.

/** The value an answer's threshold applies to (`thresholdOn`): the calibrated probability or the raw score. */
export function decisionValue(answer) {
  return answer.thresholdOn === 'probability' ? answer.probability : answer.score ?? answer.probability;
}

/** The record's columns, in CSV order. */
export const RECORD_FIELDS = ['file', 'sha256', 'modelVersion', 'threshold', 'decision', 'score', 'tier', 'box', 'time'];

/** Lower-case hex SHA-256 of a file's bytes, computed in the browser (the bytes never leave it for this). */
export async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

// The lesion box the model read, from the answer's `roi` ({ x, y, width, height } in image pixels) when one was sent.
function boxOf(answer) {
  const roi = answer.roi;
  return roi && typeof roi === 'object' ? [roi.x, roi.y, roi.width, roi.height].map(Number) : null;
}

/** The record for one answer (`box`: [x, y, width, height] of the lesion box the model read, else null). */
export function resultRecord({ file, sha256, answer, time = new Date() }) {
  return {
    file,
    sha256,
    modelVersion: `${answer.model.name} ${answer.model.version}`,
    threshold: answer.threshold,
    decision: answer.decision,
    // Comparable with `threshold`: the value the threshold applies to.
    score: decisionValue(answer),
    tier: answer.tier,
    box: boxOf(answer),
    time: time.toISOString(),
  };
}

// RFC 4180: quote a field that holds a comma, quote or line break, doubling its quotes. A hand-written line instead
// of a CSV library: the page has no build step or dependencies (CSP 'self'), and writing is this one rule.
function csvField(value) {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Records as CSV text: a header row of RECORD_FIELDS, then one row per record, CRLF line ends. */
export function recordsCsv(records) {
  const lines = [RECORD_FIELDS.join(','), ...records.map((r) => RECORD_FIELDS.map((f) => csvField(r[f])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

/** A download file name from the image's, e.g. "benign (1).png" → "benign (1).result.json". */
export function downloadName(file, extension) {
  const stem = String(file).replace(/\.[^./\\]*$/, '') || 'result';
  return `${stem}.result.${extension}`;
}
