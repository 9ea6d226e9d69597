import { UsageError } from '../../core/errors.js';
import { dataDir } from '../../config/paths.js';
import type { ConfigStore } from '../../config/store.js';
import { embeddedKey } from './embedded-key.js';
import type { Db } from './types.js';

export { embeddedKey };

type Env = Record<string, string | undefined>;

export type DatabaseTarget = { kind: 'embedded'; dataDir: string } | { kind: 'pg' | 'neon'; url: string; label: string; key: string; source: string };

/**
 * Which database, first match wins: --database-url, OCTO_DATABASE_URL, DATABASE_URL, config
 * `database-url`, else the embedded default. Neon hosts (or OCTO_DB_DRIVER=neon) use the HTTP
 * driver; any other postgres:// URL uses `pg`.
 */
export function resolveDatabase(input: { flag?: string; env: Env; configUrl?: string; dataDir: string }): DatabaseTarget {
  const candidates: [string | undefined, string][] = [
    [input.flag, '--database-url'],
    [input.env.OCTO_DATABASE_URL, 'OCTO_DATABASE_URL'],
    [input.env.DATABASE_URL, 'DATABASE_URL'],
    [input.configUrl, 'config database-url'],
  ];
  const found = candidates.find(([value]) => value?.trim());
  const forced = input.env.OCTO_DB_DRIVER?.toLowerCase();
  if (!found || forced === 'embedded' || forced === 'pglite') {
    if (forced && !['embedded', 'pglite', 'pg', 'neon'].includes(forced)) {
      throw new UsageError(`OCTO_DB_DRIVER must be embedded, pg or neon (got "${forced}")`);
    }
    return { kind: 'embedded', dataDir: input.dataDir };
  }
  const [raw, source] = found as [string, string];
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${source} is not a valid URL`, { hint: 'expected postgres://user:password@host:5432/database' });
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) {
    throw new UsageError(`${source} must start with postgres:// or postgresql://`);
  }
  const host = url.hostname;
  const kind = forced === 'neon' || host.endsWith('.neon.tech') ? 'neon' : 'pg';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const user = decodeURIComponent(url.username || 'postgres');
  return {
    kind,
    url: raw.trim(),
    label: url.port ? `${host}:${url.port}` : host,
    key: `${kind}://${user}@${host}:${url.port || '5432'}/${database}`,
    source,
  };
}

/** The database this invocation uses: `--database-url` (when given), the environment, then config. */
export function databaseTargetFor(flag: string | undefined, env: Env, config: ConfigStore): DatabaseTarget {
  return resolveDatabase({ flag, env, configUrl: config.get('database-url'), dataDir: dataDir(env) });
}

/** The database's identity for the token cache; the same value `Db.key` reports. */
export function targetKey(target: DatabaseTarget): string {
  return target.kind === 'embedded' ? embeddedKey(target.dataDir) : target.key;
}

/** Host or "embedded": what `whoami` prints; never a password. */
export function targetLabel(target: DatabaseTarget): string {
  return target.kind === 'embedded' ? 'embedded' : target.label;
}

/** A URL's printable form: never the password. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export interface OpenOptions {
  env: Env;
  /**
   * Carry session tokens to the database (member mode): pg connections start with this one.
   * Left out, statements carry no session on pg (tools and tests that own the database).
   */
  sessionToken?: string | null | Promise<string | null>;
  onCreating?: (dataDir: string) => { stop(): void } | void;
  onRoundTrip?: (what: string, ms: number) => void;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions): Promise<Db> {
  if (target.kind === 'embedded') {
    const { openEmbedded } = await import('./embedded/connect.js');
    return openEmbedded({
      dataDir: target.dataDir,
      onCreating: options.onCreating,
      onRoundTrip: options.onRoundTrip,
      idleMs: Number(options.env.OCTO_SERVER_IDLE_MS) || undefined,
    });
  }
  if (target.kind === 'neon') {
    const { openNeon } = await import('./neon-driver.js');
    return openNeon({
      url: target.url,
      label: target.label,
      key: target.key,
      fetchEndpoint: options.env.OCTO_NEON_FETCH_ENDPOINT,
      onRoundTrip: options.onRoundTrip,
    });
  }
  const { openPg } = await import('./pg-driver.js');
  return openPg({
    label: target.label,
    key: target.key,
    config: { connectionString: target.url },
    onRoundTrip: options.onRoundTrip,
    sessionToken: options.sessionToken,
  });
}
