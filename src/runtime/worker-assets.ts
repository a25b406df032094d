/** The bundled model and codecs, imported as modules so no file system or fetch is needed on Workers. */
// @ts-ignore: wrangler's CompiledWasm rule
import pngModule from 'imagescript/wasm/any/png.wasm';
// @ts-ignore: wrangler's CompiledWasm rule
import jpegModule from 'imagescript/wasm/any/jpeg.wasm';
import modelJson from '../../static/model/model.json' with { type: 'json' };
import card from '../../static/model/card.json' with { type: 'json' };
// @ts-ignore: wrangler's Data rule gives an ArrayBuffer
import weights from '../../static/model/weights.bin';
import type { CodecModules } from '../image/codecs.ts';
import type { ModelArtifacts, ModelJson } from '../model/classifier.ts';

/** imagescript's png/jpeg codecs, compiled by the Workers runtime at deploy time. */
export const CODEC_MODULES: CodecModules = { png: pngModule as WebAssembly.Module, jpeg: jpegModule as WebAssembly.Module };

/** The shipped model (static/model) as in-memory artefacts. */
export const MODEL_ARTIFACTS: ModelArtifacts = {
  modelJson: modelJson as unknown as ModelJson,
  weights: { 'weights.bin': weights as ArrayBuffer },
};

/** The shipped model card. */
export const MODEL_CARD: unknown = card;
