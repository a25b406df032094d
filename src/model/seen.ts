/**
 * "Seen in training": the model bundle may carry seen.bin, the sorted 8-byte prefixes of SHA-256 of every
 * training image's file bytes (train/seen-hashes.ts writes it). An answer for an image whose bytes match says so,
 * so nobody mistakes a training image for a test of the model. Only exact file copies match: a re-encoded or
 * cropped copy of a training image is not recognised.
 */

/** Bytes kept per hash: 64 bits make a false match among a few thousand images vanishingly unlikely (~1e-13). */
export const SEEN_PREFIX_BYTES = 8;

/** The first SEEN_PREFIX_BYTES of SHA-256(bytes), as an unsigned 64-bit big-endian number. */
export async function hashPrefix(bytes: Uint8Array): Promise<bigint> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return new DataView(digest).getBigUint64(0, false);
}

/** Encodes prefixes as seen.bin: sorted, de-duplicated, 8 bytes each, big-endian. */
export function encodeSeen(prefixes: Iterable<bigint>): Uint8Array {
  const sorted = [...new Set(prefixes)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Uint8Array(sorted.length * SEEN_PREFIX_BYTES);
  const view = new DataView(out.buffer);
  sorted.forEach((p, i) => view.setBigUint64(i * SEEN_PREFIX_BYTES, p, false));
  return out;
}

/** The training images' hash prefixes, searched by bisection (seen.bin is sorted). */
export class SeenSet {
  readonly #view: DataView;
  /** How many training images the set holds. */
  readonly size: number;

  constructor(bytes: Uint8Array) {
    if (bytes.length % SEEN_PREFIX_BYTES !== 0) {
      throw new Error(`seen.bin must hold ${SEEN_PREFIX_BYTES}-byte entries; got ${bytes.length} bytes`);
    }
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.length / SEEN_PREFIX_BYTES;
    for (let i = 1; i < this.size; i++) {
      if (this.#at(i - 1) >= this.#at(i)) throw new Error('seen.bin must be sorted ascending without repeats');
    }
  }

  #at(i: number): bigint {
    return this.#view.getBigUint64(i * SEEN_PREFIX_BYTES, false);
  }

  /** Whether a hash prefix is in the set. */
  has(prefix: bigint): boolean {
    let lo = 0, hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.#at(mid);
      if (v === prefix) return true;
      if (v < prefix) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Whether these exact file bytes were a training image. */
  async contains(bytes: Uint8Array): Promise<boolean> {
    return this.has(await hashPrefix(bytes));
  }
}
