import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** An n-dimensional array read from a .npy entry. */
export interface NpyArray {
  dtype: string;
  shape: number[];
  data: Uint8Array | Float32Array | Float64Array | BigInt64Array | Int32Array;
}

/** Reads every array of a NumPy .npz file (a zip of .npy files, stored or deflated). */
export function readNpz(path: string): Record<string, NpyArray> {
  const zip = readFileSync(path);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The central directory lists each entry with its sizes and local header offset.
  let eocd = zip.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${path}: not a zip file`);
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const arrays: Record<string, NpyArray> = {};
  for (let i = 0; i < count; i++) {
    if (view.getUint32(offset, true) !== 0x02014b50) throw new Error(`${path}: bad central directory`);
    const method = view.getUint16(offset + 10, true);
    let compressedSize = view.getUint32(offset + 20, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    let localOffset = view.getUint32(offset + 42, true);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    // Zip64: sizes and offsets of 0xffffffff live in the extra field.
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      const extra = offset + 46 + nameLength;
      const fields = readZip64(view, extra, extraLength);
      compressedSize = fields.compressedSize ?? compressedSize;
      localOffset = fields.localOffset ?? localOffset;
    }
    offset += 46 + nameLength + extraLength + commentLength;
    const localName = view.getUint16(localOffset + 26, true);
    const localExtra = view.getUint16(localOffset + 28, true);
    const start = localOffset + 30 + localName + localExtra;
    const raw = zip.subarray(start, start + compressedSize);
    const bytes = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
    if (!bytes) throw new Error(`${path}: ${name} uses unsupported compression ${method}`);
    arrays[name.replace(/\.npy$/, '')] = parseNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return arrays;
}

function readZip64(view: DataView, start: number, length: number): { compressedSize?: number; localOffset?: number } {
  for (let p = start; p < start + length;) {
    const id = view.getUint16(p, true);
    const size = view.getUint16(p + 2, true);
    if (id === 0x0001) {
      // Order: uncompressed, compressed, local header offset (only those that overflowed are present).
      const values: number[] = [];
      for (let q = p + 4; q < p + 4 + size; q += 8) values.push(Number(view.getBigUint64(q, true)));
      return { compressedSize: values[1], localOffset: values[2] };
    }
    p += 4 + size;
  }
  return {};
}

/** Parses one .npy buffer (format versions 1–3, C order, little-endian numeric dtypes). */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw new Error('not a .npy array');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const dtype = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!dtype || shapeText === undefined) throw new Error(`unreadable .npy header: ${header}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('Fortran-ordered arrays are not supported');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = bytes.slice(headerStart + headerLength);
  const data = (() => {
    switch (dtype) {
      case '|u1':
      case '<u1':
        return body;
      case '<f4':
        return new Float32Array(body.buffer);
      case '<f8':
        return new Float64Array(body.buffer);
      case '<i8':
        return new BigInt64Array(body.buffer);
      case '<i4':
        return new Int32Array(body.buffer);
      default:
        throw new Error(`unsupported dtype ${dtype}`);
    }
  })();
  return { dtype, shape, data };
}
