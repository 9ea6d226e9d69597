import { sessionScope } from '../authed.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureError } from '../../../core/errors.js';
import { embeddedKey } from '../embedded-key.js';
import { openPg } from '../pg-driver.js';
import type { Db } from '../types.js';
import { askServer, type ServerStatus } from './control.js';
import { CONTROL_NAME, currentBuild, embeddedLayout, serverEntry, type EmbeddedLayout, type ServerState } from './layout.js';
import { ensurePrivateDir } from './private-dirs.js';
import { isAlive, isEmbeddedServer } from './process-identity.js';
import { join } from 'node:path';

export interface EmbeddedOptions {
  dataDir: string;
  /** Told once when the database folder is being created (first run): show a spinner. */
  onCreating?: (dataDir: string) => { stop(): void } | void;
  onRoundTrip?: (what: string, ms: number) => void;
  /** How long the server stays up with nothing to do (OCTO_SERVER_IDLE_MS). */
  idleMs?: number;
  /** How long to wait for a server to start (first creation takes ~5 s). */
  startTimeoutMs?: number;
}

/**
 * V8 compiles PGlite's 9 MB of WASM with Liftoff, then again with TurboFan for hot functions:
 * two copies of the code and seconds of CPU at start. Liftoff alone starts in half the time with
 * ~45 MB less RSS, and octo's queries are small (issue 15's measurements in the README).
 */
export const SERVER_NODE_FLAGS = ['--liftoff-only'];

export function readState(layout: EmbeddedLayout): ServerState | undefined {
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

/** The recorded server is octo's, serving this folder, and not a zombie or a reused pid. */
export const isOurServer = (state: ServerState | undefined, dataDir: string): state is ServerState =>
  state !== undefined && isEmbeddedServer(state.pid, dataDir, state.startTicks);

const usable = (state: ServerState | undefined, build: string, dataDir: string): state is ServerState =>
  state !== undefined && state.build === build && isOurServer(state, dataDir);

/**
 * Stops the recorded server: through its control socket, else (an older build) SIGTERM, but
 * only once its identity is checked. Resolves with the pid stopped, or undefined if none ran.
 */
export async function stopServer(dataDir: string, waitMs = 15_000): Promise<number | undefined> {
  const layout = embeddedLayout(dataDir);
  const state = readState(layout);
  if (!isOurServer(state, dataDir)) return undefined;
  const asked = await askServer(join(state.socketDir, CONTROL_NAME), 'stop');
  if (asked === undefined) process.kill(state.pid, 'SIGTERM');
  for (let waited = 0; waited < waitMs && isAlive(state.pid); waited += 50) await sleep(50);
  return state.pid;
}

const starting = new Map<string, { promise: Promise<ServerState>; creating: boolean }>();
/** Folders this process created a database in and has not yet told the user about. */
const unannounced = new Set<string>();

/**
 * Starts the embedded server unless a usable one runs; replaces one from another build. Calls
 * in one process share one start (the CLI starts it early, then the command waits for it).
 */
export async function ensureServer(options: EmbeddedOptions): Promise<ServerState> {
  const layout = embeddedLayout(options.dataDir);
  const state = readState(layout);
  if (usable(state, currentBuild(), layout.dataDir)) {
    // Started early (the CLI's head start) and already done: still say it was created.
    if (options.onCreating && unannounced.delete(layout.dataDir)) options.onCreating(layout.dataDir)?.stop();
    return state;
  }
  let start = starting.get(layout.dataDir);
  if (!start) {
    const creating = !existsSync(layout.pgdata);
    if (creating) unannounced.add(layout.dataDir);
    start = { promise: startServer(options, layout), creating };
    starting.set(layout.dataDir, start);
    const forget = () => starting.delete(layout.dataDir);
    start.promise.then(forget, forget);
  }
  const notice = options.onCreating && unannounced.delete(layout.dataDir) ? options.onCreating(layout.dataDir) : undefined;
  try {
    return await start.promise;
  } finally {
    notice?.stop();
  }
}

async function startServer(options: EmbeddedOptions, layout: EmbeddedLayout): Promise<ServerState> {
  const state = readState(layout);
  if (isOurServer(state, layout.dataDir) && state.build !== currentBuild()) {
    // A server from another octo build: ask it to stop, then start ours.
    await stopServer(layout.dataDir, 10_000);
  }

  if (!existsSync(serverEntry())) {
    throw new FailureError('octo is not built: the embedded database server is missing', { hint: 'run: npm run build' });
  }
  ensurePrivateDir(layout.dataDir);
  const logFd = openSync(layout.logFile, 'a', 0o600);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, serverEntry(), layout.dataDir, String(options.idleMs ?? '')], {
    detached: true,
    stdio: ['ignore', 'ignore', logFd],
  });
  closeSync(logFd);
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? 1;
  });
  child.unref();

  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    const found = readState(layout);
    // The server this call started, whatever build it found on disk (octo rebuilt or upgraded
    // meanwhile: waiting for the build this process saw at first would wait forever), or another
    // process's server of the build on disk now.
    const ours = found?.pid === child.pid && isOurServer(found, layout.dataDir);
    if (found && (ours || usable(found, currentBuild(), layout.dataDir)) && existsSync(join(found.socketDir, '.s.PGSQL.5432'))) return found;
    // Exit 0 with no state: another process's server won the lock and is starting; keep waiting.
    if (exited !== null && exited !== 0) {
      throw new FailureError(`the embedded database server failed to start (see ${layout.logFile})`);
    }
    await sleep(25);
  }
  throw new FailureError(`the embedded database server did not start within ${(options.startTimeoutMs ?? 120_000) / 1000} s`, {
    hint: `see ${layout.logFile}`,
  });
}

const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED']);
/** A connection the server dropped (it was killed, or stopped): what was sent on it may have run. */
const LOST = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The embedded default: `pg` over the embedded server's Unix socket. When the recorded server
 * is up, this costs no extra round trip; a server found gone at the first query (it idled out)
 * is restarted and the query retried: it never reached a server, so it cannot have run twice.
 */
export async function openEmbedded(options: EmbeddedOptions): Promise<Db> {
  const key = embeddedKey(options.dataDir);
  let state = await ensureServer(options);

  const connect = () =>
    openPg({
      driver: 'embedded',
      label: 'embedded',
      key,
      config: { host: state.socketDir, port: 5432, user: 'postgres', database: 'postgres', max: 8 },
      onRoundTrip: options.onRoundTrip,
    });
  let db = await connect();

  // One reconnection at a time: a batch's workers all find the server gone at once, and each
  // must retry on the new pool, not close the one another worker just opened.
  let reconnecting: Promise<void> | undefined;
  const retired = new Set<Db>();
  const retire = async (old: Db) => {
    if (retired.delete(old)) await old.close().catch(() => undefined);
  };
  const reconnect = (failed: Db): Promise<void> => {
    if (failed !== db) return Promise.resolve(); // already replaced
    reconnecting ??= (async () => {
      try {
        state = await ensureServer(options);
        db = await connect();
        // Statements already queued on the old pool fail on their own (and retry here); closing
        // it under them would fail them with "pool ended", which is not safe to retry blindly.
        retired.add(failed);
        setTimeout(() => void retire(failed), 5000).unref();
      } finally {
        reconnecting = undefined;
      }
    })();
    return reconnecting;
  };

  const retrying = async <T>(work: (current: Db) => Promise<T>): Promise<T> => {
    // A new pool is being made: a statement sent now belongs on it, not on the one it replaces.
    if (reconnecting) await reconnecting.catch(() => undefined);
    const current = db;
    try {
      return await work(current);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const code = cause?.code ?? '';
      if (NOT_LISTENING.has(code)) {
        await reconnect(current);
        return work(db);
      }
      if (LOST.has(code) || /Connection terminated/i.test(cause?.message ?? '')) {
        // The server went away under this statement: it may have run, so it is not retried. The
        // pool's other idle connections went with it, unnoticed until used: the next statement
        // goes to a new pool (which restarts a dead server) instead of failing on one of them.
        void reconnect(current).catch(() => undefined);
      }
      throw error;
    }
  };

  const embedded: Db = {
    driver: 'embedded',
    forSession: (ref) => sessionScope(embedded, ref),
    label: 'embedded',
    key,
    get roundTrips() {
      return db.roundTrips;
    },
    query: (text, values) => retrying((current) => current.query(text, values)),
    transaction: (statements) => retrying((current) => current.transaction(statements)),
    close: async () => {
      await Promise.all([...retired].map(retire));
      await db.close();
    },
  };
  return embedded;
}

/** The running server's pid, memory and idle time; undefined when none runs. */
export async function serverStatus(dataDir: string): Promise<ServerStatus | undefined> {
  const state = readState(embeddedLayout(dataDir));
  if (!isOurServer(state, dataDir)) return undefined;
  return askServer<ServerStatus>(join(state.socketDir, CONTROL_NAME), 'status');
}
