import factory from '@jsquash/webp/codec/dec/webp_dec.js';
import type { Raster } from './raster.ts';

/**
 * libwebp's decoder (lossy and lossless) from @jsquash/webp 1.5.0 (Apache-2.0, Squoosh's build; 138 KB wasm, ~50 KB
 * gzip), given its compiled module by the runtime (Workers may not compile WebAssembly at run time). Each image gets
 * a fresh instance (~0.5 ms), so the memory a large image grew, and any state a hostile file left, go with it.
 * Resolves to RGBA; rejects on data libwebp cannot decode (including animated WebP).
 */
export function createWebpDecoder(module: WebAssembly.Module): (bytes: Uint8Array) => Promise<Raster> {
  return async (bytes) => {
    const codec = await factory({
      noInitialRun: true,
      // Its own messages (an abort on a failed allocation) are not ours to print.
      print: () => {},
      printErr: () => {},
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
        const instance = new WebAssembly.Instance(module, imports);
        done(instance);
        return instance.exports;
      },
    } as never);
    const image = codec.decode(bytes);
    if (!image) throw new Error('webp: libwebp could not decode the data');
    const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    return { width: image.width, height: image.height, channels: 4, data };
  };
}
