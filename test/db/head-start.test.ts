import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openConfig } from '../../src/config/store.js';
import { databaseUrlFlag, startOpening } from '../../src/db/connection/head-start.js';
import { resolveDatabase, targetKey } from '../../src/db/connection/open.js';

const dir = mkdtempSync(join(tmpdir(), 'octo-head-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the head start', () => {
  it('reads --database-url in both forms, the last one winning, never after --', () => {
    expect(databaseUrlFlag(['videos', 'list', '--database-url', 'postgres://a/x'])).toBe('postgres://a/x');
    expect(databaseUrlFlag(['videos', 'list', '--database-url=postgres://b/y'])).toBe('postgres://b/y');
    expect(databaseUrlFlag(['--database-url=postgres://a/x', 'whoami', '--database-url', 'postgres://b/y'])).toBe('postgres://b/y');
    expect(databaseUrlFlag(['generate', '--', '--database-url=postgres://a/x'])).toBeUndefined();
    expect(databaseUrlFlag(['whoami'])).toBeUndefined();
  });

  it('opens the database that --database-url=URL names, not the embedded default', async () => {
    const url = 'postgres://octo@127.0.0.1:1/head_start_test';
    const env = { OCTO_DATA_DIR: join(dir, 'data'), OCTO_CONFIG_DIR: join(dir, 'config') };
    const started = startOpening(['whoami', `--database-url=${url}`], env, openConfig(env.OCTO_CONFIG_DIR));
    expect(started?.key).toBe(targetKey(resolveDatabase({ flag: url, env, dataDir: env.OCTO_DATA_DIR })));
    await started?.db.then((db) => db.close()).catch(() => undefined);
    // Nothing was started or created for the embedded database.
    expect(readdirSync(dir)).not.toContain('data');
  });
});
