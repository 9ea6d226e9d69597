import { UsageError } from '../core/errors.js';
import { isLoopbackHost } from '../core/net.js';

/**
 * The base URL `{origin}/openai/v1` from what a profile stores: the resource URL
 * (`https://x.openai.azure.com`, trailing slash or not) or a full request URL as the web app keeps it
 * (`…/openai/v1/video/generations/jobs?api-version=preview`, `…/openai/v1/videos`).
 * Query strings and fragments are dropped; a path prefix before `/openai` is kept (proxies).
 */
export function normalizeEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new UsageError(`invalid endpoint URL: ${JSON.stringify(trimmed)}`, {
      hint: 'use the resource URL, e.g. https://NAME.openai.azure.com',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`invalid endpoint URL scheme: ${url.protocol} (expected https:)`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    // The api-key header or the bearer token would cross the network in clear.
    throw new UsageError(`the endpoint must use https:// (http:// is allowed only for this machine): ${url.origin}`, {
      hint: 'use https://NAME.openai.azure.com; plain http is for a local emulator on 127.0.0.1 or localhost',
    });
  }
  const path = url.pathname.replace(/\/+$/, '');
  const at = path.search(/\/openai(\/|$)/);
  const prefix = at === -1 ? path : path.slice(0, at);
  return `${url.origin}${prefix}/openai/v1`;
}
