import type * as tf from '@tensorflow/tfjs-core';
import type { GraphLayer, LayerGraph } from './layer-graph.ts';

/** A layer graph read from model.json alone, with the model's input shape ([batch, height, width, channels]). */
export interface TopologyGraph extends LayerGraph {
  inputShape: (number | null)[];
}

type Json = Record<string, unknown>;
type Inbound = [string, number, number, ...unknown[]];

// A layer's weights by their manifest suffix, in tfjs getWeights() order (the fold reads them by position).
const WEIGHT_ORDER = ['kernel', 'depthwise_kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'];
// Config fields that tfjs-layers widens from one number to a pair.
const PAIRS = ['strides', 'poolSize', 'dilationRate', 'kernelSize'];

/** snake_case → camelCase as tfjs-layers converts model.json keys and string values. */
function camel(s: string): string {
  return s.includes('_') ? s.replace(/_+(\w|$)/g, (_, c: string) => c.toUpperCase()) : s;
}

// Objects (initializer, regularizer and constraint configs) are left as written: the fold reads none of them.
function tsValue(value: unknown): unknown {
  if (typeof value === 'string') return camel(value);
  if (Array.isArray(value)) return value.map(tsValue);
  return value;
}

/**
 * A layer's model.json config with the names and values tfjs-layers' getConfig() gives for what the fold reads:
 * keys and strings in camelCase, the name as written, nulls left out (the fold's defaults are tfjs's), one-number
 * pairs widened.
 */
function layerConfig(raw: Json): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    config[camel(key)] = key === 'name' ? value : tsValue(value);
  }
  for (const key of PAIRS) if (typeof config[key] === 'number') config[key] = [config[key], config[key]];
  const padding = config.padding;
  if (typeof padding === 'number') config.padding = [[padding, padding], [padding, padding]];
  else if (Array.isArray(padding) && padding.every((p) => typeof p === 'number')) {
    config.padding = padding.map((p) => [p, p]);
  }
  return config;
}

/** Weight names grouped by the layer name before their last `/` (`block_1_expand/kernel` → `block_1_expand`). */
function byLayer(weights: tf.NamedTensorMap): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of Object.keys(weights)) {
    const layer = key.slice(0, Math.max(0, key.lastIndexOf('/')));
    groups.set(layer, [...(groups.get(layer) ?? []), key]);
  }
  return groups;
}

/** The layer's weights from the decoded manifest, or null when a name is not one the fold knows. */
function layerWeights(name: string, byName: tf.NamedTensorMap, groups: Map<string, string[]>, used: Set<string>): tf.Tensor[] | null {
  const prefix = `${name}/`;
  const own = groups.get(name) ?? [];
  const suffixes = own.map((key) => key.slice(prefix.length));
  if (suffixes.some((s) => !WEIGHT_ORDER.includes(s))) return null;
  own.forEach((key) => used.add(key));
  return WEIGHT_ORDER.filter((s) => suffixes.includes(s)).map((s) => byName[prefix + s]);
}

/**
 * Reads a tfjs layers-format topology (model.json's modelTopology, Sequential or functional) and its decoded
 * weights as the layer graph the folded forward pass builds from, without building a tfjs-layers model. Returns
 * null for anything it does not read exactly as tfjs-layers would (several inputs or outputs, shared or nested
 * layers, Keras 3 wiring, weight names it cannot place, weights no layer takes), so the caller loads the
 * layers model instead.
 */
export function readTopologyGraph(topology: object, weights: tf.NamedTensorMap): TopologyGraph | null {
  const top = ((topology as Json).model_config ?? topology) as Json;
  const config = top.config as Json | Json[] | undefined;
  const entries = (Array.isArray(config) ? config : config?.layers) as Json[] | undefined;
  if (!Array.isArray(entries) || entries.length === 0) return null;
  const used = new Set<string>();
  const groups = byLayer(weights);
  const layers: GraphLayer[] = [];
  const graphLayer = (entry: Json, inputs: string[]): GraphLayer | null => {
    const raw = (entry.config ?? {}) as Json;
    const name = (entry.name ?? raw.name) as string | undefined;
    const className = entry.class_name as string | undefined;
    if (typeof name !== 'string' || typeof className !== 'string') return null;
    const own = layerWeights(name, weights, groups, used);
    if (!own) return null;
    return { name, className, config: layerConfig(raw), weights: () => own, inputs };
  };
  let input: string;
  let output: string;
  let inputShape: unknown;
  if (top.class_name === 'Sequential') {
    const first = (entries[0].config ?? {}) as Json;
    const chain = entries[0].class_name === 'InputLayer' ? entries.slice(1) : entries;
    input = entries[0].class_name === 'InputLayer' ? String(first.name) : '__sequential_input__';
    inputShape = first.batch_input_shape ?? first.batch_shape;
    for (const [i, entry] of chain.entries()) {
      const layer = graphLayer(entry, [i === 0 ? input : layers[i - 1].name]);
      if (!layer) return null;
      layers.push(layer);
    }
    output = layers[layers.length - 1]?.name;
  } else {
    const c = config as Json;
    const ins = c.input_layers as Inbound[] | undefined;
    const outs = c.output_layers as Inbound[] | undefined;
    if (ins?.length !== 1 || outs?.length !== 1) return null;
    if (ins[0][1] !== 0 || ins[0][2] !== 0 || outs[0][1] !== 0 || outs[0][2] !== 0) return null;
    [input, output] = [ins[0][0], outs[0][0]];
    for (const entry of entries) {
      if (entry.class_name === 'InputLayer') {
        if (entry.name === input) inputShape = ((entry.config ?? {}) as Json).batch_input_shape ?? ((entry.config ?? {}) as Json).batch_shape;
        continue;
      }
      // One application per layer, each read as [[name, node 0, tensor 0, kwargs], …].
      const nodes = entry.inbound_nodes as Inbound[][] | undefined;
      if (!Array.isArray(nodes) || nodes.length !== 1 || !Array.isArray(nodes[0])) return null;
      if (nodes[0].some((n) => !Array.isArray(n) || typeof n[0] !== 'string' || n[1] !== 0 || n[2] !== 0)) return null;
      const layer = graphLayer(entry, nodes[0].map(([name]) => name));
      if (!layer) return null;
      layers.push(layer);
    }
  }
  if (!Array.isArray(inputShape) || !output || used.size !== Object.keys(weights).length) return null;
  return { input, output, layers, inputShape };
}
