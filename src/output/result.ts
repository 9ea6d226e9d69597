/**
 * What a command returns. Commands print nothing themselves: they hand one of these to
 * `src/output/render.ts`, which writes a table, tab-separated lines, CSV or JSON.
 */

import type { ErrorCode } from '../core/errors.js';

interface ColumnFor<T, K extends keyof T> {
  /** Key in the row object (and in JSON and CSV, which always carry the whole row). */
  key: K;
  /** Header shown in tables (rendered in one style everywhere: upper case). */
  header: string;
  /** Human formatting for tables; JSON and CSV use the raw value. */
  format?: (value: T[K], row: T) => string;
  align?: 'left' | 'right';
  /** An id people copy into the next command: 8 characters on a terminal (any unique prefix works). */
  id?: true;
  /** Gets the room left on a terminal (the prompt): shortened first, widened last. */
  flex?: true;
  /** Left out on a terminal too narrow for every column (the table never wraps). */
  optional?: true;
}

/** A column typed against the row: a renamed field breaks the build, not the user. */
export type Column<T> = { [K in keyof T & string]: ColumnFor<T, K> }[keyof T & string];

/** What render sees once a command's row type is erased. */
export interface AnyColumn {
  key: string;
  header: string;
  // biome-ignore lint/suspicious/noExplicitAny: the row type was checked where the column was made (Column<T>)
  format?: (value: any, row: any) => string;
  align?: 'left' | 'right';
  id?: true;
  flex?: true;
  optional?: true;
}

export type Output =
  /** Rows: a table on a terminal, TSV when piped, CSV with --csv, an array with --json. */
  | {
      kind: 'rows';
      rows: object[];
      columns: readonly AnyColumn[];
      empty?: string;
      /** Shown under a terminal table; never in TSV or CSV (JSON has it in `json`). */
      totals?: object;
      /** Lines for people under the table (terminal only; never in TSV, CSV or JSON). */
      notes?: string[];
      json?: unknown;
    }
  /** One record: "label  value" lines for people, the object with --json. */
  | { kind: 'record'; value: object; fields?: readonly AnyColumn[]; json?: unknown }
  /** A sentence for people (stdout), and what --json prints instead. */
  | { kind: 'message'; text: string; json?: unknown }
  /** Free text already laid out for people (e.g. a chart); --json prints `json`. */
  | { kind: 'text'; text: string; json?: unknown };

export interface CommandResult {
  output?: Output;
  /**
   * How the command ends when that is not an error but not a success either (some lines failed,
   * a job still running), after the output is written: named, so that the one table in
   * src/cli/exit-codes.ts alone decides the number a script sees.
   */
  exit?: ErrorCode;
}

export const rows = <T extends object>(
  rowList: readonly T[],
  columns: readonly Column<T>[],
  extra: { empty?: string; totals?: Partial<Record<keyof T, unknown>>; notes?: string[]; json?: unknown } = {},
): Output => ({ kind: 'rows', rows: [...rowList], columns: columns as readonly AnyColumn[], ...extra });

export const record = <T extends object>(value: T, fields?: readonly Column<T>[], json?: unknown): Output => ({
  kind: 'record',
  value,
  fields: fields as readonly AnyColumn[] | undefined,
  json,
});

export const message = (text: string, json?: unknown): Output => ({ kind: 'message', text, json });

export const text = (body: string, json?: unknown): Output => ({ kind: 'text', text: body, json });

/** "showing 20 of 312" under a list cut by --limit (nothing when everything is shown). */
export function shownOf(shown: number, total: number, flag = '--limit N'): string[] {
  // Lists count at most 10,000 matches (src/db/tables/ids.ts COUNT_CAP) and fetch one more.
  const of = total > 10_000 ? 'more than 10000' : String(total);
  return total > shown ? [`showing ${shown} of ${of} (${flag} for more)`] : [];
}
