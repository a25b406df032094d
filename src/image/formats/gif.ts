import { GifReader } from 'omggif';
import { ascii, corrupt } from '../bytes.ts';
import type { ImageFormat } from '../format.ts';
import { lzwCodesValid } from './gif-lzw.ts';

/**
 * GIF, first frame, through omggif 1.0.10 (MIT, 32 KB unminified, no dependencies): its reader parses the block
 * structure without decompressing, so the sniff is cheap; transparent pixels stay alpha 0 (composited on black).
 */
export const gif: ImageFormat = {
  name: 'gif',
  matches: (bytes) => ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a',
  sniff(bytes) {
    let reader: GifReader;
    try {
      reader = new GifReader(bytes);
    } catch {
      throw corrupt('GIF structure is corrupt or truncated');
    }
    if (reader.numFrames() === 0) throw corrupt('GIF has no image');
    // omggif allocates the frame's own width × height while decoding: a frame descriptor larger than the (limit-checked)
    // screen would be a decompression bomb the screen size does not reveal.
    const frame = reader.frameInfo(0);
    if (frame.x + frame.width > reader.width || frame.y + frame.height > reader.height) {
      throw corrupt('GIF frame lies outside its logical screen');
    }
    return { format: 'gif', width: reader.width, height: reader.height, parsed: reader };
  },
  decode(bytes, header) {
    const reader = header.parsed as GifReader;
    const frame = reader.frameInfo(0);
    if (!lzwCodesValid(bytes, frame.data_offset, frame.width * frame.height)) throw corrupt('GIF image data is corrupt');
    const data = new Uint8Array(header.width * header.height * 4);
    reader.decodeAndBlitFrameRGBA(0, data);
    return { width: header.width, height: header.height, channels: 4, data };
  },
};
