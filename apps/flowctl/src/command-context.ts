import type { Command } from 'commander';
import { ApiClient, resolveServer, resolveToken } from './api-client';
import type { CliIo } from './cli-io';
import { ExitCode } from './exit-codes';

/**
 * What every command gets: the streams to write to, the API client (built on
 * first use from `--server` / `FLOWCTL_SERVER` and `--token` / `FLOWCTL_TOKEN`, so `--help` never needs a
 * valid server), the clock, and the exit code its action settles on.
 */
export class CommandContext {
  exitCode: ExitCode = ExitCode.Success;
  private client: ApiClient | undefined;

  constructor(
    readonly io: CliIo,
    private readonly program: Command,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  api(): ApiClient {
    const options = this.program.opts<{ server?: string; token?: string }>();
    this.client ??= new ApiClient(resolveServer(options.server, this.io.env), this.fetchImpl, resolveToken(options.token, this.io.env));
    return this.client;
  }

  /** The namespace a command names: its `-n`, else $FLOWCTL_NAMESPACE, else the server's default. */
  namespace(option: string | undefined): string | undefined {
    return option ?? (this.io.env['FLOWCTL_NAMESPACE'] || undefined);
  }

  now(): Date {
    return new Date();
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }
}
