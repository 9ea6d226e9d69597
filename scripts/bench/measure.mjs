// Measuring helpers for the benchmarks: run commands side by side, take medians.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Wall time of one synchronous run, in ms; throws if the command fails. */
export function timeOnce(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr?.slice(0, 500)}`);
  }
  return { ms, stdout: result.stdout, stderr: result.stderr };
}

const cpuProbe = fileURLToPath(new URL('./cpu-probe.cjs', import.meta.url));

/**
 * Runs every case `runs` times, interleaved (a, b, c, a, b, c, …) so the machine's noise falls
 * on all of them alike; returns the median wall time of each. With `{ cpu: true }` (cases whose
 * command is a node binary) also the median CPU time the process used (scripts/bench/cpu-probe.cjs).
 */
export function interleaved(cases, runs, warmup = 2, { cpu = false } = {}) {
  const argsOf = (c) => (cpu ? ['-r', cpuProbe, ...c.args] : c.args);
  for (let i = 0; i < warmup; i += 1) for (const c of cases) timeOnce(c.command, argsOf(c), c.options);
  const times = cases.map(() => []);
  const cpus = cases.map(() => []);
  for (let i = 0; i < runs; i += 1) {
    for (const [index, c] of cases.entries()) {
      const run = timeOnce(c.command, argsOf(c), c.options);
      times[index].push(run.ms);
      const us = /__octo_cpu_us (\d+)/.exec(run.stderr ?? '')?.[1];
      if (us) cpus[index].push(Number(us) / 1000);
    }
  }
  return cases.map((c, index) => ({ name: c.name, median_ms: median(times[index]), ...(cpu && { median_cpu_ms: median(cpus[index]) }), runs }));
}

/** Wall time, CPU time (user + system) and peak RSS of one child run, via GNU time. */
export function timeWithUsage(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '__usage %U %S %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options,
  });
  const wall_ms = Number(process.hrtime.bigint() - started) / 1e6;
  const line = result.stderr.split('\n').find((l) => l.startsWith('__usage '));
  if (!line) throw new Error(`no usage line: ${result.stderr.slice(-500)}`);
  const [, user, sys, maxKb] = line.split(' ');
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    wall_ms,
    cpu_ms: (Number(user) + Number(sys)) * 1000,
    peak_rss_mb: Number(maxKb) / 1024,
  };
}

/** Starts a long-running child and resolves with its first stdout line (e.g. the emulator's URL). */
export function startChild(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve({ child, line: buffer.slice(0, newline).trim() });
    });
    child.once('exit', (code) => reject(new Error(`${command} exited ${code} before it was ready`)));
  });
}
