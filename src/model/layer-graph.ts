import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** One layer of a model as a graph node: its class, config, weights and the names of the layers it reads. */
export interface GraphLayer {
  name: string;
  className: string;
  /** The layer's config with tfjs-layers getConfig() names (camelCase). */
  config: Record<string, unknown>;
  /** The layer's weights in getWeights() order (kernel, bias; or gamma, beta, moving mean, moving variance). */
  weights: () => tf.Tensor[];
  inputs: string[];
}

/** A single-input, single-output model as layers in topological order. */
export interface LayerGraph {
  input: string;
  output: string;
  layers: GraphLayer[];
}

type NodeData = [string, number, number, ...unknown[]];
interface FunctionalConfig {
  layers: { name: string; className: string; inboundNodes: NodeData[][] }[];
  inputLayers: [string, number, number][];
  outputLayers: [string, number, number][];
}

/**
 * Reads the model's wiring from its own config (the same topology model.json stores), so a layer object
 * that was applied elsewhere too is still read as this model uses it. Returns null for what a single pass of
 * plain tensors cannot express: several inputs or outputs, a layer applied twice, nested models, multi-output
 * layers.
 */
export function readLayerGraph(model: LayersModel): LayerGraph | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  if (model.getClassName() === 'Sequential') {
    // A Sequential model is a chain; its config lists layers without wiring.
    const input = model.inputs[0].sourceLayer.name;
    const layers = model.layers
      .filter((l) => l.getClassName() !== 'InputLayer')
      .map((layer, i, all) => ({
        name: layer.name,
        className: layer.getClassName(),
        config: layer.getConfig() as Record<string, unknown>,
        weights: () => layer.getWeights(),
        inputs: [i === 0 ? input : all[i - 1].name],
      }));
    return layers.length ? { input, output: layers[layers.length - 1].name, layers } : null;
  }
  const config = model.getConfig() as unknown as FunctionalConfig;
  if (config.inputLayers?.length !== 1 || config.outputLayers?.length !== 1) return null;
  const layers: GraphLayer[] = [];
  for (const entry of config.layers) {
    if (entry.className === 'InputLayer') continue;
    if (entry.inboundNodes.length !== 1) return null;
    const inbound = entry.inboundNodes[0];
    if (inbound.some(([, node, tensor]) => node !== 0 || tensor !== 0)) return null;
    const layer = model.getLayer(entry.name);
    layers.push({
      name: entry.name,
      className: entry.className,
      config: layer.getConfig() as Record<string, unknown>,
      weights: () => layer.getWeights(),
      inputs: inbound.map(([name]) => name),
    });
  }
  const [[input, inputNode, inputTensor]] = config.inputLayers;
  const [[output, outputNode, outputTensor]] = config.outputLayers;
  if (inputNode !== 0 || inputTensor !== 0 || outputNode !== 0 || outputTensor !== 0) return null;
  return { input, output, layers };
}
