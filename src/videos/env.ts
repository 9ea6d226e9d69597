import type { RunEnv } from '../generate/env.js';

/**
 * The plain values the videos features use: a part of generate's RunEnv (a command builds both from
 * its Deps with runEnv, src/cli/run-env.ts); each function takes only the part it reads, so nothing
 * here depends on src/cli.
 */
export type VideosEnv = Pick<RunEnv, 'env' | 'cwd' | 'now' | 'signal' | 'log' | 'db' | 'session' | 'setting'>;
