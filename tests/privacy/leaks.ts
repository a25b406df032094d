/**
 * Finds traces of one image in text or files: its name, or any run of 8 consecutive bytes of the file or of
 * its decoded pixels, however printed (raw, hex, base64, decimal lists), or 5 consecutive model-input values.
 */

/** What the server received and derived from one image. */
export interface ImageTrace {
  fileName: string;
  bytes: Uint8Array;
  /** Decoded pixels (8-bit), as the decoder produced them. */
  pixels: Uint8Array;
  /** The model input values (floats in [0, 1]). */
  input: Float32Array;
}

const WINDOW = 8; // consecutive bytes that count as a leak (chance of an accidental match: ~2^-64 per spot)
const FLOAT_WINDOW = 5;

/** An index of the 8-byte windows (with ≥ 4 distinct values) of some byte arrays, keyed by their first four bytes. */
class WindowIndex {
  private readonly starts = new Map<number, { data: Uint8Array; at: number }[]>();
  constructor(arrays: Uint8Array[]) {
    for (const data of arrays) {
      for (let at = 0; at + WINDOW <= data.length; at++) {
        // Low-entropy runs (padding, flat image areas, format headers of zeros) are in every file and log.
        if (new Set(data.subarray(at, at + WINDOW)).size < 4) continue;
        const key = keyAt(data, at);
        const list = this.starts.get(key);
        if (list) list.push({ data, at });
        else this.starts.set(key, [{ data, at }]);
      }
    }
  }

  /** Whether any 8-byte window of `piece` is a window of the indexed arrays. */
  matches(piece: Uint8Array): boolean {
    for (let i = 0; i + WINDOW <= piece.length; i++) {
      const candidates = this.starts.get(keyAt(piece, i));
      if (!candidates) continue;
      for (const { data, at } of candidates) {
        let k = 4;
        while (k < WINDOW && data[at + k] === piece[i + k]) k++;
        if (k === WINDOW) return true;
      }
    }
    return false;
  }
}

const keyAt = (d: Uint8Array, i: number) =>
  ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function base64ToBytes(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** A detector for one image's traces. */
export class LeakDetector {
  private readonly index: WindowIndex;
  constructor(private readonly trace: ImageTrace) {
    this.index = new WindowIndex([trace.bytes, trace.pixels]);
  }

  /** Descriptions of every trace of the image found in `text` (empty when nothing leaked). */
  findIn(text: string): string[] {
    const found: string[] = [];
    const stem = this.trace.fileName.replace(/\.[a-z0-9]+$/i, '');
    if (text.includes(stem)) found.push(`file name ${stem}`);
    // Raw bytes, as a latin1 string (how a byte array turned into text by mistake looks).
    if (this.index.matches(Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff))) found.push('raw bytes');
    // Hex, plain or separated by spaces/colons.
    for (const run of text.match(/(?:[0-9a-fA-F]{2}[ :]?){8,}/g) ?? []) {
      const hex = run.replace(/[ :]/g, '');
      if (this.index.matches(hexToBytes(hex)) || this.index.matches(hexToBytes(hex.slice(1)))) {
        found.push(`hex ${run.slice(0, 24)}`);
      }
    }
    // Base64 (and base64url), from every alignment of the run.
    for (const run of text.match(/[A-Za-z0-9+/_-]{12,}/g) ?? []) {
      const std = run.replace(/-/g, '+').replace(/_/g, '/');
      for (let shift = 0; shift < 4; shift++) {
        const usable = std.slice(shift, shift + Math.floor((std.length - shift) / 4) * 4);
        const bytes = usable.length >= 12 ? base64ToBytes(usable) : undefined;
        if (bytes && this.index.matches(bytes)) {
          found.push(`base64 ${run.slice(0, 24)}`);
          break;
        }
      }
    }
    // Decimal lists: bytes/pixels as integers, model input as floats.
    for (
      const run of text.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?(?:e-?\d+)?){4,}/g) ?? []
    ) {
      const values = run.split(',').map((v) => Number(v.trim()));
      if (values.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
        if (this.index.matches(Uint8Array.from(values))) found.push(`decimal bytes ${run.slice(0, 24)}`);
      }
      if (this.floatRunMatches(values)) found.push(`model input ${run.slice(0, 24)}`);
    }
    return found;
  }

  /** Whether some 5 consecutive values equal 5 consecutive model-input values (to print precision). */
  private floatRunMatches(values: number[]): boolean {
    const input = this.trace.input;
    for (let i = 0; i + FLOAT_WINDOW <= values.length; i++) {
      const run = values.slice(i, i + FLOAT_WINDOW);
      if (new Set(run).size < 3) continue; // flat runs (0,0,0,0,0) match anything dark
      for (let at = 0; at + FLOAT_WINDOW <= input.length; at++) {
        let k = 0;
        while (k < FLOAT_WINDOW && Math.abs(input[at + k] - run[k]) < 5e-4) k++;
        if (k === FLOAT_WINDOW) return true;
      }
    }
    return false;
  }

  /** Whether file contents hold the image: raw windows anywhere, or any textual trace. */
  foundInFile(data: Uint8Array): boolean {
    if (this.index.matches(data)) return true;
    return this.findIn(new TextDecoder().decode(data)).length > 0;
  }
}
