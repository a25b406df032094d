/** Small untrained models with batch norm, saved as the training script saves them, for the adaptation tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRandom } from '../../../train/random.ts';

type Sym = tfl.SymbolicTensor;

function bn(x: Sym, name: string, trainable = true): Sym {
  return tfl.layers.batchNormalization({ name, trainable }).apply(x) as Sym;
}

/**
 * A MobileNetV2-shaped net in miniature (RGB input, ReLU6, inverted residual blocks with depthwise convolutions and
 * an Add, the first blocks frozen as an ImageNet trunk would be) with the serving names `cam_features`, `gap`,
 * `prediction`. BN after a Dense layer too (a rank-2 input).
 */
export function mobileNetLike(size = 32): tfl.LayersModel {
  const relu6 = (x: Sym, name: string) => tfl.layers.reLU({ maxValue: 6, name }).apply(x) as Sym;
  const input = tfl.input({ shape: [size, size, 3], name: 'image' });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'Conv1', trainable: false, kernelInitializer: tfl.initializers.heNormal({ seed: 1 }) }).apply(input) as Sym;
  x = relu6(bn(x, 'bn_Conv1', false), 'Conv1_relu');
  const block = (x: Sym, name: string, out: number, stride: number, seed: number, trainable: boolean): Sym => {
    const inChannels = x.shape[3]!;
    let y = tfl.layers.conv2d({ filters: inChannels * 3, kernelSize: 1, useBias: false, name: `${name}_expand`, trainable, kernelInitializer: tfl.initializers.heNormal({ seed }) }).apply(x) as Sym;
    y = relu6(bn(y, `${name}_expand_BN`, trainable), `${name}_expand_relu`);
    y = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, name: `${name}_depthwise`, trainable, depthwiseInitializer: tfl.initializers.heNormal({ seed: seed + 1 }) }).apply(y) as Sym;
    y = relu6(bn(y, `${name}_depthwise_BN`, trainable), `${name}_depthwise_relu`);
    y = tfl.layers.conv2d({ filters: out, kernelSize: 1, useBias: false, name: `${name}_project`, trainable, kernelInitializer: tfl.initializers.heNormal({ seed: seed + 2 }) }).apply(y) as Sym;
    y = bn(y, `${name}_project_BN`, trainable);
    return stride === 1 && inChannels === out ? (tfl.layers.add({ name: `${name}_add` }).apply([x, y]) as Sym) : y;
  };
  x = block(x, 'block_1', 8, 1, 10, false);
  x = block(x, 'block_2', 12, 2, 20, true);
  x = block(x, 'block_3', 12, 1, 30, true);
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 1, useBias: false, name: 'head_conv', kernelInitializer: tfl.initializers.heNormal({ seed: 40 }) }).apply(x) as Sym;
  x = tfl.layers.activation({ activation: 'relu', name: 'cam_features' }).apply(bn(x, 'head_BN')) as Sym;
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as Sym;
  x = tfl.layers.dense({ units: 8, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed: 50 }) }).apply(x) as Sym;
  x = tfl.layers.activation({ activation: 'relu', name: 'fc_relu' }).apply(bn(x, 'fc_BN')) as Sym;
  const output = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'prediction', kernelInitializer: tfl.initializers.glorotUniform({ seed: 60 }) }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: output, name: 'mobilenet_like' });
}

/** Saves `model` into `dir` as model.json + weights.bin (float32) with `card` as card.json. */
export async function saveModelDir(model: tfl.LayersModel, dir: string, card: unknown): Promise<void> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(saved!.weightData as ArrayBuffer));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({
    modelTopology: saved!.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }],
    format: 'layers-model',
  }));
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
}

/** Images of a "new site": brighter and lower-contrast than anything the untrained model was built around. */
export function siteImages(n: number, size: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size * size * 3 }, () => 0.4 + 0.5 * random()));
}
