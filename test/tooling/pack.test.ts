import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
/** Scripts npm runs when a package is installed: a packed octo must have none (npm warns about or refuses them). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

describe('npm pack', () => {
  // A copy of the checkout, so that packing (which rewrites package.json for a moment) never
  // changes the files other tests build dist/ from.
  const copy = mkdtempSync(join(tmpdir(), 'octo-pack-'));
  const out = mkdtempSync(join(tmpdir(), 'octo-packed-'));
  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('packs dist/ with a package.json that has no install script, and puts the checkout back as it was', () => {
    for (const part of ['bin', 'src', 'scripts', 'package.json', 'package-lock.json']) cpSync(join(root, part), join(copy, part), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const before = readFileSync(join(copy, 'package.json'), 'utf8');
    expect(JSON.parse(before).scripts.prepare, 'npm ci in a clone still builds dist/').toBe('node scripts/build.mjs');

    execFileSync('npm', ['pack', '--pack-destination', out, '--loglevel', 'error'], { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] });

    const [tarball, ...more] = readdirSync(out);
    expect(more).toEqual([]);
    expect(tarball).toMatch(/^octo-cli-.*\.tgz$/);
    const listing = execFileSync('tar', ['-tzf', join(out, tarball!)], { encoding: 'utf8' }).split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/bin/octo.js', 'package/dist/octo.js', 'package/dist/help.txt', 'package/package.json']));
    const packed = JSON.parse(execFileSync('tar', ['-xOzf', join(out, tarball!), 'package/package.json'], { encoding: 'utf8' }));
    expect(Object.keys(packed.scripts).filter((s) => INSTALL_SCRIPTS.includes(s))).toEqual([]);
    expect(packed.bin).toEqual({ octo: 'bin/octo.js' });
    // The checkout's package.json is back, byte for byte, and nothing is left beside it.
    expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(before);
    expect(readdirSync(copy).filter((f) => f.startsWith('package.json'))).toEqual(['package.json']);
  });

  it('git ignores the tarball npm pack leaves in the checkout', () => {
    const ignored = execFileSync('git', ['check-ignore', 'octo-cli-0.1.0.tgz', 'package.json.unpacked'], { cwd: root, encoding: 'utf8' });
    expect(ignored.split('\n').filter(Boolean)).toEqual(['octo-cli-0.1.0.tgz', 'package.json.unpacked']);
  });
});
