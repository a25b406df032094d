/** A CI-sized load run (bench/load.mjs, 400 real-image requests at concurrency 32 against `deno serve`):
 * zero errors, and the tfjs tensor count back to its baseline afterwards (no tensor leak). */
import assert from 'node:assert/strict';
import { hasBundledModel } from '../fixtures/app.ts';
import { hasData } from '../fixtures/data.ts';

const ready = (await hasBundledModel()) && hasData();

Deno.test({ name: 'load: no errors, no tensor leak', ignore: !ready }, async () => {
  const out = await Deno.makeTempFile({ suffix: '.json' });
  const run = await new Deno.Command('node', {
    args: ['bench/load.mjs', '--requests', '400', '--connections', '32', '--json', out],
    cwd: new URL('../../', import.meta.url).pathname,
    stdout: 'null',
    stderr: 'piped',
  }).output();
  assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  const s = JSON.parse(await Deno.readTextFile(out));
  await Deno.remove(out);
  assert.ok(s.requests >= 400, `requests ${s.requests}`);
  assert.equal(s.errors, 0);
  assert.equal(s.non2xx, 0);
  assert.equal(s.timeouts, 0);
  assert.equal(s.memoryAfter.tensors, s.memoryBefore.tensors, 'tensor count returns to baseline');
});
