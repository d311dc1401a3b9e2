import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DiffView } from '../components/diff-view';
import { foldUnchanged, lineDiff } from './line-diff';

const v1 = ['tasks:', '  - name: a', '    type: noop', '  - name: b', '    type: sleep'].join('\n');
const v2 = ['tasks:', '  - name: a', '    type: http', '  - name: b', '    type: sleep', '  - name: c'].join('\n');

describe('lineDiff', () => {
  it('numbers lines on both sides and counts changes', () => {
    const diff = lineDiff(v1, v2);
    expect(diff).toMatchObject({ added: 2, removed: 1 });
    expect(diff.lines.map((l) => `${l.kind}:${l.oldNumber ?? ''}:${l.newNumber ?? ''}:${l.text.trim()}`)).toEqual([
      'same:1:1:tasks:',
      'same:2:2:- name: a',
      'removed:3::type: noop',
      'added::3:type: http',
      'same:4:4:- name: b',
      'same:5:5:type: sleep',
      'added::6:- name: c',
    ]);
  });

  it('folds long unchanged stretches around the changes', () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 15', 'line fifteen');
    const folded = foldUnchanged(lineDiff(before, after).lines, 2);
    expect(folded.map((row) => (row.kind === 'gap' ? `gap ${row.hidden}` : row.kind))).toEqual([
      'gap 13',
      'same',
      'same',
      'removed',
      'added',
      'same',
      'same',
      'gap 12',
    ]);
  });
});

describe('DiffView', () => {
  it('marks added and removed lines and says when two versions are the same', () => {
    const { container, rerender } = render(<DiffView before={v1} after={v2} beforeLabel="v1" afterLabel="v2" />);
    expect(screen.getByText('+2')).toBeTruthy();
    expect(screen.getByText('−1')).toBeTruthy();
    expect([...container.querySelectorAll('[data-kind=removed]')].map((e) => e.textContent)).toEqual(['3−    type: noop']);
    expect(container.querySelectorAll('[data-kind=added]')).toHaveLength(2);
    rerender(<DiffView before={v1} after={v1} beforeLabel="v1" afterLabel="v1" />);
    expect(screen.getByText('The two versions have the same text.')).toBeTruthy();
  });
});
