/** The multipart reader behind POST /predict: bytes intact at any size the body limit allows, stray files kept
 * as Files, malformed bodies reported as such (so the route answers 400, not 500). */
import assert from 'node:assert/strict';
import { isMalformedMultipart, readMultipart } from '../../src/routes/multipart.ts';

function request(form: FormData): Request {
  return new Request('http://test/predict', { method: 'POST', body: form });
}

Deno.test('file parts of the asked fields come back byte for byte, also above the parser\'s 2 MB default', async () => {
  const big = Uint8Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => (i * 31 + (i >> 9)) & 255);
  const small = new Uint8Array([0, 13, 10, 45, 45, 255]); // CR LF and "--" inside the data
  const form = new FormData();
  form.append('image', new File([big], 'a.png', { type: 'image/png' }));
  form.append('image', new File([small], 'b.png', { type: 'image/png' }));
  form.append('roi', '1,2,30,40');
  form.append('note', new File([new Uint8Array([1, 2])], 'x.bin'));
  const { files, fields } = await readMultipart(request(form), 20 * 1024 * 1024, ['image']);
  const images = files.get('image')!;
  assert.equal(images.length, 2);
  assert.deepEqual(images[0], big);
  assert.deepEqual(images[1], small);
  assert.equal(fields.get('roi'), '1,2,30,40');
  // A file in a field that should be text stays a File, so the caller can refuse it.
  assert.ok(fields.get('note') instanceof File);
  assert.equal(files.has('note'), false);
});

Deno.test('a truncated or boundary-less body is reported as malformed multipart', async () => {
  const form = new FormData();
  form.append('image', new File([new Uint8Array(1000)], 'a.png'));
  const good = request(form);
  const type = good.headers.get('content-type')!;
  const bytes = new Uint8Array(await good.arrayBuffer());
  const truncated = new Request('http://test/', { method: 'POST', body: bytes.subarray(0, 600), headers: { 'content-type': type } });
  const error = await readMultipart(truncated, 1 << 20, ['image']).then(() => null, (e) => e);
  assert.ok(isMalformedMultipart(error), String(error));
  const noBoundary = new Request('http://test/', { method: 'POST', body: bytes, headers: { 'content-type': 'multipart/form-data' } });
  assert.ok(isMalformedMultipart(await readMultipart(noBoundary, 1 << 20, ['image']).then(() => null, (e) => e)));
  assert.equal(isMalformedMultipart(new TypeError('x')), false);
});
