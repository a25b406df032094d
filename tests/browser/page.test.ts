/** End-to-end: the real Deno server and its page in headless Chromium (Debian's, driven by playwright-core). */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = process.env.DATA_DIR ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'test-output');
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (scripts/ensure-chromium.sh installs it)`
  : !existsSync(join(ROOT, 'static/model/model.json')) ? 'no bundled model'
  : !existsSync(`${DATA}/busi`) ? `needs ${DATA}` : false;

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let base = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  if (skip) return;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(join(ROOT, 'node_modules/.bin/deno'), ['serve', '--allow-read', '--allow-env', '--allow-net', '--host', '127.0.0.1', '--port', String(port), 'src/deno.ts'], { cwd: ROOT, stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/ready`)).status === 200) break;
    } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'], // playwright gives each launch a new empty profile
  });
  mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
  test(`upload a real image and see the answer and heatmap (${name})`, { skip, timeout: 60_000 }, async () => {
    const page = await browser!.newPage({ viewport });
    await page.goto(base);
    await page.getByText('Not a medical device.', { exact: false }).first().waitFor();
    await page.locator('#model').filter({ hasText: 'threshold' }).waitFor();
    await page.setInputFiles('#file', `${DATA}/busi/malignant/malignant (10).png`);
    await page.locator('#result').waitFor({ state: 'visible' });
    const cls = await page.locator('#classification').textContent();
    assert.ok(['Benign', 'Uncertain', 'Malignant'].includes(cls ?? ''), `classification: ${cls}`);
    assert.match((await page.locator('#probability').textContent()) ?? '', /p = [01]\.\d\d/);
    await page.waitForFunction(() => document.getElementById('heatmap')?.dataset.drawn === 'true');
    // The heatmap canvas holds non-transparent pixels.
    const painted = await page.evaluate(() => {
      const c = document.getElementById('heatmap') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 100, `heatmap pixels: ${painted}`);
    // Keyboard: the drop zone is a focusable button.
    await page.keyboard.press('Tab');
    writeFileSync(join(OUT, `page-${name}.png`), await page.screenshot({ fullPage: true }));
    await page.close();
  });
}

test('a bad file shows the API error on the page', { skip, timeout: 60_000 }, async () => {
  const page = await browser!.newPage();
  await page.goto(base);
  const dir = mkdtempSync(join(tmpdir(), 'bad-'));
  const gif = join(dir, 'scan.png'); // named .png, but GIF inside: the server goes by magic bytes
  writeFileSync(gif, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;'));
  await page.setInputFiles('#file', gif);
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible' });
  assert.match((await error.textContent()) ?? '', /GIF images are not supported/);
  writeFileSync(join(OUT, 'page-error.png'), await page.screenshot());
  rmSync(dir, { recursive: true, force: true });
  await page.close();
});
