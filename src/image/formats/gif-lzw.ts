/**
 * A read-only pass over a GIF frame's LZW codes, reading them exactly as omggif 1.0.10 does (sub-blocks, code
 * size growth to 12 bits, clear and end codes), that finds what omggif would mishandle:
 * - a code naming a table entry not yet defined. omggif does not check that: its table keeps stale entries across
 *   clear codes, so such a code can link entries into a cycle, and the loop that chases an entry's prefixes then
 *   never ends (a mutated 1.4 KB GIF from the fuzzer hung the isolate: synchronous, so no timer or deadline stops
 *   it). With every code at most the next free entry (and that one only after a previous code), each entry points
 *   to a lower one and the chase ends;
 * - codes that do not produce exactly the frame's pixels. omggif then prints "Warning, gif stream shorter (or
 *   longer) than expected." with console.log, into the server's JSON log lines, and leaves the missing pixels
 *   black: a truncated frame would be classified as if the lesion's lower part were black.
 * Costs one pass over at most `pixels` codes, tracking each table entry's length; decodes nothing.
 */
export function lzwCodesValid(data: Uint8Array, offset: number, pixels: number): boolean {
  let p = offset;
  const minCodeSize = data[p++];
  if (!(minCodeSize >= 1 && minCodeSize <= 11)) return false;
  const clear = 1 << minCodeSize, end = clear + 1;
  let next = end + 1, size = minCodeSize + 1, mask = (1 << size) - 1;
  // Past the end of the data omggif reads `undefined`: 0 as code bits, and a sub-block size that is never 0 or
  // 1 again (so it goes on reading zero codes); the same JS semantics are kept here on purpose.
  let bits = 0, held = 0, left = data[p++];
  let afterClear = true;
  // Pixels each entry stands for (roots: 1); `previous` is the code before, whose string a new entry extends.
  const lengths = new Uint16Array(4096).fill(1, 0, clear);
  let previous = 0, written = 0;
  // Each code other than clear writes at least one pixel, so `written` bounds the loop.
  for (;;) {
    while (held < 16 && left !== 0) {
      bits |= data[p++] << held;
      held += 8;
      if (left === 1) left = data[p++];
      else --left;
    }
    if (held < size) return written === pixels; // the last sub-block ended: omggif stops here too
    const code = bits & mask;
    bits >>= size;
    held -= size;
    if (code === clear) {
      next = end + 1, size = minCodeSize + 1, mask = (1 << size) - 1, afterClear = true;
      continue;
    }
    if (code === end) return written === pixels;
    if (code > next || (code === next && afterClear)) return false;
    // A code equal to `next` is the previous string plus its own first pixel.
    const length = code === next ? lengths[previous] + 1 : lengths[code];
    // omggif refuses (with its warning) a string whose last pixel lands past the frame's end + 1; anything past
    // the end is a frame that does not hold exactly its pixels, so the stricter bound here.
    if (written + length > pixels) return false;
    written += length;
    if (!afterClear && next < 4096) {
      lengths[next] = lengths[previous] + 1;
      next++;
      if (next >= mask + 1 && size < 12) size++, mask = (mask << 1) | 1;
    }
    previous = code;
    afterClear = false;
  }
}
