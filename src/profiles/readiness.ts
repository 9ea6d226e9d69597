import { allRetired, describeLifecycle } from '../costs/lifecycle.js';
import type { Profile } from '../sora/profile.js';

/**
 * What octo can say about a profile's deployment before anything is spent. The check request
 * (list one job) proves the endpoint and the credential; the deployment is named only by a create,
 * so whether it exists and whether its model still serves is known only from Azure's schedule,
 * until the first create (which Azure refuses without billing when either is wrong).
 */
export interface Readiness {
  model: Profile['model'];
  model_guessed: boolean;
  /** What the schedule says of the model's versions on Azure, today. */
  lifecycle: string;
  /** Every Azure version of the model is past its retirement date. */
  all_versions_retired: boolean;
  /** What the check request cannot tell. */
  not_checked: string;
}

export function readiness(profile: Pick<Profile, 'deployment' | 'model' | 'model_guessed'>, now: Date): Readiness {
  return {
    model: profile.model,
    model_guessed: profile.model_guessed,
    lifecycle: describeLifecycle(profile.model, now),
    all_versions_retired: allRetired(profile.model, now),
    not_checked: `whether deployment '${profile.deployment}' exists and its model still serves: Azure says so only at a create, which it then refuses without billing`,
  };
}

/** The lines said on stderr after a check passed (profile add, update, test). */
export function readinessNotes(r: Readiness): { info: string[]; warn: string[] } {
  const model = `Model ${r.model}${r.model_guessed ? ' (guessed from the deployment name; set it with --model)' : ''}: ${r.lifecycle}.`;
  const warn = r.all_versions_retired
    ? [`By Azure's schedule every ${r.model} version is retired: unless this deployment runs another, its creates will be refused (nothing billed).`]
    : [];
  return { info: [`Checked: the endpoint and the credential. Not checked: ${r.not_checked}.`, model], warn };
}
