/**
 * Splits a SQL file into statements, for drivers that take one statement per request (Neon's
 * HTTP API, extended protocol). Respects quotes, comments and dollar-quoted bodies.
 */
export function splitSql(source: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    if (rest.startsWith('--')) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    if (rest.startsWith('/*')) {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      continue;
    }
    const char = source[i];
    if (char === "'" || char === '"') {
      let j = i + 1;
      while (j < source.length && !(source[j] === char && source[j + 1] !== char)) j += source[j] === char ? 2 : 1;
      current += source.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (dollar) {
      const end = source.indexOf(dollar[0], i + dollar[0].length);
      const stop = end < 0 ? source.length : end + dollar[0].length;
      current += source.slice(i, stop);
      i = stop;
      continue;
    }
    if (char === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      i += 1;
      continue;
    }
    current += char;
    i += 1;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
