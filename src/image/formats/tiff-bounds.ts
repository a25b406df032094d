import { ApiError } from '../../errors.ts';
import { corrupt, viewOf } from '../bytes.ts';

/**
 * Bounds on what utif2 4.1.0 does with a hostile TIFF. Its IFD reader trusts the file: it pushes one JS array
 * element per value a tag's 32-bit count declares (a 422-byte file whose PhotometricInterpretation claims 134
 * million values grew the process to ~3 GB and spun for minutes before a RangeError), follows the next-IFD
 * chain with no cycle check (an IFD pointing at itself loops forever, growing memory until the isolate dies) and
 * recurses into sub-IFDs the same way; its strip decoders loop over the byte counts the file declares. All of it
 * is synchronous, so a timer cannot stop it. See docs/reliability.md (the fuzzer's memory growth).
 */

// Bytes per value of the TIFF 6 field types utif2 reads (1 BYTE … 13 IFD); other types it skips unread.
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
// Tags utif2 follows into further directories or parses as maker notes: SubIFDs, EXIF, GPS, DNG private
// data, Fuji, MakerNote. The first page's pixels need none of them.
const FOLLOWED = new Set([330, 34665, 34853, 50740, 61440, 37500]);
// Renamed to a private tag number utif2 has no special case for (the value stays, unread by the decoder).
const INERT_TAG = 65000;

/**
 * A copy of the TIFF for utif2's directory parser that it reads in time and memory proportional to the file:
 * only the first IFD (the chain is cut after it; sub-IFD and maker-note tags are renamed so they are not
 * followed), and only after checking that every field's values lie inside the file and that all fields
 * together declare no more bytes than the file holds. Throws a 422 otherwise.
 */
export function firstDirectoryOnly(bytes: Uint8Array): ArrayBuffer {
  if (bytes.length < 8) throw corrupt('TIFF header is truncated');
  const copy = bytes.slice();
  const view = viewOf(copy);
  const little = copy[0] === 0x49;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > copy.length) throw corrupt('TIFF directory lies outside the file');
  const count = view.getUint16(ifd, little);
  const next = ifd + 2 + count * 12;
  if (next + 4 > copy.length) throw corrupt('TIFF directory is truncated');
  let declared = 0;
  for (let entry = ifd + 2; entry < next; entry += 12) {
    const size = TYPE_SIZE[view.getUint16(entry + 2, little)];
    if (!size) continue;
    const bytesDeclared = view.getUint32(entry + 4, little) * size;
    // Four bytes or fewer sit in the entry itself; anything longer must fit in the file at its offset.
    if (bytesDeclared > 4 && view.getUint32(entry + 8, little) + bytesDeclared > copy.length) {
      throw corrupt('TIFF field runs past the end of the file');
    }
    declared += bytesDeclared;
    if (FOLLOWED.has(view.getUint16(entry, little))) view.setUint16(entry, INERT_TAG, little);
  }
  // Fields may share data (so each one fitting is not enough): the sum of what they declare is bounded too.
  if (declared > copy.length + count * 4) throw corrupt('TIFF fields declare more data than the file holds');
  view.setUint32(next, 0, little);
  return copy.buffer;
}

type Ifd = Record<string, unknown>;
const first = (ifd: Ifd, id: number): number | undefined => (ifd[`t${id}`] as number[] | undefined)?.[0];

/** The strip (or tile) offsets and byte counts utif2 will read. */
function stripTable(ifd: Ifd): { tiled: boolean; offsets?: number[]; counts?: number[] } {
  const tiled = ifd.t322 !== undefined;
  const offsets = (tiled ? ifd.t324 : ifd.t273 ?? ifd.t324) as number[] | undefined;
  const counts = (tiled ? ifd.t325 : ifd.t279 ?? ifd.t325) as number[] | undefined;
  return { tiled, offsets, counts };
}

/**
 * Checks the first IFD's pixel layout before utif2 decodes it: at most 64 bits per pixel (RGBA at 16 bits;
 * utif2 allocates width × height × bits per pixel up front), no more strips or tiles than the image's size
 * implies (each one re-runs row loops over the whole strip height) and every strip or tile inside the file
 * (the decoders loop over the declared byte count, even past the end of the data).
 */
export function checkTiffLayout(ifd: Ifd, width: number, height: number, fileLength: number): void {
  const bits = (first(ifd, 258) ?? 1) * (first(ifd, 277) ?? 1);
  if (bits > 64) {
    throw new ApiError(415, 'unsupported_media_type', `TIFF with ${bits} bits per pixel is not supported; send at most 16 bits per channel and 4 channels, or PNG`);
  }
  const { tiled, offsets, counts } = stripTable(ifd);
  if (!offsets?.length || !counts || counts.length !== offsets.length) throw corrupt('TIFF strip table is missing or inconsistent');
  let pieces: number;
  if (tiled) {
    const tileWidth = first(ifd, 322) ?? 0, tileHeight = first(ifd, 323) ?? 0;
    // TIFF 6 makes tile sides multiples of 16; utif2 allocates one tile's buffer and loops once per tile.
    const valid = tileWidth && tileHeight && tileWidth % 16 === 0 && tileHeight % 16 === 0;
    if (!valid || tileWidth * tileHeight > Math.max(width * height, 1 << 16)) throw corrupt('TIFF tile size is invalid');
    pieces = Math.ceil(width / tileWidth) * Math.ceil(height / tileHeight);
  } else {
    const rows = Math.min(first(ifd, 278) ?? height, height);
    if (!rows) throw corrupt('TIFF rows per strip is zero');
    pieces = Math.ceil(height / rows);
  }
  if (offsets.length > pieces) throw corrupt('TIFF has more strips than its size needs');
  for (let i = 0; i < offsets.length; i++) {
    if (!(offsets[i] + counts[i] <= fileLength)) throw corrupt('TIFF strip runs past the end of the file');
  }
}

// Input per write: one slice inflates to at most ~1032× its size (deflate's limit), so the check below stops a
// bomb within a few MB of the cap instead of after a whole 20 MB strip's worth of output.
const SLICE = 4 * 1024;

/**
 * True when a raw deflate stream inflates to no more than `cap` bytes (stopping as soon as it passes). utif2
 * inflates each Deflate strip with pako in one call and no output limit, so a strip of a few hundred KB of
 * zeros would become hundreds of MB before utif2 noticed it does not fit its image buffer. Bad data counts as
 * within the cap: it stopped producing output, and the decoder itself refuses it.
 */
export async function inflatesWithin(raw: Uint8Array, cap: number): Promise<boolean> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  const feeding = (async () => {
    for (let at = 0; at < raw.length; at += SLICE) await writer.write(raw.slice(at, at + SLICE));
    await writer.close();
  })();
  feeding.catch(() => {}); // its errors surface on the reader too
  const reader = stream.readable.getReader();
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      total += value.length;
      if (total > cap) {
        await reader.cancel().catch(() => {});
        return false;
      }
    }
  } catch {
    return true;
  }
}

/**
 * Refuses (422) a Deflate TIFF whose strips or tiles inflate past the size the header gives them, before utif2
 * inflates them without a limit. Strips were already checked to lie inside the file (checkTiffLayout).
 */
export async function checkDeflateStrips(bytes: Uint8Array, ifd: Ifd, width: number, height: number): Promise<void> {
  const bits = (first(ifd, 258) ?? 1) * (first(ifd, 277) ?? 1);
  const { tiled, offsets = [], counts = [] } = stripTable(ifd);
  const cap = tiled
    ? Math.ceil(((first(ifd, 322) ?? 0) * (first(ifd, 323) ?? 0) * bits) / 8)
    : Math.min(first(ifd, 278) ?? height, height) * Math.ceil((width * bits) / 8);
  for (let i = 0; i < offsets.length; i++) {
    // utif2 skips the 2-byte zlib header and the 4-byte checksum and inflates the raw stream between.
    if (counts[i] < 6) continue;
    if (!(await inflatesWithin(bytes.subarray(offsets[i] + 2, offsets[i] + counts[i] - 4), cap))) {
      throw corrupt('TIFF Deflate strip inflates past the size its header gives it');
    }
  }
}

/**
 * True when a strip's LZW codes, read exactly as utif2's decoder reads them (MSB first, 9 to 12 bits, its early
 * width change, clear 256, end 257), each name a table entry already defined. utif2 keeps its code table across
 * clear codes and images and does not check: codes beyond the next free entry link entries into a cycle that
 * its output loop follows forever (four codes, 256 259 258 259, hang the isolate). With this check every entry
 * points to a lower one and the loop ends. One pass over the strip, no output.
 */
export function lzwStripValid(data: Uint8Array, offset: number, length: number): boolean {
  const end = (offset + length) * 8;
  let bit = offset * 8, width = 9, next = 258;
  const read = () => {
    const at = bit >>> 3;
    const three = (data[at] << 16) | (data[at + 1] << 8) | data[at + 2];
    const code = (three >>> (24 - (bit & 7) - width)) & ((1 << width) - 1);
    bit += width;
    return code;
  };
  while (bit < end) {
    const code = read();
    if (code === 257) return true;
    if (code === 256) {
      // utif2 resets, then reads and outputs the next code at once (even at the end of the strip), adding no entry.
      width = 9, next = 258;
      const first = read();
      if (first === 257) return true;
      if (first >= next) return false;
      continue;
    }
    if (code > next) return false; // next itself is the one code allowed beyond the table (KwKwK)
    next++;
    if (next + 1 === 1 << width && width !== 12) width++;
  }
  return true;
}

/** Refuses (422) an LZW TIFF with a strip or tile whose codes utif2 would chase forever (lzwStripValid). */
export function checkLzwStrips(bytes: Uint8Array, ifd: Ifd): void {
  const { offsets = [], counts = [] } = stripTable(ifd);
  for (let i = 0; i < offsets.length; i++) {
    if (!lzwStripValid(bytes, offsets[i], counts[i])) throw corrupt('TIFF LZW data is corrupt');
  }
}
