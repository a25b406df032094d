/** Set-up that just works: `npm run train` builds tfjs-node's binding first, and a missing binding is explained. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadTfjsNode, SetupError } from '../../train/tfjs-node.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('a missing tfjs-node binding becomes a SetupError that names the offline build script', async () => {
  const missing = () => Promise.reject(new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x\nstack…'));
  await assert.rejects(loadTfjsNode(missing), (err: unknown) => {
    assert.ok(err instanceof SetupError);
    assert.match(err.message, /bash scripts\/install-tfjs-node-offline\.sh/);
    assert.match(err.message, /tfjs_binding\.node/);
    assert.doesNotMatch(err.message, /stack…/, 'only the first line of the original error');
    return true;
  });
  const fake = { version: { tfjs: 'x' } } as unknown as Awaited<ReturnType<typeof loadTfjsNode>>;
  assert.equal(await loadTfjsNode(() => Promise.resolve(fake)), fake);
});

test('npm run train builds the binding first; npm test is the script CI runs', () => {
  const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  assert.equal(scripts.pretrain, 'bash scripts/install-tfjs-node-offline.sh');
  assert.equal(scripts.test, 'bash scripts/test.sh');
  assert.match(readFileSync(`${ROOT}.ci/run`, 'utf8'), /^npm test$/m);
});
