import { readFileSync } from 'node:fs';

declare const __OCTO_VERSION__: string | undefined;

/** Baked in by the build; read from package.json when running from source (tests). */
export function octoVersion(): string {
  if (typeof __OCTO_VERSION__ === 'string') return __OCTO_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
