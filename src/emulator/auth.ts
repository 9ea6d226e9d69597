import type { IncomingMessage } from 'node:http';
import { AUTH_MESSAGE, HttpError } from './http.js';
import type { EmulatorOptions } from './types.js';

/**
 * Who may call the emulator: the configured API key, in `api-key` or as `Authorization: Bearer`
 * (the OpenAI SDK's form), or a configured bearer token (an Entra ID token's form). With neither
 * configured, every request passes. Returns how the request authenticated, or throws 401.
 */

export type AuthScheme = 'api-key' | 'bearer' | 'none';

const TOKEN_MESSAGE = 'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.';

export function authenticate(options: EmulatorOptions, req: IncomingMessage): AuthScheme {
  const key = req.headers['api-key'];
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  const tokens = (typeof options.bearerToken === 'string' ? [options.bearerToken] : [...(options.bearerToken ?? [])]).filter((t) => t !== '');
  if (!options.apiKey && tokens.length === 0) return key ? 'api-key' : bearer !== undefined ? 'bearer' : 'none';
  if (options.apiKey && key === options.apiKey) return 'api-key';
  if (bearer !== undefined && (bearer === options.apiKey || tokens.includes(bearer))) return 'bearer';
  if (bearer !== undefined && !key) throw new HttpError(401, { error: { code: '401', message: TOKEN_MESSAGE } }, { 'www-authenticate': 'Bearer' });
  throw new HttpError(401, { error: { code: '401', message: AUTH_MESSAGE } });
}
