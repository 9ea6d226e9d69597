import type { RunEnv } from '../generate/env.js';
import type { ProfilesEnv } from '../profiles/env.js';
import type { VideosEnv } from '../videos/env.js';
import type { Deps } from './deps.js';

/**
 * The plain values the features below the commands take (generate, jobs wait, videos, profiles),
 * from a command's Deps (nothing opened here).
 */
export function runEnv(deps: Deps): RunEnv & VideosEnv & ProfilesEnv {
  return {
    env: deps.env,
    cwd: deps.cwd,
    io: deps.io,
    globals: deps.globals,
    interactive: deps.interactive,
    now: deps.now,
    signal: deps.signal,
    log: deps.log,
    db: deps.db,
    session: deps.session,
    setting: (key) => deps.config().get(key),
  };
}
