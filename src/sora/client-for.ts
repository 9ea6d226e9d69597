import { soraAuth } from './auth.js';
import { createSoraClient, type SoraClient, type SoraClientOptions } from './client.js';
import { httpLimitsFrom } from './limits.js';
import type { ProfileConnection } from './profile.js';

/** What a caller may tune on a profile's client; the profile decides the rest. */
export type ClientTuning = Omit<SoraClientOptions, 'endpoint' | 'apiKey' | 'bearerToken' | 'deployment' | 'soraVersion' | 'model'>;

/**
 * The one way octo makes a Sora client: for a profile, with the profile's own credential (its
 * stored key, the key from the variable it names in `env`, or Entra ID tokens; see soraAuth).
 * Every command that reaches the service comes through here, so a credential kind works for all
 * of them or for none. An `api-key-env` variable that is not set is an AuthError (exit 4) now.
 */
export function soraClientFor(profile: ProfileConnection, env: Record<string, string | undefined>, tuning: ClientTuning = {}): SoraClient {
  return createSoraClient({
    // The bounds kept with a server that misbehaves; tests shorten them through `env`.
    limits: httpLimitsFrom(env),
    ...tuning,
    endpoint: profile.endpoint,
    ...soraAuth(profile, env),
    deployment: profile.deployment,
    soraVersion: profile.sora_version,
    model: profile.model,
  });
}
