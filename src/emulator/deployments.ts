import { HttpError, errorBody } from './http.js';
import type { EmulatorOptions, Family } from './types.js';

/**
 * Which deployments the emulated resource has, and which of them run a retired model. A create
 * names its deployment in `model`; Azure looks the deployment up before it reads the rest of the
 * body, so these answers come before any validation, moderation or quota, and nothing is created.
 *
 * A missing deployment answers 404 as Azure does ("The API deployment 'NAME' for this resource
 * does not exist…", type video_generation_user_error). For a retired model Azure documents only
 * that its deployments "always return error responses"; the answer played here is the one a
 * public client reported from Azure for a retired deployment: 410, code ModelDeprecated.
 */

export const RETIRED_MESSAGE =
  'The model associated with the deployment is deprecated and no longer available for use. Please refer to the Azure OpenAI service documentation for more information.';

export function missingDeploymentMessage(name: string): string {
  return `The API deployment '${name}' for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.`;
}

/** `NAME` or `NAME=MODEL` (the model a deployment runs, e.g. video=sora-2-pro): the name. */
const nameOf = (entry: string) => entry.split('=')[0]!;

/** The model a deployment runs: declared as NAME=MODEL, else its name (a name with sora-2-pro in it is pro). */
export function deploymentModel(options: Pick<EmulatorOptions, 'deployments'>, name: string): string {
  const declared = options.deployments?.find((entry) => nameOf(entry) === name);
  return declared?.includes('=') ? declared.slice(declared.indexOf('=') + 1) : name;
}

export function checkDeployment(options: Pick<EmulatorOptions, 'deployments' | 'retired'>, family: Family, name: string): void {
  const retired = options.retired ?? [];
  if (retired.includes(name)) {
    throw new HttpError(410, errorBody(family, 'ModelDeprecated', RETIRED_MESSAGE, { type: 'video_generation_user_error' }));
  }
  const known = options.deployments;
  if (known && known.length > 0 && !known.some((entry) => nameOf(entry) === name)) {
    throw new HttpError(404, errorBody(family, 'DeploymentNotFound', missingDeploymentMessage(name), { type: 'video_generation_user_error' }));
  }
}
