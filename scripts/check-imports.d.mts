// Types of check-imports.mjs for its tests (test/tooling/check-imports.test.ts).
export const MAX_LINES: number;
export const OUTSIDE_DOCUMENTS: RegExp;
export const FOLDER_ORDER: readonly string[];
export const DECLARED_UPWARD: { from: string; to: string };
export const RENDER_MODULES: RegExp;
export const RENDERERS: readonly string[];
export const KNOWN_LAYER_BREAKS: Set<string>;
export const KNOWN_LONG_FILES: Set<string>;
export function specifiersOf(text: string): string[];
export function findCycles(graph: Map<string, Set<string>>): string[][];
export function checkImports(
  root: string,
  knownBreaks?: Set<string>,
  knownLong?: Set<string>,
  order?: readonly string[],
): { files: number; problems: string[]; warnings: string[] };
