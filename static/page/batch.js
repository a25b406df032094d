// Batch mode: several images in one request (up to the server's per-request limit), a sortable table of decision,
// score and tier, a row opens its image and heatmap in the result card, and the table exports as CSV.
import { decisionValue, recordsCsv, resultRecord, sha256Hex } from './report.js';
import { saveText } from './trust.js';

const $ = (id) => document.getElementById(id);

// Rows of the last batch: file, answer (or error), hash promise, arrival time; and the current sort.
let rows = [];
let sort = { key: null, direction: 1 };

const DECISION_ORDER = { flagged: 0, below_threshold: 1 };
const TIER_ORDER = ['very_likely_benign', 'likely_benign', 'uncertain', 'possibly_malignant', 'likely_malignant', 'very_likely_malignant'];

// Sort keys: errors always sort last; ties keep upload order.
const KEYS = {
  decision: (r) => DECISION_ORDER[r.answer?.decision] ?? 9,
  score: (r) => (r.answer ? decisionValue(r.answer) : Infinity),
  tier: (r) => (r.answer ? TIER_ORDER.indexOf(r.answer.tier) : 99),
};

/** Rows ordered by a column (1 ascending, -1 descending), upload order breaking ties; pure, for tests. */
export function sortRows(list, key, direction) {
  const value = KEYS[key];
  return list.map((r, i) => ({ r, i })).sort((a, b) => {
    const va = value(a.r), vb = value(b.r);
    const failedA = !a.r.answer, failedB = !b.r.answer;
    if (failedA !== failedB) return failedA ? 1 : -1;
    return va === vb ? a.i - b.i : (va < vb ? -direction : direction);
  }).map(({ r }) => r);
}

function cell(text, tag = 'td') {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

function render(open) {
  const list = sort.key ? sortRows(rows, sort.key, sort.direction) : rows;
  $('batch-rows').replaceChildren(...list.map((row) => {
    const tr = document.createElement('tr');
    const name = cell(row.file.name, 'th');
    name.scope = 'row';
    tr.append(name);
    if (row.answer) {
      const a = row.answer;
      tr.dataset.decision = a.decision;
      tr.append(
        cell(a.decision === 'flagged' ? 'Flagged' : 'Below threshold'),
        cell(decisionValue(a).toFixed(2)),
        cell(`${a.classification} · ${a.tier.replaceAll('_', ' ')}`),
      );
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.textContent = `Open ${row.file.name}`;
      button.addEventListener('click', () => open(row.file, a, row.time, row.sha256));
      const td = document.createElement('td');
      td.append(button);
      tr.append(td);
    } else {
      tr.dataset.decision = 'error';
      const td = cell(row.error);
      td.colSpan = 4;
      tr.append(td);
    }
    return tr;
  }));
  for (const th of $('batch-table').querySelectorAll('th[aria-sort]')) {
    const key = th.querySelector('button').dataset.sort;
    th.setAttribute('aria-sort', key === sort.key ? (sort.direction > 0 ? 'ascending' : 'descending') : 'none');
  }
}

/**
 * Wires the batch section. `open(file, answer, time, sha256)` shows one row in the result card; `request(files)`
 * sends the files to /predict and resolves to the Response.
 */
export function initBatch({ open, request, describeError }) {
  for (const button of $('batch-table').querySelectorAll('button[data-sort]')) {
    button.addEventListener('click', () => {
      const key = button.dataset.sort;
      sort = { key, direction: sort.key === key ? -sort.direction : 1 };
      render(open);
    });
  }
  $('batch-csv').addEventListener('click', async () => {
    const done = rows.filter((r) => r.answer);
    const records = await Promise.all(done.map(async (r) =>
      resultRecord({ file: r.file.name, sha256: await r.sha256, answer: r.answer, time: r.time })
    ));
    saveText(recordsCsv(records), 'batch.result.csv', 'text/csv');
  });

  /** Classifies up to `limit` files in one request and fills the table; returns a status line. */
  return async function classifyBatch(files, limit) {
    const sent = files.slice(0, limit);
    const res = await request(sent);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(describeError(res.status, body));
    const time = new Date();
    const results = body.results ?? [body];
    rows = sent.map((file, i) => {
      const r = results[i];
      const failed = !r || r.error;
      return {
        file,
        time,
        answer: failed ? null : r,
        error: failed ? describeError(r?.status ?? 500, r ?? {}) : '',
        sha256: file.arrayBuffer().then(sha256Hex),
      };
    });
    sort = { key: null, direction: 1 };
    render(open);
    const skipped = files.length - sent.length;
    $('batch-note').textContent = skipped > 0
      ? `This server takes ${limit} images per request: the first ${limit} were classified, ${skipped} left out.`
      : '';
    $('batch').hidden = false;
    const flagged = rows.filter((r) => r.answer?.decision === 'flagged').length;
    return `Batch: ${rows.length} images, ${flagged} flagged for work-up.` + (skipped > 0 ? ` ${skipped} left out (server limit).` : '');
  };
}
