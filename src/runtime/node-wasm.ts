import { readFile } from 'node:fs/promises';
import { type Decoders, createDecoders } from '../image/codecs.ts';
import { streamInflate } from '../image/stream-inflate.ts';
import { CODEC_URLS } from './wasm-paths.ts';

/** Compiles imagescript's codecs and the WebP decoder from node_modules for Node (training and evaluation). */
export async function loadNodeDecoders(): Promise<Decoders> {
  const [png, jpeg, webp] = await Promise.all([CODEC_URLS.png, CODEC_URLS.jpeg, CODEC_URLS.webp].map((url) => readFile(url)));
  const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  return createDecoders({ png: compile(png), jpeg: compile(jpeg), webp: compile(webp), inflate: streamInflate });
}
