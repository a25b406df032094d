/** One adaptation step on a model folder: load, re-estimate batch norm on given inputs, write the new folder. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { InputSpec } from '../../src/image/raster.ts';
import { type AdaptLayers, type AdaptMethod, adaptBatchNorm, batchNormLayers, type LayerShift } from './batch-norm.ts';
import { type AdaptationRecord, adaptedCard, summariseShifts } from './card.ts';
import { loadLayersModelDir, writeAdaptedDir } from './model-dir.ts';

/** The model folder's input (height, width, channels), read from model.json without loading weights. */
export async function modelInputSpec(modelDir: string): Promise<InputSpec> {
  const model = await loadLayersModelDir(modelDir);
  const [, height, width, channels] = model.inputs[0].shape as number[];
  model.dispose();
  return { height, width, channels: channels as 1 | 3 };
}

/**
 * The folder's card.json, or for a bare training output (model.json and weights only) a minimal card naming the
 * folder, so such models (e.g. leave-one-site-out runs) can be adapted and measured too.
 */
export function readSourceCard(modelDir: string): Record<string, unknown> & { name: string; version: string } {
  const path = join(modelDir, 'card.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  return { name: basename(resolve(modelDir)), version: 'unknown (the folder has no card.json)' };
}

/** What adaptModelDir needs besides the folders: the images (model inputs) and how to run. */
export interface AdaptRun {
  inputs: Float32Array[];
  skippedFiles?: number;
  momentum?: number;
  batchSize?: number;
  /** batch-norm.ts: `one-pass` (default) or the exact `layerwise`. */
  method?: AdaptMethod;
  /** `one-pass` only: passes in all (default 1). */
  passes?: number;
  /**
   * Which batch-norm layers (batch-norm.ts AdaptLayers), default `all`; `none` leaves the statistics as they are
   * (a copy whose threshold and calibration local labels then set).
   */
  layers?: AdaptLayers | 'none';
  backend: string;
  command: string;
  onProgress?: (done: number, total: number, unit: 'layers' | 'batches') => void;
}

const METHODS: Record<AdaptMethod, string> = {
  'one-pass': 'every layer measured in one forward pass in which the layers before it normalise each batch with its own statistics',
  layerwise: 'layer by layer in network order (each layer measured with the layers before it already adapted)',
};

/**
 * Adapts `modelDir`'s batch norm on `run.inputs` (on the active backend) and writes `out` with the source card plus
 * an `adaptation` record. Returns the record and the per-layer shifts.
 */
export async function adaptModelDir(modelDir: string, out: string, run: AdaptRun): Promise<{ record: AdaptationRecord; shifts: LayerShift[]; sourceCard: Record<string, unknown> }> {
  const started = Date.now();
  const sourceCard = readSourceCard(modelDir);
  const model = await loadLayersModelDir(modelDir);
  const which = run.layers ?? 'all';
  const layers = which === 'none' ? 0 : batchNormLayers(model, which).length;
  if (layers === 0 && which !== 'none') throw new Error(`this model has no ${which === 'all' ? '' : 'trainable '}BatchNormalization layers: there is nothing to adapt`);
  const momentum = run.momentum ?? 0;
  const method = run.method ?? 'one-pass';
  const passes = method === 'one-pass' ? run.passes ?? 1 : undefined;
  const shifts = which === 'none' ? [] : adaptBatchNorm(model, run.inputs, { batchSize: run.batchSize ?? 32, momentum, method, passes, layers: which, onProgress: run.onProgress });
  const record: AdaptationRecord = {
    method: which === 'none'
      ? 'none: batch-norm statistics and all weights unchanged (--layers none); only what local labels set differs from the source'
      : `AdaBN: ${which === 'all' ? 'every' : 'every trainable (not frozen)'} batch-norm layer's moving mean and variance re-estimated on local unlabelled images through the serving preprocessing, ${METHODS[method]}${passes && passes > 1 ? `, then ${passes - 1} refining pass(es) with the adapted statistics` : ''}; all learned weights unchanged`,
    statistics: { method, ...(passes ? { passes } : {}), batchSize: run.batchSize ?? 32, layers: which },
    images: run.inputs.length,
    skippedFiles: run.skippedFiles ?? 0,
    sourceModel: { name: sourceCard.name, version: sourceCard.version },
    at: new Date().toISOString(),
    momentum,
    batchNormLayers: layers,
    ...(shifts.length ? { shift: summariseShifts(shifts) } : {}),
    backend: run.backend,
    seconds: (Date.now() - started) / 1000,
    command: run.command,
    note: 'the metrics, threshold and calibration elsewhere in this card were measured on the source model, not this adapted one',
    // gate.json is fitted to the source weights (the server checks their fingerprint and would ignore it).
    ...(existsSync(join(modelDir, 'gate.json'))
      ? { inputGate: 'not carried over: the source gate.json was fitted on the source weights; answers carry no inputCheck until npm run fit-gate is re-run for this folder' }
      : {}),
  };
  await writeAdaptedDir(modelDir, out, model, adaptedCard(sourceCard, record));
  model.dispose();
  return { record, shifts, sourceCard };
}
