#!/usr/bin/env node
// The house rules the compiler cannot see (issues 14 and 19): imports run downward, so each layer
// can be read and tested without the ones above it. The folders under src have one declared
// order (FOLDER_ORDER): a folder imports only from folders below it, so no two folders import each
// other (type-only and lazy `import()` count). No import cycle between files either; only the
// front-ends render (RENDER_MODULES); no source file over MAX_LINES; and no source file cites a
// document that is not in the repository (its reader cannot open it: the reason belongs in the
// comment). Usage: node scripts/check-imports.mjs [root]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

export const MAX_LINES = 400;
/** Documents kept outside the repository: naming one in src explains nothing to its reader. */
export const OUTSIDE_DOCUMENTS = /\b(?:PRODUCT|STYLE|sora-api)\.md\b/;

/**
 * The folders under src, lowest first; a folder may import only from folders before it. Read from
 * the imports as they are:
 *   core       errors, money, text, net helpers: imports nothing of ours
 *   config     paths and the config file
 *   sora       the Sora client for both API families, its types and limits
 *   emulator   the local Sora-compatible server (tests, demo): sora's types only
 *   db         connection, drivers, embedded server, migrations; one module per table
 *   auth       passwords, tokens, sessions (over db)
 *   output     rendering and the terminal's helpers (logger, progress, escaping)
 *   storage    video storage (local files, Azure Blob)
 *   costs      prices, estimates, periods, the cost report
 *   context    the one Context every feature takes a Pick of
 *   profiles … accounts   the features: the work, returning data
 *   cli        the terminal front-end's frame and the kit commands are written with
 *   mcp        the MCP front-end (uses cli's context builder)
 *   commands   one module per verb, over everything
 * A new folder is declared here, where its imports put it.
 */
export const FOLDER_ORDER = [
  'core',
  'config',
  'sora',
  'emulator',
  'db',
  'auth',
  'output',
  'storage',
  'costs',
  'context',
  'profiles',
  'generate',
  'jobs',
  'videos',
  'accounts',
  'cli',
  'mcp',
  'commands',
];
/**
 * The one import allowed to run up the order: the command manifest (src/cli/commands.ts) names
 * every command module behind a lazy `import()`, so the frame finds a command without loading it.
 */
export const DECLARED_UPWARD = { from: 'cli/commands.ts', to: 'commands' };
/** src/output's result and render modules: only the front-ends (and output itself) use them. */
export const RENDER_MODULES = /^output\/(result|render|table|chart)\.ts$|^output\/gallery\//;
export const RENDERERS = ['commands', 'cli', 'output'];
/**
 * Known breaks being removed by their owners (issue 19), reported but not failed on. Each entry is
 * `from -> to` as printed; delete it when the import is gone (a stale one is reported).
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

export function checkImports(root, knownBreaks = KNOWN_LAYER_BREAKS, knownLong = KNOWN_LONG_FILES, order = FOLDER_ORDER) {
  const src = join(root, 'src');
  const files = sourceFiles(src);
  const known = new Set(files);
  const graph = new Map();
  const folders = new Map();
  const problems = [];
  const warnings = [];
  const unusedBreaks = new Set(knownBreaks);
  const name = (file) => relative(src, file).split(sep).join('/');
  const folderOf = (file) => (name(file).includes('/') ? name(file).split('/')[0] : '(src)');
  const rank = (folder) => order.indexOf(folder);
  const undeclared = new Set();
  /** An edge that breaks a rule: a known one is reported, any other fails. */
  const breaks = (edge, problem) => {
    if (knownBreaks.has(edge)) {
      unusedBreaks.delete(edge);
      warnings.push(`known, being fixed: ${edge}`);
    } else problems.push(problem);
    return !knownBreaks.has(edge);
  };
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
    const from = folderOf(file);
    if (rank(from) < 0) undeclared.add(from);
    if (!folders.has(from)) folders.set(from, new Set());
    const targets = new Set(specifiersOf(text).map((specifier) => resolveSpecifier(file, specifier, known)));
    targets.delete(undefined);
    for (const target of targets) {
      const to = folderOf(target);
      const edge = `src/${name(file)} -> src/${name(target)}`;
      if (RENDER_MODULES.test(name(target)) && !RENDERERS.includes(from)) {
        breaks(
          edge,
          `src/${name(file)} imports src/${name(target)}: only ${RENDERERS.map((l) => `src/${l}`).join(', ')} render; return data and let the command render it`,
        );
      }
      if (to === from) continue;
      if (name(file) === DECLARED_UPWARD.from && to === DECLARED_UPWARD.to) continue;
      if (rank(from) >= 0 && rank(to) >= 0 && rank(to) > rank(from)) {
        // A known upward edge is left out of the folder graph, so it is not reported twice as a cycle.
        if (!breaks(edge, `src/${name(file)} imports src/${name(target)}: src/${to} sits above src/${from} in FOLDER_ORDER (imports run downward)`)) continue;
      }
      folders.get(from).add(to);
    }
    graph.set(file, targets);
  }
  for (const folder of [...undeclared].sort()) {
    problems.push(`src/${folder} is not in FOLDER_ORDER: declare where it sits (after every folder it imports, before every folder that imports it)`);
  }
  for (const component of findCycles(folders)) {
    problems.push(
      `folder cycle: ${loopThrough(component, folders)
        .map((f) => `src/${f}`)
        .join(' → ')}`,
    );
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
  console.log(`check-imports: ${files} files, no cycle, folders import down FOLDER_ORDER, none over ${MAX_LINES} lines`);
}
