import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * A real headless Chromium (Debian's `chromium`, driven by playwright-core) that cannot reach the
 * network: no background services, every host name unresolvable, and every http(s) request the
 * page makes aborted and counted, so a test can say the page asked for nothing. Where the browser
 * is not installed, the browser tests skip and say so; the others still run.
 */

export const CHROMIUM = process.env.OCTO_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const NO_CHROMIUM = `skipped: no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium)`;

const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** What a page did that it should not: network requests (aborted), dialogs (dismissed), CSP violations. */
export interface PageWatch {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested (file: media included). */
  requests: string[];
  /** http(s) requests, aborted before leaving the browser. */
  blocked: string[];
  dialogs: string[];
  errors: string[];
}

/** `allow`: origins (a local storage emulator) the page may reach; every other http(s) request is aborted. */
export async function watchedPage(
  browser: Browser,
  o: { width: number; height: number; colorScheme?: 'light' | 'dark'; allow?: readonly string[] },
): Promise<PageWatch> {
  const context = await browser.newContext({ viewport: { width: o.width, height: o.height }, colorScheme: o.colorScheme ?? 'light' });
  const page = await context.newPage();
  const watch: PageWatch = { page, context, requests: [], blocked: [], dialogs: [], errors: [] };
  await context.route(/^https?:/i, async (route) => {
    const url = route.request().url();
    if (o.allow?.includes(new URL(url).origin)) return route.continue();
    watch.blocked.push(url);
    await route.abort('blockedbyclient');
  });
  page.on('request', (r) => {
    watch.requests.push(r.url());
  });
  page.on('dialog', async (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  page.on('pageerror', (e) => {
    watch.errors.push(e.message);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  return watch;
}
