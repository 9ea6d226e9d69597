import type { Writable } from 'node:stream';
import type { GlobalOptions } from '../core/io.js';
import { escapeControl } from './escape.js';
import { cellText, toJson } from './format.js';
import type { Column, Output } from './result.js';

/**
 * The one writer for every command (neonctl's `write`): a table on a terminal, tab-separated
 * lines when piped, CSV with --csv, JSON with --json. stdout carries only this.
 */
export async function render(
  output: Output,
  stdout: Writable & { isTTY?: boolean; columns?: number },
  globals: Pick<GlobalOptions, 'json' | 'csv' | 'color'>,
): Promise<void> {
  const write = (text: string) => stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (globals.json) {
    write(toJson(jsonOf(output)));
    return;
  }
  switch (output.kind) {
    case 'message':
    case 'text':
      if (output.text) write(escapeControl(output.text, { keepLines: true }));
      return;
    case 'record': {
      const fields = output.fields ?? Object.keys(output.value).map((key) => ({ key, header: key }));
      if (globals.csv) {
        write(toCsv([output.value], fields));
        return;
      }
      const width = Math.max(...fields.map((f) => f.header.length));
      write(
        fields
          .map((f) => `${stdout.isTTY ? f.header.padEnd(width) : f.header}${stdout.isTTY ? '  ' : '\t'}${cell(f, output.value)}`)
          .join('\n'),
      );
      return;
    }
    case 'rows': {
      const all = output.totals ? [...output.rows, output.totals] : output.rows;
      if (globals.csv) {
        write(toCsv(all, output.columns));
        return;
      }
      const notes = stdout.isTTY && output.notes?.length ? `\n${escapeControl(output.notes.join('\n'), { keepLines: true })}` : '';
      if (output.rows.length === 0) {
        if (stdout.isTTY && output.empty) write(escapeControl(output.empty, { keepLines: true }) + notes);
        return;
      }
      if (!stdout.isTTY) {
        write(all.map((row) => output.columns.map((c) => cell(c, row).replace(/[\t\n]/g, ' ')).join('\t')).join('\n'));
        return;
      }
      write((await table(output.rows, output.columns, output.totals, globals.color, stdout.columns)) + notes);
      return;
    }
  }
}

export function jsonOf(output: Output): unknown {
  if (output.json !== undefined) return output.json;
  switch (output.kind) {
    case 'rows':
      return output.rows;
    case 'record':
      return output.value;
    default:
      return { message: output.text };
  }
}

/** One cell as a terminal shows it: control characters escaped (CSV and JSON take raw values). */
function cell(column: Column, row: Record<string, unknown>): string {
  const value = row[column.key];
  return escapeControl(column.format ? column.format(value, row) : cellText(value));
}

async function table(
  rowList: Record<string, unknown>[],
  columns: Column[],
  totals: Record<string, unknown> | undefined,
  color: boolean,
  width: number | undefined,
): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const body = [...rowList, ...(totals ? [totals] : [])].map((row) => columns.map((c) => cell(c, row)));
  const fitted = fitToWidth(columns, body, width);
  const t = new Table({
    head: columns.map((c) => c.header),
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [] },
    colAligns: columns.map((c) => c.align ?? 'left'),
    wordWrap: false,
    // No rule between rows, as gh prints them; the totals row is the last one.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const cells of fitted) t.push(cells);
  return t.toString();
}

/**
 * Shortens long text columns (prompts, paths, reasons: wider than 16) until the table fits the
 * terminal, widest first and not below 12; never numbers (right-aligned), ids (`id`, `*_id`)
 * people copy into the next command, times (`*_at`) or short values like a status. What still
 * does not fit is left to the terminal. Paths keep their end, other text its start.
 */
export function fitToWidth(columns: Column[], body: string[][], width: number | undefined): string[][] {
  if (!width) return body;
  const fits = columns.map((c, i) => {
    const natural = Math.max(c.header.length, ...body.map((r) => (r[i] ?? '').length));
    return {
      width: natural,
      floor: Math.max(12, c.header.length),
      shrinkable: c.align !== 'right' && c.key !== 'id' && !/_(id|at)$/.test(c.key) && natural > 16,
    };
  });
  const total = () => fits.reduce((sum, f) => sum + f.width + 3, 1);
  while (total() > width) {
    let widest: (typeof fits)[number] | undefined;
    for (const f of fits) if (f.shrinkable && f.width > f.floor && (!widest || f.width > widest.width)) widest = f;
    if (!widest) break;
    widest.width -= 1;
  }
  return body.map((r) =>
    r.map((text, i) => {
      const w = fits[i]?.width;
      if (w === undefined || text.length <= w) return text;
      return text.startsWith('/') ? `…${text.slice(text.length - w + 1)}` : `${text.slice(0, w - 1)}…`;
    }),
  );
}

/** RFC 4180 CSV: raw values (no money symbols), quoted when needed. */
export function toCsv(rowList: Record<string, unknown>[], columns: Column[]): string {
  const quote = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [columns.map((c) => quote(c.key)).join(',')];
  for (const row of rowList) lines.push(columns.map((c) => quote(cellText(row[c.key]))).join(','));
  return lines.join('\n');
}
