/**
 * Privacy for DICOM: a file whose patient name, ID, institution, dates and UIDs are marker strings is sent through
 * every path (answered, heatmap, several images, cine frame out of range, refused transfer syntax whose UID is itself
 * a marker, unsupported photometric, truncated, corrupt) while console output and the access log are captured: no
 * marker may appear in any response body, response header, printed line or access-log line.
 */
import assert from 'node:assert/strict';
import { createApp } from '../../src/app.ts';
import { tinyPredictor } from '../fixtures/app.ts';
import { encodeDicom, patientElements, patientSecrets, pixelModule } from '../fixtures/dicom.ts';
import { multipart } from '../fixtures/images.ts';
import { captureConsole } from './console.ts';

const MARKER = 'Zq7xHollowmereDcm';
const SECRETS = [MARKER, ...patientSecrets(MARKER)];
const W = 64, H = 48;
const gray = Uint8Array.from({ length: W * H }, (_, i) => (i * 7 + (i >> 6)) % 256);
const patient = patientElements(MARKER);
const good = encodeDicom([...pixelModule(W, H), ...patient], gray);
const cine = encodeDicom([...pixelModule(W, H, { frames: 2 }), ...patient], Uint8Array.from([...gray, ...gray]), { syntax: 'implicit' });
const files: [string, Uint8Array][] = [
  ['good', good],
  ['cine', cine],
  ['refused syntax', encodeDicom([...pixelModule(W, H), ...patient], gray, { syntax: '1.2.840.10008.1.2.4.91' })],
  ['marker as syntax', encodeDicom([...pixelModule(W, H), ...patient], gray, { syntax: `1.2.${MARKER}` })],
  ['palette colour', encodeDicom([...pixelModule(W, H, { photometric: `PALETTE COLOR` }), ...patient], gray)],
  ['truncated', good.subarray(0, good.length - 500)],
  ['header cut', good.subarray(0, 400)],
  ['corrupt', good.map((b, i) => (i > 300 && i % 5 === 0 ? b ^ 0xa5 : b))],
];

Deno.test('DICOM patient data reaches no answer, header, console line or access-log line', async () => {
  const predictor = tinyPredictor();
  await predictor;
  const accessLines: unknown[] = [];
  const apps = [createApp({ predictor }), createApp({ predictor, log: (l) => accessLines.push(l) })];
  const statuses = new Set<number>();
  let answers = '';
  const printed = await captureConsole(async () => {
    for (const app of apps) {
      const send = async (path: string, parts: Parameters<typeof multipart>[0]) => {
        const res = await app.request(path, { method: 'POST', body: multipart(parts) });
        statuses.add(res.status);
        answers += `${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}\n`;
      };
      for (const [, bytes] of files) await send('/predict?check=off', [{ name: 'image', bytes, filename: `${MARKER}.dcm` }]);
      await send('/predict?check=off&explain=true', [{ name: 'image', bytes: good, filename: `${MARKER}.dcm` }]);
      await send('/predict?check=off&frame=3', [{ name: 'image', bytes: cine }]);
      await send('/predict?check=off', [{ name: 'image', bytes: cine }, { name: 'image', bytes: files[2][1] }, { name: 'frame', text: '2' }]);
      await send('/predict', [{ name: 'image', bytes: good }]); // the input gate's own answer
    }
  });
  for (const status of [200, 400, 415, 422]) assert.ok(statuses.has(status), `no ${status} answer among ${[...statuses]}`);
  assert.match(answers, /"format":"dicom"/, 'the DICOM answers were reached');
  const everything = `${answers}\n${printed}\n${JSON.stringify(accessLines)}`;
  for (const secret of SECRETS) assert.ok(!everything.includes(secret), `"${secret}" leaked`);
});
