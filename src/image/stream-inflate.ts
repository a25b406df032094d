import type { Inflate } from './png-reader.ts';
import { readExactly } from './read-exactly.ts';

// Input bytes per write: at most ~16.5 MB of output at once (deflate's 1032:1 limit), less than what one
// MAX_PIXELS image already holds on Workers (docs/workers.md), and few writes, since each write and read is a
// round trip through the stream machinery: 4 → 16 KB cut the inflate of a BUSI frame from 1.42 to 1.24 ms CPU
// and of an 831 × 538 RGBA BrEaST frame from 5.6 to 4.4 ms (scratch A/B in one Deno process).
const SLICE = 16 * 1024;

/**
 * zlib inflate through the web platform's DecompressionStream('deflate'): native code in Deno, Node, workerd
 * and browsers alike, so every runtime reads common PNGs the same way and Workers no longer pays for the wasm
 * codec's inflate. The IDAT chunks are fed as they lie in the file (no joined copy) and the output goes into
 * one buffer of the size the PNG header implies (src/image/read-exactly.ts); a stream that inflates past it is
 * cut off and refused (a decompression bomb cannot grow memory), as is bad data or junk after the stream's end.
 */
export const streamInflate: Inflate = async (parts, size) => {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  let stopped = false;
  // The stream inflates each written chunk whole, so input goes in slices: one slice can inflate to at most
  // ~1032× its size (deflate's limit), which bounds the memory a bomb gets before the cap below stops it.
  // Write errors also surface on the reader; catching here only keeps them from going unhandled.
  const written = (async () => {
    for (const part of parts) {
      for (let at = 0; at < part.length && !stopped; at += SLICE) {
        await writer.write(part.subarray(at, at + SLICE) as Uint8Array<ArrayBuffer>);
      }
    }
    if (!stopped) await writer.close();
  })();
  written.catch(() => {});
  let out: Uint8Array;
  try {
    out = await readExactly(stream.readable, size);
  } catch (error) {
    stopped = true;
    throw error;
  }
  await written;
  return out;
};
