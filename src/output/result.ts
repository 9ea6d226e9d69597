/**
 * What a command returns. Commands print nothing themselves: they hand one of these to
 * `src/output/render.ts`, which writes a table, tab-separated lines, CSV or JSON.
 */

export interface Column {
  /** Key in the row object (and in JSON, which always carries the whole row). */
  key: string;
  /** Header shown in tables and CSV. */
  header: string;
  /** Human formatting for tables; JSON and CSV use the raw value. */
  format?: (value: unknown, row: Record<string, unknown>) => string;
  align?: 'left' | 'right';
}

export type Output =
  /** Rows: a table on a terminal, TSV when piped, CSV with --csv, an array with --json. */
  | {
      kind: 'rows';
      rows: Record<string, unknown>[];
      columns: Column[];
      empty?: string;
      totals?: Record<string, unknown>;
      /** Lines for people under the table (terminal only; never in TSV, CSV or JSON). */
      notes?: string[];
      json?: unknown;
    }
  /** One record: "key  value" lines for people, the object with --json. */
  | { kind: 'record'; value: Record<string, unknown>; fields?: Column[]; json?: unknown }
  /** A sentence for people (stdout), and what --json prints instead. */
  | { kind: 'message'; text: string; json?: unknown }
  /** Free text already laid out for people (e.g. a chart); --json prints `json`. */
  | { kind: 'text'; text: string; json?: unknown };

export interface CommandResult {
  output?: Output;
  /** A non-zero exit that is not an error (e.g. 8, still running), after the output is written. */
  exitCode?: number;
}

export const rows = (
  rowList: Record<string, unknown>[],
  columns: Column[],
  extra: { empty?: string; totals?: Record<string, unknown>; notes?: string[]; json?: unknown } = {},
): Output => ({ kind: 'rows', rows: rowList, columns, ...extra });

export const record = (value: Record<string, unknown>, fields?: Column[], json?: unknown): Output => ({
  kind: 'record',
  value,
  fields,
  json,
});

export const message = (text: string, json?: unknown): Output => ({ kind: 'message', text, json });

export const text = (body: string, json?: unknown): Output => ({ kind: 'text', text: body, json });
