import { chmodSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { migrate } from '../migrate.js';
import { openPgliteInstance, pgliteDb } from '../pglite-driver.js';
import { currentBuild, embeddedLayout, type ServerState } from './layout.js';
import { releaseLock, tryLock } from './lock.js';
import { MessageQueue } from './message-queue.js';

export interface EmbeddedServerOptions {
  dataDir: string;
  /** Exit after this long with no connection and no query. */
  idleMs: number;
  log?: (line: string) => void;
}

/**
 * The resident owner of the embedded database: opens PGlite once, migrates it, and serves the
 * Postgres wire protocol on a Unix socket (mode 0600, inside the 0700 data folder), so every
 * `octo` command, and several at once, talk to it with `pg`. Exits when idle.
 *
 * Returns 'busy' when another live server holds the lock; that one serves the caller instead.
 */
export async function runEmbeddedServer(options: EmbeddedServerOptions): Promise<'stopped' | 'busy'> {
  const layout = embeddedLayout(options.dataDir);
  const log = options.log ?? (() => undefined);
  mkdirSync(layout.dataDir, { recursive: true, mode: 0o700 });
  if (!tryLock(layout.lockFile)) return 'busy';

  const instance = await openPgliteInstance(layout.pgdata);
  const applied = await migrate(pgliteDb(instance));
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);

  mkdirSync(layout.socketDir, { recursive: true, mode: 0o700 });
  rmSync(layout.socketPath, { force: true });
  const { PGLiteSocketHandler } = await import('@electric-sql/pglite-socket');
  const queue = new MessageQueue(instance);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const handler = new PGLiteSocketHandler({
      // Our queue implements the methods the handler calls (see message-queue.ts).
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(layout.socketPath, () => resolve());
  });
  chmodSync(layout.socketPath, 0o600);

  const state: ServerState = {
    pid: process.pid,
    build: currentBuild(),
    socketDir: layout.socketDir,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(`${layout.stateFile}.tmp`, JSON.stringify(state), { mode: 0o600 });
  renameSync(`${layout.stateFile}.tmp`, layout.stateFile);
  log(`serving ${layout.pgdata} on ${layout.socketPath}`);

  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (reason: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(idleTimer);
      log(`stopping: ${reason}`);
      // Stop accepting, then let PGlite checkpoint and close before the lock is released.
      server.close();
      for (const socket of sockets) socket.destroy();
      await instance.close().catch((error) => log(`close failed: ${String(error)}`));
      for (const file of [layout.stateFile, layout.socketPath]) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone.
        }
      }
      releaseLock(layout.lockFile);
      resolve('stopped');
    };
    const idleTimer = setInterval(() => {
      if (sockets.size === 0 && Date.now() - queue.lastActivity > options.idleMs) void stop('idle');
    }, Math.min(1000, options.idleMs));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
