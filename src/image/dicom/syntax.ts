import { ApiError } from '../../errors.ts';

/** How a transfer syntax stores its pixels, for the ones this API decodes. */
export type PixelEncoding = 'native' | 'jpeg-baseline';

/** The transfer syntaxes read here: little-endian native pixels, and JPEG baseline (8-bit) in fragments. */
const DECODED: Record<string, { name: string; encoding: PixelEncoding }> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline' },
};

/** Names of the common syntaxes refused, so the 415 can say which one was sent (our strings, never the file's). */
const REFUSED: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1 (Process 14, selection value 1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (lossless only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (lossless only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/**
 * The pixel encoding of a transfer syntax UID, or 415 naming it. The UID is echoed only when it is a standard one
 * from the tables above: a file's own text never reaches an answer (it could hold anything, patient data included).
 */
export function pixelEncoding(uid: string | undefined): PixelEncoding {
  const key = (uid ?? '').replace(/\0/g, '').trim();
  const known = DECODED[key];
  if (known) return known.encoding;
  const accepted = 'send Explicit or Implicit VR Little Endian, or JPEG Baseline, or export the frame as PNG';
  const named = REFUSED[key];
  throw new ApiError(
    415,
    'unsupported_media_type',
    named ? `DICOM transfer syntax ${named} (${key}) is not supported; ${accepted}` : `This DICOM transfer syntax is not supported; ${accepted}`,
  );
}
