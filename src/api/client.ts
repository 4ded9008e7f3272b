// The one request layer: auth, timeouts, retries with backoff, idempotency
// keys, typed errors and cursor pagination. Loaded lazily (it pulls in undici).
import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { ApiError, AuthError, FailureError, InterruptedError, NetworkError, UsageError } from '../errors.js';
import { parseJsonExact, stringifyJson } from '../domain/json.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry.js';

export type QueryValue = string | number | boolean | undefined | null | readonly string[];
export type Query = Readonly<Record<string, QueryValue>>;

/** A successful response's body, parsed only when asked (a prefetched page waits as one string). */
export interface LazyBody {
  json<T = unknown>(): T;
  /** The body as received. */
  readonly text: string;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** GET a JSON document. Always retryable. */
  get<T>(path: string, query?: Query): Promise<T>;
  /**
   * GET, the body left unparsed until asked for: what a pager prefetches.
   * `onSent` is called once the request has been written to the connection
   * (or an attempt has failed): a pager waits for that, not for the answer,
   * before it turns to the page it holds.
   */
  fetch(path: string, query?: Query, onSent?: () => void): Promise<LazyBody>;
  /**
   * POST a JSON body (bigints in it are money, sent as exact decimals). Sends
   * an Idempotency-Key (the given one, or one made here) that is reused on
   * every retry of this call.
   */
  post<T>(path: string, body: unknown, options?: { idempotencyKey?: string | undefined }): Promise<T>;
  close(): Promise<void>;
}

export interface ClientHints {
  noToken?: string;
  unauthorized?: string;
  forbidden?: string;
  teamNotFound?: string;
}

export interface ClientOptions {
  baseUrl: string;
  token: string | undefined;
  timeoutMs: number;
  retries: number;
  insecure?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  debug?: (message: string) => void;
  /** Sent as User-Agent; the caller names itself. */
  userAgent?: string;
  /** Wall clock in ms, for Retry-After dates. */
  now?: () => number;
  /** Advice attached to errors, worded by the caller (it knows its own commands). */
  hints?: ClientHints;
  /** Test hooks: how to wait and where jitter comes from. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  dispatcher?: Dispatcher;
}

/**
 * undici publishes on this channel just before it writes a request's first
 * byte (docs/api/DiagnosticsChannel.md in undici), in the same synchronous
 * call as the write. It is the only outside view of when a request actually
 * leaves: undici 7 holds a request for a kept-alive connection that has gone
 * idle until a later turn of the event loop (setImmediate, sometimes more
 * than one), after checking that the server has not closed the connection.
 */
const SEND_HEADERS = 'undici:client:sendHeaders';

/**
 * Callbacks waiting for their request to be written, by path and query (the
 * origin left out: through an http proxy undici names the proxy as the
 * origin and the whole URL as the path).
 */
class SendWatch {
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly onMessage = (message: unknown): void => {
    const path = (message as { request?: { path?: unknown } }).request?.path;
    if (typeof path !== 'string') return;
    const key = path.startsWith('/') ? path : pathOf(path);
    const callbacks = key === undefined ? undefined : this.waiting.get(key);
    if (key === undefined || callbacks === undefined) return;
    this.waiting.delete(key);
    if (this.waiting.size === 0) diagnostics.unsubscribe(SEND_HEADERS, this.onMessage);
    for (const callback of callbacks) callback();
  };

  /** Calls `callback` when a request for `url` is written; returns how to stop waiting. */
  add(url: URL, callback: () => void): () => void {
    const key = `${url.pathname}${url.search}`;
    if (this.waiting.size === 0) diagnostics.subscribe(SEND_HEADERS, this.onMessage);
    const callbacks = this.waiting.get(key) ?? [];
    callbacks.push(callback);
    this.waiting.set(key, callbacks);
    return () => {
      const list = this.waiting.get(key);
      if (list === undefined) return;
      const rest = list.filter((c) => c !== callback);
      if (rest.length > 0) {
        this.waiting.set(key, rest);
        return;
      }
      this.waiting.delete(key);
      if (this.waiting.size === 0) diagnostics.unsubscribe(SEND_HEADERS, this.onMessage);
    };
  }
}

function pathOf(absolute: string): string | undefined {
  try {
    const url = new URL(absolute);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Refuses to send a token in clear text to anything but this machine. */
export function checkTransport(baseUrl: string, insecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`invalid API URL "${baseUrl}"`, 'use e.g. --api-url https://api.keeptrusts.com');
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !insecure) {
    throw new UsageError(
      `refusing to send the API token over plain http to ${url.host}`,
      'use https://, or pass --insecure if this network is trusted',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid API URL "${baseUrl}": only http and https are supported`);
  }
  return url;
}

function hasProxy(env: Readonly<Record<string, string | undefined>>): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => (env[k] ?? '') !== '');
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new InterruptedError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function createApiClient(options: ClientOptions): ApiClient {
  const base = checkTransport(options.baseUrl, options.insecure === true);
  const env = options.env ?? {};
  const timeouts = {
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 10_000,
  };
  const dispatcher =
    options.dispatcher ??
    (hasProxy(env)
      ? new EnvHttpProxyAgent({
          httpProxy: env.HTTP_PROXY ?? env.http_proxy,
          httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
          noProxy: env.NO_PROXY ?? env.no_proxy,
          ...timeouts,
        })
      : new Agent(timeouts));
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const debug = options.debug;
  const userAgent = options.userAgent ?? `node/${process.version}`;
  const now = options.now ?? Date.now;
  const hints = options.hints ?? {};
  const basePath = base.pathname.replace(/\/+$/, '');

  function urlFor(path: string, query?: Query): URL {
    const url = new URL(base.origin + basePath + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return url;
  }

  async function send<T>(method: 'GET' | 'POST', url: URL, body: string | undefined, idempotencyKey: string | undefined): Promise<T> {
    return (await receive(method, url, body, idempotencyKey)).json<T>();
  }

  const sends = new SendWatch();

  async function receive(method: 'GET' | 'POST', url: URL, body: string | undefined, idempotencyKey: string | undefined, onSent?: () => void): Promise<LazyBody> {
    if (onSent === undefined) return exchange(method, url, body, idempotencyKey);
    let told = false;
    const tell = (): void => {
      if (told) return;
      told = true;
      onSent();
    };
    const stop = sends.add(url, tell);
    try {
      return await exchange(method, url, body, idempotencyKey, tell);
    } finally {
      stop();
      tell();
    }
  }

  /** The request, retried as allowed, until a 2xx body or a final error. */
  async function exchange(method: 'GET' | 'POST', url: URL, body: string | undefined, idempotencyKey: string | undefined, onAttemptEnd?: () => void): Promise<LazyBody> {
    if (options.token === undefined || options.token === '') {
      throw new AuthError('not logged in: no API token configured', hints.noToken);
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      accept: 'application/json',
      'user-agent': userAgent,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    // A POST without a key is never retried: the server could apply it twice.
    const maxRetries = method === 'GET' || idempotencyKey !== undefined ? options.retries : 0;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      debug?.(`→ ${method} ${url.href}${attempt > 0 ? ` (retry ${attempt})` : ''}${idempotencyKey !== undefined ? ` idempotency-key=${idempotencyKey}` : ''}`);
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, { method, headers, body, dispatcher, signal: options.signal });
      } catch (error) {
        // A failed attempt has left too, as far as a waiting pager is concerned.
        onAttemptEnd?.();
        if (options.signal?.aborted === true) throw new InterruptedError();
        const failure = networkError(error, url);
        debug?.(`✗ ${method} ${url.href}: ${failure.message}`);
        if (attempt < maxRetries) {
          await sleep(retryDelayMs(attempt + 1, undefined, random), options.signal);
          continue;
        }
        throw failure;
      }
      const requestId = headerValue(response.headers['x-request-id']);
      const elapsed = Math.round(performance.now() - started);
      debug?.(`← ${response.statusCode} in ${elapsed}ms${requestId !== undefined ? ` (request id ${requestId})` : ''}`);
      if (response.statusCode >= 200 && response.statusCode < 300) {
        let text: string;
        try {
          text = await response.body.text();
        } catch (error) {
          if (options.signal?.aborted === true) throw new InterruptedError();
          const failure = networkError(error, url);
          if (attempt < maxRetries) {
            await sleep(retryDelayMs(attempt + 1, undefined, random), options.signal);
            continue;
          }
          throw failure;
        }
        return { text, json: <T>() => parseJson<T>(text, response, url, method) };
      }
      const text = await response.body.text().catch(() => '');
      if (isRetryableStatus(response.statusCode) && attempt < maxRetries) {
        const wait = retryDelayMs(attempt + 1, parseRetryAfter(headerValue(response.headers['retry-after']), now()), random);
        debug?.(`  retrying in ${wait}ms`);
        await sleep(wait, options.signal);
        continue;
      }
      throw apiError(response, text, url, requestId, hints, method);
    }
  }

  return {
    baseUrl: base.href,
    get: <T>(path: string, query?: Query) => send<T>('GET', urlFor(path, query), undefined, undefined),
    fetch: (path: string, query?: Query, onSent?: () => void) => receive('GET', urlFor(path, query), undefined, undefined, onSent),
    post: <T>(path: string, body: unknown, opts?: { idempotencyKey?: string | undefined }) =>
      send<T>('POST', urlFor(path), stringifyJson(body, { moneyDecimals: 0 }), opts?.idempotencyKey ?? randomUUID()),
    close: async () => {
      if (options.dispatcher === undefined) await dispatcher.close();
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function networkError(error: unknown, url: URL): NetworkError {
  const code = (error as { code?: string }).code ?? '';
  const where = url.origin;
  let reason = error instanceof Error ? error.message : String(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = `cannot resolve host ${url.hostname}`;
  else if (code === 'ECONNREFUSED') reason = 'connection refused';
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') reason = 'connection reset by the server';
  else if (code === 'UND_ERR_CONNECT_TIMEOUT') reason = 'timed out connecting';
  else if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') reason = 'timed out waiting for the server';
  return new NetworkError(`cannot reach ${where}: ${reason}`, url.href, { cause: error });
}

function describeBody(text: string, contentType: string | undefined): string {
  if (/^\s*<(!doctype|html)/i.test(text) || /html/i.test(contentType ?? '')) return 'an HTML page';
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  return `${contentType ?? 'no content type'}${snippet !== '' ? `: ${snippet}` : ''}`;
}

const DEBUG_HINT = 'run again with --debug to see the requests; is --api-url pointing at the control plane, and not at a proxy or web page?';

function parseJson<T>(text: string, response: Dispatcher.ResponseData, url: URL, method: string): T {
  try {
    return parseJsonExact(text) as T;
  } catch {
    const type = headerValue(response.headers['content-type']);
    throw new FailureError(`expected JSON from ${method} ${url.pathname}, got ${describeBody(text, type)} (HTTP ${response.statusCode})`, DEBUG_HINT);
  }
}

/** The server's own words about an error, from whichever shape it answers in. */
function errorBody(text: string): { code: string | undefined; message: string | undefined; requestId: string | undefined; details: Record<string, unknown> | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain text (not HTML) is the message itself.
    const plain = text.replace(/\s+/g, ' ').trim();
    const usable = plain !== '' && plain.length <= 300 && !plain.startsWith('<');
    return { code: undefined, message: usable ? plain : undefined, requestId: undefined, details: undefined };
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  if (typeof parsed === 'string') return { code: undefined, message: str(parsed), requestId: undefined, details: undefined };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { code: undefined, message: undefined, requestId: undefined, details: undefined };
  const top = parsed as Record<string, unknown>;
  const nested = typeof top.error === 'object' && top.error !== null && !Array.isArray(top.error) ? (top.error as Record<string, unknown>) : undefined;
  if (nested !== undefined) {
    const { code, message, request_id: rid, ...details } = nested;
    return { code: str(code), message: str(message) ?? str(top.message), requestId: str(rid) ?? str(top.request_id), details };
  }
  // {"error": "insufficient balance"}, {"message": …}, {"detail": …} (RFC 7807 uses title/detail)
  return {
    code: str(top.code) ?? str(top.error_code),
    message: str(top.error) ?? str(top.message) ?? str(top.detail) ?? str(top.title),
    requestId: str(top.request_id),
    details: undefined,
  };
}

/** The exit code follows the HTTP status, whatever shape the body has. */
function apiError(response: Dispatcher.ResponseData, text: string, url: URL, requestId: string | undefined, hints: ClientHints, method: string): Error {
  const status = response.statusCode;
  const body = errorBody(text);
  const where = `${method} ${url.pathname}`;
  const fallback =
    status === 401 || status === 403
      ? `${url.origin} refused the token (HTTP ${status})`
      : `HTTP ${status} from ${where}: ${describeBody(text, headerValue(response.headers['content-type']))}`;
  const code = body.code ?? `http_${status}`;
  let hint: string | undefined;
  if (status === 401) hint = hints.unauthorized;
  else if (status === 403) hint = hints.forbidden;
  else if (code === 'team_not_found') hint = hints.teamNotFound;
  else if (status === 404 && body.message === undefined) hint = DEBUG_HINT;
  return new ApiError({
    status,
    code,
    message: body.message === undefined ? fallback : status === 404 ? `${body.message} (HTTP 404 from ${where})` : body.message,
    requestId: body.requestId ?? requestId,
    details: body.details,
    hint,
  });
}
