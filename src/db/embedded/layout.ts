import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  /** Folder of the Unix socket `.s.PGSQL.5432`, as `pg` expects it. */
  socketDir: string;
  socketPath: string;
}

// Unix socket paths are limited to ~107 bytes; a deep data folder gets a short one in tmp.
const MAX_SOCKET_PATH = 100;

export function embeddedLayout(dataDir: string): EmbeddedLayout {
  const inside = join(dataDir, '.s.PGSQL.5432');
  const socketDir =
    inside.length <= MAX_SOCKET_PATH
      ? dataDir
      : join(tmpdir(), `octo-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  return {
    dataDir,
    pgdata: join(dataDir, 'pgdata'),
    lockFile: join(dataDir, 'server.lock'),
    stateFile: join(dataDir, 'server.json'),
    logFile: join(dataDir, 'server.log'),
    socketDir,
    socketPath: join(socketDir, '.s.PGSQL.5432'),
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
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
