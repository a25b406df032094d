/**
 * Site adaptation (docs/adapt.md): a copy of a model whose batch-norm statistics come from a hospital's own
 * unlabelled images (AdaBN), optionally with a threshold and calibration set on a few local labels.
 *   npm run adapt -- --model DIR --folder LOCAL_IMAGES --out NEW_DIR [--momentum 0] [--batch-size 32]
 *                    [--max-images 1000] [--seed 1] [--backend auto|tensorflow|wasm] [--exclude SUBFOLDER]…
 * The source folder is only read; images are read, never copied, and their names are never printed.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadNodeDecoders } from '../../src/runtime/node-wasm.ts';
import { useAdaptBackend, type BackendChoice } from '../adapt/backend.ts';
import { adaptBatchNorm, batchNormLayers } from '../adapt/batch-norm.ts';
import { adaptedCard, summariseShifts } from '../adapt/card.ts';
import { listFiles, loadLocalInputs } from '../adapt/images.ts';
import { loadLayersModelDir, writeAdaptedDir } from '../adapt/model-dir.ts';
import { seededRandom, shuffled } from '../random.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    folder: { type: 'string' },
    out: { type: 'string' },
    momentum: { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '32' },
    // Bounds memory (inputs are held as floats); the curve in docs/adapt.md shows how many images are enough.
    'max-images': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'auto' },
    // Sub-folders to leave out by name (e.g. a data set's `masks`).
    exclude: { type: 'string', multiple: true, default: [] },
  },
});

function fail(message: string): never {
  process.stderr.write(`adapt: ${message}\nusage: npm run adapt -- --model DIR --folder LOCAL_IMAGES --out NEW_DIR (see docs/adapt.md)\n`);
  process.exit(2);
}

if (!args.model || !args.folder || !args.out) fail('--model, --folder and --out are required');
const modelDir = resolve(args.model);
const folder = resolve(args.folder);
const out = resolve(args.out);
const momentum = Number(args.momentum);
const maxImages = Number(args['max-images']);
if (!(momentum >= 0 && momentum < 1)) fail('--momentum must be in [0, 1)');

const started = Date.now();
const backend = await useAdaptBackend(args.backend as BackendChoice);
const sourceCard = JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8')) as Record<string, unknown> & { name: string; version: string };
const model = await loadLayersModelDir(modelDir);
const layers = batchNormLayers(model);
if (layers.length === 0) fail('this model has no BatchNormalization layers: there is nothing to adapt');
const [, height, width, channels] = model.inputs[0].shape as number[];
const spec = { height, width, channels: channels as 1 | 3 };

const decoders = await loadNodeDecoders();
const files = listFiles(folder, args.exclude);
// More files than the cap: a seeded random subset, so a rerun picks the same images.
const picked = files.length > maxImages ? shuffled(files, seededRandom(Number(args.seed))).slice(0, maxImages).sort() : files;
const { inputs, skipped } = loadLocalInputs(picked, decoders, spec);
process.stderr.write(`${inputs.length} images read (${skipped} files skipped: not an image the server accepts)${files.length > maxImages ? `, a seeded sample of ${files.length}` : ''}\n`);
if (inputs.length < 2) fail('fewer than 2 usable images in --folder');

const shifts = adaptBatchNorm(model, inputs, {
  batchSize: Number(args['batch-size']),
  momentum,
  onLayer: (done, total) => process.stderr.write(`\rbatch norm layers adapted: ${done}/${total}`),
});
process.stderr.write('\n');
const seconds = (Date.now() - started) / 1000;
const card = adaptedCard(sourceCard, {
  method: 'AdaBN: batch-norm moving mean and variance re-estimated on local unlabelled images through the serving preprocessing, layer by layer in network order; all learned weights unchanged',
  images: inputs.length,
  skippedFiles: skipped,
  sourceModel: { name: sourceCard.name, version: sourceCard.version },
  at: new Date().toISOString(),
  momentum,
  batchNormLayers: layers.length,
  shift: summariseShifts(shifts),
  backend,
  seconds,
  command: ['npm run adapt --', ...process.argv.slice(2)].join(' '),
  note: 'metrics, threshold and calibration elsewhere in this card were measured on the source model, not this adapted one, unless adaptation.labels says otherwise',
});
await writeAdaptedDir(modelDir, out, model, card);
model.dispose();
for (const s of shifts) {
  process.stdout.write(`${s.name}: ${s.channels} channels, mean moved ${s.meanShift.toFixed(2)} source SD, variance ×${s.varianceRatio.toFixed(2)}\n`);
}
process.stdout.write(`adapted ${layers.length} batch-norm layers on ${inputs.length} images in ${seconds.toFixed(1)} s (${backend}) → ${out}\n`);
