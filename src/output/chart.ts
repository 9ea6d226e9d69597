/**
 * Horizontal bar charts for the terminal: one line per item, label, bar, amount. Unicode
 * blocks with eighths for smooth ends on a colour terminal, plain `#` otherwise. Pure.
 */

export interface ChartItem {
  label: string;
  value: number;
  /** What to print after the bar (e.g. "$1.25"); defaults to the value. */
  valueText?: string;
}

export interface ChartOptions {
  /** Total line width available (stdout columns). */
  width: number;
  /** Unicode blocks (▏…█) when true, ASCII '#' when false. */
  unicode: boolean;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';
const MIN_BAR = 10;

/** The bar for `value` out of `max` in `width` cells. */
export function bar(value: number, max: number, width: number, unicode: boolean): string {
  if (!(max > 0) || !(value > 0) || width <= 0) return '';
  const fraction = Math.min(value / max, 1);
  if (!unicode) {
    // At least one mark for any non-zero value, so small spend never looks like none.
    return '#'.repeat(Math.max(1, Math.round(fraction * width)));
  }
  const eighths = Math.max(1, Math.round(fraction * width * 8));
  return FULL.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

export function barChart(items: ChartItem[], options: ChartOptions): string {
  if (items.length === 0) return '';
  const lines = items.map((i) => ({ label: i.label, amount: i.valueText ?? String(i.value), value: i.value }));
  const labelWidth = Math.max(...lines.map((l) => l.label.length));
  const amountWidth = Math.max(...lines.map((l) => l.amount.length));
  // label, space, bar, space, amount: the bar gets what is left (never less than MIN_BAR).
  const barWidth = Math.max(MIN_BAR, options.width - labelWidth - amountWidth - 2);
  const max = Math.max(...items.map((i) => i.value));
  return lines
    .map((line) => {
      const drawn = bar(line.value, max, barWidth, options.unicode);
      return `${line.label.padEnd(labelWidth)} ${drawn.padEnd(barWidth)} ${line.amount.padStart(amountWidth)}`;
    })
    .join('\n');
}
