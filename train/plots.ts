/** Minimal SVG charts (no dependency): training curves, ROC curves and reliability diagrams. */

interface Series {
  name: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** A line chart with axes, ticks and a legend. */
export function lineChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xRange?: [number, number];
  yRange?: [number, number];
  diagonal?: boolean;
}): string {
  const W = 520, H = 380, L = 60, R = 20, T = 40, B = 50;
  const all = opts.series.flatMap((s) => s.points);
  const [x0, x1] = opts.xRange ?? [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = opts.yRange ?? [Math.min(0, ...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - T - B);
  const ticks = (a: number, b: number) => Array.from({ length: 6 }, (_, i) => a + ((b - a) * i) / 5);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escape(opts.title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`,
    ...ticks(x0, x1).map((v) => `<text x="${sx(v)}" y="${H - B + 16}" text-anchor="middle">${+v.toFixed(2)}</text>`),
    ...ticks(y0, y1).map((v) => `<text x="${L - 6}" y="${sy(v) + 4}" text-anchor="end">${+v.toFixed(2)}</text><line x1="${L}" x2="${W - R}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/>`),
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${escape(opts.xLabel)}</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${escape(opts.yLabel)}</text>`,
  ];
  if (opts.diagonal) parts.push(`<line x1="${sx(x0)}" y1="${sy(y0)}" x2="${sx(x1)}" y2="${sy(y1)}" stroke="#999" stroke-dasharray="4 4"/>`);
  opts.series.forEach((s, i) => {
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
    parts.push(`<rect x="${L + 12}" y="${T + 6 + i * 18}" width="14" height="3" fill="${s.color}"/><text x="${L + 32}" y="${T + 11 + i * 18}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Training curves: loss, validation loss and validation AUC per epoch. */
export function trainingCurves(
  histories: { epoch: number; loss: number; valLoss: number; valAuc: number }[][],
): string {
  const all = histories.flat();
  const tag = (k: number) => (histories.length > 1 ? ` #${k + 1}` : '');
  return lineChart({
    title: histories.length > 1 ? `Training curves (${histories.length} ensemble members)` : 'Training curves',
    xLabel: 'epoch',
    yLabel: 'loss / AUC',
    yRange: [0, Math.max(1, ...all.map((h) => Math.max(h.loss, h.valLoss)))],
    series: histories.flatMap((history, k) => [
      { name: `train loss (weighted)${tag(k)}`, points: history.map((h) => [h.epoch, h.loss] as [number, number]), color: COLORS[0] },
      { name: `validation loss${tag(k)}`, points: history.map((h) => [h.epoch, h.valLoss] as [number, number]), color: COLORS[1] },
      { name: `validation AUC${tag(k)}`, points: history.map((h) => [h.epoch, h.valAuc] as [number, number]), color: COLORS[2], dashed: true },
    ]),
  });
}

/** ROC curves of several sets on one chart. */
export function rocChart(curves: { name: string; auc: number; points: { fpr: number; tpr: number }[] }[]): string {
  return lineChart({
    title: 'ROC',
    xLabel: 'false positive rate (1 − specificity)',
    yLabel: 'true positive rate (sensitivity)',
    xRange: [0, 1],
    yRange: [0, 1],
    diagonal: true,
    series: curves.map((c, i) => ({ name: `${c.name} (AUC ${c.auc.toFixed(3)})`, points: c.points.map((p) => [p.fpr, p.tpr]), color: COLORS[i % COLORS.length] })),
  });
}

/** Reliability diagram: observed malignancy rate against mean predicted probability per bin. */
export function reliabilityChart(sets: { name: string; ece: number; bins: { n: number; meanScore: number; positiveRate: number }[] }[]): string {
  return lineChart({
    title: 'Reliability (calibration)',
    xLabel: 'mean predicted probability',
    yLabel: 'observed fraction malignant',
    xRange: [0, 1],
    yRange: [0, 1],
    diagonal: true,
    series: sets.map((s, i) => ({
      name: `${s.name} (ECE ${s.ece.toFixed(3)})`,
      points: s.bins.filter((b) => b.n > 0).map((b) => [b.meanScore, b.positiveRate]),
      color: COLORS[i % COLORS.length],
    })),
  });
}
