import type { ConfigStore } from '../config/store.js';
import { AuthError } from '../core/errors.js';
import { presentedToken } from '../auth/token-store.js';
import type { Context, ProcessEnv } from '../context/context.js';
import type { HeadStart } from '../db/connection/head-start.js';
import { databaseTargetFor, openDatabase, targetKey } from '../db/connection/open.js';
import type { Db } from '../db/connection/types.js';
import { createLogger } from '../output/logger.js';
import type { GlobalOptions, Io } from '../core/io.js';

export type { GlobalOptions, Io } from '../core/io.js';

/** What `run` knows when it builds a command's Context (src/context/context.ts). */
export interface ContextInput {
  processEnv: ProcessEnv;
  cwd: string;
  io: Io;
  globals: GlobalOptions;
  signal: AbortSignal;
  /** The config store `run` opened (reads the file once, on first use), shared with the head start. */
  config: ConfigStore;
  now?: () => Date;
  /** Replace any factory (tests). */
  overrides?: Partial<Context>;
  /** A database opened early by `run` (src/db/connection/head-start.ts). */
  headStart?: HeadStart;
}

export function memo<T>(factory: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = factory();
      made = true;
    }
    return value;
  };
}

/** The terminal's Context: nothing is opened until a command asks. */
export function createContext(input: ContextInput): Context {
  const { processEnv, io, globals } = input;
  const log = createLogger(io.stderr, { quiet: globals.quiet || globals.json, debug: globals.debug, color: globals.color });
  const config = () => input.config;
  const databaseTarget = memo(() => databaseTargetFor(globals.databaseUrl, processEnv, config()));
  let opened: Db | undefined;
  const db = memo(async () => {
    const target = databaseTarget();
    const started = performance.now();
    const onRoundTrip = log.debugEnabled ? (what: string, ms: number) => log.debug(`db ${ms.toFixed(1)} ms  ${what}`) : undefined;
    const early = input.headStart;
    if (early && early.key === targetKey(target)) {
      early.hooks.onRoundTrip = onRoundTrip;
      opened = await early.db;
    } else {
      opened = await openDatabase(target, {
        env: processEnv,
        sessionToken: target.kind === 'embedded' ? undefined : presentedToken(processEnv, config(), targetKey(target), () => self.keyring()),
        onCreating: (dir) => {
          log.info(`Creating the embedded database in ${dir} (first run only; this takes a few seconds)…`);
        },
        onRoundTrip,
      });
    }
    log.debug(`db open (${target.kind}) ${(performance.now() - started).toFixed(1)} ms`);
    return opened;
  });
  const context: Context = {
    processEnv,
    cwd: input.cwd,
    io,
    globals,
    now: input.now ?? (() => new Date()),
    signal: input.signal,
    log,
    interactive: Boolean(io.stdin.isTTY && io.stdout.isTTY),
    config,
    setting: (key) => self.config().get(key),
    databaseTarget,
    db,
    session: memo(async () => {
      const { loadSession } = await import('../auth/session.js');
      try {
        return await loadSession({
          env: processEnv,
          config: config(),
          databaseKey: targetKey(databaseTarget()),
          now: self.now(),
          keyring: () => self.keyring(),
        });
      } catch (error) {
        // No usable session: if the database is out of reach, that is what to say ("cannot reach
        // the database at HOST"), not "run octo login", which could not reach it either.
        if (error instanceof AuthError && databaseTarget().kind !== 'embedded') await (await self.db()).query('SELECT 1');
        throw error;
      }
    }),
    keyring: memo(async () => {
      const { osKeyring } = await import('../auth/token-store.js');
      return osKeyring(processEnv);
    }),
    dispose: async () => {
      await opened?.close();
      // Opened early for a database the command did not use (or did not need).
      const early = await input.headStart?.db.catch(() => undefined);
      if (early && early !== opened) await early.close();
    },
  };
  // Factories that use other members go through `self`, so an overridden member is the one used.
  const self: Context = { ...context, ...input.overrides };
  return self;
}
