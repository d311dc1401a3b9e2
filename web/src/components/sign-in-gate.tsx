import { Fragment, useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';
import { api as defaultApi, ApiError, type ApiClient } from '../api/client';
import { session as defaultSession, type Session } from '../api/session';

export function useSession(session: Session = defaultSession) {
  return useSyncExternalStore(session.subscribe, session.snapshot);
}

/**
 * Shows the pages, or, once the scheduler has answered 401, a form for an API
 * token. A scheduler without auth never answers 401, so `flowctl dev` never
 * sees the form. The pages mount again after each sign-in, fetching with the
 * new token.
 */
export function SignInGate({
  children,
  session = defaultSession,
  api = defaultApi,
}: {
  children: ReactNode;
  session?: Session;
  api?: ApiClient;
}) {
  const state = useSession(session);
  if (state.needsSignIn) return <SignInForm session={session} api={api} />;
  return <Fragment key={state.generation}>{children}</Fragment>;
}

function SignInForm({ session, api }: { session: Session; api: ApiClient }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return setError('Paste a token first.');
    setChecking(true);
    setError(undefined);
    try {
      await api.withToken(candidate).listRuns({ limit: 1 });
      session.signIn(candidate);
    } catch (failure) {
      // A token without access to every list (a namespaced viewer, say) still signs in; only 401 is a wrong token.
      if (failure instanceof ApiError && failure.status !== 401 && failure.status !== 0) session.signIn(candidate);
      else
        setError(
          failure instanceof ApiError && failure.status === 401
            ? `That token was refused: ${failure.message}`
            : String((failure as Error).message),
        );
    } finally {
      setChecking(false);
    }
  };

  return (
    <div className="page sign-in">
      <form className="sign-in-form" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in</h1>
        <p>
          This scheduler needs an API token. Ask an admin for one (<code>flowctl token create --role viewer</code>), or use a JWT of your
          identity provider.
        </p>
        <label htmlFor="sign-in-token">Token</label>
        <input
          id="sign-in-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          data-testid="sign-in-token"
        />
        {error && (
          <div className="error-notice" role="alert" data-testid="sign-in-error">
            {error}
          </div>
        )}
        <button type="submit" className="button primary" disabled={checking} data-testid="sign-in">
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        <p className="hint">The token is kept in this tab only, until you sign out or close it.</p>
      </form>
    </div>
  );
}

/** In the top bar while a token is stored. */
export function SignOutButton({ session = defaultSession }: { session?: Session }) {
  const state = useSession(session);
  if (!state.token) return null;
  return (
    <button type="button" className="nav-link subtle sign-out" onClick={() => session.signOut()} data-testid="sign-out">
      Sign out
    </button>
  );
}
