import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mp4Body, webpBody } from '../../src/emulator/media.js';

/**
 * A sora-2 videos API on 127.0.0.1 whose every route a test can replace with a misbehaving one.
 * Out of the box it behaves: a create answers a queued video, a GET says it completed, the
 * content is a real MP4 (and a WEBP thumbnail), the list is empty. The replacements below are
 * the ways a server (or anyone between octo and it) can misbehave.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface HostileSora {
  url: string;
  create: Handler;
  get: Handler;
  content: Handler;
  list: Handler;
  /** `METHOD path` of every request, in order. */
  seen: string[];
  /** Puts every route back to behaving. */
  behave(): void;
  close(): Promise<void>;
}

let ids = 0;

export const video = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  object: 'video',
  status,
  model: 'sora-2',
  size: '720x1280',
  seconds: '4',
  created_at: Math.floor(Date.now() / 1000),
  ...extra,
});

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** The MP4 a well-behaved server sends. */
export const goodMp4 = (): Buffer => Buffer.concat([...mp4Body({ width: 720, height: 1280, seconds: 4 }).chunks()]);

const behaving = {
  create: ((_req, res) => sendJson(res, 200, video(`video_${++ids}`, 'queued'))) as Handler,
  get: ((req, res) => sendJson(res, 200, video(idOf(req), 'completed', { progress: 100 }))) as Handler,
  content: ((req, res) => {
    const bytes = (req.url ?? '').includes('variant=thumbnail') ? webpBody() : goodMp4();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
    res.end(bytes);
  }) as Handler,
  list: ((_req, res) => sendJson(res, 200, { object: 'list', data: [], has_more: false, first_id: null, last_id: null })) as Handler,
};

function idOf(req: IncomingMessage): string {
  return decodeURIComponent((req.url ?? '').split('?')[0]!.split('/')[4] ?? '');
}

/**
 * Sends `bytes` one at a time, `everyMs` apart, until they run out or the client goes away:
 * a connection never idle long enough for an idle timeout, and never done.
 */
export function trickle(res: ServerResponse, bytes: Buffer, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || i >= bytes.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(bytes.subarray(i, ++i));
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

export async function startHostileSora(): Promise<HostileSora> {
  const seen: string[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const path = (req.url ?? '').split('?')[0] ?? '';
    seen.push(`${req.method} ${path}`);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && path === '/openai/v1/videos') return hostile.create(req, res, body);
      if (req.method === 'GET' && path === '/openai/v1/videos') return hostile.list(req, res, body);
      if (req.method === 'GET' && /^\/openai\/v1\/videos\/[^/]+\/content$/.test(path)) return hostile.content(req, res, body);
      if (req.method === 'GET' && /^\/openai\/v1\/videos\/[^/]+$/.test(path)) return hostile.get(req, res, body);
      sendJson(res, 404, { error: { code: 'not_found', message: `nothing at ${req.method} ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostile: HostileSora = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ...behaving,
    seen,
    behave: () => Object.assign(hostile, behaving),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return hostile;
}
