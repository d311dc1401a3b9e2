import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useEffect, useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { Session } from '../api/session';
import { SignInGate, SignOutButton } from './sign-in-gate';

const GOOD = 'fct_good';

/** A scheduler with auth on: 401 unless the request carries the good token. */
function schedulerWithAuth() {
  return vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const authorization = (init?.headers as Record<string, string> | undefined)?.authorization;
    return authorization === `Bearer ${GOOD}`
      ? new Response(JSON.stringify({ items: [{ id: 'r1' }], nextCursor: null }), { status: 200 })
      : new Response(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'invalid token', code: 'Unauthorized' }), {
          status: 401,
        });
  });
}

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
    values,
  };
}

/** A page that lists runs through the client when it mounts, as the real pages do. */
function RunsProbe({ api }: { api: ApiClient }) {
  const [text, setText] = useState('loading');
  useEffect(() => {
    api.listRuns().then(
      (page) => setText(`runs: ${page.items.length}`),
      (error: Error) => setText(`error: ${error.message}`),
    );
  }, [api]);
  return <p data-testid="page">{text}</p>;
}

describe('SignInGate', () => {
  it('asks for a token after a 401, refuses a wrong one, then shows the pages fetching with the right one', async () => {
    const storage = memoryStorage();
    const session = new Session(storage);
    const fetcher = schedulerWithAuth();
    const api = new ApiClient('/api/v1', fetcher as unknown as typeof fetch, session);
    render(
      <>
        <SignOutButton session={session} />
        <SignInGate session={session} api={api}>
          <RunsProbe api={api} />
        </SignInGate>
      </>,
    );

    const input = (await screen.findByTestId('sign-in-token')) as HTMLInputElement;
    expect(screen.queryByTestId('sign-out')).toBeNull();

    fireEvent.change(input, { target: { value: 'fct_wrong' } });
    fireEvent.click(screen.getByTestId('sign-in'));
    expect((await screen.findByTestId('sign-in-error')).textContent).toContain('That token was refused');
    expect(storage.values.size).toBe(0);

    fireEvent.change(input, { target: { value: GOOD } });
    fireEvent.click(screen.getByTestId('sign-in'));
    await waitFor(() => expect(screen.getByTestId('page').textContent).toBe('runs: 1'));
    expect(storage.values.get('flowctl.token')).toBe(GOOD);
    const [, lastInit] = fetcher.mock.calls.at(-1)!;
    expect((lastInit?.headers as Record<string, string>).authorization).toBe(`Bearer ${GOOD}`);
    expect(api.runsStreamUrl()).toBe(`/api/v1/stream?access_token=${GOOD}`);

    fireEvent.click(screen.getByTestId('sign-out'));
    expect(storage.values.size).toBe(0);
    expect(await screen.findByTestId('sign-in-token')).toBeTruthy();
  });

  it('never shows the form when the scheduler has no auth (no 401)', async () => {
    const session = new Session(memoryStorage());
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ items: [], nextCursor: null }), { status: 200 }));
    const api = new ApiClient('/api/v1', fetcher as unknown as typeof fetch, session);
    render(
      <SignInGate session={session} api={api}>
        <RunsProbe api={api} />
      </SignInGate>,
    );
    await waitFor(() => expect(screen.getByTestId('page').textContent).toBe('runs: 0'));
    expect(screen.queryByTestId('sign-in-token')).toBeNull();
    expect(api.runsStreamUrl()).toBe('/api/v1/stream');
  });
});
