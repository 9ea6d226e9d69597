import { sessionScope } from './authed.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { roundTripMeter } from './round-trips.js';
import { parseValue } from './type-parsers.js';
import type { Db, Row, Statement } from './types.js';

/**
 * Postgres settings for a small resident process. PGlite's defaults are a server's: 128 MB of
 * shared_buffers, allocated and zeroed inside the WASM heap at start (most of the old 500 MB
 * RSS), and 64 MB for VACUUM. octo's data is small and the OS caches the files anyway.
 */
export const EMBEDDED_SETTINGS: Record<string, string> = {
  shared_buffers: '16MB',
  maintenance_work_mem: '16MB',
  max_connections: '10',
};

export interface PgliteInstanceOptions {
  /** A data folder's tarball (PGlite's dumpDataDir) to start from instead of running initdb. */
  loadDataDir?: Blob;
  /** PGlite's WASM, already compiled (see compilePglite). */
  wasmModule?: WebAssembly.Module;
  /** More Postgres settings, over EMBEDDED_SETTINGS. */
  settings?: Record<string, string>;
}

/**
 * Opens PGlite in this process. Only the embedded server (`src/db/embedded/server.ts`) and tests
 * do this: PGlite has no cross-process lock, so commands reach the data folder through that
 * server instead.
 */
export async function openPgliteInstance(dataDir: string | undefined, options: PgliteInstanceOptions = {}): Promise<PGlite> {
  const [{ PGlite }, { uuid_ossp }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/uuid_ossp')]);
  const settings = Object.entries({ ...EMBEDDED_SETTINGS, ...options.settings }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const db = new PGlite({
    dataDir,
    extensions: { uuid_ossp },
    startParams: [...PGlite.defaultStartParams, ...settings],
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    ...(options.wasmModule ? { pgliteWasmModule: options.wasmModule } : {}),
  });
  await db.waitReady;
  return db;
}

/**
 * Starts compiling PGlite's WASM now, on V8's background threads, so the caller can do other
 * work meanwhile (the embedded server copies the template). Undefined if it cannot be found:
 * PGlite then compiles it itself.
 */
export function compilePglite(): Promise<WebAssembly.Module | undefined> {
  try {
    const main = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const bytes = readFileSync(join(dirname(main), 'pglite.wasm'));
    return WebAssembly.compile(bytes).catch(() => undefined);
  } catch {
    return Promise.resolve(undefined);
  }
}

/** Wraps a PGlite instance in the `Db` interface, with the same value shapes as `pg`. */
export function pgliteDb(instance: PGlite, options: { label?: string; key?: string } = {}): Db {
  const meter = roundTripMeter(options.label ?? 'embedded');
  const parsers = new Proxy({} as Record<number, (value: string) => unknown>, {
    get: (_target, oid) => (value: string) => parseValue(Number(oid), value),
  });
  const run = async (runner: Pick<PGlite, 'query'>, statement: Statement): Promise<Row[]> => {
    const result = await runner.query<Row>(statement.text, statement.values ?? [], { parsers });
    return result.rows;
  };
  const counted = <T>(work: () => Promise<T>) => meter.timed('query', work);
  const db: Db = {
    driver: 'pglite',
    forSession: (ref) => sessionScope(db, ref),
    label: options.label ?? 'embedded',
    key: options.key ?? 'pglite',
    get roundTrips() {
      return meter.count;
    },
    query: <R extends Row = Row>(text: string, values?: unknown[]) => counted(async () => (await run(instance, { text, values })) as R[]),
    transaction: (statements: Statement[]) =>
      counted(() =>
        instance.transaction(async (tx) => {
          const results: Row[][] = [];
          for (const statement of statements) results.push(await run(tx, statement));
          return results;
        }),
      ),
    async close() {
      await instance.close();
    },
  };
  return db;
}
