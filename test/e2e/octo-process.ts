import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (bin/octo.js) as a child process: what a second terminal or machine runs. */

const root = join(import.meta.dirname, '..', '..');

export interface OctoRun {
  child: ChildProcess;
  stderrSoFar(): string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function octoProcess(user: { env: Record<string, string>; out: string }, args: string[], env: Record<string, string> = {}): OctoRun {
  const child = spawn(process.execPath, [join(root, 'bin', 'octo.js'), ...args], { cwd: user.out, env: { ...user.env, OCTO_POLL_MS: '20', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stderrSoFar: () => stderr };
}

export { until } from '../support/until.js';
