/**
 * `npx tsx train/cli.ts compare`: the candidates table (README, docs/model.md, the card) from the cards the training
 * runs wrote — static/model and train/results/<name>/ — never typed in. Writes train/results/candidates.json and
 * candidates.md. Columns: validation AUC (both sites), both leave-one-site-out directions, BrEaST (external, reported
 * once), box-mode BrEaST, CPU ms per prediction and weight size. Rows are in the order the recipe was chosen:
 * validation and leave-one-site-out only.
 *   [--out DIR]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags, ROOT } from '../args.ts';
import { writeJson } from '../write-json.ts';

type Auc = { n: number; auc: number; aucCi95: [number, number] } | undefined;

/** One row of the table. */
interface Candidate {
  name: string;
  source: string;
  command: string;
  architecture: string;
  validation: Auc;
  busiToBusbra: Auc;
  busbraToBusi: Auc;
  external: Auc;
  externalBox: Auc;
  inferenceMs?: number;
  weightsBytes?: number;
}

const pick = (m: any): Auc => (m && typeof m.auc === 'number' ? { n: m.n, auc: m.auc, aucCi95: m.aucCi95 } : undefined);

function fromCard(name: string, dir: string): Candidate[] {
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
  if (!card.leaveOneSiteOut) return [];
  const row: Candidate = {
    name,
    source: `${dir.replace(ROOT, '')}/card.json`,
    command: card.training.command,
    architecture: card.architecture.name,
    validation: pick(card.metrics.validation),
    busiToBusbra: pick(card.leaveOneSiteOut.busiToBusbra?.whole),
    busbraToBusi: pick(card.leaveOneSiteOut.busbraToBusi?.whole),
    external: pick(card.metrics.external),
    externalBox: pick(card.metrics.externalBox),
    inferenceMs: card.speed?.inferenceMsMedian,
    weightsBytes: card.architecture.weightsBytes,
  };
  const tta = card.testTimeAugmentation;
  const withTta: Candidate | undefined = tta && {
    ...row,
    name: `${name} + TTA (flip)`,
    architecture: `${row.architecture}; ${tta.description}`,
    validation: pick(tta.validation),
    busiToBusbra: undefined,
    busbraToBusi: undefined,
    external: pick(tta.external),
    externalBox: undefined,
    inferenceMs: row.inferenceMs && 2 * row.inferenceMs,
  };
  return withTta ? [row, withTta] : [row];
}

/** The BUSI-only model that shipped before (1.1.0): its card and its score on all of BUS-BRA. */
function previous(dir: string): Candidate[] {
  if (!existsSync(join(dir, 'on-bus-bra.json'))) return [];
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
  const onBra = JSON.parse(readFileSync(join(dir, 'on-bus-bra.json'), 'utf8'));
  return [{
    name: `${card.name} ${card.version} (BUSI only, shipped before)`,
    source: `${dir.replace(ROOT, '')}/card.json, on-bus-bra.json`,
    command: `${card.training.command}; ${onBra.command}`,
    architecture: card.architecture.name,
    validation: undefined,
    busiToBusbra: pick(onBra),
    busbraToBusi: undefined,
    external: pick(card.metrics.external),
    externalBox: undefined,
    weightsBytes: card.architecture.weightsBytes,
  }];
}

const cell = (a: Auc) => (a ? `${a.auc.toFixed(3)} (${a.aucCi95[0].toFixed(3)}–${a.aucCi95[1].toFixed(3)})` : '—');

/** The table as Markdown. */
export function candidatesMarkdown(rows: Candidate[]): string {
  return '| candidate | validation AUC | LOSO BUSI→BUS-BRA | LOSO BUS-BRA→BUSI | BrEaST AUC | BrEaST box mode | CPU ms | weights |\n' +
    '|---|---|---|---|---|---|---|---|\n' +
    rows.map((r) => `| ${r.name} | ${cell(r.validation)} | ${cell(r.busiToBusbra)} | ${cell(r.busbraToBusi)} | ${cell(r.external)} | ${cell(r.externalBox)} | ${r.inferenceMs?.toFixed(1) ?? '—'} | ${r.weightsBytes ? `${Math.round(r.weightsBytes / 1024)} KiB` : '—'} |`).join('\n') + '\n';
}

/** Runs the command. */
export async function run(argv: string[]): Promise<void> {
  const args = parseFlags(argv, { out: { type: 'string', default: join(ROOT, 'train/results') } });
  const results = join(ROOT, 'train/results');
  const rows = [
    ...fromCard('shipped (static/model)', join(ROOT, 'static/model')),
    ...readdirSync(results).sort().flatMap((name) => {
      const dir = join(results, name);
      if (!existsSync(join(dir, 'card.json'))) return [];
      return name === 'busi-edge-1.1.0' ? previous(dir) : fromCard(name, dir);
    }),
  ];
  writeJson(join(args.out!, 'candidates.json'), { generatedBy: 'npx tsx train/cli.ts compare', note: 'Chosen by validation and leave-one-site-out AUC; BrEaST columns are the external report, never used to choose. CPU ms: the model alone on tfjs WASM at training time (see docs/performance.md for /predict).', rows });
  writeFileSync(join(args.out!, 'candidates.md'), candidatesMarkdown(rows));
  process.stdout.write(candidatesMarkdown(rows));
}
