// The OCPP client's layering, read from the sources: incoming operations (operations/) call the
// services; the services send through the message mappings (messages/) and never import an
// operation; no two parts of app/ocpp/ import each other, directly or round a loop.

import { strict as assert } from 'node:assert';
import { join, sep } from 'node:path';
import { importsOf, resolved, sources } from '../support/import-scan.js';

const OCPP = join('app', 'ocpp');

/** The part of app/ocpp/ a file belongs to: its first folder there, or the file itself at the top. */
function partOf(file: string): string {
  const [first] = file.slice(OCPP.length + 1).split(sep);
  return join(OCPP, first!);
}

/** Edges between the parts of app/ocpp/: part → the parts it imports from. */
function partGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const i of sources(OCPP).flatMap(importsOf)) {
    const target = resolved(i);
    if (!target?.startsWith(OCPP + sep)) continue;
    const from = partOf(i.file);
    const to = partOf(target);
    if (from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

/** A path from `from` back to `to` in the graph, if there is one. */
function pathBetween(graph: Map<string, Set<string>>, from: string, to: string, seen = new Set<string>()): string[] | null {
  if (from === to) return [to];
  if (seen.has(from)) return null;
  seen.add(from);
  for (const next of graph.get(from) ?? []) {
    const rest = pathBetween(graph, next, to, seen);
    if (rest) return [from, ...rest];
  }
  return null;
}

describe('OCPP client layering', () => {
  it('no import cycle between the parts of app/ocpp/ (operations call services, never the other way)', () => {
    const graph = partGraph();
    const cycles: string[] = [];
    for (const [part, targets] of graph) {
      for (const target of targets) {
        const back = pathBetween(graph, target, part);
        if (back) cycles.push([part, ...back].join(' → '));
      }
    }
    assert.deepEqual(cycles, []);
  });

  it('only the client (the composer) imports operations/', () => {
    const operations = join(OCPP, 'operations');
    const importers = sources('app').flatMap(importsOf)
      .filter((i) => resolved(i)?.startsWith(operations + sep) && !i.file.startsWith(operations + sep))
      .map((i) => i.file);
    assert.deepEqual([...new Set(importers)], [join(OCPP, 'ocpp-client.ts')]);
  });

  it('sees the imports it looks for (the rules above are not vacuous)', () => {
    const graph = partGraph();
    assert.ok(graph.get(join(OCPP, 'operations'))?.has(join(OCPP, 'services.ts')));
    assert.ok(graph.get(join(OCPP, 'transactions'))?.has(join(OCPP, 'messages')));
  });
});
