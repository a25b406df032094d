/**
 * Everything the Worker needs from disk, imported as modules at bundle time (wrangler.toml [[rules]]):
 * Workers have no file system and may not compile WebAssembly at run time.
 */
import * as wasm from './worker-modules.js';
import modelJson from '../../static/model/model.json' with { type: 'json' };
import card from '../../static/model/card.json' with { type: 'json' };
// @ts-ignore: Data rule → ArrayBuffer
import weights from '../../static/model/weights.bin';
// @ts-ignore: Data rule → ArrayBuffer (train/commands/seen.ts writes it; a model without one needs this line removed)
import seen from '../../static/model/seen.bin';
// The input gate's statistics (tens of KB; train/commands/fit-gate.ts writes it for these weights).
import gate from '../../static/model/gate.json' with { type: 'json' };
import type { CodecModules } from '../image/codecs.ts';
import { streamInflate } from '../image/stream-inflate.ts';
import type { ModelArtifacts, ModelJson } from '../model/classifier.ts';

/** The weight file this bundle imports; model.json must list exactly it (checked in modelArtifacts). */
export const BUNDLED_WEIGHT_FILE = 'weights.bin';

/** The tfjs-backend-wasm SIMD binary, compiled by the Workers runtime at upload. */
export const TFJS_SIMD_MODULE: WebAssembly.Module = wasm.tfjsSimd;

/**
 * imagescript's png/jpeg codecs and the WebP decoder, compiled by the Workers runtime at upload; common PNGs are inflated by the
 * runtime's native DecompressionStream instead of the wasm codec (bench/overhead.ts: ~4× less CPU per PNG).
 */
export const CODEC_MODULES: CodecModules = { png: wasm.png, jpeg: wasm.jpeg, webp: wasm.webp, inflate: streamInflate };

/** The shipped model card (static/model/card.json). */
export const MODEL_CARD: unknown = card;

/** The training images' hash prefixes (static/model/seen.bin), so answers can flag training images. */
export const SEEN_HASHES: Uint8Array = new Uint8Array(seen as ArrayBuffer);

/** The input gate (static/model/gate.json); answers carry inputCheck only while it matches the weights. */
export const GATE_JSON: unknown = gate;

/** The shipped model as in-memory artefacts; throws if model.json names other weight files than the bundle holds. */
export function modelArtifacts(): ModelArtifacts {
  const manifest = modelJson as unknown as ModelJson;
  const paths = manifest.weightsManifest.flatMap((group) => group.paths);
  if (paths.length !== 1 || paths[0] !== BUNDLED_WEIGHT_FILE) {
    const listed = JSON.stringify(paths);
    throw new Error(
      `static/model/model.json lists ${listed}; the Worker bundles only ${BUNDLED_WEIGHT_FILE}`,
    );
  }
  return { modelJson: manifest, weights: { [BUNDLED_WEIGHT_FILE]: new Uint8Array(weights as ArrayBuffer) } };
}
