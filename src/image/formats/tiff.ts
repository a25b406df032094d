import UTIF from 'utif2';
import { ApiError } from '../../errors.ts';
import { corrupt, startsWith } from '../bytes.ts';
import { checkDeflateStrips, checkLzwStrips, checkTiffLayout, firstDirectoryOnly } from './tiff-bounds.ts';
import type { ImageFormat } from '../format.ts';
import type { Raster } from '../raster.ts';

/** Compression tag values read here: none, LZW, Deflate (Adobe and old), PackBits. */
const COMPRESSIONS: Record<number, string> = { 1: 'none', 5: 'LZW', 8: 'Deflate', 32946: 'Deflate', 32773: 'PackBits' };

type Ifd = UTIF.IFD;
const tag = (ifd: Ifd, id: number): number | undefined => (ifd[`t${id}`] as number[] | undefined)?.[0];

/**
 * TIFF, first page, through utif2 4.1.0 (MIT, photopea's UTIF.js; ~96 KB unminified, pako for Deflate): its IFD
 * walk reads sizes and tags without decompressing, so the sniff refuses bombs and unsupported compressions
 * (JPEG-in-TIFF, CCITT fax, …) before any pixel work; toRGBA8 handles bit depths and photometric types.
 * utif2 trusts the counts and offsets in the file, so it only ever sees a checked first directory
 * (./tiff-bounds.ts): a few hundred hostile bytes could otherwise take gigabytes and minutes.
 */
export const tiff: ImageFormat = {
  name: 'tiff',
  matches: (bytes) => startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]),
  sniff(bytes) {
    let ifds: Ifd[];
    const bounded = firstDirectoryOnly(bytes);
    try {
      ifds = UTIF.decode(bounded);
    } catch {
      throw corrupt('TIFF directory is corrupt or truncated');
    }
    const first = ifds[0];
    const width = first && tag(first, 256), height = first && tag(first, 257);
    if (!first || !width || !height) throw corrupt('TIFF has no image directory with a size');
    const compression = tag(first, 259) ?? 1;
    if (!(compression in COMPRESSIONS)) {
      throw new ApiError(415, 'unsupported_media_type', `TIFF compression ${compression} is not supported; send TIFF with none, LZW, Deflate or PackBits, or PNG`);
    }
    checkTiffLayout(first, width, height, bytes.length);
    const orientation = tag(first, 274);
    return { format: 'tiff', width, height, ...(orientation && orientation > 1 && orientation <= 8 ? { orientation } : {}), parsed: first };
  },
  decode(bytes, header) {
    const ifd = header.parsed as Ifd;
    const pixels = (): Raster => {
      UTIF.decodeImage(bytes.slice().buffer, ifd);
      const data = UTIF.toRGBA8(ifd);
      if (data.length !== header.width * header.height * 4) throw corrupt('TIFF pixel data does not match its size');
      return { width: header.width, height: header.height, channels: 4, data };
    };
    const compression = COMPRESSIONS[tag(ifd, 259) ?? 1];
    if (compression === 'LZW') checkLzwStrips(bytes, ifd);
    const deflate = compression === 'Deflate';
    return deflate ? checkDeflateStrips(bytes, ifd, header.width, header.height).then(pixels) : pixels();
  },
};
