import type { AnyColumn } from './result.js';

/**
 * Borderless columns for a terminal (gh's tables): headers in one style, two spaces between
 * columns, numbers right-aligned, and every line within the terminal's width, so no row wraps.
 * When the natural table is too wide: optional columns go first, then the flexible column (the
 * prompt) and other long text shrink to a floor, and as a last resort lines are cut. Pure.
 */

const GAP = 2;
const ID_CHARS = 8;

/** Cells a character takes on a terminal: 0 for combining marks, 2 for wide (CJK, emoji). */
function charWidth(code: number): number {
  if (code < 0x300) return 1;
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0)!);
  return width;
}

/** `text` cut to `width` cells with an ellipsis; paths keep their end (the file name). */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return width === 1 ? '…' : '';
  const chars = [...text];
  const fromEnd = text.startsWith('/');
  if (fromEnd) chars.reverse();
  const kept: string[] = [];
  let used = 0;
  for (const char of chars) {
    const w = charWidth(char.codePointAt(0)!);
    if (used + w > width - 1) break;
    kept.push(char);
    used += w;
  }
  return fromEnd ? `…${kept.reverse().join('')}` : `${kept.join('')}…`;
}

function pad(text: string, width: number, align: 'left' | 'right' | undefined): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** An id as a terminal shows it: its first 8 characters (a prefix every command takes). */
export function shortId(id: string): string {
  return id.length > ID_CHARS + 1 ? id.slice(0, ID_CHARS) : id;
}

export interface TableInput {
  columns: readonly AnyColumn[];
  /** Cell texts per row, in column order (already formatted). */
  body: string[][];
  /** A totals row, shown under the rows. */
  totals?: string[];
  /** Terminal columns; undefined: no limit. */
  width?: number;
  color: boolean;
}

/** The lines of the table, none wider than `width`. */
export function layoutTable(input: TableInput): string[] {
  const { width } = input;
  const all = input.totals ? [...input.body, input.totals] : input.body;
  let shown = input.columns.map((_c, i) => i);
  const natural = (i: number) => Math.max(displayWidth(input.columns[i]!.header), ...all.map((r) => displayWidth(r[i] ?? '')));
  const widths = new Map(shown.map((i) => [i, natural(i)]));
  const total = () => shown.reduce((sum, i) => sum + widths.get(i)!, 0) + GAP * (shown.length - 1);

  if (width) {
    // 1. Optional columns go, last first, while the prompt still needs the room.
    for (let i = input.columns.length - 1; i >= 0 && total() > width; i -= 1) {
      if (input.columns[i]!.optional) shown = shown.filter((s) => s !== i);
    }
    // 2. Long text shrinks, the flexible column first (to 20), then any other text (to 10),
    //    then the flexible column to 8. Ids, numbers and short values stay whole.
    const shrink = (which: (c: AnyColumn) => boolean, floor: (i: number) => number) => {
      for (;;) {
        const excess = total() - width;
        if (excess <= 0) return;
        let widest = -1;
        for (const i of shown) {
          const c = input.columns[i]!;
          if (which(c) && widths.get(i)! > floor(i) && (widest < 0 || widths.get(i)! > widths.get(widest)!)) widest = i;
        }
        if (widest < 0) return;
        widths.set(widest, Math.max(floor(widest), widths.get(widest)! - excess));
      }
    };
    const header = (i: number) => displayWidth(input.columns[i]!.header);
    shrink(
      (c) => Boolean(c.flex),
      (i) => Math.max(20, header(i)),
    );
    shrink(
      (c) => !c.flex && !c.id && c.align !== 'right',
      (i) => Math.max(10, header(i)),
    );
    shrink(
      (c) => Boolean(c.flex),
      (i) => Math.max(8, header(i)),
    );
  }

  const line = (cells: string[]) => {
    const text = shown
      .map((i, n) => {
        const c = input.columns[i]!;
        const w = widths.get(i)!;
        return pad(truncate(cells[i] ?? '', w), n === shown.length - 1 && c.align !== 'right' ? 0 : w, c.align);
      })
      .join(' '.repeat(GAP))
      .trimEnd();
    // The last resort: a line still too wide is cut, never wrapped.
    return width ? truncate(text, width) : text;
  };
  const head = line(input.columns.map((c) => c.header.toUpperCase()));
  const lines = [input.color ? `\u001b[1m${head}\u001b[22m` : head, ...input.body.map((r) => line(r))];
  if (input.totals) lines.push(line(input.totals));
  return lines;
}
