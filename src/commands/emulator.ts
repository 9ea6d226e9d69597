import { defineCommand } from '../cli/command.js';
import { MAX_FLAG_INT, positiveInt } from '../cli/flag-parsers.js';
import { UsageError } from '../core/errors.js';
import type { EmulatorOptions } from '../emulator/server.js';

export interface EmulatorFlags {
  port?: number;
  apiKey?: string;
  bearerToken?: string;
  speed?: number;
  jobSeconds?: number;
  failRate?: number;
  errorRate?: number;
  rateLimit?: { count: number; windowMs: number };
  maxConcurrent?: number;
  moderate?: string;
  videoBytes?: number;
  early404Ms?: number;
  seed?: number;
  verbose?: boolean;
  deployment?: string[];
  retired?: string[];
}

const number = (flag: string, check: (n: number) => boolean, what: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} must be ${what}, got ${JSON.stringify(value)}`);
  return n;
};
const fraction = (flag: string) => number(flag, (n) => n >= 0 && n <= 1, 'a fraction between 0 and 1');

/** A flag given once per value: its values in order. */
const repeated = (flag: string) => (value: string, previous: string[] | undefined) => {
  if (!value.trim()) throw new UsageError(`${flag} needs a deployment name`);
  return [...(previous ?? []), value.trim()];
};

const WINDOWS: Record<string, number> = { s: 1000, sec: 1000, min: 60_000, m: 60_000, h: 3_600_000, hour: 3_600_000 };

/** `2/min`, `10/s`, or a bare `2` (per minute). */
export function parseRateLimit(value: string): { count: number; windowMs: number } {
  const m = /^\s*(\d+)\s*(?:\/\s*([a-z]+))?\s*$/i.exec(value);
  const windowMs = m ? WINDOWS[(m[2] ?? 'min').toLowerCase()] : undefined;
  if (!m || windowMs === undefined || Number(m[1]) < 1 || Number(m[1]) > MAX_FLAG_INT) {
    throw new UsageError(`--rate-limit must look like 2/min (also /s, /h), got ${JSON.stringify(value)}`);
  }
  return { count: Number(m[1]), windowMs };
}

export function emulatorOptions(flags: EmulatorFlags, log?: (line: string) => void): EmulatorOptions {
  return {
    port: flags.port ?? 0,
    apiKey: flags.apiKey || undefined,
    bearerToken: flags.bearerToken || undefined,
    speed: flags.speed,
    jobMs: flags.jobSeconds === undefined ? undefined : flags.jobSeconds * 1000,
    failRate: flags.failRate,
    errorRate: flags.errorRate,
    rateLimit: flags.rateLimit?.count,
    rateLimitWindowMs: flags.rateLimit?.windowMs,
    maxConcurrent: flags.maxConcurrent,
    moderate: flags.moderate,
    videoBytes: flags.videoBytes,
    early404Ms: flags.early404Ms,
    seed: flags.seed,
    deployments: flags.deployment,
    retired: flags.retired,
    log: flags.verbose ? log : undefined,
  };
}

export default defineCommand({
  description:
    'Serves the sora-1 jobs API and the sora-2 videos API under /openai/v1 on 127.0.0.1.\n' +
    'Prints one line on stdout when ready: the endpoint to give `octo profile add --endpoint`.\n' +
    'Stops on Ctrl-C or SIGTERM.',
  options: [
    { flags: '--port <n>', description: 'port to listen on (0 picks a free one)', default: 0, parse: positiveInt('--port', 0, 65_535) },
    {
      flags: '--api-key <key>',
      description: 'require this key (api-key header or Bearer); anything passes when neither this nor --bearer-token is set',
      env: 'OCTO_EMULATOR_API_KEY',
    },
    {
      flags: '--bearer-token <token>',
      description: 'also accept Authorization: Bearer TOKEN (as an Entra ID token); alone, api-key headers are refused',
      env: 'OCTO_EMULATOR_BEARER_TOKEN',
    },
    {
      flags: '--speed <x>',
      description: 'time scale: at 1 a job takes 20–60 s, at 10 about 2–6 s',
      parse: number('--speed', (n) => n > 0, 'a positive number'),
    },
    {
      flags: '--job-seconds <s>',
      description: 'exact job duration in seconds (overrides --speed)',
      parse: number('--job-seconds', (n) => n >= 0, 'a number ≥ 0'),
    },
    { flags: '--fail-rate <p>', description: 'fraction of jobs that end failed (internal_error)', parse: fraction('--fail-rate') },
    { flags: '--error-rate <p>', description: 'fraction of polling and list requests answered 500', parse: fraction('--error-rate') },
    { flags: '--rate-limit <n/min>', description: 'creates allowed per minute per API family, then 429 with Retry-After', parse: parseRateLimit },
    { flags: '--max-concurrent <n>', description: 'sora-1 jobs running at once; others stay queued (default 2)', parse: positiveInt('--max-concurrent') },
    { flags: '--moderate <word>', description: 'refuse prompts containing this word (default "forbidden")' },
    {
      flags: '--video-bytes <n>',
      description: 'size of each served MP4: the real clip, padded (streamed)',
      parse: positiveInt('--video-bytes', 1, Number.MAX_SAFE_INTEGER),
    },
    { flags: '--early-404-ms <ms>', description: 'answer 404 to a GET of a job younger than this', parse: positiveInt('--early-404-ms', 0) },
    {
      flags: '--deployment <name[=model]>',
      description: 'a deployment the resource has, and the model it runs (repeatable); a create naming another answers 404 as Azure does. Unset: any name',
      parse: repeated('--deployment'),
    },
    {
      flags: '--retired <deployment>',
      description: 'a deployment whose model is retired (repeatable): every create on it is refused as Azure does, nothing created',
      parse: repeated('--retired'),
    },
    { flags: '--seed <n>', description: 'seed for durations and injected faults', parse: positiveInt('--seed', 0) },
    { flags: '--verbose', description: 'log every request to stderr' },
  ],
  examples: [
    'octo emulator --port 8787 --api-key k',
    'octo emulator --port 0 --bearer-token fake-entra-token',
    'octo emulator --port 0 --speed 20 --fail-rate 0.1 --rate-limit 2/min',
    'octo emulator --port 0 --deployment sora-2 --retired sora-old',
  ],
  async run({ ctx, opts }) {
    const { startEmulator } = await import('../emulator/server.js');
    const emulator = await startEmulator(emulatorOptions(opts, (line) => ctx.io.stderr.write(`${line}\n`)));
    ctx.io.stdout.write(`${emulator.url}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await emulator.close();
  },
});
