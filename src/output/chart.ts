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
  const labels = items.map((i) => i.label);
  const amounts = items.map((i) => i.valueText ?? String(i.value));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const amountWidth = Math.max(...amounts.map((a) => a.length));
  // label, space, bar, space, amount: the bar gets what is left (never less than MIN_BAR).
  const barWidth = Math.max(MIN_BAR, options.width - labelWidth - amountWidth - 2);
  const max = Math.max(...items.map((i) => i.value));
  return items
    .map((item, index) => {
      const drawn = bar(item.value, max, barWidth, options.unicode);
      return `${labels[index].padEnd(labelWidth)} ${drawn.padEnd(barWidth)} ${amounts[index].padStart(amountWidth)}`;
    })
    .join('\n');
}
