import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy on 127.0.0.1 in front of the emulator that holds every create (a POST) `holdMs`
 * before passing it on, whether or not the client is still there to read the answer: a slow
 * link, or a middlebox that queues requests. Everything else passes at once.
 */
export interface HoldingProxy {
  url: string;
  /** Creates received from octo so far (not yet necessarily passed on). */
  received(): number;
  close(): Promise<void>;
}

export async function startHoldingProxy(target: string, holdMs: number): Promise<HoldingProxy> {
  const upstream = new URL(target);
  let received = 0;
  const server: Server = createServer(async (req, res) => {
    const body = await readAll(req);
    if (req.method === 'POST') {
      received++;
      await new Promise((r) => setTimeout(r, holdMs));
    }
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        if (res.destroyed) {
          answer.resume();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
