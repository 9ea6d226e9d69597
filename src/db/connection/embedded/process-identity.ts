import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * What octo knows about a pid before it trusts or signals it. A pid in `server.json` or the
 * lock file may be a dead server's, a zombie's (the server was killed and nobody reaped it: on
 * machines whose init does not reap, `kill(pid, 0)` still succeeds), or by now an unrelated
 * process that got the same number.
 */

/** `/proc/PID/stat`, split after the command name (which may hold spaces); Linux only. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/** The process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!hasProc) return true;
  const stat = procStat(pid);
  if (!stat) return false;
  // Field 3 (state): Z zombie, X dead.
  return stat[0] !== 'Z' && stat[0] !== 'X';
}

/** Clock ticks since boot when the process started (field 22): with the pid, an identity. */
export function startTicks(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

function commandLine(pid: number): string[] | undefined {
  if (hasProc) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      return undefined;
    }
  }
  try {
    // macOS and the BSDs: no /proc; `ps` joins the arguments with spaces.
    return [execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).trim()];
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is an embedded server serving `dataDir`: alive, started from octo's
 * `embedded-server.js` with that folder, and (when recorded) started at `ticks`.
 */
export function isEmbeddedServer(pid: number, dataDir: string, ticks?: string): boolean {
  if (!isAlive(pid)) return false;
  if (ticks !== undefined && hasProc && startTicks(pid) !== ticks) return false;
  const argv = commandLine(pid);
  if (!argv) return false;
  if (!hasProc) {
    const joined = argv[0] ?? '';
    return joined.includes('embedded-server.js ') && joined.includes(` ${dataDir}`);
  }
  const entry = argv.findIndex((arg) => basename(arg) === 'embedded-server.js');
  return entry >= 0 && argv[entry + 1] === dataDir;
}
