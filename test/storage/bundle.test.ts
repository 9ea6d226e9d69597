import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * @azure/* must load only when storage is used: nothing in the bundle's entry chunk, or in what it
 * imports statically, may hold Azure SDK code. (dist/ is built by the global setup.)
 */

const dist = join(import.meta.dirname, '..', '..', 'dist');
const AZURE = /BlockBlobClient|DefaultAzureCredential|StorageSharedKeyCredential/;

function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  // `import … from"./x.js"` and `import"./x.js"`; never `import("./x.js")`, which is lazy.
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.{1,2}\/[^"']+\.js)["']/g)) {
    staticClosure(join(file, '..', m[1]!), seen);
  }
  return seen;
}

describe('bundle', () => {
  it('the entry chunk and its static imports hold no Azure SDK code; a lazy chunk does', () => {
    const eager = staticClosure(join(dist, 'octo.js'));
    expect(eager.size).toBeGreaterThan(1);
    for (const file of eager) expect(AZURE.test(readFileSync(file, 'utf8')), file).toBe(false);
    const lazy = readdirSync(join(dist, 'chunks')).filter((f) => AZURE.test(readFileSync(join(dist, 'chunks', f), 'utf8')));
    expect(lazy.length).toBeGreaterThan(0);
  });
});
