import { useState } from 'react';

/**
 * Keyset paging kept in the URL (`?cursor=`): the page's cursor, the way back (the cursors that led
 * here), and the props of a <Pager>. A filter change starts again at page 1 through `restart`.
 */
export function useCursorPages(search: URLSearchParams, setSearch: (next: URLSearchParams) => void) {
  const [previous, setPrevious] = useState<string[]>([]);
  const cursor = search.get('cursor') ?? undefined;
  return {
    cursor,
    /** Drops the cursor from `next` (the search about to be set) and forgets the way back. */
    restart(next: URLSearchParams): void {
      next.delete('cursor');
      setPrevious([]);
    },
    pagerProps(nextCursor: string | null | undefined) {
      return {
        page: previous.length + 1,
        hasPrevious: previous.length > 0,
        nextCursor,
        onPrevious: () => {
          const next = new URLSearchParams(search);
          const back = previous[previous.length - 1];
          if (back) next.set('cursor', back);
          else next.delete('cursor');
          setPrevious(previous.slice(0, -1));
          setSearch(next);
        },
        onNext: (older: string) => {
          const next = new URLSearchParams(search);
          setPrevious([...previous, cursor ?? '']);
          next.set('cursor', older);
          setSearch(next);
        },
      };
    },
  };
}
