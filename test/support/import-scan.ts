// Reads the imports of the repository's TypeScript sources, for tests of the layering rules.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/support/. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Import {
  /** The importing file, relative to the root. */
  readonly file: string;
  /** The module name as written. */
  readonly from: string;
  readonly typeOnly: boolean;
}

/** Every .ts file under the directory (relative to the root), as root-relative paths. */
export function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Static imports and re-exports, dynamic imports with a literal name (not `typeof import(...)`). */
export function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gms)) {
    found.push({ file, from: m[2]!, typeOnly: Boolean(m[1]) });
  }
  for (const m of text.matchAll(/(typeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ file, from: m[2]!, typeOnly: Boolean(m[1]) });
  }
  return found;
}

/** The root-relative .ts file a relative import names; null for a package. */
export function resolved(i: Import): string | null {
  if (!i.from.startsWith('.')) return null;
  return normalize(join(dirname(i.file), i.from)).replace(/\.js$/, '.ts');
}
