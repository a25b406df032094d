/** Where imagescript keeps its portable (non-SIMD) codecs, and @jsquash/webp its decoder, inside node_modules. */
export const CODEC_URLS = {
  png: new URL('../../node_modules/imagescript/wasm/any/png.wasm', import.meta.url),
  jpeg: new URL('../../node_modules/imagescript/wasm/any/jpeg.wasm', import.meta.url),
  webp: new URL('../../node_modules/@jsquash/webp/codec/dec/webp_dec.wasm', import.meta.url),
};
