import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** The env's HOME first: a command run in process with its own env (tests) must not reach the real home. */
function home(env: Env): string {
  return env.HOME || homedir();
}

/** `OCTO_CONFIG_DIR`, else `$XDG_CONFIG_HOME/octo`, else `~/.config/octo`. */
export function configDir(env: Env): string {
  if (env.OCTO_CONFIG_DIR) return env.OCTO_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'octo');
}

/** `OCTO_DATA_DIR`, else `$XDG_DATA_HOME/octo`, else `~/.local/share/octo`. */
export function dataDir(env: Env): string {
  if (env.OCTO_DATA_DIR) return env.OCTO_DATA_DIR;
  return join(env.XDG_DATA_HOME || join(home(env), '.local', 'share'), 'octo');
}
