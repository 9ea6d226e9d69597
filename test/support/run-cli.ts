import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { run, type RunOptions } from '../../src/cli/main.js';

/**
 * Runs octo in process, as `main` would, with captured stdout/stderr (wrangler's test style).
 * Every output of every run is kept in `transcript`, so a suite can scan all of it for secrets.
 */

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws if it is not JSON). */
  json<T = any>(): T;
}

export const transcript: string[] = [];

export interface CliOptions extends RunOptions {
  /** Text on stdin (e.g. a password for --password-stdin). */
  stdin?: string;
  /** Pretend stdin/stdout are terminals. */
  tty?: boolean;
}

function capture(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 120;
  let text = '';
  stream.on('data', (chunk) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

export async function runCli(argv: string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = capture(Boolean(options.tty));
  const stderr = capture(Boolean(options.tty));
  const stdin = Readable.from(options.stdin === undefined ? [] : [options.stdin]) as Readable & { isTTY?: boolean };
  stdin.isTTY = Boolean(options.tty);
  const code = await run(argv, { stdin, stdout: stdout.stream, stderr: stderr.stream }, options);
  await new Promise((resolve) => setImmediate(resolve));
  const result: CliResult = {
    code,
    stdout: stdout.text(),
    stderr: stderr.text(),
    json: () => JSON.parse(stdout.text()),
  };
  transcript.push(result.stdout, result.stderr);
  return result;
}

/** The environment of one test user: always names its own config folder. */
export type CliEnv = Record<string, string> & { OCTO_CONFIG_DIR: string };

/** An isolated config folder and environment for one test user. */
export function cliEnv(extra: Record<string, string> = {}): CliEnv {
  const configDir = mkdtempSync(join(tmpdir(), 'octo-config-'));
  return {
    PATH: process.env.PATH ?? '',
    HOME: configDir,
    OCTO_CONFIG_DIR: configDir,
    NO_COLOR: '1',
    // Never a developer's real keyring; tests of the keyring set it themselves.
    OCTO_KEYRING: 'off',
    // No credential chain reaches the network (see vitest.config.ts).
    AZURE_TOKEN_CREDENTIALS: 'dev',
    AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9',
    ...extra,
  };
}
