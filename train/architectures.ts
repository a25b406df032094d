import * as tf from '@tensorflow/tfjs-node';

/** Names of the architectures the CLI can train. */
export type ArchitectureName = 'edge' | 'seed';

/** The input each architecture expects. */
export const INPUT_SHAPES: Record<ArchitectureName, [number, number, number]> = {
  edge: [128, 128, 1],
  seed: [299, 299, 3],
};

function convBlock(x: tf.SymbolicTensor, filters: number, name: string, seed: number, strides = 1, activationName = `${name}_relu`): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize: 3,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: tf.initializers.heNormal({ seed }),
    name: `${name}_conv`,
  }).apply(x) as tf.SymbolicTensor;
  // Momentum 0.9 (not Keras' 0.99): with ~15 batches an epoch, slow moving statistics made validation erratic.
  const norm = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }).apply(conv) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: 'relu', name: activationName }).apply(norm) as tf.SymbolicTensor;
}

/**
 * The convolutional trunk of the edge CNN, from the input to the last block's ReLU (8×8×96 at 128×128).
 * `prefix` keeps layer names unique when several trunks share one model (an ensemble).
 */
function edgeTrunk(input: tf.SymbolicTensor, seed: number, options: EdgeOptions, prefix: string, lastName: string): tf.SymbolicTensor {
  let x: tf.SymbolicTensor = input;
  if (options.standardize) {
    // Per-image zero mean and unit variance inside the model: gain and contrast of another scanner cannot move
    // the prediction, and serving still sends plain [0, 1] pixels.
    // tfjs cannot train through a layerNormalization without scale and offset, so they exist but are frozen at
    // 1 and 0 (a fixed standardisation; 2 × H × W stored constants).
    x = tf.layers.layerNormalization({ axis: [1, 2, 3], name: `${prefix}standardize`, trainable: false }).apply(x) as tf.SymbolicTensor;
  }
  x = convBlock(x, 16, `${prefix}stem`, seed, 2); // 64×64
  x = tf.layers.maxPooling2d({ poolSize: 2, name: `${prefix}pool1` }).apply(x) as tf.SymbolicTensor; // 32×32
  x = convBlock(x, 32, `${prefix}b2a`, seed + 1);
  x = convBlock(x, 32, `${prefix}b2b`, seed + 2);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: `${prefix}pool2` }).apply(x) as tf.SymbolicTensor; // 16×16
  x = convBlock(x, 64, `${prefix}b3a`, seed + 3);
  x = convBlock(x, 64, `${prefix}b3b`, seed + 4);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: `${prefix}pool3` }).apply(x) as tf.SymbolicTensor; // 8×8
  return convBlock(x, 96, `${prefix}cam`, seed + 5, 1, lastName);
}

/** Variants of the edge CNN. */
export interface EdgeOptions {
  /** Standardise each image (zero mean, unit variance) as the first layer. */
  standardize?: boolean;
}

/**
 * The default edge CNN (~125k parameters, ~32M multiply-adds at 128×128×1): a strided stem, conv blocks,
 * global average pooling and one sigmoid unit. The GAP head makes a class activation map a forward pass:
 * the last conv block is named `cam_features` and the output `prediction`.
 */
export function buildEdge(seed = 1, options: EdgeOptions = {}): tf.LayersModel {
  const input = tf.input({ shape: INPUT_SHAPES.edge, name: 'image' });
  const features = edgeTrunk(input, seed, options, '', 'cam_features');
  return edgeHead(input, features, seed, 'edge');
}

/** Global average pooling, dropout and the sigmoid unit, named as the serving CAM code expects. */
function edgeHead(input: tf.SymbolicTensor, features: tf.SymbolicTensor, seed: number, name: string): tf.LayersModel {
  let x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(features) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.3, name: 'dropout', seed }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({
    units: 1,
    activation: 'sigmoid',
    name: 'prediction',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 6 }),
  }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name });
}

/**
 * Packs K trained edge models into one edge model that outputs sigmoid(mean of their logits): the trunks run
 * side by side, their last ReLUs are concatenated into `cam_features`, and `prediction` holds each member's
 * weights divided by K. It is still GAP → dense, so the class activation map stays a single forward pass, and
 * serving loads it like any edge model. Averaging independently trained members steadies a small-data model.
 */
export function assembleEnsemble(members: tf.LayersModel[], options: EdgeOptions = {}): tf.LayersModel {
  const input = tf.input({ shape: INPUT_SHAPES.edge, name: 'image' });
  const trunks = members.map((_, k) => edgeTrunk(input, k, options, `m${k}_`, `m${k}_cam_relu`));
  const features = tf.layers.concatenate({ axis: -1, name: 'cam_features' }).apply(trunks) as tf.SymbolicTensor;
  const ensemble = edgeHead(input, features, 0, `edge_ensemble_${members.length}`);
  members.forEach((member, k) => {
    for (const layer of member.layers) {
      const weights = layer.getWeights();
      if (!weights.length || layer.name === 'prediction') continue;
      const target = layer.name === 'cam_features' ? `m${k}_cam_relu` : `m${k}_${layer.name}`;
      ensemble.getLayer(target).setWeights(weights);
    }
  });
  tf.tidy(() => {
    const heads = members.map((m) => m.getLayer('prediction').getWeights());
    const kernel = tf.concat(heads.map(([w]) => w), 0).div(members.length);
    const bias = tf.addN(heads.map(([, b]) => b)).div(members.length);
    ensemble.getLayer('prediction').setWeights([kernel, bias]);
  });
  return ensemble;
}

/**
 * The training-time twin of an edge model: the same layers with a second output, `lesion`, a per-cell lesion
 * probability on the `cam_features` grid. Trained against the BUSI masks it makes the features (and so the heatmap)
 * look at the lesion rather than at text or calipers. Only the original single-output model is saved.
 */
export function withLesionHead(model: tf.LayersModel, seed = 1): tf.LayersModel {
  const features = camFeaturesOf(model);
  const lesion = tf.layers.conv2d({
    filters: 1,
    kernelSize: 1,
    activation: 'sigmoid',
    name: 'lesion',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7 }),
  }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: [model.outputs[0], lesion], name: `${model.name}_with_lesion` });
}

/**
 * The `cam_features` tensor on the path to this model's output. Searched through the graph because a layer shared by
 * several models (the pretrained trunk's `upper` and `full` views) has one output per model.
 */
function camFeaturesOf(model: tf.LayersModel): tf.SymbolicTensor {
  const stack = [...model.outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (t.sourceLayer?.name === 'cam_features') return t;
    stack.push(...(t.inputs ?? []));
  }
  throw new Error(`${model.name} has no cam_features layer`);
}

/** The original Keras model exactly: Conv32 → MaxPool → Conv64 → MaxPool → Flatten → Dense128 → Dense1 (~175 MB). */
export function buildSeed(seed = 1): tf.LayersModel {
  return tf.sequential({
    name: 'seed',
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPES.seed, filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'prediction', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }),
    ],
  });
}

/** Builds an architecture by name. */
export function buildArchitecture(name: ArchitectureName, seed = 1, options: EdgeOptions = {}): tf.LayersModel {
  return name === 'seed' ? buildSeed(seed) : buildEdge(seed, options);
}
