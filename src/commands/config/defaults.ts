import { SORA1_MAX_SECONDS, SORA1_MIN_SECONDS, SORA1_SIZES, SORA2_PRO_SIZES, SORA2_SECONDS } from '../../sora/validate.js';
import type { UserKey } from '../../config/store.js';

/** What applies when a setting is not set (`config get` and `config list` say so). */
export const DEFAULTS: Record<UserKey, string> = {
  'database-url': 'the embedded database',
  'download-dir': './octo-videos',
  'default-size': "the model's own (sora-2 720x1280, sora-1 1280x720)",
  'default-seconds': "the model's own (sora-2 4, sora-1 5)",
  'default-profile': 'the active profile',
  'pricing-file': 'the built-in price table (octo pricing)',
  'storage-url': 'none: videos stay local',
  'storage-link-days': '7',
};

const SIZES: readonly string[] = [...new Set<string>([...SORA1_SIZES, ...SORA2_PRO_SIZES])];

/** A problem with a value (refused), or a note (accepted, but not for every model). */
export function checkGenerationDefault(key: UserKey, value: string): { problem?: string; note?: string } {
  if (key === 'default-seconds') {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < SORA1_MIN_SECONDS || n > SORA1_MAX_SECONDS) {
      return {
        problem: `must be a whole number of seconds that a model takes: sora-2 ${SORA2_SECONDS.join(', ')}; sora-1 ${SORA1_MIN_SECONDS}–${SORA1_MAX_SECONDS}`,
      };
    }
    if (!(SORA2_SECONDS as readonly number[]).includes(n))
      return { note: `sora-2 takes ${SORA2_SECONDS.join(', ')} seconds: only sora-1 profiles can use ${n}` };
  }
  if (key === 'default-size') {
    if (!SIZES.includes(value)) return { problem: `must be a size a model takes: ${SIZES.join(', ')}` };
    if (!(SORA2_PRO_SIZES as readonly string[]).includes(value))
      return { note: `sora-2 takes ${SORA2_PRO_SIZES.join(', ')}: only sora-1 profiles can use ${value}` };
    if (!(SORA1_SIZES as readonly string[]).includes(value)) return { note: `only sora-2-pro deployments take ${value}` };
  }
  return {};
}
