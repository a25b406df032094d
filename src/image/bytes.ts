import { ApiError } from '../errors.ts';

/** True when `bytes` holds `prefix` at `offset` (false when too short). */
export function startsWith(bytes: Uint8Array, prefix: number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((b, i) => bytes[offset + i] === b);
}

/** `length` bytes at `offset` read as Latin-1 (short or empty past the end). */
export function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** A DataView over exactly these bytes (they may be a view into a larger buffer). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The 422 every decoder uses for data it cannot read; the message must never quote the data itself. */
export function corrupt(message: string): ApiError {
  return new ApiError(422, 'corrupt_image', message);
}
