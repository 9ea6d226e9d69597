import type { Writable } from 'node:stream';
import type { GlobalOptions } from '../core/io.js';
import { escapeControl } from './escape.js';
import { cellText, toJson } from './format.js';
import type { AnyColumn, Output } from './result.js';
import { layoutTable, shortId } from './table.js';

/**
 * The one writer for every command (neonctl's `write`): borderless columns that fit a terminal
 * (short ids, local times), tab-separated lines when piped, lossless CSV with --csv (every field,
 * UTC times, no totals), JSON with --json. stdout carries only this. Text for people goes through
 * escapeControl; JSON and CSV stay exact.
 */

export interface RenderOptions extends Pick<GlobalOptions, 'json' | 'csv' | 'color'> {
  /** IANA zone for times on a terminal (default: the process's own). */
  timeZone?: string;
}

type Stdout = Writable & { isTTY?: boolean; columns?: number };

export async function render(output: Output, stdout: Stdout, options: RenderOptions): Promise<void> {
  const write = (text: string) => stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (options.json) {
    write(toJson(jsonOf(output)));
    return;
  }
  const tty = Boolean(stdout.isTTY);
  const zone = tty ? (options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone) : undefined;
  const human = (column: AnyColumn, row: object) => escapeControl(cell(column, row, zone));
  switch (output.kind) {
    case 'message':
    case 'text':
      if (output.text) write(escapeControl(output.text, { keepLines: true }));
      return;
    case 'record': {
      if (options.csv) {
        // The JSON contract is what may leave the machine (never a raw row's secrets).
        const json = output.json;
        write(toCsv([json && typeof json === 'object' && !Array.isArray(json) ? json : output.value]));
        return;
      }
      const fields = output.fields ?? Object.keys(output.value).map((key) => ({ key, header: key }));
      const labels = fields.map((f) => labelOf(f.header));
      const width = Math.max(...labels.map((l) => l.length));
      write(fields.map((f, i) => (tty ? `${labels[i]!.padEnd(width)}  ${human(f, output.value)}` : `${labels[i]}\t${human(f, output.value)}`)).join('\n'));
      return;
    }
    case 'rows': {
      if (options.csv) {
        write(toCsv(Array.isArray(output.json) ? (output.json as object[]) : output.rows, output.columns));
        return;
      }
      const notes = tty && output.notes?.length ? `\n${output.notes.map((n) => escapeControl(n)).join('\n')}` : '';
      if (output.rows.length === 0) {
        if (tty && output.empty) write(escapeControl(output.empty, { keepLines: true }) + notes);
        return;
      }
      if (!tty) {
        write(output.rows.map((row) => output.columns.map((c) => escapeControl(cell(c, row))).join('\t')).join('\n'));
        return;
      }
      const shown = (c: AnyColumn, row: object) => {
        const text = human(c, row);
        return c.id ? shortId(text) : text;
      };
      const lines = layoutTable({
        columns: output.columns,
        body: output.rows.map((row) => output.columns.map((c) => shown(c, row))),
        totals: output.totals ? output.columns.map((c) => shown(c, output.totals!)) : undefined,
        width: stdout.columns || undefined,
        color: options.color,
      });
      write(lines.join('\n') + notes);
      return;
    }
  }
}

/** One style for every label of a record: lower case words (`created at`, never `CREATED_AT`). */
function labelOf(header: string): string {
  return header.replace(/_/g, ' ').toLowerCase();
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

function cell(column: AnyColumn, row: object, timeZone?: string): string {
  const value = (row as Record<string, unknown>)[column.key];
  return column.format ? column.format(value, row) : cellText(value, timeZone);
}

/**
 * RFC 4180 CSV, lossless: every field of every row (the union of keys, in order), raw values,
 * times in UTC ISO 8601, nested values as JSON; totals and notes never mixed in.
 */
export function toCsv(rowList: readonly object[], columns: readonly AnyColumn[] = []): string {
  // An empty list still names its fields (the columns'), so a script reads a header.
  const keys: string[] = rowList.length ? [] : columns.map((c) => c.key);
  for (const row of rowList) for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  const quote = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [keys.map(quote).join(',')];
  for (const row of rowList) lines.push(keys.map((k) => quote(cellText((row as Record<string, unknown>)[k]))).join(','));
  return lines.join('\n');
}
