import { readFile } from 'node:fs/promises';
import { type Decoders, createDecoders } from '../image/codecs.ts';
import { streamInflate } from '../image/stream-inflate.ts';
import { CODEC_URLS } from './wasm-paths.ts';

/** Compiles imagescript's codecs from node_modules for Node (training and evaluation). */
export async function loadNodeDecoders(): Promise<Decoders> {
  const [png, jpeg] = await Promise.all([readFile(CODEC_URLS.png), readFile(CODEC_URLS.jpeg)]);
  return createDecoders({ png: new WebAssembly.Module(png), jpeg: new WebAssembly.Module(jpeg), inflate: streamInflate });
}
