// The one request layer: auth, retries, idempotency keys, errors, pagination.
// (Interface fixed here; the full implementation is being built in issue 2.)
import type { Context } from '../cli/context.js';
import type { ResolvedConfig } from '../config/resolve.js';

export type QueryValue = string | number | boolean | undefined | null | readonly string[];
export type Query = Readonly<Record<string, QueryValue>>;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** GET a JSON document. Always retryable. */
  get<T>(path: string, query?: Query): Promise<T>;
  /**
   * POST a JSON body. Sends an Idempotency-Key (the given one, or one made
   * here) that is reused on every retry of this call.
   */
  post<T>(path: string, body: unknown, options?: { idempotencyKey?: string | undefined }): Promise<T>;
  /**
   * Every page of a cursor-paginated list, in order. The next page is
   * requested while the caller consumes the current one.
   */
  pages<T>(path: string, query?: Query, options?: { pageSize?: number }): AsyncGenerator<T[], void, undefined>;
  close(): Promise<void>;
}

export function clientFromConfig(_ctx: Context, _config: ResolvedConfig): ApiClient {
  throw new Error('API client not built yet');
}
