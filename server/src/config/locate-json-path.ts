import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { Node } from 'jsonc-parser';
import { toLineColumn } from './locate-json-syntax-error';

/**
 * Where a JSON path points in the text an admin edits, and which connector (workflow, macro) it
 * is inside, so "$.connectors[5]" reads as the connector's id at a line and column.
 */

export interface JsonPathPlace {
  line: number;
  column: number;
  /** `connector "jira_create_issue"` when the path is inside a list entry that has an id. */
  subject?: string;
}

const NAMED_LISTS: Readonly<Record<string, string>> = {
  connectors: 'connector',
  workflows: 'workflow',
  macros: 'macro',
};

/** Parses once per file; the tree answers every issue of that file. */
export function createJsonPathLocator(
  text: string,
): (path: readonly PropertyKey[]) => JsonPathPlace | undefined {
  // Parsed on the first issue only: a config that loads never pays for the tree.
  let tree: Node | undefined | null = null;
  const treeOf = (): Node | undefined => {
    if (tree === null) {
      try {
        tree = parseTree(text);
      } catch (error) {
        // The parser recurses; JSON nested thousands deep (which JSON.parse accepts) overflows
        // the stack. The issue is still reported, only without a line and column.
        if (!(error instanceof RangeError)) throw error;
        tree = undefined;
      }
    }
    return tree;
  };
  return (path) => {
    const root = treeOf();
    if (!root) return undefined;
    const segments = path.filter(
      (segment): segment is string | number =>
        typeof segment === 'string' || typeof segment === 'number',
    );
    // A missing key (a required field left out) has no node: point at the object it belongs in.
    let node: Node | undefined;
    for (let length = segments.length; length >= 0 && !node; length--) {
      node = findNodeAtLocation(root, segments.slice(0, length));
    }
    if (!node) return undefined;
    // A property's key is where the eye looks for it ("pathh": …), not its value.
    const offset = node.parent?.type === 'property' ? node.parent.offset : node.offset;
    return { ...toLineColumn(text, offset), ...subjectOf(root, segments) };
  };
}

function subjectOf(tree: Node, segments: readonly (string | number)[]): { subject?: string } {
  const [list, index] = segments;
  const kind = typeof list === 'string' ? NAMED_LISTS[list] : undefined;
  if (!kind || typeof index !== 'number') return {};
  const id = findNodeAtLocation(tree, [list as string, index, 'id'])?.value as unknown;
  return typeof id === 'string' && id !== '' ? { subject: `${kind} ${JSON.stringify(id)}` } : {};
}
