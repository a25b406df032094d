/// <reference lib="dom" />
/**
 * Box mode on the page in headless Chromium: draw a box with the mouse, with touch and with the keyboard; the
 * request carries it; the answer says which mode was used; clearing goes back to the whole image.
 * Run: nice node --import tsx --test tests/browser/roi.test.ts   (UPDATE_SCREENSHOTS=1 refreshes docs/roi-*.png)
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Image } from 'imagescript';
import type { Page, Request } from 'playwright-core';
import { DATA, type DenoServer, launchChromium, OUT, ROOT, skipReason, startDenoServer } from './harness.ts';

const skip = skipReason();
const IMAGE = 'busi/malignant/malignant (10).png';
const MASK = 'busi/masks/malignant/malignant (10)_mask.png';

/** The lesion's box from its mask, as fractions of the image: where a user would draw. */
async function lesionFractions(): Promise<{ x0: number; y0: number; x1: number; y1: number }> {
  const mask = await Image.decode(readFileSync(join(DATA, MASK)));
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 1; y <= mask.height; y++) {
    for (let x = 1; x <= mask.width; x++) {
      if ((mask.getPixelAt(x, y) >>> 24) < 128) continue;
      x0 = Math.min(x0, x - 1), y0 = Math.min(y0, y - 1), x1 = Math.max(x1, x), y1 = Math.max(y1, y);
    }
  }
  return { x0: x0 / mask.width, y0: y0 / mask.height, x1: x1 / mask.width, y1: y1 / mask.height };
}
let server: DenoServer | undefined;
let desktop: Awaited<ReturnType<typeof launchChromium>> | undefined;
let phone: Awaited<ReturnType<typeof launchChromium>> | undefined;

before(async () => {
  if (skip) return;
  mkdirSync(OUT, { recursive: true });
  server = await startDenoServer();
  desktop = await launchChromium({ viewport: { width: 1280, height: 900 } });
  phone = await launchChromium({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
});

after(async () => {
  await desktop?.close();
  await phone?.close();
  await server?.stop();
});

async function screenshot(page: Page, name: string): Promise<void> {
  const file = join(OUT, `${name}.png`);
  writeFileSync(file, await page.locator('#result').screenshot());
  if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(file, join(ROOT, 'docs', `${name}.png`));
}

/** Opens the page and uploads the image; resolves once the whole-image answer is shown. */
async function upload(page: Page): Promise<void> {
  page.on('filechooser', () => {});
  await page.goto(server!.url);
  await page.locator('#model').filter({ hasText: /threshold/ }).waitFor();
  await page.setInputFiles('#file', join(DATA, IMAGE));
  await page.locator('#mode[data-mode="whole"]').waitFor();
}

/** The box the editor holds ("x,y,width,height"), or ''. */
const boxOf = (page: Page) => page.locator('#roi-layer').evaluate((c) => (c as HTMLCanvasElement).dataset.box ?? '');

/** A point of the layer in page coordinates, at fractions of its size. */
async function at(page: Page, fx: number, fy: number): Promise<{ x: number; y: number }> {
  const r = (await page.locator('#roi-layer').boundingBox())!;
  return { x: r.x + fx * r.width, y: r.y + fy * r.height };
}

/** Clicks "Classify the box only" (or Clear) and returns the /predict request and its JSON answer. */
async function send(page: Page, button: '#roi-run' | '#roi-clear'): Promise<{ request: Request; body: Record<string, unknown> }> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/predict')), page.locator(button).click()]);
  return { request: response.request(), body: await response.json() };
}

test('mouse: draw a box, the request carries it, the answer is in box mode; move, resize, clear', { skip, timeout: 120_000 }, async () => {
  const page = await desktop!.context.newPage();
  await upload(page);
  assert.match((await page.locator('#mode').textContent()) ?? '', /Whole-image mode/);
  assert.equal(await page.locator('#roi-run').isDisabled(), true);
  await screenshot(page, 'roi-whole');

  const width = await page.locator('#roi-layer').evaluate((c) => (c as HTMLCanvasElement).width);
  const lesion = await lesionFractions();
  const from = await at(page, lesion.x0, lesion.y0), to = await at(page, lesion.x1, lesion.y1);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
  const drawn = (await boxOf(page)).split(',').map(Number);
  assert.equal(drawn.length, 4);
  const expectedWidth = (lesion.x1 - lesion.x0) * width;
  assert.ok(Math.abs(drawn[0] - lesion.x0 * width) <= 2 && Math.abs(drawn[2] - expectedWidth) <= 3, `box ${drawn} on a ${width} px image`);

  const { request, body } = await send(page, '#roi-run');
  assert.equal(new URL(request.url()).searchParams.get('roi'), drawn.join(','));
  assert.equal(body.mode, 'roi');
  const read = body.roi as { x: number; y: number; width: number; height: number };
  assert.ok(read.x <= drawn[0] && read.x + read.width >= drawn[0] + drawn[2], 'the box read contains the drawn box');
  await page.locator('#mode[data-mode="roi"]').waitFor();
  assert.match((await page.locator('#mode').textContent()) ?? '', new RegExp(`Box mode.*x ${read.x}, y ${read.y}`));
  await page.waitForFunction(() => document.getElementById('heatmap')?.dataset.drawn === 'true');
  await screenshot(page, 'roi-box');

  // Dragging inside the box moves it; dragging a corner resizes it.
  const cx = (lesion.x0 + lesion.x1) / 2, cy = (lesion.y0 + lesion.y1) / 2;
  const inside = await at(page, cx, cy), moved = await at(page, cx - 0.05, cy);
  await page.mouse.move(inside.x, inside.y);
  await page.mouse.down();
  await page.mouse.move(moved.x, moved.y, { steps: 3 });
  await page.mouse.up();
  const afterMove = (await boxOf(page)).split(',').map(Number);
  assert.ok(afterMove[0] < drawn[0] && afterMove[2] === drawn[2], `moved ${drawn} → ${afterMove}`);
  const corner = await at(page, (afterMove[0] + afterMove[2]) / width, lesion.y1);
  const bigger = await at(page, Math.min(0.98, (afterMove[0] + afterMove[2]) / width + 0.1), Math.min(0.98, lesion.y1 + 0.1));
  await page.mouse.move(corner.x, corner.y);
  await page.mouse.down();
  await page.mouse.move(bigger.x, bigger.y, { steps: 3 });
  await page.mouse.up();
  const afterResize = (await boxOf(page)).split(',').map(Number);
  assert.equal(afterResize[0], afterMove[0], 'the opposite corner stays');
  assert.ok(afterResize[2] > afterMove[2], `resized ${afterMove} → ${afterResize}`);

  const cleared = await send(page, '#roi-clear');
  assert.equal(new URL(cleared.request.url()).searchParams.get('roi'), null);
  assert.equal(cleared.body.mode, 'whole');
  await page.locator('#mode[data-mode="whole"]').waitFor();
  assert.equal(await boxOf(page), '');
  await page.close();
});

test('keyboard: arrow keys make and move a box, Shift+arrows resize it, Enter classifies, Delete clears', { skip, timeout: 90_000 }, async () => {
  const page = await desktop!.context.newPage();
  await upload(page);
  // Reachable with Tab from the answer (the layer is a focusable, named control).
  await page.locator('#roi-layer').focus();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-roledescription')), 'lesion box editor');
  await page.keyboard.press('ArrowRight');
  const start = (await boxOf(page)).split(',').map(Number);
  assert.equal(start.length, 4, 'the first arrow key makes a box');
  const step = Math.max(1, Math.round(Math.max(...(await page.locator('#roi-layer').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]))) / 50));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowUp');
  assert.deepEqual((await boxOf(page)).split(',').map(Number), [start[0] + step, start[1] + step, start[2] + step, start[3] - step]);
  assert.match((await page.locator('#roi-note').textContent()) ?? '', /Arrow keys move it/);
  const [request] = await Promise.all([page.waitForRequest((r) => r.url().includes('roi=')), page.keyboard.press('Enter')]);
  assert.equal(new URL(request.url()).searchParams.get('roi'), await boxOf(page));
  await page.locator('#mode[data-mode="roi"]').waitFor();
  await page.keyboard.press('Delete');
  assert.equal(await boxOf(page), '');
  await page.close();
});

test('touch: a finger drag draws the box on a phone', { skip, timeout: 90_000 }, async () => {
  const page = await phone!.context.newPage();
  await upload(page);
  await page.locator('#roi-layer').scrollIntoViewIfNeeded();
  const from = await at(page, 0.2, 0.2), to = await at(page, 0.6, 0.5);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from.x, y: from.y }] });
  for (let i = 1; i <= 4; i++) {
    const p = { x: from.x + ((to.x - from.x) * i) / 4, y: from.y + ((to.y - from.y) * i) / 4 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  const box = (await boxOf(page)).split(',').map(Number);
  assert.equal(box.length, 4, 'a box was drawn');
  assert.ok(box[2] > 20 && box[3] > 20, `box ${box}`);
  const { request, body } = await send(page, '#roi-run');
  assert.equal(new URL(request.url()).searchParams.get('roi'), box.join(','));
  assert.equal(body.mode, 'roi');
  await page.close();
});
