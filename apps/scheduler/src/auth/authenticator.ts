import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOKENS_CHANNEL } from '@flowctl/core';
import { ApiTokenRepository, type ApiTokenRow } from '@flowctl/persistence';
import { NotifiedCache } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { Unauthorized } from './auth-errors';
import { hashesMatch, hashToken, tokenIdOf } from './api-token-secret';
import { JwtVerifier } from './jwt-verifier';
import type { PresentedToken } from './presented-token';
import { ALL_NAMESPACES, ANONYMOUS_ADMIN, type Principal } from './principal';

/** lastUsedAt is for people deciding which tokens to revoke: a minute's precision is plenty, and spares a write per request. */
const LAST_USE_PRECISION_MS = 60_000;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Turns the bearer credential of a request into a Principal, or refuses it (401). API token rows are
 * cached until a commit revokes or changes them (TOKENS_CHANNEL, heard by every scheduler): a request
 * with an API token costs no read, and a revocation counts from its commit.
 */
@Injectable()
export class Authenticator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Auth');
  private readonly jwt: JwtVerifier | undefined;
  private readonly adminTokenHash: string | undefined;
  /**
   * Once a token has been issued, auth stays on for this process's life, even
   * if every token is later revoked: revoking tokens must never open the API.
   */
  private tokensIssued = false;
  private readonly lastUseRecorded = new Map<string, number>();
  private tokenCheckInFlight: Promise<void> = Promise.resolve();
  /** The check that requests join: not yet sent, so it reads what was committed before they arrived. */
  private queuedTokenCheck: Promise<boolean> | undefined;
  private readonly tokenRows: NotifiedCache<ApiTokenRow | undefined>;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly tokens: ApiTokenRepository,
  ) {
    this.jwt = config.auth.jwt ? new JwtVerifier(config.auth.jwt) : undefined;
    this.adminTokenHash = config.auth.adminToken ? hashToken(config.auth.adminToken) : undefined;
    this.tokenRows = new NotifiedCache(config.databaseUrl, TOKENS_CHANNEL, (id, key) => key === id);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.tokenRows
      .start()
      .catch((error: Error) => this.logger.warn(`token changes not heard, tokens read per request: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tokenRows.stop();
  }

  /** A token revoked through this scheduler: forgotten at once, before its notification arrives. */
  tokenChanged(id: string): void {
    this.tokenRows.forget(id);
  }

  /** Auth is on with an admin token, a JWT configuration, or any API token ever created. */
  async isConfigured(): Promise<boolean> {
    if (this.config.auth.adminToken || this.jwt || this.tokensIssued) return true;
    const issued = await this.nextTokenCheck();
    if (issued) this.tokensIssued = true;
    return issued;
  }

  /**
   * Without auth every anonymous request asks whether a token exists (another scheduler may just
   * have issued the first). Requests join the next check, which starts after the one in flight ends:
   * each sees a database read begun after it arrived, as if it had asked alone, and a burst of
   * requests costs two queries, not one each.
   */
  private nextTokenCheck(): Promise<boolean> {
    this.queuedTokenCheck ??= this.tokenCheckInFlight.then(() => {
      this.queuedTokenCheck = undefined;
      const check = this.tokens.anyIssued(this.dataSource);
      this.tokenCheckInFlight = check.then(
        () => undefined,
        () => undefined,
      );
      return check;
    });
    return this.queuedTokenCheck;
  }

  async authenticate(credential: PresentedToken | undefined): Promise<Principal> {
    if (credential === undefined) {
      if (await this.isConfigured()) throw new Unauthorized('authentication required: send Authorization: Bearer <token>');
      return ANONYMOUS_ADMIN;
    }
    if (this.adminTokenHash && hashesMatch(credential.hash, this.adminTokenHash)) {
      return { actor: 'admin-token', tokenId: null, role: 'admin', namespaces: ALL_NAMESPACES };
    }
    const tokenId = tokenIdOf(credential.secret);
    if (tokenId) return this.apiTokenPrincipal(tokenId, credential);
    if (this.jwt && JWT_SHAPE.test(credential.secret)) return this.jwt.verify(credential.secret);
    throw new Unauthorized('invalid token');
  }

  private async apiTokenPrincipal(id: string, credential: PresentedToken): Promise<Principal> {
    const row = await this.tokenRows.get(id, () => this.tokens.find(this.dataSource, id));
    // The same answer for an unknown id and a wrong secret: nothing to learn about which ids exist.
    if (!row || !hashesMatch(credential.hash, row.tokenHash)) throw new Unauthorized('invalid token');
    if (row.revokedAt) throw new Unauthorized('token revoked');
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new Unauthorized('token expired');
    this.recordUse(row.id);
    return { actor: row.name, tokenId: row.id, role: row.role, namespaces: row.namespaces ?? ALL_NAMESPACES };
  }

  private recordUse(id: string): void {
    const now = Date.now();
    if (now - (this.lastUseRecorded.get(id) ?? 0) < LAST_USE_PRECISION_MS) return;
    this.lastUseRecorded.set(id, now);
    this.tokens.touch(this.dataSource, id).catch((error: Error) => this.logger.warn(`token last use not recorded: ${error.message}`));
  }
}
