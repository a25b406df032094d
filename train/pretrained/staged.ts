import * as tf from '@tensorflow/tfjs-node';
import { applyTrunkLayers, loadMobileNetV2 } from './mobilenet-v2.ts';

/** How the pretrained-trunk classifier is cut and sized. */
export interface StagedOptions {
  /** Model input side in pixels (square, gray, [0, 1]). */
  size: number;
  /** Last layer of the frozen stem (a block output): its outputs are computed once per augmented view and cached. */
  stemCut: string;
  /** Last trunk layer (≤ block_10_project_BN: the ImageNet part); layers after `stemCut` up to here are fine-tuned. */
  cut: string;
  /** Channels of the head's 1×1 convolution (`cam_features`). */
  headChannels: number;
  seed: number;
}

/** The classifier as three views of the same layers: frozen stem, trainable upper part, and the flat whole. */
export interface StagedModel {
  /** Gray image → stem features (frozen ImageNet weights). */
  stem: tf.LayersModel;
  /** Stem features → probability: the fine-tuned blocks and the head. */
  upper: tf.LayersModel;
  /** Gray image → probability, one flat graph (what is saved and served); weights shared with stem and upper. */
  full: tf.LayersModel;
}

/**
 * Gray [0, 1] input → fixed 1×1 conv to the [-1, 1] RGB the ImageNet trunk expects → MobileNetV2 up to `cut` →
 * 1×1 conv + batch norm + ReLU (`cam_features`) → global average pooling (`gap`) → dropout → sigmoid
 * (`prediction`). GAP → dense keeps the class activation map one forward pass; serving, the gate and AdaBN rely on
 * these layer names. Training runs `upper` on cached `stem` outputs: the stem's forward pass, the costly part on
 * two cores, is paid once per augmented view instead of once per epoch.
 */
export async function buildStaged(options: StagedOptions): Promise<StagedModel> {
  const { model: mobilenet, layers } = await loadMobileNetV2();
  const input = tf.input({ shape: [options.size, options.size, 1], name: 'image' });
  const toRgb = tf.layers.conv2d({
    filters: 3,
    kernelSize: 1,
    name: 'gray_to_rgb',
    trainable: false,
    kernelInitializer: tf.initializers.constant({ value: 2 }),
    biasInitializer: tf.initializers.constant({ value: -1 }),
  });
  const stemOut = applyTrunkLayers(mobilenet, layers, toRgb.apply(input) as tf.SymbolicTensor, options.stemCut).get(options.stemCut)!;
  const stem = tf.model({ inputs: input, outputs: stemOut, name: 'stem' });
  const stemLayers = new Set(stem.layers.map((l) => l.name));
  for (const layer of mobilenet.layers) {
    layer.trainable = !stemLayers.has(layer.name);
    // Keras' MobileNetV2 keeps batch-norm moving averages with momentum 0.999: over a few hundred fine-tuning steps
    // they would stay mostly ImageNet's while the features move, and validation (inference mode) would see stale
    // statistics. 0.9, as the head uses, follows the fine-tuned features.
    if (layer.trainable && layer.getClassName() === 'BatchNormalization') (layer as unknown as { momentum: number }).momentum = 0.9;
  }
  toRgb.trainable = false;

  const head = [
    tf.layers.conv2d({ filters: options.headChannels, kernelSize: 1, useBias: false, name: 'head_conv', kernelInitializer: tf.initializers.heNormal({ seed: options.seed }) }),
    tf.layers.batchNormalization({ name: 'head_bn', momentum: 0.9 }),
    tf.layers.activation({ activation: 'relu', name: 'cam_features' }),
    tf.layers.globalAveragePooling2d({ name: 'gap' }),
    tf.layers.dropout({ rate: 0.3, name: 'dropout', seed: options.seed }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'prediction', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + 1 }) }),
  ];
  const applyHead = (x: tf.SymbolicTensor) => head.reduce((h, layer) => layer.apply(h) as tf.SymbolicTensor, x);

  const cached = tf.input({ shape: stemOut.shape.slice(1) as number[], name: 'stem_features' });
  const upperOut = applyTrunkLayers(mobilenet, layers, cached, options.cut, options.stemCut).get(options.cut)!;
  const upper = tf.model({ inputs: cached, outputs: applyHead(upperOut), name: 'upper' });

  const fullTrunk = applyTrunkLayers(mobilenet, layers, toRgb.apply(input) as tf.SymbolicTensor, options.cut).get(options.cut)!;
  const full = tf.model({ inputs: input, outputs: applyHead(fullTrunk), name: `mobilenetv2_${options.cut}_${options.size}` });
  return { stem, upper, full };
}
