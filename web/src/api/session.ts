/**
 * The API token of this browser tab. Kept in sessionStorage: it survives a
 * reload but not the tab, and is never written where other sites' scripts or a
 * later user of the machine would find it.
 */
const STORAGE_KEY = 'flowctl.token';

export interface SessionState {
  token: string | undefined;
  /** The scheduler answered 401: ask for a token. */
  needsSignIn: boolean;
  /** Bumped at every sign-in and sign-out, so the pages mount again and fetch with the new token. */
  generation: number;
}

type Listener = () => void;

export class Session {
  private state: SessionState;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = safeSessionStorage()) {
    this.state = { token: storage?.getItem(STORAGE_KEY) ?? undefined, needsSignIn: false, generation: 0 };
  }

  get token(): string | undefined {
    return this.state.token;
  }

  snapshot = (): SessionState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  signIn(token: string): void {
    this.storage?.setItem(STORAGE_KEY, token);
    this.set({ token, needsSignIn: false, generation: this.state.generation + 1 });
  }

  signOut(): void {
    this.storage?.removeItem(STORAGE_KEY);
    this.set({ token: undefined, needsSignIn: false, generation: this.state.generation + 1 });
  }

  /** A request was refused as unauthenticated: a stored token is no longer good (expired, revoked). */
  unauthorized(): void {
    if (this.state.needsSignIn) return;
    this.storage?.removeItem(STORAGE_KEY);
    this.set({ ...this.state, token: undefined, needsSignIn: true });
  }

  private set(next: SessionState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

function safeSessionStorage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

export const session = new Session();
