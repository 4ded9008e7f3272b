// POST one JSON message to an alert webhook (Slack-compatible: a `text` field
// the chat shows, plus whatever data the caller adds). Retried like API calls:
// on network errors, 429 and 5xx, with exponential backoff and jitter,
// honouring Retry-After; never on another 4xx. No Authorization header: a
// webhook URL carries its own secret.
import { request } from 'undici';
import { FailureError } from '../errors.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry.js';

export interface WebhookOptions {
  retries: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Test hook; defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The hint of the error when every attempt failed (what the caller did regardless). */
  hint?: string;
}

/** The URL with any path and query hidden: a Slack webhook's path is its secret. */
export function redactWebhook(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return 'the webhook';
  }
}

export async function postWebhook(url: string, body: unknown, options: WebhookOptions): Promise<{ status: number; attempts: number }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const payload = JSON.stringify(body);
  let lastProblem = '';
  for (let attempt = 1; ; attempt += 1) {
    let retryAfter: number | undefined;
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: options.signal,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, attempts: attempt };
      lastProblem = `HTTP ${res.statusCode}`;
      if (!isRetryableStatus(res.statusCode)) break;
      const header = res.headers['retry-after'];
      retryAfter = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (attempt > options.retries) break;
    await sleep(retryDelayMs(attempt, retryAfter, options.random ?? Math.random));
  }
  throw new FailureError(`the webhook post to ${redactWebhook(url)} failed: ${lastProblem}`, options.hint ?? 'check the URL; the list above was printed all the same');
}
