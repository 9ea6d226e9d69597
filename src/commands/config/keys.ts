import { UsageError } from '../../core/errors.js';
import { isUserKey, USER_KEYS, type UserKey } from '../../config/store.js';

export function requireKey(key: string): UserKey {
  if (!isUserKey(key)) {
    throw new UsageError(`unknown setting "${key}"`, { hint: `settings: ${Object.keys(USER_KEYS).join(', ')}` });
  }
  return key;
}
