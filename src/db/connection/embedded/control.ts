import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';

/**
 * The embedded server's control socket (`.s.octo-ctl`, 0600, beside the Postgres socket): one
 * line in (`status` or `stop`), one JSON line out. `octo db status` reads the server's memory and
 * idle time through it without counting as activity; `octo db stop` stops it without a signal,
 * so octo never has to trust a pid to be its server.
 */

export interface ServerStatus {
  pid: number;
  /** Resident memory now, and the most it has held (VmHWM), in bytes. */
  rss_bytes: number;
  peak_rss_bytes: number;
  /** Since the last query or connection; the server exits when this reaches `idle_limit_ms`. */
  idle_ms: number;
  idle_limit_ms: number;
  connections: number;
  started_at: string;
  data_dir: string;
  socket_dir: string;
}

export async function serveControl(path: string, handlers: { status: () => ServerStatus; stop: () => void }): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    let input = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      input += chunk;
      if (!input.includes('\n') && input.length < 64) return;
      const command = (input.split('\n')[0] ?? '').trim();
      if (command === 'status') {
        socket.end(`${JSON.stringify(handlers.status())}\n`);
      } else if (command === 'stop') {
        socket.end(`${JSON.stringify({ stopping: true, pid: process.pid })}\n`, () => handlers.stop());
      } else {
        socket.end(`${JSON.stringify({ error: 'unknown command' })}\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  server.unref();
  return server;
}

/** Sends one control command; undefined when nothing answers in time. */
export function askServer<T = unknown>(path: string, command: 'status' | 'stop', timeoutMs = 2000): Promise<T | undefined> {
  return new Promise((resolve) => {
    let output = '';
    const socket = connect(path);
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk: string) => {
      output += chunk;
    });
    socket.on('end', () => {
      try {
        done(JSON.parse(output) as T);
      } catch {
        done(undefined);
      }
    });
    socket.on('error', () => done(undefined));
  });
}

/** Resident memory now and at its peak, in bytes (Linux /proc; elsewhere what Node reports). */
export function memoryNow(): { rss: number; peak: number } {
  const rss = process.memoryUsage.rss();
  const peak = Math.max(rss, process.resourceUsage().maxRSS * 1024);
  return { rss, peak };
}
