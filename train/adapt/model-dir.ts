/**
 * Reads a saved layers model folder into a trainable-form tfjs LayersModel (batch norm not folded, as the
 * serving Classifier does) and writes an adapted copy: same topology, same weight order and storage format.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';
import type { ModelJson } from '../../src/model/classifier.ts';
import { type Quantization, quantizeModelDir } from '../quantize.ts';

/** The folder's model.json and its weight shards concatenated in manifest order. */
function readArtifacts(dir: string): { modelJson: ModelJson; weightData: ArrayBuffer } {
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const parts = modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => new Uint8Array(readFileSync(join(dir, p))));
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { modelJson, weightData: data.buffer };
}

/** Loads model.json + shards as a layers model on the active backend. */
export async function loadLayersModelDir(dir: string): Promise<LayersModel> {
  const { modelJson, weightData } = readArtifacts(dir);
  return loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData,
  }));
}

/**
 * The storage format of a model's weights: float32, or the one quantisation its quantised entries share (some may
 * stay float32, as the two-site model keeps batch-norm statistics). Two quantisations are refused: re-writing them
 * in one format would silently change the model's size or precision.
 */
export function weightFormat(modelJson: ModelJson): Quantization {
  const formats = new Set(modelJson.weightsManifest.flatMap((g) => g.weights).map((w) => w.quantization?.dtype).filter((d) => d !== undefined));
  if (formats.size > 1) throw new Error(`mixed weight formats (${[...formats].join(', ')}) are not supported`);
  const [format = 'float32'] = formats;
  if (format !== 'float32' && format !== 'float16' && format !== 'uint8') throw new Error(`unsupported weight format ${format}`);
  return format;
}

/** The model's weights as float32 arrays by saved name (the names model.json uses). */
async function namedWeights(model: LayersModel): Promise<Map<string, Float32Array>> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const specs = saved!.weightSpecs!;
  const data = saved!.weightData as ArrayBuffer;
  const out = new Map<string, Float32Array>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name} is ${spec.dtype}, expected float32`);
    out.set(spec.name, new Float32Array(data.slice(offset, offset + 4 * size)));
    offset += 4 * size;
  }
  return out;
}

/**
 * Writes `model`'s weights into `out` with `sourceDir`'s model.json (topology and weight order unchanged), as
 * one `weights.bin` in the source's storage format (train/quantize.ts), plus `card` as card.json.
 * Refuses to write into the source folder or into an existing folder's model.
 */
export async function writeAdaptedDir(sourceDir: string, out: string, model: LayersModel, card: unknown): Promise<void> {
  if (resolve(sourceDir) === resolve(out)) throw new Error('--out must differ from --model: the source model is never overwritten');
  if (existsSync(join(out, 'model.json'))) throw new Error(`${out} already holds a model; choose a new folder`);
  const source = JSON.parse(readFileSync(join(sourceDir, 'model.json'), 'utf8')) as ModelJson;
  const format = weightFormat(source);
  const weights = await namedWeights(model);
  const specs = source.weightsManifest.flatMap((g) => g.weights).map(({ name, shape }) => ({ name, shape, dtype: 'float32' as const }));
  const parts = specs.map((s) => {
    const w = weights.get(s.name);
    if (!w) throw new Error(`the loaded model has no weight ${s.name}`);
    return w;
  });
  const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  mkdirSync(out, { recursive: true });
  const modelJson: ModelJson = { ...source, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  writeFileSync(join(out, 'weights.bin'), new Uint8Array(data.buffer));
  writeFileSync(join(out, 'model.json'), JSON.stringify(modelJson));
  // Entries the source kept in float32 stay float32.
  const kept = new Set(source.weightsManifest.flatMap((g) => g.weights).filter((w) => !w.quantization).map((w) => w.name));
  quantizeModelDir(out, format, { keep: { test: (name: string) => kept.has(name) } });
  // Hash prefixes of the training images (not images): the adapted model was trained on the same ones.
  if (existsSync(join(sourceDir, 'seen.bin'))) copyFileSync(join(sourceDir, 'seen.bin'), join(out, 'seen.bin'));
  writeCard(out, card);
}

/** Writes (or rewrites) a model folder's card.json. */
export function writeCard(out: string, card: unknown): void {
  writeFileSync(join(out, 'card.json'), JSON.stringify(card, null, 2) + '\n');
}
