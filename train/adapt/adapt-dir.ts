/** One adaptation step on a model folder: load, re-estimate batch norm on given inputs, write the new folder. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InputSpec } from '../../src/image/raster.ts';
import { adaptBatchNorm, batchNormLayers, type LayerShift } from './batch-norm.ts';
import { type AdaptationRecord, adaptedCard, summariseShifts } from './card.ts';
import { loadLayersModelDir, writeAdaptedDir } from './model-dir.ts';

/** The model folder's input (height, width, channels), read from model.json without loading weights. */
export async function modelInputSpec(modelDir: string): Promise<InputSpec> {
  const model = await loadLayersModelDir(modelDir);
  const [, height, width, channels] = model.inputs[0].shape as number[];
  model.dispose();
  return { height, width, channels: channels as 1 | 3 };
}

/** What adaptModelDir needs besides the folders: the images (model inputs) and how to run. */
export interface AdaptRun {
  inputs: Float32Array[];
  skippedFiles?: number;
  momentum?: number;
  batchSize?: number;
  backend: string;
  command: string;
  onLayer?: (done: number, total: number, name: string) => void;
}

/**
 * Adapts `modelDir`'s batch norm on `run.inputs` (on the active backend) and writes `out` with the source card plus
 * an `adaptation` record. Returns the record and the per-layer shifts.
 */
export async function adaptModelDir(modelDir: string, out: string, run: AdaptRun): Promise<{ record: AdaptationRecord; shifts: LayerShift[]; sourceCard: Record<string, unknown> }> {
  const started = Date.now();
  const sourceCard = JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8')) as Record<string, unknown> & { name: string; version: string };
  const model = await loadLayersModelDir(modelDir);
  const layers = batchNormLayers(model).length;
  if (layers === 0) throw new Error('this model has no BatchNormalization layers: there is nothing to adapt');
  const momentum = run.momentum ?? 0;
  const shifts = adaptBatchNorm(model, run.inputs, { batchSize: run.batchSize ?? 32, momentum, onLayer: run.onLayer });
  const record: AdaptationRecord = {
    method: 'AdaBN: batch-norm moving mean and variance re-estimated on local unlabelled images through the serving preprocessing, layer by layer in network order; all learned weights unchanged',
    images: run.inputs.length,
    skippedFiles: run.skippedFiles ?? 0,
    sourceModel: { name: sourceCard.name, version: sourceCard.version },
    at: new Date().toISOString(),
    momentum,
    batchNormLayers: layers,
    shift: summariseShifts(shifts),
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
