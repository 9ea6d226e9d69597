import { chmodSync, existsSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { migrate } from '../migrate.js';
import { compilePglite, openPgliteInstance, pgliteDb } from '../pglite-driver.js';
import { memoryNow, serveControl } from './control.js';
import { CONTROL_NAME, currentBuild, embeddedLayout, type EmbeddedLayout, type ServerState } from './layout.js';
import { releaseLock, tryLock } from './lock.js';
import { MessageQueue } from './message-queue.js';
import { ensurePrivateDir, lockDownFiles, lockDownTree, makeSocketDir, removeSocketDir } from './private-dirs.js';
import { isEmbeddedServer, startTicks } from './process-identity.js';
import { createFromTemplate } from './template.js';

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
  // Everything PGlite creates from here is the user's alone (it still sets some modes itself:
  // the tree is locked down below and again at exit).
  process.umask(0o077);
  ensurePrivateDir(layout.dataDir);
  if (!tryLock(layout.lockFile, process.pid, (pid) => isEmbeddedServer(pid, layout.dataDir))) return 'busy';
  removeStaleSocketDir(layout);

  const started = performance.now();
  const wasmModule = compilePglite();
  const elapsed = () => `${Math.round(performance.now() - started)} ms`;
  if (!existsSync(layout.pgdata)) {
    try {
      if (createFromTemplate(layout.pgdata)) log(`created the database from the template (${elapsed()})`);
    } catch (error) {
      log(`template not used (${error instanceof Error ? error.message : String(error)}); running initdb`);
    }
  }
  // Only octo's own files: OCTO_DATA_DIR may be a folder that holds other things too.
  lockDownFiles([layout.stateFile, layout.lockFile, layout.logFile]);
  lockDownTree(layout.pgdata);
  const instance = await openPgliteInstance(layout.pgdata, { wasmModule: await wasmModule });
  log(`opened (${elapsed()})`);
  const applied = await migrate(pgliteDb(instance));
  if (applied.length) log(`applied migrations: ${applied.join(', ')} (${elapsed()})`);
  lockDownTree(layout.pgdata);

  const socketDir = layout.socketFits ? layout.dataDir : makeSocketDir();
  const socketPath = join(socketDir, '.s.PGSQL.5432');
  rmSync(socketPath, { force: true });
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
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);

  const state: ServerState = {
    pid: process.pid,
    build: currentBuild(),
    socketDir,
    startedAt: new Date().toISOString(),
    startTicks: startTicks(process.pid),
  };
  let stopServer: (reason: string) => void = () => undefined;
  const control = await serveControl(join(socketDir, CONTROL_NAME), {
    status: () => {
      const memory = memoryNow();
      return {
        pid: process.pid,
        rss_bytes: memory.rss,
        peak_rss_bytes: memory.peak,
        idle_ms: sockets.size > 0 ? 0 : Date.now() - queue.lastActivity,
        idle_limit_ms: options.idleMs,
        connections: sockets.size,
        started_at: state.startedAt,
        data_dir: layout.dataDir,
        socket_dir: socketDir,
      };
    },
    // Asked over the control socket: by `octo db stop`, or by a command of another octo build replacing this server.
    stop: () => stopServer('asked to (octo db stop, or another octo build replacing this server)'),
  });
  writeFileSync(`${layout.stateFile}.tmp`, JSON.stringify(state), { mode: 0o600 });
  renameSync(`${layout.stateFile}.tmp`, layout.stateFile);
  log(`serving ${layout.pgdata} on ${socketPath} (${elapsed()})`);

  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (reason: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(idleTimer);
      log(`stopping: ${reason}`);
      // Stop accepting, then let PGlite checkpoint and close before the lock is released.
      server.close();
      control.close();
      for (const socket of sockets) socket.destroy();
      await instance.close().catch((error) => log(`close failed: ${String(error)}`));
      lockDownTree(layout.pgdata);
      for (const file of [layout.stateFile, socketPath, join(socketDir, CONTROL_NAME)]) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone.
        }
      }
      removeSocketDir(socketDir, layout.dataDir);
      releaseLock(layout.lockFile);
      resolve('stopped');
    };
    stopServer = (reason) => void stop(reason);
    const idleTimer = setInterval(
      () => {
        if (sockets.size === 0 && Date.now() - queue.lastActivity > options.idleMs) void stop('idle');
      },
      Math.min(1000, options.idleMs),
    );
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}

/** A socket folder left by a server that was killed (its state file names it). */
function removeStaleSocketDir(layout: EmbeddedLayout): void {
  try {
    const previous = JSON.parse(readFileSync(layout.stateFile, 'utf8')) as ServerState;
    if (previous.pid !== process.pid && typeof previous.socketDir === 'string') removeSocketDir(previous.socketDir, layout.dataDir);
  } catch {
    // No previous state.
  }
}
