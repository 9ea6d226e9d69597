import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate } from './auth.js';
import { errorBody, HttpError, sendJson } from './http.js';
import { routeTable } from './routes.js';
import { sora1Routes } from './sora1.js';
import { sora2Routes } from './sora2.js';
import { EmulatorState, freshStats } from './state.js';
import type { Emulator, EmulatorOptions, EmulatorStats, Family } from './types.js';

export type { Emulator, EmulatorOptions, EmulatorStats } from './types.js';

/**
 * A local server that answers like both Sora APIs, so tests and the demo never reach Azure: the sora-1 jobs API under
 * /openai/v1/video/generations and the sora-2 videos API under /openai/v1/videos.
 */

const PREFIX = '/openai/v1';
const routes = routeTable([...sora1Routes, ...sora2Routes]);

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState(options);
  const { now } = state;
  const snapshot = (): EmulatorStats => structuredClone(state.stats);

  const server = createServer(async (req, res) => {
    const started = now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const stats = state.stats;
    stats.total++;
    const count = (k: string) => {
      stats.requests[k] = (stats.requests[k] ?? 0) + 1;
    };
    res.setHeader('apim-request-id', randomUUID());
    res.on('finish', () => {
      stats.responses[res.statusCode] = (stats.responses[res.statusCode] ?? 0) + 1;
      options.log?.(`${method} ${url.pathname}${url.search} → ${res.statusCode} (${now() - started} ms)`);
    });
    try {
      if (url.pathname === '/_emulator/stats' && method === 'GET') {
        count('GET /_emulator/stats');
        sendJson(res, 200, snapshot());
        return;
      }
      if (!url.pathname.startsWith(`${PREFIX}/`)) {
        count(`${method} (unknown)`);
        sendJson(res, 404, { error: { code: 'NotFound', message: 'Resource not found' } });
        return;
      }
      try {
        stats.auth[authenticate(options, req)]++;
      } catch (error) {
        count(`${method} (unauthorized)`);
        throw error;
      }
      const t = now();
      state.advance(t);
      const path = url.pathname.slice(PREFIX.length);
      const match = routes.match(method, path);
      if (!match) {
        count(`${method} (unknown)`);
        const family: Family = path.startsWith('/video/generations') ? 'sora-1' : 'sora-2';
        throw new HttpError(404, errorBody(family, 'NotFound', `Resource not found: ${method} ${path}`, { type: 'not_found_error' }));
      }
      count(match.key);
      const result = await match.route.handler({ req, res, url, method, params: match.params, t, state });
      if (result !== 'sent') sendJson(res, result.status, result.body);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        req.resume();
        sendJson(res, error.status, error.body, error.headers);
        return;
      }
      sendJson(res, 500, { error: { code: 'internal_error', message: `emulator error: ${(error as Error).message}` } });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    get stats() {
      return snapshot();
    },
    resetStats() {
      state.stats = freshStats();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
