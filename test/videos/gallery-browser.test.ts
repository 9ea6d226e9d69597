import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd } from '../../src/core/money.js';
import { makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { NO_CHROMIUM, haveChromium, launchChromium, watchedPage, type PageWatch } from '../support/browser.js';
import { HOSTILE_PROMPT, batchLines } from './gallery-fixtures.js';

/** Screenshots are looked at by people, not compared: they go outside the repository. */
const SHOTS = process.env.OCTO_GALLERY_SHOTS ?? join(tmpdir(), 'octo-gallery-shots');

if (!haveChromium) console.warn(`octo videos gallery browser tests ${NO_CHROMIUM}`);

describe.skipIf(!haveChromium)(`octo videos gallery in headless Chromium${haveChromium ? '' : ` (${NO_CHROMIUM})`}`, () => {
  let world: World;
  let user: TestUser;
  let browser: Browser;
  let rows: any[];
  let url: string;
  const watches: PageWatch[] = [];
  const open = async (o: { width: number; height: number; colorScheme?: 'light' | 'dark' } = { width: 1280, height: 800 }) => {
    const w = await watchedPage(browser, o);
    watches.push(w);
    await w.page.goto(url);
    return w;
  };

  beforeAll(async () => {
    world = await startWorld('pg');
    user = await makeUser(world);
    writeFileSync(join(user.out, 'prompts.txt'), batchLines.join('\n'));
    const made = await user.cli(['generate', '--file', 'prompts.txt', '--creates-per-minute', '0', '--json']);
    expect(made.code, made.stderr).toBe(6);
    const r = await user.cli(['videos', 'gallery', '--file', 'prompts.txt', '--json']);
    expect(r.code, r.stderr).toBe(0);
    rows = r.json();
    url = pathToFileURL(join(user.out, 'octo-gallery.html')).href;
    browser = await launchChromium();
  });
  afterAll(async () => {
    // Whatever each test did, no page asked the network for anything, and nothing failed in it.
    for (const w of watches) {
      expect(w.blocked).toEqual([]);
      expect(w.requests.filter((r) => !r.startsWith(pathToFileURL(user.out).href))).toEqual([]);
      expect(w.errors).toEqual([]);
    }
    await browser?.close();
    await world?.close();
  });

  it('a card per row, the CSP in force, its own script and style running, the totals right', async () => {
    const { page } = await open();
    expect(await page.locator('article.card').count()).toBe(rows.length);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-/);
    // The script ran (the counter) and the stylesheet applied (the cards' corners): both hashes match.
    expect(await page.locator('#count').textContent()).toBe('4 shown');
    expect(
      await page
        .locator('article.card')
        .first()
        .evaluate((e) => getComputedStyle(e).borderTopLeftRadius),
    ).toBe('10px');
    const completed = rows.filter((r) => r.status === 'completed');
    const totals = await page.locator('.totals').textContent();
    expect(totals).toContain('4 generations');
    expect(totals).toContain('3 completed');
    expect(totals).toContain('1 failed');
    expect(totals).toContain(`${formatUsd(completed.reduce((s, r) => s + r.estimated_cost, 0))} estimated for 3 completed`);
    const seconds = completed.reduce((s, r) => s + r.duration * r.variants, 0);
    expect(totals).toContain(seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s of video` : `${seconds} s of video`);
    expect(totals).toContain('estimated for 1 failed or cancelled (not in the total)');
  });

  it('a card plays its video: readyState ≥ 2 and the time advances after play', async () => {
    const { page } = await open();
    const card = page.locator('article.card').first();
    await card.locator('button.play').click();
    const video = card.locator('video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(t0);
    expect(await video.evaluate((v: HTMLVideoElement) => [v.paused, v.muted, v.controls])).toEqual([false, false, true]);
    // Picking the second variant while playing plays it.
    await card.locator('button.variant').nth(1).click();
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await video.getAttribute('src')).toContain(encodeURIComponent(rows[0].videos[1].path.split('/').pop()));
  });

  it('a hostile prompt shows as text: no dialog, no injected element, nothing requested', async () => {
    const w = await open();
    const { page } = w;
    const hostile = page.locator('article.card', { has: page.locator('.tags li', { hasText: 'campaign=q4' }) });
    const prompt = await hostile.locator('.prompt').textContent();
    expect(prompt).toBe(HOSTILE_PROMPT.replace('\u0007', '\\x07').replace('\u202e', '\\u202e'));
    await hostile.hover();
    await hostile.locator('.prompt').hover();
    await hostile.locator('button.play').click();
    await page.waitForTimeout(300);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('[onerror], [onmouseover]').count()).toBe(0);
    expect(w.dialogs).toEqual([]);
    expect(w.blocked).toEqual([]);
  });

  it('a failed line shows its reason', async () => {
    const { page } = await open();
    const failed = rows.find((r) => r.status === 'failed');
    const card = page.locator('article.card[data-status="failed"]');
    expect(await card.count()).toBe(1);
    expect(await card.locator('.reason').textContent()).toBe(`Failed${failed.failure_reason}`);
  });

  it('the filter box hides the cards that do not match, as you type; status and tag narrow too', async () => {
    const { page } = await open();
    const visible = () => page.locator('article.card:visible').count();
    await page.locator('#q').pressSequentially('lightHOUSE');
    expect(await visible()).toBe(1);
    expect(await page.locator('article.card:visible .prompt').textContent()).toBe('a lighthouse at dusk');
    expect(await page.locator('#count').textContent()).toBe('1 of 4 shown');
    await page.locator('#q').fill('no such words');
    expect(await visible()).toBe(0);
    expect(await page.locator('#none').isVisible()).toBe(true);
    await page.locator('#q').fill('');
    expect(await visible()).toBe(4);
    await page.locator('#status').selectOption('failed');
    expect(await visible()).toBe(1);
    await page.locator('#status').selectOption('');
    await page.locator('#tag').selectOption('campaign=q4');
    expect(await visible()).toBe(1);
    // The keyboard: "/" goes to the filter box, Escape clears it.
    await page.locator('#tag').selectOption('');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('/');
    await page.keyboard.type('fox');
    expect(await visible()).toBe(1);
    await page.keyboard.press('Escape');
    expect(await visible()).toBe(4);
  });

  it('screenshots at 1280×800 and 390×844, light and dark (looked at, not compared)', async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page } = await open({ width, height, colorScheme });
        // Nothing wider than the screen: no sideways scrolling on a phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        await page.screenshot({ path: join(SHOTS, `gallery-${width}x${height}-${colorScheme}.png`), fullPage: true });
      }
    }
  });
});
