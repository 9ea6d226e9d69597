import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { migrate } from '../migrate.js';
import { packageRoot } from '../package-root.js';
import { openPgliteInstance, pgliteDb } from '../pglite-driver.js';

/**
 * A fresh database, already initialised and migrated, made once at build time
 * (`dist/embedded-template.tar.gz`, PGlite's own data-folder tarball). A first run copies it
 * instead of running initdb in a second WASM instance and applying every migration: one PGlite's
 * memory instead of two, and a fraction of the time. Migrations still run after it (none pending
 * unless the template is older than the code). It holds only the `postgres` database.
 */
export function templatePath(): string {
  return join(packageRoot(), 'dist', 'embedded-template.tar.gz');
}

/** Builds the template into `out` (used by scripts/build.mjs through embedded-server.js). */
export async function makeTemplate(out: string): Promise<void> {
  // No recycled WAL segments: the template keeps one, nearly empty (written sparse below).
  const instance = await openPgliteInstance(undefined, { settings: { wal_recycle: 'off' } });
  try {
    await migrate(pgliteDb(instance));
    // octo uses only the `postgres` database: template0 and template1 are two thirds of the
    // files a first run would write.
    await instance.exec("UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')");
    await instance.exec('DROP DATABASE template0');
    await instance.exec('DROP DATABASE template1');
    await instance.exec('VACUUM FREEZE');
    await instance.exec('CHECKPOINT');
    await instance.query('SELECT pg_switch_wal()');
    await instance.exec('CHECKPOINT');
    const tar = Buffer.from(await (await instance.dumpDataDir('none')).arrayBuffer());
    writeFileSync(`${out}.tmp`, gzipSync(tar, { level: 9 }));
    renameSync(`${out}.tmp`, out);
  } finally {
    await instance.close();
  }
}

const PAGE = 8192;
const ZERO = Buffer.alloc(PAGE);

/** Writes `data` leaving all-zero pages as holes (the 16 MB WAL segment is mostly zeros). */
function writeSparse(path: string, data: Buffer): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    const write = (start: number, end: number) => {
      for (let at = start; at < end; ) at += writeSync(fd, data, at, end - at, at);
    };
    let runStart = -1;
    for (let pos = 0; pos < data.length; pos += PAGE) {
      const page = data.subarray(pos, pos + PAGE);
      const zero = page.equals(ZERO.subarray(0, page.length));
      if (!zero && runStart < 0) runStart = pos;
      if (zero && runStart >= 0) {
        write(runStart, pos);
        runStart = -1;
      }
    }
    if (runStart >= 0) write(runStart, data.length);
    ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

/** A ustar archive's files and folders; anything else (links, devices) is refused. */
function untar(tar: Buffer, target: string): void {
  const field = (header: Buffer, start: number, length: number) =>
    header.toString('latin1', start, start + length).replace(/\0[\s\S]*$/, '');
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.equals(ZERO.subarray(0, 512))) break;
    const prefix = field(header, 257, 5) === 'ustar' ? field(header, 345, 155) : '';
    const name = normalize((prefix ? `${prefix}/` : '') + field(header, 0, 100)).replace(/^[/\\]+/, '');
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    offset += 512;
    if (name === '' || name === '.' || name.split(sep).includes('..')) throw new Error(`unsafe path in template: ${name}`);
    const path = join(target, name);
    if (type === '5') mkdirSync(path, { recursive: true, mode: 0o700 });
    else if (type === '0') writeSparse(path, tar.subarray(offset, offset + size));
    else throw new Error(`unexpected entry type ${type} in template`);
    offset += Math.ceil(size / 512) * 512;
  }
}

/**
 * Creates `pgdata` from the template: extracted beside it, then renamed into place, so an
 * interrupted first run leaves no half-made database. Returns false when there is no template.
 */
export function createFromTemplate(pgdata: string, template = templatePath()): boolean {
  if (!existsSync(template)) return false;
  const making = `${pgdata}.making-${process.pid}`;
  rmSync(making, { recursive: true, force: true });
  try {
    mkdirSync(making, { mode: 0o700 });
    untar(gunzipSync(readFileSync(template)), making);
    if (!existsSync(join(making, 'PG_VERSION'))) throw new Error('the template has no PG_VERSION');
    renameSync(making, pgdata);
    return true;
  } catch (error) {
    rmSync(making, { recursive: true, force: true });
    throw error;
  }
}
