/** Narrows a value a test expects to exist; a missing one fails the test with what was expected. */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}, got ${String(value)}`);
  return value;
}

/** The first row of a result the test expects to be non-empty. */
export function firstRow<T>(rows: readonly T[], what = 'a row'): T {
  return defined(rows[0], what);
}

/** Group `group` of `pattern` in `text`; fails the test (showing the text) when it does not match. */
export function capture(pattern: RegExp, text: string, group = 1): string {
  return defined(pattern.exec(text)?.[group], `${pattern} in ${JSON.stringify(text)}`);
}
