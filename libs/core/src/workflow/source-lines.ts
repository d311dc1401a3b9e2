import { EVENT_ID, getScalarValue, type Event } from 'js-yaml';
import { indexPath, keyPath } from './issue-path';

type Frame =
  | { kind: 'document' }
  | { kind: 'sequence'; path: string | undefined; next: number }
  /** `keyPath` is set between a key and its value; undefined paths mark a complex key's subtree. */
  | { kind: 'mapping'; path: string | undefined; keyPath: string | undefined; expectingKey: boolean };

/**
 * Maps each issue path (`spec.tasks[2].dependsOn[0]`) to its 1-based line, from
 * one walk over the parser's events. A mapping entry takes its key's line (where
 * a reader looks for `timeout:`), a list item its own. Paths inside an alias
 * are not in the source; their issues fall back to a parent's line.
 */
export function sourceLines(source: string, events: readonly Event[], lineAt = lineLocator(source)): (path: string) => number | undefined {
  const lines = new Map<string, number>();
  const record = (path: string | undefined, offset: number) => {
    if (path !== undefined && offset >= 0 && !lines.has(path)) lines.set(path, lineAt(offset));
  };
  const stack: Frame[] = [];

  /** The path of the node an event opens, consuming the parent's key or index; true when it is a key. */
  const placeNode = (offset: number, event: Event): { path: string | undefined; isKey: boolean } => {
    const parent = stack[stack.length - 1];
    if (!parent || parent.kind === 'document') return { path: '', isKey: false };
    if (parent.kind === 'sequence')
      return { path: parent.path === undefined ? undefined : indexPath(parent.path, parent.next++), isKey: false };
    if (parent.expectingKey) {
      parent.expectingKey = false;
      const key = event.type === EVENT_ID.SCALAR ? getScalarValue(source, event) : undefined;
      parent.keyPath = parent.path === undefined || key === undefined ? undefined : keyPath(parent.path, key);
      record(parent.keyPath, offset);
      return { path: undefined, isKey: true };
    }
    parent.expectingKey = true;
    return { path: parent.keyPath, isKey: false };
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        stack.push({ kind: 'document' });
        break;
      case EVENT_ID.POP:
        stack.pop();
        break;
      case EVENT_ID.SCALAR:
        record(placeNode(event.valueStart, event).path, event.valueStart);
        break;
      case EVENT_ID.ALIAS:
        record(placeNode(event.anchorStart, event).path, event.anchorStart);
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const { path } = placeNode(event.start, event);
        record(path, event.start);
        stack.push(
          event.type === EVENT_ID.MAPPING
            ? { kind: 'mapping', path, keyPath: undefined, expectingKey: true }
            : { kind: 'sequence', path, next: 0 },
        );
        break;
      }
    }
  }
  return (path) => lines.get(path);
}

/** The 1-based line of a source offset, by binary search over line starts. */
export function lineLocator(source: string): (offset: number) => number {
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}
