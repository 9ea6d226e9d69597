import { statSync } from 'node:fs';
import { defineCommand } from '../cli/command.js';
import type { Context } from '../context/context.js';
import { configDir } from '../config/paths.js';
import { targetLabel } from '../db/connection/open.js';
import type { Session } from '../auth/session.js';
import { systemTimeZone } from '../costs/period.js';
import { localTime, relativeTime } from '../output/format.js';
import type { ProfileWithKey } from '../sora/profile.js';
import { rows } from '../output/result.js';

type Check = {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

function mode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** Each step of what a command needs, in order; a failed step skips what depends on it. */
export async function runChecks(ctx: Context): Promise<Check[]> {
  const checks: Check[] = [];
  // A time as the rest of the CLI shows one: local and relative at a terminal, ISO 8601 (UTC) otherwise.
  const people = Boolean(ctx.io.stdout.isTTY) && !ctx.globals.json && !ctx.globals.csv;
  const zone = people ? systemTimeZone(ctx.processEnv) : undefined;
  const at = (when: Date) => (zone ? `${localTime(when, zone)} (${relativeTime(when, ctx.now())})` : when.toISOString());
  const dir = configDir(ctx.processEnv);
  const dirMode = mode(dir);
  const fileMode = mode(`${dir}/config.json`);
  checks.push(
    dirMode === undefined
      ? { check: 'config', status: 'ok', detail: `${dir} (not created yet)` }
      : (dirMode & 0o077) !== 0 || (fileMode !== undefined && (fileMode & 0o077) !== 0)
        ? { check: 'config', status: 'warn', detail: `${dir} is readable by others: run chmod 700 ${dir} && chmod 600 ${dir}/config.json` }
        : { check: 'config', status: 'ok', detail: dir },
  );

  const label = targetLabel(ctx.databaseTarget());
  let databaseOk = false;
  try {
    const db = await ctx.db();
    const { migrationStatus } = await import('../db/connection/migrate.js');
    const status = await migrationStatus(db);
    databaseOk = status.pending.length === 0;
    checks.push(
      databaseOk
        ? { check: 'database', status: 'ok', detail: `${label} (${db.driver}), ${status.applied.length} migrations applied` }
        : { check: 'database', status: 'fail', detail: `${label}: ${status.pending.length} migrations pending; run: octo db migrate` },
    );
  } catch (error) {
    checks.push({ check: 'database', status: 'fail', detail: describe(error) });
  }

  // The session and the profile are two rows: a user with no profile yet still sees their
  // session. The profile's read is what confirms the session row (the token alone is checked locally).
  let profile: ProfileWithKey | undefined;
  let session: Session | undefined;
  if (databaseOk) {
    try {
      session = await ctx.session();
    } catch (error) {
      checks.push({ check: 'session', status: 'fail', detail: describe(error) });
    }
  } else {
    checks.push({ check: 'session', status: 'skip', detail: 'needs the database' });
  }
  if (session) {
    const sessionOk: Check = { check: 'session', status: 'ok', detail: `${session.email}, expires ${at(session.expiresAt)}` };
    try {
      const { loadProfile } = await import('../profiles/index.js');
      profile = await loadProfile(await ctx.db(), session, { named: ctx.globals.profile, configDefault: ctx.config().get('default-profile') });
      checks.push(sessionOk, { check: 'profile', status: 'ok', detail: `${profile.name}: ${profile.sora_version}, deployment ${profile.deployment}` });
    } catch (error) {
      if ((error as { code?: string }).code === 'auth') {
        checks.push({ check: 'session', status: 'fail', detail: describe(error) }, { check: 'profile', status: 'skip', detail: 'needs a session' });
      } else {
        checks.push(sessionOk, { check: 'profile', status: 'fail', detail: describe(error) });
      }
    }
  } else {
    checks.push({ check: 'profile', status: 'skip', detail: 'needs a session' });
  }

  if (profile) {
    try {
      // The profile read above, not a second read of it.
      const { testLoadedProfile } = await import('../profiles/index.js');
      const result = await testLoadedProfile(ctx, profile);
      checks.push({ check: 'endpoint', status: 'ok', detail: `${result.base_url} answered in ${result.latency_ms} ms` });
      // What the free request cannot tell, and what Azure's schedule says of the model: said before anything is spent.
      const guessed = result.model_guessed ? ' (guessed from the deployment name; set it with --model)' : '';
      checks.push({
        check: 'model',
        status: result.all_versions_retired ? 'warn' : 'ok',
        detail: `${result.model}${guessed}: ${result.lifecycle}; not checked: ${result.not_checked}`,
      });
    } catch (error) {
      checks.push({ check: 'endpoint', status: 'fail', detail: describe(error) });
    }
  } else {
    checks.push({ check: 'endpoint', status: 'skip', detail: 'needs a profile' });
  }

  try {
    const { storageSettings } = await import('../storage/settings.js');
    const storage = storageSettings(ctx.processEnv, (key) => ctx.config().get(key), ctx.log.debugEnabled ? (l) => ctx.log.debug(l) : undefined);
    if (storage) {
      const { checkStorage } = await import('../storage/check.js');
      checks.push({ check: 'storage', ...(await checkStorage(storage)) });
    }
  } catch (error) {
    checks.push({ check: 'storage', status: 'fail', detail: describe(error) });
  }
  return checks;
}

export default defineCommand({
  async run({ ctx }) {
    const checks = await runChecks(ctx);
    const failed = checks.filter((c) => c.status === 'fail');
    const output = rows(checks as Record<string, unknown>[], [
      { key: 'check', header: 'CHECK' },
      { key: 'status', header: 'STATUS' },
      { key: 'detail', header: 'DETAIL' },
    ]);
    if (failed.length === 0) return output;
    // The table is the useful part: print it, then exit 1 to say something needs fixing.
    ctx.log.warn(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.check).join(', ')}`);
    return { output, exit: 'failure' };
  },
});
