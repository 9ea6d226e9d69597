#!/usr/bin/env node
// The house rules the compiler cannot see (issue 14): imports run downward, so each layer can be
// read and tested without the ones above it. No import cycle in src (type-only and lazy `import()`
// included), lower layers never import from src/cli, src/commands or src/mcp, no source file over
// MAX_LINES, and no source file citing a document that is not in the repository (its reader cannot
// open it: the reason belongs in the comment). Usage: node scripts/check-imports.mjs [root]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

export const MAX_LINES = 400;
/** Documents kept outside the repository: naming one in src explains nothing to its reader. */
export const OUTSIDE_DOCUMENTS = /\b(?:PRODUCT|STYLE|sora-api)\.md\b/;
/** Layers that sit under the commands: they take plain values, never `Deps` or a command's types. */
export const LOWER_LAYERS = [
  'context',
  'accounts',
  'db',
  'sora',
  'costs',
  'auth',
  'config',
  'output',
  'core',
  'profiles',
  'storage',
  'generate',
  'jobs',
  'videos',
];
/** The front-ends: the terminal's commands and the MCP server (src/mcp), beside each other over the features. */
export const UPPER_LAYERS = ['cli', 'commands', 'mcp'];
/**
 * Known layering breaks being removed by their owners (issue 14), reported but not failed on.
 * Each entry is `from -> to` as printed; delete it when the import is gone (a stale one is reported).
 */
export const KNOWN_LAYER_BREAKS = new Set([]);

function sourceFiles(dir) {
  let out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(sourceFiles(path));
    else if (/\.(ts|mts|tsx)$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Every module specifier a file names: static, `import type`, `export … from`, `import()`, `require()`. */
export function specifiersOf(text) {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** A relative specifier to the src file it names (`./x.js` → `x.ts`, a folder → its index), else undefined. */
function resolveSpecifier(from, specifier, known) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.(m?js|jsx)$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => known.has(c));
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
export function findCycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indexOf = new Map();
  const low = new Map();
  const cycles = [];
  const visit = (v) => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indexOf.get(w)));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? new Set()).has(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return cycles;
}

/** One concrete loop through a component, for the message: a → b → … → a. */
function loopThrough(component, graph) {
  const members = new Set(component);
  const start = component[0];
  const path = [start];
  const seen = new Set([start]);
  const walk = (v) => {
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) return [...path, start];
      if (seen.has(w)) continue;
      seen.add(w);
      path.push(w);
      const found = walk(w);
      if (found) return found;
      path.pop();
    }
    return undefined;
  };
  return walk(start) ?? component;
}

/** Files over MAX_LINES being split by their owners: reported, not failed on (same rule as above). */
export const KNOWN_LONG_FILES = new Set([]);

export function checkImports(root, knownBreaks = KNOWN_LAYER_BREAKS, knownLong = KNOWN_LONG_FILES) {
  const src = join(root, 'src');
  const files = sourceFiles(src);
  const known = new Set(files);
  const graph = new Map();
  const problems = [];
  const warnings = [];
  const unusedBreaks = new Set(knownBreaks);
  const name = (file) => relative(src, file).split(sep).join('/');
  const layerOf = (file) => name(file).split('/')[0];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_LINES) {
      const long = `src/${name(file)}: ${lines} lines (at most ${MAX_LINES}; split it into named parts)`;
      if (knownLong.has(`src/${name(file)}`)) warnings.push(`known, being fixed: ${long}`);
      else problems.push(long);
    }
    if (OUTSIDE_DOCUMENTS.test(text)) {
      problems.push(`src/${name(file)} cites ${text.match(OUTSIDE_DOCUMENTS)[0]}, which is not in the repository: say the reason in words`);
    }
    const targets = new Set();
    for (const specifier of specifiersOf(text)) {
      const target = resolveSpecifier(file, specifier, known);
      if (!target) continue;
      targets.add(target);
      if (LOWER_LAYERS.includes(layerOf(file)) && UPPER_LAYERS.includes(layerOf(target))) {
        const edge = `src/${name(file)} -> src/${name(target)}`;
        if (knownBreaks.has(edge)) {
          unusedBreaks.delete(edge);
          warnings.push(`known, being fixed: ${edge}`);
          continue;
        }
        problems.push(
          `src/${name(file)} imports src/${name(target)}: src/${layerOf(file)} may not import from ${UPPER_LAYERS.map((l) => `src/${l}`).join(' or ')}`,
        );
      }
    }
    graph.set(file, targets);
  }
  for (const component of findCycles(graph)) {
    problems.push(`import cycle: ${loopThrough(component, graph).map(name).join(' → ')}`);
  }
  for (const edge of unusedBreaks) warnings.push(`KNOWN_LAYER_BREAKS lists ${edge}, which no longer exists: delete the entry`);
  return { files: files.length, problems, warnings };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const defaultRoot = resolve(join(dirname(fileURLToPath(import.meta.url)), '..'));
  const root = resolve(process.argv[2] ?? defaultRoot);
  if (!statSync(join(root, 'src'), { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`check-imports: no src folder in ${root}`);
    process.exit(2);
  }
  const own = root === defaultRoot;
  const { files, problems, warnings } = checkImports(root, own ? KNOWN_LAYER_BREAKS : new Set(), own ? KNOWN_LONG_FILES : new Set());
  for (const w of warnings) console.error(`check-imports: warning: ${w}`);
  for (const p of problems) console.error(`check-imports: ${p}`);
  if (problems.length > 0) {
    console.error(`check-imports: ${problems.length} problem(s) in ${files} files`);
    process.exit(1);
  }
  console.log(`check-imports: ${files} files, no cycle, layers import downward, none over ${MAX_LINES} lines`);
}
