import { diffLines } from 'diff';

export type DiffLineKind = 'same' | 'added' | 'removed';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  /** Line number in the old text (removed and unchanged lines). */
  oldNumber?: number;
  /** Line number in the new text (added and unchanged lines). */
  newNumber?: number;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
}

/** A line-by-line diff of two texts (two versions of a workflow's YAML), numbered on both sides. */
export function lineDiff(before: string, after: string): LineDiff {
  const lines: DiffLine[] = [];
  let oldNumber = 1;
  let newNumber = 1;
  let added = 0;
  let removed = 0;
  // A last line without its newline would otherwise differ from the same line with one.
  const terminated = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);
  for (const change of diffLines(terminated(before), terminated(after))) {
    const texts = change.value.replace(/\n$/, '').split('\n');
    for (const text of texts) {
      if (change.added) {
        lines.push({ kind: 'added', text, newNumber: newNumber++ });
        added += 1;
      } else if (change.removed) {
        lines.push({ kind: 'removed', text, oldNumber: oldNumber++ });
        removed += 1;
      } else {
        lines.push({ kind: 'same', text, oldNumber: oldNumber++, newNumber: newNumber++ });
      }
    }
  }
  return { lines, added, removed };
}

/** Keeps the changed lines and `context` lines around them; long unchanged stretches become one gap. */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): (DiffLine | { kind: 'gap'; hidden: number })[] {
  const keep = lines.map(() => false);
  lines.forEach((line, i) => {
    if (line.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const result: (DiffLine | { kind: 'gap'; hidden: number })[] = [];
  let hidden = 0;
  lines.forEach((line, i) => {
    if (keep[i]) {
      if (hidden > 0) result.push({ kind: 'gap', hidden });
      hidden = 0;
      result.push(line);
    } else hidden += 1;
  });
  if (hidden > 0) result.push({ kind: 'gap', hidden });
  return result;
}
