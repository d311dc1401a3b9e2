import type { RootName } from './expression-scope';

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Every node keeps its start offset so compile-time checks can point at it. */
export type ExpressionNode =
  | { type: 'literal'; value: null | boolean | number | string; start: number }
  | { type: 'root'; name: RootName; start: number }
  /** `.name`, `[0]` and `['key']`: a key known at compile time, so references can be collected. */
  | { type: 'member'; object: ExpressionNode; key: string | number; start: number }
  /** `[expr]` with a computed key. */
  | { type: 'index'; object: ExpressionNode; index: ExpressionNode; start: number }
  | { type: 'not'; operand: ExpressionNode; start: number }
  | { type: 'negate'; operand: ExpressionNode; start: number }
  /** n-ary so that a long `a and b and c ...` stays shallow. */
  | { type: 'logical'; operator: 'and' | 'or'; operands: ExpressionNode[]; start: number }
  | { type: 'compare'; operator: ComparisonOperator; left: ExpressionNode; right: ExpressionNode; start: number }
  | { type: 'in'; negated: boolean; left: ExpressionNode; right: ExpressionNode; start: number };

export function childrenOf(node: ExpressionNode): ExpressionNode[] {
  switch (node.type) {
    case 'literal':
    case 'root':
      return [];
    case 'member':
      return [node.object];
    case 'index':
      return [node.object, node.index];
    case 'not':
    case 'negate':
      return [node.operand];
    case 'logical':
      return node.operands;
    case 'compare':
    case 'in':
      return [node.left, node.right];
  }
}

/** Iterative, because a long member chain is deep but must not recurse to be measured. */
export function depthOf(root: ExpressionNode): number {
  let deepest = 0;
  const stack: Array<[ExpressionNode, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}
