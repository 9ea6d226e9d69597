/**
 * The embedded database's identity for the token cache (its data folder). Its own module: both
 * src/db/connection/open.ts and the embedded connector it loads name the database this way.
 */
export function embeddedKey(dataDir: string): string {
  return `embedded:${dataDir}`;
}
