/**
 * The row of a statement that always returns exactly one (an aggregate, an INSERT … RETURNING
 * that cannot skip its row): no row means the database broke its contract, not "not found".
 */
export function onlyRow<R>(rows: readonly R[], what: string): R {
  const row = rows[0];
  if (row === undefined) throw new Error(`${what}: the database returned no row`);
  return row;
}
