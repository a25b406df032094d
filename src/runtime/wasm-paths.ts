/** Where imagescript keeps its portable (non-SIMD) codecs inside node_modules, relative to this file. */
export const CODEC_URLS = {
  png: new URL('../../node_modules/imagescript/wasm/any/png.wasm', import.meta.url),
  jpeg: new URL('../../node_modules/imagescript/wasm/any/jpeg.wasm', import.meta.url),
};
