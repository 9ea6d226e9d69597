export * from './types.js';
export * from './errors.js';
export { normalizeEndpoint } from './endpoint.js';
export {
  validateRequest,
  checkPrompt,
  MAX_PROMPT_CHARS,
  DEFAULTS,
  SORA1_SIZES,
  SORA2_SIZES,
  SORA2_PRO_SIZES,
  SORA2_SECONDS,
  sora1MaxVariants,
  isProModel,
} from './validate.js';
export type { RequestShape, ValidRequest } from './validate.js';
export { soraClientFor } from './client-for.js';
export type { ClientTuning } from './client-for.js';
export type { SoraClient, SoraClientOptions, ClientDownloadOptions, CallOptions } from './client.js';
export { CREDENTIAL_KINDS } from './profile.js';
export type { CredentialKind, Profile, ProfileWithKey, ProfileConnection } from './profile.js';
export { pollUntilDone, finished } from './poll.js';
export type { PollOptions } from './poll.js';
export * from './poll-schedule.js';
export { downloadToFile } from './download.js';
export type { DownloadOptions, DownloadResult, OpenedContent } from './download.js';
export { normalizeSora1Job, normalizeSora2Video, isTerminal } from './normalize.js';
export { closeSoraAgent, createHardCapMs, parseErrorBody, retryAfterMs } from './http.js';
export { checkSoraAuth, credentialKind, COGNITIVE_SERVICES_SCOPE } from './auth.js';
export type { SoraAuth, ProfileCredential } from './auth.js';
export { DEFAULT_HTTP_LIMITS, httpLimitsFrom, humanMs } from './limits.js';
export type { HttpLimits } from './limits.js';
