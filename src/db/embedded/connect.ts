import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureError } from '../../core/errors.js';
import { embeddedKey } from '../open.js';
import { openPg } from '../pg-driver.js';
import type { Db } from '../types.js';
import { currentBuild, embeddedLayout, isAlive, serverEntry, type EmbeddedLayout, type ServerState } from './layout.js';

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

function readState(layout: EmbeddedLayout): ServerState | undefined {
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

const usable = (state: ServerState | undefined, build: string): boolean =>
  state !== undefined && state.build === build && isAlive(state.pid);

/** Starts the embedded server unless a usable one runs; replaces one from another build. */
export async function ensureServer(options: EmbeddedOptions): Promise<ServerState> {
  const layout = embeddedLayout(options.dataDir);
  const build = currentBuild();
  let state = readState(layout);
  if (state && usable(state, build)) return state;

  if (state && isAlive(state.pid) && state.build !== build) {
    // A server from an older octo: ask it to stop, then start ours.
    process.kill(state.pid, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(state.pid); i += 1) await sleep(100);
  }

  if (!existsSync(serverEntry())) {
    throw new FailureError('octo is not built: the embedded database server is missing', { hint: 'run: npm run build' });
  }
  mkdirSync(layout.dataDir, { recursive: true, mode: 0o700 });
  const creating = !existsSync(layout.pgdata);
  const notice = creating ? options.onCreating?.(layout.dataDir) : undefined;
  const logFd = openSync(layout.logFile, 'a', 0o600);
  const child = spawn(process.execPath, [serverEntry(), layout.dataDir, String(options.idleMs ?? '')], {
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
  try {
    while (Date.now() < deadline) {
      state = readState(layout);
      if (state && usable(state, build) && existsSync(layout.socketPath)) return state;
      // Exit 0 with no state: another process's server won the lock and is starting; keep waiting.
      if (exited !== null && exited !== 0) {
        throw new FailureError(`the embedded database server failed to start (see ${layout.logFile})`);
      }
      await sleep(50);
    }
    throw new FailureError(`the embedded database server did not start within ${(options.startTimeoutMs ?? 120_000) / 1000} s`, {
      hint: `see ${layout.logFile}`,
    });
  } finally {
    notice?.stop();
  }
}

const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED']);

/**
 * The embedded default: `pg` over the embedded server's Unix socket. When the recorded server
 * is up, this costs no extra round trip; a server found gone at the first query (it idled out)
 * is restarted and the query retried: it never reached a server, so it cannot have run twice.
 */
export async function openEmbedded(options: EmbeddedOptions): Promise<Db> {
  const layout = embeddedLayout(options.dataDir);
  const key = embeddedKey(options.dataDir);
  const build = currentBuild();
  const state = readState(layout);
  if (!usable(state, build)) await ensureServer(options);

  const connect = () =>
    openPg({
      driver: 'embedded',
      label: 'embedded',
      key,
      config: { host: layout.socketDir, port: 5432, user: 'postgres', database: 'postgres', max: 8 },
      onRoundTrip: options.onRoundTrip,
    });
  let db = await connect();

  const retrying = async <T>(work: (current: Db) => Promise<T>): Promise<T> => {
    try {
      return await work(db);
    } catch (error) {
      const code = ((error as { cause?: { code?: string } }).cause?.code ?? '') as string;
      if (!NOT_LISTENING.has(code)) throw error;
      await db.close();
      await ensureServer(options);
      db = await connect();
      return work(db);
    }
  };

  return {
    driver: 'embedded',
    label: 'embedded',
    key,
    get roundTrips() {
      return db.roundTrips;
    },
    query: (text, values) => retrying((current) => current.query(text, values)),
    transaction: (statements) => retrying((current) => current.transaction(statements)),
    close: () => db.close(),
  };
}
