/**
 * The serving path as it was before the performance work (commit 5005f4c), rebuilt from the reference pieces so
 * `deno task bench` can time it beside the current one on the same machine and load: imagescript's wasm PNG
 * codec (RGBA output), full-size JPEG decoding, the original preprocessing and the tfjs-layers model's predict
 * (separate conv, batch-norm and ReLU ops).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createDecoders } from '../src/image/codecs.ts';
import { decodeImage } from '../src/image/decode.ts';
import { DEFAULT_IMAGE_LIMITS } from '../src/image/limits.ts';
import type { ModelArtifacts } from '../src/model/classifier.ts';
import { CODEC_URLS } from '../src/runtime/wasm-paths.ts';
import { referenceModelInput } from '../train/eval/reference-preprocess.ts';
import type { Pipeline } from './stages.ts';

/** The "before" pipeline for a model's artefacts; `dispose` frees its layers model. */
export async function baselinePipeline(artifacts: ModelArtifacts): Promise<Pipeline & { dispose(): void }> {
  const decoders = createDecoders({
    png: new WebAssembly.Module(await Deno.readFile(CODEC_URLS.png)),
    jpeg: new WebAssembly.Module(await Deno.readFile(CODEC_URLS.jpeg)),
  });
  const { modelJson, weights } = artifacts;
  const model = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: (weights['weights.bin'] as Uint8Array).slice().buffer,
  }));
  const [, height, width, channels] = model.inputs[0].shape as [null, number, number, 1 | 3];
  const inputSpec = { height, width, channels };
  const infer = (input: Float32Array) =>
    tf.tidy(() => (model.predict(tf.tensor4d(input, [1, height, width, channels])) as tf.Tensor).dataSync()[0]);
  const decode = (bytes: Uint8Array) => decodeImage(bytes, decoders, { limits: DEFAULT_IMAGE_LIMITS });
  const preprocess = (raster: Parameters<typeof referenceModelInput>[0]) => referenceModelInput(raster, inputSpec);
  infer(new Float32Array(height * width * channels)); // warm up as the server does
  return {
    inputSpec,
    decode,
    preprocess,
    infer,
    predict: async (bytes) => ({ probability: infer(preprocess(await decode(bytes))) }),
    dispose: () => model.dispose(),
  };
}
