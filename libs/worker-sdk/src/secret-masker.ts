import type { TaskFailure } from '@flowctl/core';

export const MASK = '***';

/**
 * Replaces every secret value a task was given, wherever it would leave the
 * worker: outputs, failures (message, details, stack), heartbeat details and
 * log lines. Also masks the forms a value commonly takes when a program
 * echoes it: base64 and JSON-escaped. Longest first, so a value that contains
 * another is masked whole.
 */
export class SecretMasker {
  private readonly needles: string[];

  constructor(values: Iterable<string>) {
    const needles = new Set<string>();
    for (const value of values) {
      if (value.length === 0) continue;
      needles.add(value);
      needles.add(Buffer.from(value, 'utf8').toString('base64'));
      needles.add(Buffer.from(value, 'utf8').toString('base64url'));
      needles.add(JSON.stringify(value).slice(1, -1));
    }
    this.needles = [...needles].sort((a, b) => b.length - a.length);
  }

  get isEmpty(): boolean {
    return this.needles.length === 0;
  }

  maskText(text: string): string {
    let masked = text;
    for (const needle of this.needles) if (masked.includes(needle)) masked = masked.split(needle).join(MASK);
    return masked;
  }

  /**
   * A masked copy: strings anywhere inside (keys too) are masked. The copy is
   * the value's JSON form (a Date becomes its string), which is what would
   * have crossed the queue anyway.
   */
  mask<T>(value: T): T {
    if (this.isEmpty || value === undefined) return value;
    const serialized = JSON.stringify(value) as string | undefined;
    if (serialized === undefined) return value;
    return this.maskPlain(JSON.parse(serialized)) as T;
  }

  maskFailure(failure: TaskFailure): TaskFailure {
    if (this.isEmpty) return failure;
    return {
      ...failure,
      type: this.maskText(failure.type),
      message: this.maskText(failure.message),
      ...(failure.stack !== undefined ? { stack: this.maskText(failure.stack) } : {}),
      ...(failure.details !== undefined ? { details: this.mask(failure.details) } : {}),
    };
  }

  private maskPlain(value: unknown): unknown {
    if (typeof value === 'string') return this.maskText(value);
    if (Array.isArray(value)) return value.map((item) => this.maskPlain(item));
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.maskText(key), this.maskPlain(item)]));
    return value;
  }
}

export const NO_SECRETS = new SecretMasker([]);
