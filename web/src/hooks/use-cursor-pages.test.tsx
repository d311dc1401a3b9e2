import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useCursorPages } from './use-cursor-pages';

/** The hook with its search params held in a plain variable, as the router would hold them. */
function pagesOver(initial: string) {
  let search = new URLSearchParams(initial);
  const hook = renderHook(() =>
    useCursorPages(search, (next) => {
      search = next;
      hook.rerender();
    }),
  );
  return { hook, search: () => search.toString() };
}

describe('useCursorPages', () => {
  it('goes older page by page and back the way it came, keeping the filters', () => {
    const { hook, search } = pagesOver('status=failed');
    expect(hook.result.current.pagerProps('c1')).toMatchObject({ page: 1, hasPrevious: false, nextCursor: 'c1' });
    act(() => hook.result.current.pagerProps('c1').onNext('c1'));
    expect(search()).toBe('status=failed&cursor=c1');
    act(() => hook.result.current.pagerProps('c2').onNext('c2'));
    expect(search()).toBe('status=failed&cursor=c2');
    expect(hook.result.current).toMatchObject({ cursor: 'c2' });
    expect(hook.result.current.pagerProps(undefined)).toMatchObject({ page: 3, hasPrevious: true });
    act(() => hook.result.current.pagerProps(undefined).onPrevious());
    expect(search()).toBe('status=failed&cursor=c1');
    act(() => hook.result.current.pagerProps('c2').onPrevious());
    expect(search()).toBe('status=failed');
    expect(hook.result.current.pagerProps('c1')).toMatchObject({ page: 1, hasPrevious: false });
  });

  it('starts again at page 1 when a filter changes', () => {
    const { hook } = pagesOver('');
    act(() => hook.result.current.pagerProps('c1').onNext('c1'));
    const next = new URLSearchParams('cursor=c1&status=succeeded');
    act(() => hook.result.current.restart(next));
    expect(next.toString()).toBe('status=succeeded');
    expect(hook.result.current.pagerProps(undefined)).toMatchObject({ page: 1, hasPrevious: false });
  });
});
