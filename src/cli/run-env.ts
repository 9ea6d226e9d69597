import type { RunEnv } from '../generate/env.js';
import type { Deps } from './deps.js';

/** The plain values generate and jobs wait take, from a command's Deps (nothing opened here). */
export function runEnv(deps: Deps): RunEnv {
  return {
    env: deps.env,
    cwd: deps.cwd,
    io: deps.io,
    globals: deps.globals,
    now: deps.now,
    signal: deps.signal,
    log: deps.log,
    db: deps.db,
    session: deps.session,
    setting: (key) => deps.config().get(key),
  };
}
