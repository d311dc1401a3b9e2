import { downstreamEdges, indexByName, type DagNode } from './dag-node';
import { topologicalIndices } from './topological-order';

/** Answers "is X upstream of Y?" for every pair at once. */
export interface Ancestry {
  isUpstream(upstream: string, of: string): boolean;
}

interface AncestorBits {
  index: Map<string, number>;
  /** 32-bit words per node. */
  words: number;
  /** Node i's ancestors are the set bits of `bits[i * words .. (i + 1) * words)`, by declaration index. */
  bits: Uint32Array;
}

/**
 * One bit set per node, filled in topological order (a node's ancestors are
 * its parents plus their ancestors). For 5,000 tasks that is 3 MB and a few
 * million word operations, where sets of names would hold millions of entries
 * for a long chain. Throws CycleDetected.
 */
function ancestorBits(nodes: readonly DagNode[]): AncestorBits {
  const index = indexByName(nodes);
  const words = Math.ceil(nodes.length / 32);
  const bits = new Uint32Array(words * nodes.length);
  const downstream = downstreamEdges(nodes, index);
  for (const node of topologicalIndices(nodes)) {
    const nodeBase = node * words;
    for (const child of downstream[node]!) {
      const childBase = child * words;
      for (let w = 0; w < words; w++) bits[childBase + w]! |= bits[nodeBase + w]!;
      bits[childBase + (node >> 5)]! |= 1 << (node & 31);
    }
  }
  return { index, words, bits };
}

export function ancestryOf(nodes: readonly DagNode[]): Ancestry {
  const { index, words, bits } = ancestorBits(nodes);
  return {
    isUpstream(upstream, of) {
      const u = index.get(upstream);
      const o = index.get(of);
      if (u === undefined || o === undefined) return false;
      return (bits[o * words + (u >> 5)]! & (1 << (u & 31))) !== 0;
    },
  };
}

/** Transitive upstream names per node, each set in declaration order. Throws CycleDetected. */
export function ancestorsOf(nodes: readonly DagNode[]): Map<string, Set<string>> {
  const { index, words, bits } = ancestorBits(nodes);
  const result = new Map<string, Set<string>>();
  for (const [name, i] of index) {
    const ancestors = new Set<string>();
    for (let w = 0; w < words; w++) {
      const word = bits[i * words + w]!;
      if (word === 0) continue;
      for (let bit = 0; bit < 32; bit++) if (word & (1 << bit)) ancestors.add(nodes[w * 32 + bit]!.name);
    }
    result.set(name, ancestors);
  }
  return result;
}
