import type { ApiTokenRepository } from '@flowctl/persistence';
import type { DataSource } from 'typeorm';
import type { SchedulerConfig } from '../config/scheduler-config';
import { Authenticator } from './authenticator';
import { ANONYMOUS_ADMIN } from './principal';

// @nestjs/common ships as ESM, which Jest's module loader cannot require: stand in for the little used here.
jest.mock('@nestjs/common', () => ({
  Injectable: () => () => undefined,
  Inject: () => () => undefined,
  Logger: class {
    warn(): void {}
  },
}));
// The JWT verifier (jose, ESM as well) is not used without a JWT configuration.
jest.mock('./jwt-verifier', () => ({ JwtVerifier: class {} }));

/** Token lookups the test answers one by one, as the database would, later. */
function pendingLookups() {
  const answers: ((issued: boolean) => void)[] = [];
  const tokens = {
    anyIssued: () => new Promise<boolean>((resolve) => answers.push(resolve)),
  } as unknown as ApiTokenRepository;
  return { tokens, answers };
}

const withoutAuth = { auth: {} } as unknown as SchedulerConfig;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Authenticator without auth configured', () => {
  it('lets requests that arrive together share one lookup for a first token', async () => {
    const { tokens, answers } = pendingLookups();
    const authenticator = new Authenticator(withoutAuth, {} as DataSource, tokens);
    const requests = [1, 2, 3].map(() => authenticator.authenticate(undefined));
    await settle();
    expect(answers).toHaveLength(1);
    answers[0]!(false);
    await expect(Promise.all(requests)).resolves.toEqual([ANONYMOUS_ADMIN, ANONYMOUS_ADMIN, ANONYMOUS_ADMIN]);
  });

  it('never answers a request with a lookup sent before it arrived', async () => {
    const { tokens, answers } = pendingLookups();
    const authenticator = new Authenticator(withoutAuth, {} as DataSource, tokens);
    const early = authenticator.authenticate(undefined);
    await settle();
    expect(answers).toHaveLength(1);
    // A token is issued now, after the first lookup was sent: a request arriving now must see it.
    const late = authenticator.authenticate(undefined);
    answers[0]!(false);
    await expect(early).resolves.toBe(ANONYMOUS_ADMIN);
    await settle();
    expect(answers).toHaveLength(2);
    answers[1]!(true);
    await expect(late).rejects.toThrow('authentication required');
    // Once a token was seen, auth stays on without asking again.
    await expect(authenticator.authenticate(undefined)).rejects.toThrow('authentication required');
    expect(answers).toHaveLength(2);
  });
});
