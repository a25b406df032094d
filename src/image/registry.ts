import type { ImageFormat } from './format.ts';
import { bmp } from './formats/bmp.ts';
import { dicom } from './formats/dicom.ts';
import { gif } from './formats/gif.ts';
import { jpeg } from './formats/jpeg.ts';
import { png } from './formats/png.ts';
import { tiff } from './formats/tiff.ts';
import { webp } from './formats/webp.ts';

/**
 * Every accepted format, tried in order by magic bytes. Adding a format = one file in formats/ and one
 * line here (plus its name in the page's accept list, the OpenAPI description and docs/formats.md).
 */
export const FORMATS: readonly ImageFormat[] = [
  png,
  jpeg,
  bmp,
  tiff,
  gif,
  dicom,
  webp,
];
