// What the app reads of the charging point comes from the states' tags and meta: every state
// of the point region carries an OCPP status and a display key (the graph walk in
// charging-point-graph.test.ts checks each reachable state's status against a written-out table).

import { strict as assert } from 'node:assert';
import { getStateNodes } from 'xstate/graph';
import { chargingPointMachine } from '../../state-machines/charging-point.js';
import { Tag, type PointStateMeta } from '../../state-machines/charging-point-view.js';

type Node = typeof chargingPointMachine.root;

const point = chargingPointMachine.getStateNodeById('chargingPoint.point');
const nodes = getStateNodes(point) as Node[];

function lineage(node: Node): Node[] {
  const chain: Node[] = [];
  for (let n: Node | undefined = node; n && n !== point; n = n.parent) chain.push(n);
  return chain;
}

describe('chargingPointMachine tags and meta', () => {
  it('gives every state of the point region exactly one OCPP status and display key, on itself or a state around it', () => {
    const leaves = nodes.filter((n) => n.type === 'atomic');
    assert.ok(leaves.length >= 15, `${leaves.length} leaves`);
    const wrong = leaves
      .map((leaf) => ({ id: leaf.id, metas: lineage(leaf).filter((n) => (n.meta as PointStateMeta | undefined)?.ocppStatus !== undefined) }))
      .filter(({ metas }) => metas.length !== 1)
      .map(({ id, metas }) => `${id}: ${metas.length}`);
    assert.deepEqual(wrong, []);
    for (const node of nodes) {
      const meta = node.meta as PointStateMeta | undefined;
      if (meta) assert.ok(meta.display, `${node.id} has a status but no display key`);
    }
  });

  it('uses only the tags charging-point-view.ts names', () => {
    const known = new Set<string>(Object.values(Tag));
    const used = [chargingPointMachine.root, ...getStateNodes(chargingPointMachine.root)].flatMap((n) => n.tags);
    assert.deepEqual(used.filter((tag) => !known.has(tag)), []);
    assert.deepEqual([...known].filter((tag) => !used.includes(tag)), [], 'a tag no state carries');
  });
});
