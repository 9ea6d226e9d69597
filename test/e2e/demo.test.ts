import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../support/defined.js';

const root = join(import.meta.dirname, '..', '..');

describe('npm run demo', () => {
  it('runs offline end to end against the emulator and a fresh embedded database, then cleans up', async () => {
    const started = performance.now();
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(root, 'scripts', 'demo.mjs')], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      child.on('close', (c) => resolve({ code: c, out }));
    });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`[measure] demo: ${seconds.toFixed(1)} s\n`);
    expect(code, out).toBe(0);
    expect(out).toContain('Created demo@octo.local');
    expect(out).toMatch(/job: completed → .*video_[0-9a-f]+\.mp4/);
    expect(out).toContain('3 completed, 0 failed of 3');
    expect(out).toMatch(/\$ octo videos list\n(.*\n){5}\n\$ octo jobs list/);
    expect(out).toMatch(/total \$1\.03 \(estimate\)/);
    expect(out).toMatch(/Next steps.*\n(.*\n)*.*octo profile add main/);
    expect(out).not.toContain('demo-emulator-key');
    const temp = capture(/a fresh embedded database in (\S+)\/data/, out);
    expect(existsSync(temp)).toBe(false);
    expect(seconds).toBeLessThan(60);
  }, 120_000);
});
