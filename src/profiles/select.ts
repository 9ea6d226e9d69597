import { NotFoundError, UsageError } from '../core/errors.js';

/**
 * The one rule for which profile a command uses: the one named (--profile, OCTO_PROFILE, a batch
 * line's `profile`), else the active one, else config `default-profile`. Pure: the caller reads
 * the user's profiles (one round trip) and may pick from them once per batch line.
 */
export function selectProfile<P extends { name: string; is_active: boolean }>(
  profiles: readonly P[],
  named: string | undefined,
  configDefault: string | undefined,
): P {
  if (named) {
    const found = profiles.find((p) => p.name === named);
    // Not found (exit 3), as for every profile command; a batch line reports it with its file:line.
    if (!found) throw new NotFoundError(`no profile named "${named}"`, { hint: 'see: octo profile list' });
    return found;
  }
  const active = profiles.find((p) => p.is_active) ?? (configDefault ? profiles.find((p) => p.name === configDefault) : undefined);
  if (active) return active;
  if (profiles.length === 0)
    throw new UsageError('you have no Azure profile yet', { hint: 'run: octo profile add NAME --endpoint URL --deployment NAME --sora-version sora-2' });
  throw new UsageError('no profile is active', { hint: 'run: octo profile use NAME, or pass --profile NAME' });
}
