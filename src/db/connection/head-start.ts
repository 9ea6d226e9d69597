import type { ConfigStore } from '../../config/store.js';
import { databaseTargetFor, openDatabase, targetKey } from './open.js';
import type { Db } from './types.js';

/**
 * A database opened (and, for pg, connecting) before the command module has even loaded: the
 * server's connection set-up (a backend fork on Postgres, ~13 ms here) then overlaps with
 * loading and parsing instead of following them. `createContext` (src/cli/context.ts) adopts it when the command's
 * database turns out to be the same one, and closes it otherwise.
 */
export interface HeadStart {
  key: string;
  db: Promise<Db>;
  /** Set by the context once the logger exists (--debug timings). */
  hooks: { onRoundTrip?: (what: string, ms: number) => void };
}

/** `--database-url URL` or `--database-url=URL` (the last one wins, as in commander), before any `--`. */
export function databaseUrlFlag(argv: readonly string[]): string | undefined {
  let url: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === undefined || arg === '--') break;
    if (arg === '--database-url') {
      url = argv[i + 1];
      i += 1;
    } else if (arg.startsWith('--database-url=')) url = arg.slice('--database-url='.length);
  }
  return url;
}

export function startOpening(
  argv: string[],
  env: Record<string, string | undefined>,
  config: ConfigStore,
  /** The session token the command will present to this database (member mode: see pg-driver). */
  tokenFor?: (databaseKey: string) => string | null | Promise<string | null>,
): HeadStart | undefined {
  try {
    const target = databaseTargetFor(databaseUrlFlag(argv), env, config);
    if (target.kind === 'embedded') {
      // Start the server (or create the database) while the command loads and does its own
      // work (signup hashes the password first); the command's open then waits for the same
      // start and says through its logger that the database was created.
      void import('./embedded/connect.js')
        .then(({ ensureServer }) => ensureServer({ dataDir: target.dataDir, idleMs: Number(env.OCTO_SERVER_IDLE_MS) || undefined }))
        .catch(() => undefined);
      return undefined;
    }
    const hooks: HeadStart['hooks'] = {};
    const db = openDatabase(target, {
      env,
      sessionToken: tokenFor?.(targetKey(target)),
      onRoundTrip: (what, ms) => hooks.onRoundTrip?.(what, ms),
    });
    db.catch(() => undefined); // an error resurfaces when the command opens it
    return { key: targetKey(target), db, hooks };
  } catch {
    return undefined; // bad input is reported by the command itself
  }
}
