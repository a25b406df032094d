/** The tables docs/adapt.md includes, written by scripts/adapt-eval.ts from its JSON only. */

type Ci = [number, number];
interface Point { threshold: number; sensitivity: number; sensitivityCi95: Ci; specificity: number; specificityCi95: Ci }
interface Half { cardThreshold?: Point; localThreshold: Point; calibration: { eceRaw: number; eceCalibrated: number } }
interface Row {
  model: { dir: string; name: string; version: string };
  site: string;
  name: string;
  adaptation?: { layers: string };
  images: number;
  malignant: number;
  adaptedOn: number;
  auc: { before: { auc: number; aucCi95: Ci }; after: { auc: number; aucCi95: Ci }; difference: { auc: number; ci95: Ci } };
  splitHalf: { report: { images: number; malignant: number }; source: Half; adapted: Half };
  curve?: Record<string, { mean: number; min: number; max: number } | { images: number; auc: number }>;
}
/** The part of adapt.json the tables use. */
export interface AdaptResults {
  command: string;
  createdAt: string;
  machine: { cores: number; cpu: string };
  adaptation: { method: string; passes?: number; batchSize: number; layers?: string[] };
  targetSensitivity: number;
  repeats: number;
  rows: Row[];
  timing?: { images: number; method: string; layers?: string; loadAverageAtStart: number; loadAverageAtEnd: number; decodeSeconds: number; adaptSeconds: Record<string, number>; adaptCpuSeconds: Record<string, number> };
}

/** adapt.md from adapt.json. */
export function markdown(o: AdaptResults): string {
  const f = (v: number) => v.toFixed(3);
  const ci = (c: Ci) => `${f(c[0])}–${f(c[1])}`;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const pctCi = (c: Ci) => `${(100 * c[0]).toFixed(0)}–${(100 * c[1]).toFixed(0)}%`;
  // A bare training output (no card.json) is named by its folder.
  const who = (r: Row) => `${r.model.version.startsWith('unknown') ? `${r.model.name} (no card.json)` : `${r.model.name} ${r.model.version}`} → ${r.name}${r.adaptation?.layers === 'trainable' ? ', trainable batch norms only' : ''}`;
  // The source model's split-half rows once per (model, site), with its first variant.
  const firstOfPair = (r: Row) => o.rows.find((x) => x.model.dir === r.model.dir && x.site === r.site) === r;
  const sizes = [...new Set(o.rows.flatMap((r) => Object.keys(r.curve ?? {}).filter((k) => k !== 'all')))];
  const lines = [
    `Adaptation: ${o.adaptation.method}${o.adaptation.passes && o.adaptation.passes > 1 ? ` (${o.adaptation.passes} passes)` : ''}, batches of ${o.adaptation.batchSize}; ` +
    `last run \`${o.command}\` (${o.createdAt.slice(0, 10)}). Intervals: 95% bootstrap.`,
    '',
    '| Model → held-out site | Images (malignant) | AUC, source model | AUC adapted without labels (on N images) | Difference (paired) |',
    '|---|---|---|---|---|',
    ...o.rows.map((r) => `| ${who(r)} | ${r.images} (${r.malignant}) | ${f(r.auc.before.auc)} (${ci(r.auc.before.aucCi95)}) | ${f(r.auc.after.auc)} (${ci(r.auc.after.aucCi95)}; N = ${r.adaptedOn}) | ${r.auc.difference.auc >= 0 ? '+' : ''}${f(r.auc.difference.auc)} (${ci(r.auc.difference.ci95)}) |`),
    '',
    `Half of each site's cases choose the threshold (sensitivity ≥ ${o.targetSensitivity}) and calibration; the other half reports:`,
    '',
    '| Model → site (report half) | Model | Threshold | Sensitivity | Specificity | ECE raw → calibrated |',
    '|---|---|---|---|---|---|',
    ...o.rows.flatMap((r) => (firstOfPair(r) ? ['source', 'adapted'] as const : ['adapted'] as const).flatMap((m) => {
      const h = r.splitHalf[m];
      const row = (label: string, p: Point, ece: string) =>
        `| ${who(r)} (${r.splitHalf.report.images}, ${r.splitHalf.report.malignant} malignant) | ${m === 'source' ? 'source' : 'adapted on the fit half'}, ${label} | ${f(p.threshold)} | ${pct(p.sensitivity)} (${pctCi(p.sensitivityCi95)}) | ${pct(p.specificity)} (${pctCi(p.specificityCi95)}) | ${ece} |`;
      return [
        ...(h.cardThreshold ? [row('card threshold', h.cardThreshold, '—')] : []),
        row('local threshold', h.localThreshold, `${f(h.calibration.eceRaw)} → ${f(h.calibration.eceCalibrated)}`),
      ];
    })),
    '',
  ];
  const withCurve = o.rows.filter((r) => r.curve);
  if (withCurve.length) {
    lines.push(
      `AUC on all of the site's images after adapting on a few random ones (${o.repeats} draws each: mean, min–max):`,
      '',
      `| Model → site | ${sizes.join(' | ')} | all | source |`,
      `|---|${sizes.map(() => '---|').join('')}---|---|`,
      ...withCurve.map((r) => {
        const c = r.curve!;
        const cell = (k: string) => {
          const v = c[k] as { mean: number; min: number; max: number } | undefined;
          return v ? `${f(v.mean)} (${f(v.min)}–${f(v.max)})` : '—';
        };
        const all = c.all as { images: number; auc: number };
        return `| ${who(r)} | ${sizes.map(cell).join(' | ')} | ${f(all.auc)} (${all.images}) | ${f(r.auc.before.auc)} |`;
      }),
      '',
    );
  }
  if (o.timing) {
    const t = o.timing;
    lines.push(
      `Adaptation time (${t.method}${t.layers === 'trainable' ? ', trainable batch norms only' : ''}) for ${t.images} images on ${o.machine.cores} cores (${o.machine.cpu}; load average ${t.loadAverageAtStart.toFixed(1)} at the start, ` +
        `${t.loadAverageAtEnd.toFixed(1)} at the end: the machine was shared, so these are upper bounds): ` +
        Object.entries(t.adaptSeconds).map(([b, sec]) => `${b === 'tensorflow' ? 'tfjs-node' : 'WASM'} ${sec.toFixed(1)} s (${t.adaptCpuSeconds[b].toFixed(1)} s of CPU time)`).join(', ') +
        ` for the forward passes and writing the folder, plus ${t.decodeSeconds.toFixed(1)} s to decode and preprocess the images.`,
      '',
    );
  }
  return lines.join('\n');
}
