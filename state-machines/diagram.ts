// A machine's definition drawn as a Mermaid stateDiagram-v2: every state with its tags, meta and
// entry/exit actions (in a note for a composite state); every transition labelled with its event
// (or "always", "after <delay>"), guard and actions; transitions that only act (no target) in a
// note on their state. Pure: the
// same definition gives the same text (docs/machines/ is checked against it; `make diagrams`).

import type { AnyStateMachine } from 'xstate';

type StateNode = AnyStateMachine['root'];
interface TransitionLike {
  readonly eventType: string;
  readonly source: StateNode;
  readonly target?: readonly StateNode[] | undefined;
  readonly guard?: unknown;
  readonly actions: readonly unknown[];
  readonly delay?: unknown;
}

/** Any machine: only its definition (the root state node) is read. */
export function mermaidStateDiagram(machine: { readonly root: StateNode }): string {
  const lines = ['stateDiagram-v2'];
  renderNode(machine.root, 1, lines);
  return `${lines.join('\n')}\n`;
}

/** A Mermaid id from the state's path (ids are global in Mermaid, keys are not: two states may be "holding"). */
const idOf = (node: StateNode) => (node.path.length === 0 ? node.id : node.path.join('_')).replace(/[^A-Za-z0-9_]/g, '_');

function renderNode(node: StateNode, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const id = idOf(node);
  const children = Object.values(node.states) as StateNode[];
  if (children.length === 0) {
    lines.push(`${pad}state "${node.key}" as ${id}`);
  } else {
    lines.push(`${pad}state "${node.key}" as ${id} {`);
    const inner = '  '.repeat(depth + 1);
    children.forEach((child, i) => {
      // Parallel regions are separated by "--"; a compound state starts at its initial state.
      if (node.type === 'parallel' && i > 0) lines.push(`${inner}--`);
      renderNode(child, depth + 1, lines);
    });
    if (node.type !== 'parallel' && node.initial?.target[0]) lines.push(`${inner}[*] --> ${idOf(node.initial.target[0] as StateNode)}`);
    for (const t of transitionsScopedTo(node)) {
      for (const target of t.target!) lines.push(`${inner}${idOf(t.source)} --> ${idOf(target)} : ${label(t)}`);
    }
    lines.push(`${pad}}`);
  }
  // Mermaid gives a composite state a label only: its descriptions go into its note.
  const described = children.length === 0 ? descriptions(node) : [];
  const noted = [...(children.length === 0 ? [] : descriptions(node)), ...transitionsOf(node).filter((t) => !t.target?.length).map(label)];
  for (const line of described) lines.push(`${pad}${id} : ${line}`);
  if (noted.length > 0) {
    lines.push(`${pad}note right of ${id}`);
    for (const line of noted) lines.push(`${pad}  ${line}`);
    lines.push(`${pad}end note`);
  }
}

/** Tags, meta and entry/exit actions, one line each. */
function descriptions(node: StateNode): string[] {
  const out: string[] = [];
  if (node.tags.length > 0) out.push(`tags ${node.tags.join(', ')}`);
  if (node.meta !== undefined) for (const [key, value] of Object.entries(node.meta as object)) out.push(`${key}: ${text(value)}`);
  // A delayed transition's own timer actions are drawn as its "after" edge.
  const own = (actions: readonly unknown[]) => actions.filter((a) => !['xstate.raise', 'xstate.cancel'].includes((a as { type?: string }).type ?? ''));
  const entry = names(own(node.entry));
  const exit = names(own(node.exit));
  if (entry) out.push(`entry / ${entry}`);
  if (exit) out.push(`exit / ${exit}`);
  return out;
}

function transitionsOf(node: StateNode): TransitionLike[] {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])] as TransitionLike[];
}

/**
 * The transitions drawn inside this state's block: those whose source and targets all lie within
 * it, and not within one of its children (a transition into a state's own child is drawn around it).
 */
function transitionsScopedTo(scope: StateNode): TransitionLike[] {
  const found: TransitionLike[] = [];
  const visit = (node: StateNode) => {
    for (const t of transitionsOf(node)) if (t.target?.length && scopeOf(t) === scope) found.push(t);
    for (const child of Object.values(node.states) as StateNode[]) visit(child);
  };
  visit(scope);
  return found;
}

function scopeOf(t: TransitionLike): StateNode | undefined {
  const ends = [t.source, ...t.target!];
  let scope: StateNode | undefined = t.source;
  while (scope && !ends.every((n) => isWithin(n, scope!))) scope = scope.parent;
  // A block cannot hold an edge to or from itself: draw it one level up.
  while (scope && ends.includes(scope)) scope = scope.parent;
  return scope;
}

function isWithin(node: StateNode, ancestor: StateNode): boolean {
  for (let n: StateNode | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** "PILOT [guard] / actions", "always [guard]", "after plugInTimeout". */
function label(t: TransitionLike): string {
  const event = t.eventType === '' ? 'always'
    : t.eventType.startsWith('xstate.after.') ? `after ${String(t.delay ?? t.eventType.split('.')[2])}`
      : t.eventType;
  const guard = t.guard === undefined ? '' : ` [${guardText(t.guard)}]`;
  const actions = names(t.actions);
  return `${event}${guard}${actions ? ` / ${actions}` : ''}`;
}

function guardText(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const g = guard as { name: string; guards?: unknown[]; stateValue?: unknown };
    if (g.guards) return `${g.name}(${g.guards.map(guardText).join(', ')})`;
    if (g.stateValue !== undefined) return `in ${String(g.stateValue).replace(/^#/, '')}`;
    return g.name || 'guard';
  }
  return (guard as { type?: string } | undefined)?.type ?? 'guard';
}

function names(actions: readonly unknown[]): string {
  return actions.map((a) =>
    typeof a === 'string' ? a
      : typeof a === 'function' ? (a as { type?: string }).type ?? a.name
        : (a as { type?: string }).type ?? 'action').join(', ');
}

/** Meta values as text without braces (Mermaid reads "{" as a block). */
function text(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  return Object.entries(value).map(([k, v]) => (typeof v === 'object' && v !== null ? `${k} (${text(v)})` : `${k} ${String(v)}`)).join(', ');
}
