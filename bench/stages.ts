/** Per-stage timings of one prediction, in process: decode, preprocess, inference, JSON encode. */
import process from 'node:process';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage } from '../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import { toModelInput } from '../src/image/preprocess.ts';
import type { Predictor } from '../src/predictor.ts';
import type { InputSpec, Raster } from '../src/image/raster.ts';
import type { BenchImage } from './images.ts';
import { type Summary, summarize } from './stats.ts';

/** Wall-time summaries per stage plus the process CPU time per prediction (all stages, averaged). */
export interface StageResult {
  model: string;
  image: string;
  input: string;
  iterations: number;
  decode: Summary;
  preprocess: Summary;
  inference: Summary;
  jsonEncode: Summary;
  total: Summary;
  /** Process CPU time (user + system) over all iterations ÷ iterations: robust to other processes' load. */
  cpuMsPerPrediction: number;
}

/** The steps of one prediction, so the current serving path and the "before" path are timed alike. */
export interface Pipeline {
  decode(bytes: Uint8Array): Raster | Promise<Raster>;
  preprocess(raster: Raster): Float32Array;
  infer(input: Float32Array): number;
  /** The whole prediction as served, returning the object /predict encodes. */
  predict(bytes: Uint8Array): Promise<unknown>;
  inputSpec: InputSpec;
}

/** The serving path: exactly what Predictor.predictMany does. */
export function servingPipeline(predictor: Predictor): Pipeline {
  const spec = predictor.classifier.inputSpec;
  return {
    inputSpec: spec,
    decode: (bytes) => decodeImage(bytes, predictor.decoders, { limits: DEFAULT_IMAGE_LIMITS, atLeast: spec }),
    preprocess: (raster) => toModelInput(raster, spec),
    infer: (input) => predictor.classifier.classify([input])[0],
    predict: async (bytes) => (await predictor.predictMany([bytes], DEFAULT_IMAGE_LIMITS))[0],
  };
}

/** Times each stage `iterations` times (after warm-up rounds), and the process CPU time of whole predictions. */
export async function timeStages(pipeline: Pipeline, modelName: string, image: BenchImage, iterations: number): Promise<StageResult> {
  const spec = pipeline.inputSpec;
  const stages = { decode: [] as number[], preprocess: [] as number[], inference: [] as number[], jsonEncode: [] as number[], total: [] as number[] };
  const outcome = await pipeline.predict(image.bytes);
  const once = async (record: boolean) => {
    const t0 = performance.now();
    const raster = await pipeline.decode(image.bytes);
    const t1 = performance.now();
    const input = pipeline.preprocess(raster);
    const t2 = performance.now();
    pipeline.infer(input);
    const t3 = performance.now();
    JSON.stringify(outcome); // the answer /predict sends, encoded the way c.json() does
    const t4 = performance.now();
    if (!record) return;
    stages.decode.push(t1 - t0);
    stages.preprocess.push(t2 - t1);
    stages.inference.push(t3 - t2);
    stages.jsonEncode.push(t4 - t3);
    stages.total.push(t4 - t0);
  };
  for (let i = 0; i < 5; i++) await once(false);
  for (let i = 0; i < iterations; i++) await once(true);
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < iterations; i++) JSON.stringify(await pipeline.predict(image.bytes));
  const cpu = process.cpuUsage(cpuStart);
  return {
    model: modelName,
    image: image.name,
    input: `${spec.height}×${spec.width}×${spec.channels}`,
    iterations,
    decode: summarize(stages.decode),
    preprocess: summarize(stages.preprocess),
    inference: summarize(stages.inference),
    jsonEncode: summarize(stages.jsonEncode),
    total: summarize(stages.total),
    cpuMsPerPrediction: Math.round(((cpu.user + cpu.system) / 1000 / iterations) * 1000) / 1000,
  };
}

/** Kernel times of one forward pass (tf.profile, median of `repeats` passes), in execution order. */
export async function kernelProfile(predictor: Predictor, repeats = 9): Promise<{ kernel: string; outputShape: number[]; ms: number }[]> {
  const { height, width, channels } = predictor.classifier.inputSpec;
  const input = new Float32Array(height * width * channels).fill(0.5);
  const runs: { kernel: string; outputShape: number[]; ms: number }[][] = [];
  for (let r = 0; r < repeats; r++) {
    const info = await tf.profile(() => {
      predictor.classifier.classify([input]);
    });
    // Op wrappers (`…__op`) repeat their kernels' time; keep the kernels.
    runs.push(info.kernels.filter((k) => !k.name.endsWith('__op')).map((k) => ({
      kernel: k.name,
      outputShape: (k.outputShapes[0] ?? []) as number[],
      ms: k.kernelTimeMs as number,
    })));
  }
  return runs[0].map((k, i) => {
    const times = runs.map((run) => run[i].ms).sort((a, b) => a - b);
    return { ...k, ms: Math.round(times[times.length >> 1] * 1000) / 1000 };
  });
}
