import { ascii, corrupt, startsWith, viewOf } from '../bytes.ts';
import type { ImageFormat, ImageHeader } from '../format.ts';
import type { Raster } from '../raster.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 33 || ascii(bytes, 12, 4) !== 'IHDR') throw corrupt('PNG header (IHDR) is missing or truncated');
  const view = viewOf(bytes);
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Walks the PNG chunk list (headers only): the codec happily decodes a file cut after its last IDAT, so a
 * truncated upload is caught here by its missing IEND or a chunk running past the end of the data.
 */
function checkPngChunks(bytes: Uint8Array): void {
  const view = viewOf(bytes);
  let offset = 8;
  let sawData = false;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = ascii(bytes, offset + 4, 4);
    const next = offset + 12 + length;
    if (next > bytes.length) break;
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') {
      if (!sawData) throw corrupt('PNG has no image data (IDAT)');
      return;
    }
    offset = next;
  }
  throw corrupt('PNG is truncated (no IEND chunk)');
}

/** PNG through the runtime's codecs (src/image/png-reader.ts with the native stream inflate for common layouts, imagescript wasm otherwise). */
export const png: ImageFormat = {
  name: 'png',
  matches: (bytes) => startsWith(bytes, SIGNATURE),
  sniff(bytes) {
    const header = pngHeader(bytes);
    checkPngChunks(bytes);
    return header;
  },
  decode(bytes, header, { decoders }) {
    // The codec decodes what the data says; a header that lied about its size is corrupt, not just large.
    const check = (raster: Raster) => {
      if (raster.width !== header.width || raster.height !== header.height) throw corrupt('The PNG data does not match its header');
      return raster;
    };
    const raster = decoders.decodePng(bytes);
    return raster instanceof Promise ? raster.then(check) : check(raster);
  },
};
