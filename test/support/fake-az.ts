import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fake `az` for keyless-auth tests: `az account get-access-token …` prints a token as the real
 * Azure CLI does (accessToken, expiresOn, expires_on) and logs its arguments, one call a line.
 * Nothing reaches Azure: put `dir` first on PATH.
 */
export function fakeAz(token: string, o: { expiresInS?: number; fail?: string } = {}): { dir: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'octo-fake-az-'));
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const expires = Math.floor(Date.now() / 1000) + (o.expiresInS ?? 3600);
  const body = JSON.stringify({
    accessToken: token,
    expiresOn: new Date(expires * 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, '.000000'),
    expires_on: expires,
    subscription: '00000000-0000-0000-0000-000000000000',
    tenant: '11111111-1111-1111-1111-111111111111',
    tokenType: 'Bearer',
  });
  const script = o.fail
    ? `#!/bin/sh\necho "$*" >> '${log}'\necho '${o.fail}' >&2\nexit 1\n`
    : `#!/bin/sh\necho "$*" >> '${log}'\ncat <<'JSON'\n${body}\nJSON\n`;
  writeFileSync(join(dir, 'az'), script);
  chmodSync(join(dir, 'az'), 0o755);
  return { dir, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/**
 * A loopback server that stands in for every address a credential chain could try to reach:
 * point the instance-metadata override (AZURE_POD_IDENTITY_AUTHORITY_HOST) and HTTP(S)_PROXY at
 * it, and assert it saw nothing. Every request it gets is answered 403 and recorded.
 */
export async function networkGuard(): Promise<{ url: string; hits: string[]; env: Record<string, string>; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host ?? ''}${req.url ?? ''}`);
    res.writeHead(403).end();
  });
  server.on('connect', (req, socket) => {
    hits.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    env: {
      AZURE_POD_IDENTITY_AUTHORITY_HOST: url,
      HTTP_PROXY: url,
      HTTPS_PROXY: url,
      http_proxy: url,
      https_proxy: url,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
