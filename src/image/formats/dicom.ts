import dicomParser, { type DataSet, type Element, type ParseDicomOptions } from 'dicom-parser';
import { ApiError } from '../../errors.ts';
import { ascii, corrupt } from '../bytes.ts';
import { nativeFrame, nativeFrameBytes, type PixelModule } from '../dicom/pixels.ts';
import { type Box, bModeRegion, cropBox } from '../dicom/regions.ts';
import { pixelEncoding, type PixelEncoding } from '../dicom/syntax.ts';
import type { DecodeContext, ImageFormat, ImageHeader } from '../format.ts';
import type { Raster } from '../raster.ts';
import { jpeg } from './jpeg.ts';

/** What the sniff learnt and the decode needs. */
interface DicomImage {
  dataSet: DataSet;
  pixelData: Element;
  pixels: PixelModule;
  encoding: PixelEncoding;
  frames: number;
  /** The B-mode ultrasound region the answer is about, when the file names one. */
  region?: Box;
}

const PIXEL_DATA = 'x7fe00010';
const PHOTOMETRICS = ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422'] as const;
const IMPLICIT_LE = '1.2.840.10008.1.2', EXPLICIT_LE = '1.2.840.10008.1.2.1';

const isVr = (bytes: Uint8Array, at: number) => [bytes[at], bytes[at + 1]].every((b) => b >= 0x41 && b <= 0x5a);
/** Part 10 with its 128-byte preamble and "DICM". */
const hasPreamble = (bytes: Uint8Array) => ascii(bytes, 128, 4) === 'DICM';
/** Part 10 without the preamble: the file meta group (0002) first, always explicit VR. */
const startsWithMeta = (bytes: Uint8Array) => bytes[0] === 0x02 && bytes[1] === 0 && bytes[3] === 0 && isVr(bytes, 4);
/** A bare data set (no meta group, as old ACR-NEMA-style exports): group 0008 first, explicit or implicit VR. */
const startsWithDataSet = (bytes: Uint8Array) =>
  bytes.length > 8 && bytes[0] === 0x08 && bytes[1] === 0 && bytes[3] === 0 &&
  (isVr(bytes, 4) || new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true) < bytes.length);

function unsupported(what: string): ApiError {
  return new ApiError(415, 'unsupported_media_type', `${what} is not supported in DICOM; export the frame as PNG`);
}

/**
 * Parses the whole data set with dicom-parser (the file meta group first, so a refused transfer syntax is named
 * before any further parsing). Its own exceptions quote tag values, so none of them is passed on: every failure
 * becomes one fixed message.
 */
function parse(bytes: Uint8Array): { dataSet: DataSet; encoding: PixelEncoding } {
  let input = bytes, options: ParseDicomOptions = {};
  if (!hasPreamble(bytes) && startsWithMeta(bytes)) {
    input = new Uint8Array(132 + bytes.length); // the parser wants the preamble: give it an empty one
    input.set([0x44, 0x49, 0x43, 0x4d], 128);
    input.set(bytes, 132);
  } else if (!hasPreamble(bytes)) options = { TransferSyntaxUID: isVr(bytes, 4) ? EXPLICIT_LE : IMPLICIT_LE };
  let syntax = options.TransferSyntaxUID;
  try {
    syntax ??= dicomParser.readPart10Header(input).string('x00020010');
  } catch {
    throw corrupt('DICOM file meta information is corrupt or truncated');
  }
  const encoding = pixelEncoding(syntax);
  try {
    return { dataSet: dicomParser.parseDicom(input, options), encoding };
  } catch {
    throw corrupt('DICOM data set is corrupt or truncated');
  }
}

/** The pixel module (group 0028), checked: anything this decoder cannot read is a 415 naming the attribute. */
function pixelModule(ds: DataSet): PixelModule {
  const rows = ds.uint16('x00280010') ?? 0, columns = ds.uint16('x00280011') ?? 0;
  const samples = ds.uint16('x00280002') ?? 1;
  const photometric = (ds.string('x00280004') ?? (samples === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const bitsAllocated = ds.uint16('x00280100') ?? 8;
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const highBit = ds.uint16('x00280102') ?? bitsStored - 1;
  if (!rows || !columns) throw corrupt('DICOM Rows or Columns is missing or zero');
  if (!PHOTOMETRICS.includes(photometric as PixelModule['photometric'])) {
    throw unsupported('A Photometric Interpretation other than MONOCHROME1/2, RGB, YBR_FULL or YBR_FULL_422');
  }
  if ((samples !== 1 && samples !== 3) || (samples === 1) !== photometric.startsWith('MONO')) {
    throw corrupt('DICOM Samples per Pixel does not match its Photometric Interpretation');
  }
  if (bitsAllocated !== 8 && !(bitsAllocated === 16 && samples === 1)) {
    throw unsupported('Bits Allocated other than 8 (colour) or 8/16 (gray)');
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw corrupt('DICOM Bits Stored / High Bit are inconsistent');
  }
  const slope = ds.floatString('x00281053') ?? 1, intercept = ds.floatString('x00281052') ?? 0;
  const center = ds.floatString('x00281050'), width = ds.floatString('x00281051');
  const window = center !== undefined && width !== undefined && Number.isFinite(center) && width > 1 ? { center, width } : undefined;
  return {
    rows, columns, samples, photometric: photometric as PixelModule['photometric'], bitsAllocated, bitsStored, highBit,
    signed: ds.uint16('x00280103') === 1, planar: ds.uint16('x00280006') === 1,
    slope: Number.isFinite(slope) && slope !== 0 ? slope : 1, intercept: Number.isFinite(intercept) ? intercept : 0, window,
  };
}

function sniff(bytes: Uint8Array): ImageHeader {
  // The parse reads tags, not pixels (and frames are decoded one at a time), so it is cheap even for a cine loop.
  const { dataSet, encoding } = parse(bytes);
  const pixelData = dataSet.elements[PIXEL_DATA];
  if (!pixelData) throw new ApiError(415, 'unsupported_media_type', 'This DICOM file holds no image (no Pixel Data); send an image object, or PNG');
  const pixels = pixelModule(dataSet);
  const declared = dataSet.intString('x00280008') ?? 1;
  const frames = Number.isInteger(declared) && declared >= 1 ? declared : 1;
  const available = Math.min(pixelData.length, dataSet.byteArray.length - pixelData.dataOffset);
  if (encoding === 'native' && frames * nativeFrameBytes(pixels) > available) throw corrupt('DICOM pixel data is shorter than its frames');
  // Native YBR_FULL_422 stores pixel pairs (JPEG frames carry their own subsampling).
  if (encoding === 'native' && pixels.photometric === 'YBR_FULL_422' && pixels.columns % 2) throw corrupt('DICOM YBR_FULL_422 needs an even number of columns');
  if (encoding !== 'native' && !pixelData.encapsulatedPixelData) throw corrupt('DICOM JPEG pixel data is not encapsulated');
  const region = bModeRegion(dataSet, pixels.columns, pixels.rows);
  const image: DicomImage = { dataSet, pixelData, pixels, encoding, frames, region };
  const shown = region ?? { width: pixels.columns, height: pixels.rows };
  return { format: 'dicom', width: shown.width, height: shown.height, frames, frameSize: { width: pixels.columns, height: pixels.rows }, parsed: image };
}

/** The compressed bytes of one frame of encapsulated pixel data (fragments joined). */
function encapsulatedFrame(image: DicomImage, frame: number): Uint8Array {
  const { dataSet, pixelData, frames } = image;
  const fragments = pixelData.fragments ?? [];
  if (fragments.length === 0) throw corrupt('DICOM encapsulated pixel data has no fragments');
  if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, 0, fragments.length) as Uint8Array;
  // Without a Basic Offset Table, frames are found by their JPEG end-of-image markers.
  const table = pixelData.basicOffsetTable?.length ? pixelData.basicOffsetTable : dicomParser.createJPEGBasicOffsetTable(dataSet, pixelData);
  if (table.length !== frames) throw corrupt('DICOM frame count does not match its pixel data');
  return dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, frame, table) as Uint8Array;
}

/**
 * JPEG baseline through the same codec as JPEG uploads, its own header checked against Rows × Columns first; at a
 * reduced DCT scale covering the model input like a JPEG upload, unless a region is cut out of it (full size then).
 */
function jpegFrame(bytes: Uint8Array, p: PixelModule, context: DecodeContext, whole: boolean): Raster {
  if (!jpeg.matches(bytes)) throw corrupt('DICOM JPEG frame is not a JPEG');
  const header = jpeg.sniff(bytes);
  if (header.width !== p.columns || header.height !== p.rows) throw corrupt('DICOM JPEG frame size does not match Rows × Columns');
  const raster = context.decoders.decodeJpeg(bytes, whole ? context.atLeast : undefined, header);
  if (p.photometric !== 'MONOCHROME1') return raster;
  return { ...raster, data: raster.data.map((v) => 255 - v) };
}

function decode(_bytes: Uint8Array, header: ImageHeader, context: DecodeContext): Raster {
  const image = header.parsed as DicomImage;
  const { pixels, pixelData } = image;
  let raster: Raster;
  if (image.encoding === 'native') {
    const size = nativeFrameBytes(pixels);
    const start = pixelData.dataOffset + context.frame * size;
    const data = image.dataSet.byteArray as Uint8Array;
    if (start + size > data.length) throw corrupt('DICOM pixel data is truncated');
    raster = nativeFrame(data.subarray(start, start + size), pixels);
  } else raster = jpegFrame(encapsulatedFrame(image, context.frame), pixels, context, !image.region);
  return image.region ? cropBox(raster, image.region) : raster;
}

/**
 * DICOM Part 10 (with or without the 128-byte preamble) and bare data sets, parsed by dicom-parser 1.8.21 (MIT,
 * cornerstonejs; 32 KB minified, no dependencies, no Node built-ins on the paths used here): Explicit/Implicit VR
 * Little Endian and JPEG Baseline; MONOCHROME1/2, RGB, YBR_FULL(_422); 8/16-bit with rescale and window; one frame
 * of a cine loop (`frame=N`); cropped to the B-mode ultrasound region when the file names one. No tag value ever
 * reaches an answer or a log: messages here are fixed strings.
 */
export const dicom: ImageFormat = {
  name: 'dicom',
  matches: (bytes) => bytes.length > 132 && (hasPreamble(bytes) || startsWithMeta(bytes) || startsWithDataSet(bytes)),
  sniff,
  decode,
};
