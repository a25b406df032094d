/** Thrown when a stream holds more bytes than the reader was told to expect. */
export class StreamTooLongError extends Error {
  constructor(size: number) {
    super(`the stream holds more than the ${size} bytes expected`);
    this.name = 'StreamTooLongError';
  }
}

/**
 * Reads a byte stream whole into one buffer of at most `size` bytes and returns what it held (possibly fewer
 * bytes; the caller checks). Throws StreamTooLongError, after cancelling the stream, as soon as it holds more, so
 * a stream larger than expected never grows memory past `size`. Stream errors are thrown as they are.
 *
 * Where the runtime offers a BYOB reader (workerd's DecompressionStream is a byte stream) the stream writes
 * straight into the buffer in as large pieces as it has: a default reader there gets 4 KB chunks, each a
 * promise round trip and a copy, which made inflating an 831 × 538 RGBA PNG (1.7 MB) cost ~10 ms CPU in local
 * workerd against ~5–7 ms this way (bench/workerd-profile.ts, scratch A/B). Elsewhere (Deno, Node, whose
 * DecompressionStream is not a byte stream) the chunks are copied in as they come.
 */
export async function readExactly(readable: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = readable.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream: TypeError from getReader; the stream stays unlocked.
  }
  return byob ? await readByob(byob, size) : await readChunks(readable.getReader(), size);
}

async function readByob(reader: ReadableStreamBYOBReader, size: number): Promise<Uint8Array> {
  // One spare byte: a stream that fills it holds more than `size`.
  let buffer = new ArrayBuffer(size + 1);
  let length = 0;
  try {
    for (;;) {
      // Each read transfers the buffer to the stream and hands it back in `value`.
      const { value, done } = await reader.read(new Uint8Array(buffer, length, size + 1 - length));
      if (value) buffer = value.buffer as ArrayBuffer;
      if (done) break;
      length += value.length;
      if (length > size) throw new StreamTooLongError(size);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  return new Uint8Array(buffer, 0, length);
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let length = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (length + value.length > size) throw new StreamTooLongError(size);
      out.set(value, length);
      length += value.length;
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  return length === size ? out : out.subarray(0, length);
}
