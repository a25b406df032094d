import * as tf from '@tensorflow/tfjs-node';
import { applyTrunk, loadMobileNetV2 } from './mobilenet-v2.ts';

/** How the pretrained-trunk classifier is built. */
export interface TrunkOptions {
  /** Model input side in pixels (square, gray, [0, 1]). */
  size: number;
  /** The MobileNetV2 layer whose output feeds the head (≤ block_10: the frozen ImageNet part). */
  cut: string;
  /** Channels of the head's 1×1 convolution (`cam_features`). */
  headChannels: number;
  /** Trunk layers whose weights are fine-tuned (names starting with any of these prefixes); the rest stay frozen. */
  trainablePrefixes: string[];
  seed: number;
}

/**
 * Gray [0, 1] input → fixed 1×1 conv to the [-1, 1] RGB the ImageNet trunk expects → MobileNetV2 up to `cut` →
 * 1×1 conv + batch norm + ReLU (`cam_features`) → global average pooling (`gap`) → dropout → sigmoid
 * (`prediction`). The GAP → dense head keeps the class activation map a single forward pass, and the layer names
 * are the ones serving, the gate and AdaBN rely on.
 */
export async function buildTrunkModel(options: TrunkOptions): Promise<tf.LayersModel> {
  const { model: mobilenet, layers } = await loadMobileNetV2();
  const input = tf.input({ shape: [options.size, options.size, 1], name: 'image' });
  // Gray replicated to three channels and mapped to [-1, 1]: a 1×1 conv with kernel 2, bias −1, frozen (a trainable
  // first layer would make every step back-propagate through the whole frozen trunk).
  const toRgb = tf.layers.conv2d({
    filters: 3,
    kernelSize: 1,
    name: 'gray_to_rgb',
    trainable: false,
    kernelInitializer: tf.initializers.constant({ value: 2 }),
    biasInitializer: tf.initializers.constant({ value: -1 }),
  }).apply(input) as tf.SymbolicTensor;
  const trunk = applyTrunk(mobilenet, layers, toRgb, options.cut);
  for (const layer of mobilenet.layers) {
    layer.trainable = options.trainablePrefixes.some((p) => layer.name.startsWith(p));
  }
  const conv = tf.layers.conv2d({
    filters: options.headChannels,
    kernelSize: 1,
    useBias: false,
    name: 'head_conv',
    kernelInitializer: tf.initializers.heNormal({ seed: options.seed }),
  }).apply(trunk) as tf.SymbolicTensor;
  const norm = tf.layers.batchNormalization({ name: 'head_bn', momentum: 0.9 }).apply(conv) as tf.SymbolicTensor;
  const features = tf.layers.activation({ activation: 'relu', name: 'cam_features' }).apply(norm) as tf.SymbolicTensor;
  let x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(features) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.3, name: 'dropout', seed: options.seed }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({
    units: 1,
    activation: 'sigmoid',
    name: 'prediction',
    kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + 1 }),
  }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: `mobilenetv2_${options.cut}_${options.size}` });
}
