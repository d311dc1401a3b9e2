import { EVENT_ID, type Event } from 'js-yaml';
import type { WorkflowIssue } from '../errors/flowctl-error';
import { WORKFLOW_LIMITS } from './workflow-limits';

/**
 * Checks the parser's events before anything is constructed: one non-empty
 * document, plain mapping keys, a bounded number of aliases, no alias inside
 * its own anchor (a cyclic object), and a bounded size once aliases are expanded. The last is
 * what stops a "billion laughs": nine levels of ten aliases are only ninety
 * aliases, but a billion nodes for whatever walks the result.
 */
export function yamlSafetyProblem(source: string, events: readonly Event[], lineAt: (offset: number) => number): WorkflowIssue | undefined {
  const documents = events.filter((event) => event.type === EVENT_ID.DOCUMENT).length;
  if (documents === 0) return { path: '', message: 'the document is empty' };
  if (documents > 1) return { path: '', message: `found ${documents} YAML documents; a workflow is one document (remove the extra "---")` };

  const sizes = new Map<string, number>();
  const openAnchors: Array<string | undefined> = [];
  const openSizes: number[] = [];
  // Per open node: for a mapping, whether its next child is a key; undefined for lists and documents.
  const expectingKey: Array<boolean | undefined> = [];
  /** Moves the enclosing mapping between key and value; true when the new node is a key. */
  const isKey = (): boolean => {
    const top = expectingKey.length - 1;
    const parent = expectingKey[top];
    if (parent === undefined) return false;
    expectingKey[top] = !parent;
    return parent;
  };
  let aliases = 0;
  const anchorName = (start: number, end: number) => (start >= 0 ? source.slice(start, end) : undefined);
  // Checking the innermost open node is enough to stop early: every enclosing node is at least as large.
  const add = (size: number): WorkflowIssue | undefined => {
    const top = openSizes.length - 1;
    const total = top >= 0 ? (openSizes[top]! += size) : size;
    if (total > WORKFLOW_LIMITS.maxExpandedSize) {
      return { path: '', message: `the document expands (through its aliases) beyond ${WORKFLOW_LIMITS.maxExpandedSize} characters` };
    }
    return undefined;
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        openAnchors.push(undefined);
        openSizes.push(0);
        expectingKey.push(undefined);
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        // `url: {{ inputs.url }}` unquoted is a mapping used as a key: the commonest YAML slip with templates.
        if (isKey())
          return {
            path: '',
            message: 'a mapping key must be a plain value (quote templates in YAML: "{{ ... }}")',
            line: lineAt(event.start),
          };
        openAnchors.push(anchorName(event.anchorStart, event.anchorEnd));
        openSizes.push(1);
        expectingKey.push(event.type === EVENT_ID.MAPPING ? true : undefined);
        break;
      case EVENT_ID.POP: {
        expectingKey.pop();
        const anchor = openAnchors.pop();
        const size = openSizes.pop() ?? 0;
        if (anchor !== undefined) sizes.set(anchor, size);
        const problem = add(size);
        if (problem) return problem;
        break;
      }
      case EVENT_ID.SCALAR: {
        isKey();
        const size = 1 + (event.valueEnd - event.valueStart);
        const anchor = anchorName(event.anchorStart, event.anchorEnd);
        if (anchor !== undefined) sizes.set(anchor, size);
        const problem = add(size);
        if (problem) return problem;
        break;
      }
      case EVENT_ID.ALIAS: {
        isKey();
        const name = source.slice(event.anchorStart, event.anchorEnd);
        if (++aliases > WORKFLOW_LIMITS.maxAliases) {
          return { path: '', message: `too many aliases (more than ${WORKFLOW_LIMITS.maxAliases})`, line: lineAt(event.anchorStart) };
        }
        if (openAnchors.includes(name)) {
          return { path: '', message: `alias "*${name}" refers to its own enclosing anchor`, line: lineAt(event.anchorStart) };
        }
        // An alias of an unknown anchor is left to the constructor, which reports it with its position.
        const problem = add(sizes.get(name) ?? 1);
        if (problem) return { ...problem, line: lineAt(event.anchorStart) };
        break;
      }
    }
  }
  return undefined;
}
