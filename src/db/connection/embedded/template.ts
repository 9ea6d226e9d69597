import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { migrate } from '../migrate.js';
import { packageRoot } from '../package-root.js';
import { openPgliteInstance, pgliteDb } from '../pglite-driver.js';

/**
 * A fresh database, already initialised and migrated, made once at build time
 * (`dist/embedded-template.bin`, from PGlite's data-folder tarball). A first run copies it
 * instead of running initdb in a second WASM instance and applying every migration: one PGlite's
 * memory instead of two, and a fraction of the time. Migrations still run after it (none pending
 * unless the template is older than the code). It holds only the `postgres` database.
 */
export function templatePath(): string {
  return join(packageRoot(), 'dist', 'embedded-template.bin');
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
    writeFileSync(`${out}.tmp`, pack(tar));
    renameSync(`${out}.tmp`, out);
  } finally {
    await instance.close();
  }
}

const PAGE = 8192;
const ZERO = Buffer.alloc(PAGE);
const MAGIC = 'octo-template-1\n';

interface Entry {
  path: string;
  type: 'dir' | 'file';
  size: number;
  /** Where the file's non-zero pages go: [offset in the file, length, offset in the data]. */
  extents: [number, number, number][];
}

/** A ustar archive's files and folders (PGlite's dumpDataDir); links or devices are refused. */
function* tarEntries(tar: Buffer): Generator<{ path: string; type: 'dir' | 'file'; data: Buffer }> {
  const field = (header: Buffer, start: number, length: number) => header.toString('latin1', start, start + length).replace(/\0[\s\S]*$/, '');
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.equals(ZERO.subarray(0, 512))) return;
    const prefix = field(header, 257, 5) === 'ustar' ? field(header, 345, 155) : '';
    const path = normalize((prefix ? `${prefix}/` : '') + field(header, 0, 100)).replace(/^[/\\]+/, '');
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    offset += 512;
    if (type !== '5' && type !== '0') throw new Error(`unexpected entry type ${type} in the template`);
    if (path !== '' && path !== '.') yield { path, type: type === '5' ? 'dir' : 'file', data: tar.subarray(offset, offset + size) };
    offset += Math.ceil(size / 512) * 512;
  }
}

/**
 * The template's own format: a JSON index, then only the non-zero pages of every file. Nothing
 * to inflate at run time (gunzip was a quarter of a first run's CPU) and the 16 MB WAL segment,
 * all zeros but one page, costs 8 KB.
 */
function pack(tar: Buffer): Buffer {
  const entries: Entry[] = [];
  const chunks: Buffer[] = [];
  let at = 0;
  for (const { path, type, data } of tarEntries(tar)) {
    const entry: Entry = { path, type, size: data.length, extents: [] };
    for (let pos = 0; pos < data.length; pos += PAGE) {
      const page = data.subarray(pos, pos + PAGE);
      if (page.equals(ZERO.subarray(0, page.length))) continue;
      const last = entry.extents[entry.extents.length - 1];
      if (last && last[0] + last[1] === pos) last[1] += page.length;
      else entry.extents.push([pos, page.length, at]);
      chunks.push(page);
      at += page.length;
    }
    entries.push(entry);
  }
  const index = Buffer.from(JSON.stringify(entries));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(index.length);
  return Buffer.concat([Buffer.from(MAGIC), length, index, ...chunks]);
}

function unpack(template: Buffer, target: string): void {
  if (template.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not an octo template');
  const indexLength = template.readUInt32BE(MAGIC.length);
  const indexStart = MAGIC.length + 4;
  const entries = JSON.parse(template.toString('utf8', indexStart, indexStart + indexLength)) as Entry[];
  const data = template.subarray(indexStart + indexLength);
  for (const entry of entries) {
    if (isAbsolute(entry.path) || entry.path.split(/[/\\]/).includes('..')) throw new Error(`unsafe path in the template: ${entry.path}`);
    const path = join(target, entry.path);
    if (entry.type === 'dir') {
      mkdirSync(path, { recursive: true, mode: 0o700 });
      continue;
    }
    const fd = openSync(path, 'w', 0o600);
    try {
      for (const [offset, length, from] of entry.extents) {
        for (let done = 0; done < length; ) done += writeSync(fd, data, from + done, length - done, offset + done);
      }
      ftruncateSync(fd, entry.size); // the holes: trailing zero pages, or a file of zeros
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Creates `pgdata` from the template: written beside it, then renamed into place, so an
 * interrupted first run leaves no half-made database. Returns false when there is no template.
 */
export function createFromTemplate(pgdata: string, template = templatePath()): boolean {
  if (!existsSync(template)) return false;
  const making = `${pgdata}.making-${process.pid}`;
  rmSync(making, { recursive: true, force: true });
  try {
    mkdirSync(making, { mode: 0o700 });
    unpack(readFileSync(template), making);
    if (!existsSync(join(making, 'PG_VERSION'))) throw new Error('the template has no PG_VERSION');
    renameSync(making, pgdata);
    return true;
  } catch (error) {
    rmSync(making, { recursive: true, force: true });
    throw error;
  }
}
