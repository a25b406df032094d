/**
 * readExactly gives the same bytes whether the stream is a byte stream (BYOB reads, as workerd's
 * DecompressionStream) or not (chunks, as Deno's), and stops any stream that holds more than expected.
 */
import assert from 'node:assert/strict';
import { readExactly, StreamTooLongError } from '../../src/image/read-exactly.ts';

const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31 + 7) & 255);

/** The bytes in chunks of these sizes, as a byte stream or a plain one; `cancelled` says whether it was cancelled. */
function streamOf(chunks: number[], type?: 'bytes') {
  const state = { cancelled: false, pulled: 0 };
  let at = 0, next = 0;
  const stream = new ReadableStream<Uint8Array>({
    type,
    pull(controller) {
      state.pulled++;
      if (at >= bytes.length) {
        controller.close();
        // A byte stream's pending BYOB read completes only once answered, here with "no more bytes".
        (controller as unknown as ReadableByteStreamController).byobRequest?.respond(0);
        return;
      }
      const n = chunks[next++ % chunks.length];
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
    cancel() {
      state.cancelled = true;
    },
  } as UnderlyingDefaultSource<Uint8Array>);
  return { stream, state };
}

for (const type of ['bytes', undefined] as const) {
  const kind = type ? 'byte stream (BYOB)' : 'plain stream';

  Deno.test(`${kind}: every byte in order, whatever the chunk sizes`, async () => {
    for (const chunks of [[1], [4096], [3, 5000, 17], [bytes.length]]) {
      const { stream } = streamOf(chunks, type);
      assert.deepEqual(await readExactly(stream, bytes.length), bytes, `chunks ${chunks}`);
    }
  });

  Deno.test(`${kind}: a shorter stream gives what it held`, async () => {
    const { stream } = streamOf([700], type);
    const out = await readExactly(stream, bytes.length + 5);
    assert.equal(out.length, bytes.length);
    assert.deepEqual(out, bytes);
  });

  Deno.test(`${kind}: a longer stream is refused and cancelled before it is read to its end`, async () => {
    const { stream, state } = streamOf([1000], type);
    await assert.rejects(readExactly(stream, 2500), StreamTooLongError);
    assert.ok(state.cancelled);
    assert.ok(state.pulled < bytes.length / 1000, `pulled ${state.pulled} chunks`);
  });

  Deno.test(`${kind}: one byte too many is refused`, async () => {
    const { stream } = streamOf([4096], type);
    await assert.rejects(readExactly(stream, bytes.length - 1), StreamTooLongError);
  });

  Deno.test(`${kind}: a stream error is thrown as it is`, async () => {
    const stream = new ReadableStream<Uint8Array>({
      type,
      start(controller) {
        controller.enqueue(bytes.slice(0, 10));
        controller.error(new RangeError('broken'));
      },
    } as UnderlyingDefaultSource<Uint8Array>);
    await assert.rejects(readExactly(stream, 100), RangeError);
  });
}

Deno.test("this runtime's DecompressionStream output is read exactly", async () => {
  const compressed = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
  const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate'));
  assert.deepEqual(await readExactly(stream, bytes.length), bytes);
});
