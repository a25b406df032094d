/**
 * Every TypeScript file of the project type-checks, benches and scripts included (`deno task check`): those run
 * by hand, not in the test suites, so a changed signature in src/ could otherwise leave one broken unseen (as
 * bench/http.ts once was). bench/tmp/ (scratch, ignored by git) is excluded in deno.json.
 */
import assert from 'node:assert/strict';

const ROOT = new URL('../../', import.meta.url).pathname;

Deno.test('deno check passes on src/, tests/, train/, bench/ and scripts/', async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks as Record<string, string>;
  const dirs = tasks.check.replace(/^deno check /, '').split(/\s+/);
  assert.deepEqual(
    dirs,
    ['src/', 'tests/', 'train/', 'bench/', 'scripts/'],
    'the check task covers every folder of code',
  );
  const run = await new Deno.Command(Deno.execPath(), {
    args: ['check', ...dirs],
    cwd: ROOT,
    stdout: 'piped',
    stderr: 'piped',
  }).output();
  const text = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, text.split('\n').filter((line) => !line.includes('Check')).join('\n'));
});
