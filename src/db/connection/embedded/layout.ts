import { statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** Where the embedded server keeps its files inside `OCTO_DATA_DIR`. */
export interface EmbeddedLayout {
  dataDir: string;
  /** PGlite's own data folder. */
  pgdata: string;
  /** Held by the one server process that owns `pgdata` (PGlite has no lock of its own). */
  lockFile: string;
  /** Written when the server is ready: pid, build, socket. */
  stateFile: string;
  logFile: string;
  /**
   * Folder of the Unix socket `.s.PGSQL.5432`, as `pg` expects it: the data folder when the
   * path fits (`socketFits`), else a private folder the server makes and records in `server.json`.
   */
  socketDir: string;
  socketPath: string;
  socketFits: boolean;
}

// Unix socket paths are limited to ~107 bytes; a deep data folder's socket goes elsewhere.
const MAX_SOCKET_PATH = 100;
export const SOCKET_NAME = '.s.PGSQL.5432';
/** Beside the Postgres socket: status and stop requests (see control.ts). */
export const CONTROL_NAME = '.s.octo-ctl';

export function embeddedLayout(dataDir: string): EmbeddedLayout {
  const socketFits = join(dataDir, SOCKET_NAME).length <= MAX_SOCKET_PATH;
  const socketDir = dataDir;
  return {
    socketFits,
    dataDir,
    pgdata: join(dataDir, 'pgdata'),
    lockFile: join(dataDir, 'server.lock'),
    stateFile: join(dataDir, 'server.json'),
    logFile: join(dataDir, 'server.log'),
    socketDir,
    socketPath: join(socketDir, SOCKET_NAME),
  };
}

export function serverEntry(): string {
  return join(packageRoot(), 'dist', 'embedded-server.js');
}

/**
 * Identifies the server build: a server started by another octo build (an upgrade) is
 * replaced rather than trusted to speak the same schema.
 */
export function currentBuild(): string {
  try {
    return `${statSync(serverEntry()).mtimeMs}`;
  } catch {
    return 'unbuilt';
  }
}

export interface ServerState {
  pid: number;
  build: string;
  socketDir: string;
  startedAt: string;
  /** The server's start time in clock ticks (Linux): with the pid, who it is. */
  startTicks?: string;
}

export { isAlive } from './process-identity.js';
