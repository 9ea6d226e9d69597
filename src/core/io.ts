import type { Readable, Writable } from 'node:stream';

/** Flags every command accepts, wherever they appear on the command line. */
export interface GlobalOptions {
  json: boolean;
  csv: boolean;
  quiet: boolean;
  debug: boolean;
  color: boolean;
  profile?: string;
  databaseUrl?: string;
}

export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}
