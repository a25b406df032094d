/**
 * Writes every number that comes from a run into README.md and docs/*.md, from the JSON that run wrote, so the
 * documents cannot drift from the results. `npm run docs` rewrites; `--check` only reports stale regions and
 * exits 1 (tests/unit/docs_numbers_test.ts runs it). Re-run after any new model, benchmark or evaluation.
 *
 *   deno run --allow-read --allow-write scripts/docs-numbers.ts [--check] [--root DIR]
 *
 * Marked regions (the text between the markers is replaced):
 *   <!-- num:SOURCE.PATH[|FORMAT] -->0.728<!-- /num -->      one value
 *   <!-- table:NAME[:SOURCE] -->…<!-- /table -->             a generated table (TABLES below)
 *   <!-- table:include:FILE -->…<!-- /table -->              a markdown file another command wrote, verbatim
 * SOURCE is an alias from SOURCES (card, bench, parity, …) or a JSON file relative to the root followed by a
 * colon: `num:train/results/breastmnist-128/card.json:metrics.breastmnistTest.auc`. PATH is dot-separated keys;
 * a number indexes an array, `[field=value]` picks the array element whose field has that value.
 * FORMAT: a digit (decimals), eN (exponent notation), pctN (percent, N decimals), int (rounded, thousands separators), kb (bytes →
 * thousands), mib (bytes → MiB, 2 decimals), date (YYYY-MM-DD), minutes (seconds → minutes), raw. Without one:
 * integers get thousands separators, other numbers 3 decimals, [a, b] pairs "a–b".
 */
import { parseArgs } from 'node:util';
import { markdownTables, type Results } from '../bench/report.ts';
import { applyCalibration, parseCalibration } from '../src/model/calibration.ts';
import { parseModelCard, thresholdScale } from '../src/model/card.ts';
import { decide } from '../src/model/decision.ts';
import { servedTiers, tierOf } from '../src/model/tiers.ts';

/** Short names for the results files the documents quote. */
export const SOURCES: Record<string, string> = {
  card: 'static/model/card.json',
  bench: 'bench/results/latest.json',
  parity: 'bench/results/parity.json',
  workerd: 'bench/results/workerd-run.json',
  heatmap: 'bench/results/heatmap-eval.json',
};

type Json = unknown;

/** Follows `path` (dot keys, array indexes, `[field=value]` selectors) into `value`. */
function follow(value: Json, path: string, where: string): Json {
  const steps = path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let at: Json = value;
  for (const step of steps) {
    if (step.startsWith('[')) {
      const [field, wanted] = step.slice(1, -1).split('=');
      if (!Array.isArray(at)) throw new Error(`${where}: ${step} needs an array`);
      at = at.find((e) => String((e as Record<string, Json>)?.[field]) === wanted);
    } else if (Array.isArray(at) && /^\d+$/.test(step)) {
      at = at[Number(step)];
    } else {
      at = at !== null && typeof at === 'object' ? (at as Record<string, Json>)[step] : undefined;
    }
    if (at === undefined) throw new Error(`${where}: nothing at "${step}" of "${path}"`);
  }
  return at;
}

/** Formats one value as the documents print it. */
export function format(value: Json, fmt = ''): string {
  const num = (v: Json) => {
    if (typeof v !== 'number') throw new Error(`format ${fmt} needs a number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    return value.map((v) => format(v, fmt || '3')).join('–');
  }
  if (/^\d$/.test(fmt)) return num(value).toFixed(Number(fmt));
  if (/^e\d$/.test(fmt)) return num(value).toExponential(Number(fmt.slice(1)));
  if (/^pct\d$/.test(fmt)) return `${(100 * num(value)).toFixed(Number(fmt.slice(3)))}%`;
  if (fmt === 'int') return Math.round(num(value)).toLocaleString('en');
  if (fmt === 'kb') return Math.round(num(value) / 1000).toLocaleString('en');
  if (fmt === 'mib') return (num(value) / 2 ** 20).toFixed(2);
  if (fmt === 'minutes') return (num(value) / 60).toFixed(0);
  if (fmt === 'date') return String(value).slice(0, 10);
  if (fmt === 'raw' || typeof value === 'string') return String(value);
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en') : value.toFixed(3);
  return JSON.stringify(value);
}

interface Metric {
  description?: string;
  n?: number;
  positives?: number;
  auc?: number;
  aucCi95?: [number, number];
  sensitivity?: number;
  sensitivityCi95?: [number, number];
  specificity?: number;
  specificityCi95?: [number, number];
  accuracy?: number;
  ece?: number;
}

/** Column titles for the heatmap maps of scripts/heatmap-eval.ts. */
const MAP_TITLES: Record<string, string> = {
  malignant: '`values` (for malignancy)',
  benign: '`benignValues` (against)',
  pageDefault: "page's first view",
  centrePrior: 'centre prior (no model)',
};

/** Generated tables, by name, each from one JSON document. */
export const TABLES: Record<string, { source: string; render(doc: Json): string }> = {
  /** Every evaluated set of a model card: discrimination with CIs and the operating point's numbers. */
  metrics: {
    source: 'card',
    render(doc) {
      const card = doc as { metrics: Record<string, Metric>; threshold?: { value: number } };
      const f = (v?: number) => (v === undefined ? '' : v.toFixed(3));
      const ci = (v?: number, c?: [number, number]) => (v === undefined ? '' : c ? `${f(v)} (${f(c[0])}–${f(c[1])})` : f(v));
      const rows = Object.entries(card.metrics).filter(([, m]) => typeof m?.auc === 'number').map(([key, m]) =>
        `| ${m.description ?? key} | ${m.n ?? ''}${m.positives !== undefined ? ` (${m.positives})` : ''} | ${ci(m.auc, m.aucCi95)} | ` +
        `${ci(m.sensitivity, m.sensitivityCi95)} | ${ci(m.specificity, m.specificityCi95)} | ${f(m.accuracy)} | ${f(m.ece)} |`
      );
      return [
        `| set | n (malignant) | ROC AUC (95% CI) | sensitivity | specificity | accuracy | ECE |`,
        '|---|---|---|---|---|---|---|',
        ...rows,
      ].join('\n');
    },
  },
  /** An example /predict answer for a score of 0.85, built with the card's threshold, calibration and tiers. */
  'answer-example': {
    source: 'card',
    render(doc) {
      const card = parseModelCard(doc);
      const calibration = parseCalibration(card.calibration);
      const score = 0.85;
      const threshold = card.threshold.value;
      const probability = applyCalibration(score, calibration);
      const thresholdOn = thresholdScale(card);
      const value = thresholdOn === 'probability' ? probability : score;
      const tier = tierOf(value, servedTiers(threshold, calibration, thresholdOn));
      const answer = {
        prediction: probability.toFixed(2),
        description: tier.description,
        classification: tier.classification,
        ...decide(value, threshold, thresholdOn === 'probability' ? 'calibrated model score' : 'model score'),
        probability: Number(probability.toFixed(4)),
        score,
        calibrated: calibration !== undefined,
        thresholdOn,
        tier: tier.id,
        threshold: Number(threshold.toFixed(4)),
        aboveThreshold: value >= threshold,
        image: { format: 'png', width: 562, height: 471 },
        model: { name: card.name, version: card.version },
        timings: { decode: 2.4, preprocess: 0.8, inference: 2.3 },
        mode: 'whole',
        seenInTraining: false,
      };
      return ['```json', JSON.stringify(answer, null, 2), '```'].join('\n');
    },
  },
  /** A card's summaries of other recorded runs (train/results/<run>/card.json), one bullet each. */
  comparisons: {
    source: 'card',
    render(doc) {
      const lines = (doc as { comparisons?: string[] }).comparisons ?? [];
      return lines.length ? lines.map((l) => `- ${l}`).join('\n') : '- (this card records no other runs)';
    },
  },
  /** scripts/heatmap-eval.ts's summary: each measure for each map, beside chance, per image group. */
  heatmap: {
    source: 'heatmap',
    render(doc) {
      type Estimate = { mean: number; ci: [number, number] };
      type Group = { images: number; maps: Record<string, Record<string, Estimate>>; chance: Record<string, number> };
      const summary = (doc as { summary: Record<string, Group> }).summary;
      const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
      const measures: Record<string, string> = {
        pointingHit: 'pointing game: strongest cell\'s centre on the lesion',
        pointingTouch: 'lenient pointing: strongest cell overlaps the lesion',
        massInMask: 'heatmap mass on the lesion',
        peakInBorder: 'strongest cell in the border strips',
        massInBorder: 'heatmap mass in the border strips',
      };
      const lines: string[] = [];
      for (const name of ['all', 'malignant', 'benign']) {
        const group = summary[name];
        if (!group) continue;
        const maps = Object.keys(group.maps);
        if (lines.length) lines.push('');
        const title = (m: string) => MAP_TITLES[m] ?? m;
        lines.push(`| ${name} (${group.images} images) | ${maps.map(title).join(' | ')} | chance |`, `|---|${maps.map(() => '---|').join('')}---|`);
        for (const [key, label] of Object.entries(measures)) {
          const cells = maps.map((m) => group.maps[m][key]).map((e) => (e ? `${pct(e.mean)} (${pct(e.ci[0])}–${pct(e.ci[1])})` : ''));
          lines.push(`| ${label} | ${cells.join(' | ')} | ${pct(group.chance[key])} |`);
        }
      }
      return lines.join('\n');
    },
  },
  /** The tables `deno task bench` prints (bench/report.ts), from the results file it wrote. */
  bench: { source: 'bench', render: (doc) => markdownTables(doc as Results) },
};

/** Reads a source (alias or relative JSON path) once. */
function loader(root: string): (source: string) => Json {
  const cache = new Map<string, Json>();
  return (source) => {
    const file = SOURCES[source] ?? source;
    if (!cache.has(file)) {
      try {
        cache.set(file, JSON.parse(Deno.readTextFileSync(`${root}/${file}`)));
      } catch (err) {
        throw new Error(`cannot read ${file}${SOURCES[source] ? ` (source "${source}")` : ''}: ${(err as Error).message}`);
      }
    }
    return cache.get(file);
  };
}

/** The text of one document with every marked region regenerated (`root` for `table:include:FILE`). */
export function render(text: string, name: string, load: (source: string) => Json, root = '.'): string {
  const readText = (file: string | undefined, where: string) => {
    if (!file) throw new Error(`${where}: table:include needs a file, e.g. table:include:train/results/candidates.md`);
    try {
      return Deno.readTextFileSync(`${root}/${file}`).trimEnd();
    } catch (err) {
      throw new Error(`${where}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const numbers = text.replace(/(<!-- num:([^|\s]+?)(?:\|(\w+))? -->)([\s\S]*?)(<!-- \/num -->)/g, (_m, open, spec, fmt, _old, close) => {
    const colon = spec.indexOf(':');
    const [source, path] = colon > 0
      ? [spec.slice(0, colon), spec.slice(colon + 1)]
      : [spec.slice(0, spec.indexOf('.')), spec.slice(spec.indexOf('.') + 1)];
    return `${open}${format(follow(load(source), path, `${name} num:${spec}`), fmt)}${close}`;
  });
  return numbers.replace(/(<!-- table:([\w-]+)(?::(\S+))? -->)([\s\S]*?)(<!-- \/table -->)/g, (_m, open, table, source, _old, close) => {
    // A markdown file another command generated (e.g. train/results/candidates.md), copied in as it is.
    if (table === 'include') return `${open}\n${readText(source, name)}\n${close}`;
    const generator = TABLES[table];
    if (!generator) throw new Error(`${name}: no table "${table}" (known: ${Object.keys(TABLES).join(', ')})`);
    return `${open}\n${generator.render(load(source ?? generator.source))}\n${close}`;
  });
}

/** README.md and every docs/*.md under `root`. */
function documents(root: string): string[] {
  const docs: string[] = [];
  try {
    for (const entry of Deno.readDirSync(`${root}/docs`)) if (entry.isFile && entry.name.endsWith('.md')) docs.push(`docs/${entry.name}`);
  } catch { /* no docs folder */ }
  return ['README.md', ...docs.sort()];
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { check: { type: 'boolean', default: false }, root: { type: 'string' } } });
  const root = (values.root ?? new URL('..', import.meta.url).pathname).replace(/\/$/, '');
  const load = loader(root);
  const stale: string[] = [];
  for (const name of documents(root)) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`${root}/${name}`);
    } catch {
      continue;
    }
    const fresh = render(text, name, load, root);
    if (fresh === text) continue;
    stale.push(name);
    if (!values.check) Deno.writeTextFileSync(`${root}/${name}`, fresh);
  }
  if (values.check && stale.length) {
    console.error(`stale generated numbers in ${stale.join(', ')}: run \`npm run docs\``);
    Deno.exit(1);
  }
  console.log(stale.length ? `updated ${stale.join(', ')}` : 'all generated numbers are current');
}
