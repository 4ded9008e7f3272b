// Typed errors. Every failure a user can cause or meet is one of these; the
// entry point turns them into a one-line message and an exit code.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** A budget threshold was crossed (kt wallets check --fail-at), or a new spend anomaly found (kt events anomalies). */
  threshold: 3,
  auth: 4,
  refused: 5,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class KtError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, exitCode: ExitCode, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** The user asked for something malformed: bad flag value, invalid input file. */
export class UsageError extends KtError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** No credentials, or the server refused them (401/403). */
export class AuthError extends KtError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.auth, hint);
  }
}

/** Network, server or local I/O failure. */
export class FailureError extends KtError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.failure, hint);
  }
}

/** Exit 3, for cron: kt wallets check found a wallet at --fail-at; kt events anomalies found a new anomaly. */
export class ThresholdError extends KtError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.threshold, hint);
  }
}

export class InterruptedError extends KtError {
  constructor() {
    super('interrupted', ExitCode.interrupted);
  }
}

/** The request never produced an HTTP response: DNS, refused, reset, timeout. */
export class NetworkError extends KtError {
  readonly url: string;
  constructor(message: string, url: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failure);
    this.url = url;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The server answered with an error envelope (or something that is not JSON). */
export class ApiError extends KtError {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string | undefined;
    details?: Record<string, unknown> | undefined;
    hint?: string | undefined;
  }) {
    super(init.message, exitCodeForStatus(init.status, init.code), init.hint);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details;
  }
}

/** Ledger refusals are 402 (funds, caps) and 409 ledger conflicts such as a currency mismatch. */
export function exitCodeForStatus(status: number, code?: string): ExitCode {
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === 402) return ExitCode.refused;
  if (status === 409 && code !== undefined && code !== 'idempotency_conflict') return ExitCode.refused;
  if (status === 400 || status === 422) return ExitCode.usage;
  return ExitCode.failure;
}
