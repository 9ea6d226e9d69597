import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { buildIfChanged, withLock } from './build-once.js';

/**
 * Once per `npm test`: build dist/ when its sources changed (the embedded server and the e2e
 * runs use it), probe for a Postgres server, and prepare a migrated PGlite data folder that
 * embedded tests copy instead of paying ~5 s to create their own.
 */

const root = join(import.meta.dirname, '..', '..');
/** This checkout's own (node_modules may be shared between checkouts, so the cache is not there). */
const cacheDir = join(root, '.octo-test', 'cache');

export function adminUrl(): string {
  return process.env.OCTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function schemaHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'scripts', 'neon-schema.sql')));
  for (const file of readdirSync(join(root, 'scripts', 'migrations')).sort()) {
    hash.update(file).update(readFileSync(join(root, 'scripts', 'migrations', file)));
  }
  return hash.digest('hex').slice(0, 12);
}

async function stopServer(dataDir: string): Promise<void> {
  try {
    const { pid } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100; i += 1) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // not running
  }
}

export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  mkdirSync(cacheDir, { recursive: true });
  if (!(await buildIfChanged(root, cacheDir))) process.stdout.write('[octo tests] dist/ is up to date with src/: not rebuilt\n');

  const reachable = await postgresReachable();
  if (!reachable) {
    process.stdout.write(
      `\n[octo tests] No Postgres server at ${adminUrl().replace(/:[^:@/]+@/, ':****@')}: ` +
        'the Postgres-backed suites run on PGlite (embedded server) instead.\n\n',
    );
  }
  provide('postgresReachable', reachable);

  // A migrated embedded database to copy: made once per schema version, by one run at a time.
  const name = `template-${schemaHash()}`;
  const template = join(cacheDir, name);
  if (!existsSync(join(template, 'pgdata', 'PG_VERSION'))) {
    await withLock(join(cacheDir, 'template.lock'), async () => {
      if (existsSync(join(template, 'pgdata', 'PG_VERSION'))) return;
      for (const old of readdirSync(cacheDir)) if (old.startsWith('template-')) rmSync(join(cacheDir, old), { recursive: true, force: true });
      const making = join(cacheDir, `making-${process.pid}`);
      rmSync(making, { recursive: true, force: true });
      execFileSync(process.execPath, [join(root, 'bin', 'octo.js'), 'db', 'migrate'], {
        env: { ...process.env, OCTO_DATA_DIR: making, OCTO_CONFIG_DIR: join(making, 'config'), OCTO_DATABASE_URL: '', DATABASE_URL: '' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      await stopServer(making);
      const staged = `${template}.staged-${process.pid}`;
      cpSync(join(making, 'pgdata'), join(staged, 'pgdata'), { recursive: true });
      renameSync(staged, template);
      rmSync(making, { recursive: true, force: true });
    });
  }
  provide('embeddedTemplate', template);
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresReachable: boolean;
    embeddedTemplate: string;
  }
}
