/**
 * Numbers in README.md and docs/*.md come from results JSON through scripts/docs-numbers.ts (`npm run docs`):
 * this fails while any generated region is stale, and checks on a scratch tree that the script notices and fixes
 * a stale number and refuses a path that leads nowhere.
 */
import assert from 'node:assert/strict';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = `${ROOT}scripts/docs-numbers.ts`;

async function docsNumbers(...args: string[]): Promise<{ code: number; out: string }> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ['run', '--allow-read', '--allow-write', SCRIPT, ...args],
    stdout: 'piped',
    stderr: 'piped',
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: run.code, out: text(run.stdout) + text(run.stderr) };
}

Deno.test('README.md and docs/*.md carry the numbers of the results JSON (else run `npm run docs`)', async () => {
  const { code, out } = await docsNumbers('--check');
  assert.equal(code, 0, out);
});

Deno.test('a stale number or table is reported, then rewritten from the JSON; a wrong path is an error', async () => {
  const root = await Deno.makeTempDir({ prefix: 'docs-numbers-' });
  try {
    await Deno.mkdir(`${root}/static/model`, { recursive: true });
    await Deno.mkdir(`${root}/docs`);
    const card = {
      name: 'm',
      version: '2.0.0',
      threshold: { value: 0.31234 },
      metrics: { test: { description: 'held-out', n: 10, positives: 4, auc: 0.8, aucCi95: [0.7, 0.9] } },
    };
    await Deno.writeTextFile(`${root}/static/model/card.json`, JSON.stringify(card));
    await Deno.writeTextFile(`${root}/README.md`, 'v <!-- num:card.version -->1.0.0<!-- /num -->, t <!-- num:card.threshold.value|2 -->0.35<!-- /num -->\n');
    await Deno.writeTextFile(`${root}/docs/model.md`, 'AUC <!-- num:card.metrics.test.aucCi95 -->?<!-- /num -->\n<!-- table:metrics -->\nold\n<!-- /table -->\n<!-- table:include:runs.md -->\n<!-- /table -->\n');
    await Deno.writeTextFile(`${root}/runs.md`, '| run | AUC |\n');

    const stale = await docsNumbers('--check', '--root', root);
    assert.equal(stale.code, 1);
    assert.match(stale.out, /README\.md, docs\/model\.md/);

    assert.equal((await docsNumbers('--root', root)).code, 0);
    assert.equal(await Deno.readTextFile(`${root}/README.md`), 'v <!-- num:card.version -->2.0.0<!-- /num -->, t <!-- num:card.threshold.value|2 -->0.31<!-- /num -->\n');
    const model = await Deno.readTextFile(`${root}/docs/model.md`);
    assert.match(model, /AUC <!-- num:card\.metrics\.test\.aucCi95 -->0\.700–0\.900<!-- \/num -->/);
    assert.match(model, /\| held-out \| 10 \(4\) \| 0\.800 \(0\.700–0\.900\) \|/);
    assert.match(model, /<!-- table:include:runs\.md -->\n\| run \| AUC \|\n<!-- \/table -->/);
    assert.equal((await docsNumbers('--check', '--root', root)).code, 0);

    await Deno.writeTextFile(`${root}/README.md`, '<!-- num:card.metrics.external.auc -->0.7<!-- /num -->\n');
    const wrong = await docsNumbers('--check', '--root', root);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.out, /nothing at "external"/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test('the README stays a front page: at most 15,000 bytes, and every file it links exists', async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  assert.ok(new TextEncoder().encode(readme).length <= 15_000, 'README.md is over 15,000 bytes: move details to docs/');
  assert.match(readme, /Not a medical device/);
  const links = [...readme.matchAll(/\]\(((?:docs|src|static)\/[^)#\s]+)\)/g)].map((m) => m[1]);
  assert.ok(links.length >= 9, 'links to the docs and screenshots');
  for (const link of links) await Deno.stat(`${ROOT}${link}`); // throws NotFound for a dead link
});
