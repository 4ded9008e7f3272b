// The request layer against a real local HTTP server that misbehaves on cue.
import diagnostics from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, checkTransport } from '../../src/api/client.js';
import { pageThrough } from '../../src/api/pages.js';
import { buildApiClient, CLI_HINTS } from '../../src/cli/api-factory.js';
import { DEFAULT_GLOBALS } from '../../src/cli/context.js';
import type { ResolvedConfig } from '../../src/config/resolve.js';
import { VERSION } from '../../src/version.js';
import { ApiError, AuthError, FailureError, NetworkError, UsageError } from '../../src/errors.js';
import { parseRetryAfter, retryDelayMs } from '../../src/api/retry.js';

type Step = (req: IncomingMessage, res: ServerResponse, body: string) => void;
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

interface Served {
  url: string;
  seen: Seen[];
  /** Resolves when the server has received its nth request (1-based). */
  received: (n: number) => Promise<void>;
}

async function serve(steps: Step[]): Promise<Served> {
  const seen: Seen[] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  let i = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      for (const w of waiting.filter((x) => x.n <= seen.length)) w.resolve();
      const step = steps[Math.min(i++, steps.length - 1)]!;
      step(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    received: (n) => (seen.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }))),
  };
}

const json =
  (status: number, payload: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_test', ...headers });
    res.end(JSON.stringify(payload));
  };
const drop: Step = (req) => req.socket.destroy();

function client(url: string, extra: { retries?: number; token?: string } = {}) {
  const delays: number[] = [];
  const c = createApiClient({
    baseUrl: url,
    token: extra.token ?? 'secret-token-123',
    timeoutMs: 5000,
    retries: extra.retries ?? 3,
    userAgent: 'kt/9.9.9 node/v20.0.0',
    hints: CLI_HINTS,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
  });
  return { c, delays };
}

describe('retries', () => {
  it('retries 503, 429 and dropped connections on GET, then succeeds', async () => {
    const { url, seen } = await serve([json(503, {}), drop, json(429, {}, { 'retry-after': '2' }), json(200, { ok: true })]);
    const { c, delays } = client(url);
    await expect(c.get('/v1/whoami')).resolves.toEqual({ ok: true });
    expect(seen).toHaveLength(4);
    // full jitter at random()=0.5: 125ms, 250ms; then the server's Retry-After of 2s
    expect(delays).toEqual([125, 250, 2000]);
    await c.close();
  });

  it('gives up after --retries and reports the last failure', async () => {
    const { url, seen } = await serve([json(503, { error: { code: 'unavailable', message: 'try later', request_id: 'r1' } })]);
    const { c } = client(url, { retries: 2 });
    const error = await c.get('/v1/wallets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).exitCode).toBe(1);
    expect(seen).toHaveLength(3);
    await c.close();
  });

  it('never retries other 4xx', async () => {
    const { url, seen } = await serve([json(404, { error: { code: 'team_not_found', message: 'no team "x"', request_id: 'r2' } })]);
    const { c } = client(url);
    const error = (await c.get('/v1/wallets/balance', { team_id: 'x' }).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('team_not_found');
    expect(error.requestId).toBe('r2');
    expect(error.hint).toContain('kt wallets list');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/v1/wallets/balance?team_id=x');
    await c.close();
  });

  it('reuses one Idempotency-Key across every retry of a POST', async () => {
    const { url, seen } = await serve([json(503, {}), drop, json(200, { done: 1 })]);
    const { c } = client(url);
    await expect(c.post('/v1/wallets/allocate', { team_id: 'search', amount: 10000 })).resolves.toEqual({ done: 1 });
    expect(seen).toHaveLength(3);
    const keys = seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    expect(JSON.parse(seen[2]!.body)).toEqual({ team_id: 'search', amount: 10000 });
    await c.close();
  });

  it('uses a caller-given key and makes a new key per logical call', async () => {
    const { url, seen } = await serve([json(200, {})]);
    const { c } = client(url);
    await c.post('/x', {}, { idempotencyKey: 'my-key' });
    await c.post('/x', {});
    await c.post('/x', {});
    expect(seen[0]!.headers['idempotency-key']).toBe('my-key');
    expect(seen[1]!.headers['idempotency-key']).not.toBe(seen[2]!.headers['idempotency-key']);
    await c.close();
  });
});

describe('errors', () => {
  it('names the URL when the connection is refused', async () => {
    const { url } = await serve([json(200, {})]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const { c } = client(url, { retries: 0 });
    const error = (await c.get('/v1/whoami').catch((e: unknown) => e)) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(`cannot reach ${url}: connection refused`);
    expect(error.exitCode).toBe(1);
  });

  it('says what came back when a proxy answers with HTML', async () => {
    const { url } = await serve([
      (_q, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>Bad gateway</body></html>');
      },
    ]);
    const { c } = client(url, { retries: 0 });
    const error = (await c.get('/v1/wallets').catch((e: unknown) => e)) as ApiError;
    // The status decides (a 5xx is exit 1 once retries are spent); the page is not shown.
    expect(error).toBeInstanceOf(ApiError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('HTTP 502 from GET /v1/wallets: an HTML page');
  });

  it('reports malformed JSON in a 200', async () => {
    const { url } = await serve([
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data": [');
      },
    ]);
    const { c } = client(url);
    const error = (await c.get('/v1/wallets').catch((e: unknown) => e)) as FailureError;
    expect(error.message).toBe('expected JSON from GET /v1/wallets, got application/json: {"data": [ (HTTP 200)');
  });

  it('maps 401 and 403 to exit 4 with a hint', async () => {
    const { url } = await serve([
      json(401, { error: { code: 'unauthorized', message: 'unknown token', request_id: 'a' } }),
      json(403, { error: { code: 'forbidden', message: 'admin only', request_id: 'b' } }),
    ]);
    const { c } = client(url);
    const e401 = (await c.get('/v1/whoami').catch((e: unknown) => e)) as ApiError;
    const e403 = (await c.get('/v1/whoami').catch((e: unknown) => e)) as ApiError;
    expect([e401.exitCode, e403.exitCode]).toEqual([4, 4]);
    expect(e401.hint).toContain('kt auth login');
  });

  it('refuses to send a request without a token', async () => {
    const { url, seen } = await serve([json(200, {})]);
    const c = createApiClient({ baseUrl: url, token: undefined, timeoutMs: 1000, retries: 0, hints: CLI_HINTS });
    const error = (await c.get('/v1/whoami').catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.hint).toBe('run `kt auth login` or set KEEPTRUSTS_API_TOKEN');
    expect(seen).toHaveLength(0);
  });

  it('refuses plain http to a remote host unless insecure', () => {
    expect(() => checkTransport('http://api.example.com', false)).toThrow(UsageError);
    expect(() => checkTransport('http://api.example.com', false)).toThrow('refusing to send the API token over plain http to api.example.com');
    expect(checkTransport('http://api.example.com', true).host).toBe('api.example.com');
    expect(checkTransport('http://127.0.0.1:8787', false).port).toBe('8787');
    expect(checkTransport('http://localhost:1', false).hostname).toBe('localhost');
    expect(checkTransport('http://[::1]:1', false).hostname).toBe('[::1]');
  });
});

describe('pagination', () => {
  it('walks every page in order and asks for the next page before the caller is done', async () => {
    const pages = [
      { data: [1, 2], next_cursor: 'c1' },
      { data: [3, 4], next_cursor: 'c2' },
      { data: [5], next_cursor: null },
    ];
    const { url, seen, received } = await serve([json(200, pages[0]), json(200, pages[1]), json(200, pages[2])]);
    const { c } = client(url);
    const rows: number[] = [];
    let index = 0;
    for await (const page of pageThrough(c, '/v1/events', { team_id: ['a', 'b'] }, { listKeys: ['events'], pageSize: 2, read: (raw) => raw as number })) {
      index += 1;
      // Holding page n, the server must receive the request for page n+1:
      // without prefetching this never resolves and the test times out.
      if (index < pages.length) await received(index + 1);
      rows.push(...page);
    }
    expect(rows).toEqual([1, 2, 3, 4, 5]);
    expect(seen.map((s) => s.url)).toEqual([
      '/v1/events?team_id=a%2Cb&limit=2',
      '/v1/events?team_id=a%2Cb&cursor=c1&limit=2',
      '/v1/events?team_id=a%2Cb&cursor=c2&limit=2',
    ]);
    await c.close();
  });

  it('sends the request for the next page before it reads the rows of this one', async () => {
    // undici writes a request on an idle kept-alive connection only from a
    // setImmediate callback; its diagnostics channel tells when it does.
    const pages = [
      { data: [1, 2], next_cursor: 'c1' },
      { data: [3, 4], next_cursor: 'c2' },
      { data: [5], next_cursor: null },
    ];
    const { url } = await serve(pages.map((p) => json(200, p)));
    const { c } = client(url);
    const log: string[] = [];
    const onSend = (message: unknown): void => {
      const { request } = message as { request: { path: string } };
      log.push(`sent ${new URLSearchParams(request.path.split('?')[1]).get('cursor') ?? 'first'}`);
    };
    diagnostics.subscribe('undici:client:sendHeaders', onSend);
    try {
      const read = (raw: unknown): number => {
        log.push(`read ${String(raw)}`);
        return raw as number;
      };
      for await (const page of pageThrough(c, '/v1/events', {}, { listKeys: ['events'], pageSize: 2, read })) expect(page.length).toBeGreaterThan(0);
    } finally {
      diagnostics.unsubscribe('undici:client:sendHeaders', onSend);
      await c.close();
    }
    expect(log).toEqual(['sent first', 'sent c1', 'read 1', 'read 2', 'sent c2', 'read 3', 'read 4', 'read 5']);
  });

  it("kt's factory names kt and its version in the user agent, and refuses to build a client without a token", async () => {
    const { url, seen } = await serve([json(200, {})]);
    const withToken = (value: string | undefined): ResolvedConfig =>
      ({
        profile: 'default',
        apiUrl: url,
        timeoutMs: 1000,
        retries: 0,
        insecure: false,
        profileExists: true,
        token: () => Promise.resolve(value === undefined ? { value, source: 'none', where: undefined } : { value, source: 'file', where: 'config.json' }),
      }) as ResolvedConfig;
    const config = withToken('tok');
    const ctx = { env: {}, signal: new AbortController().signal, globals: DEFAULT_GLOBALS, log: { info: () => undefined, warn: () => undefined, debug: () => undefined } };
    const c = await buildApiClient(ctx, config);
    await c.get('/v1/whoami');
    expect(seen[0]!.headers['user-agent']).toBe(`kt/${VERSION} node/${process.version}`);
    await c.close();
    await expect(buildApiClient(ctx, withToken(undefined))).rejects.toMatchObject({
      exitCode: 4,
      message: `not logged in: no API token for profile "default" (${url})`,
      hint: 'run `kt auth login` or set KEEPTRUSTS_API_TOKEN',
    });
  });

  it('sends auth and user agent headers', async () => {
    const { url, seen } = await serve([json(200, {})]);
    const { c } = client(url);
    await c.get('/v1/whoami');
    expect(seen[0]!.headers.authorization).toBe('Bearer secret-token-123');
    expect(seen[0]!.headers['user-agent']).toBe('kt/9.9.9 node/v20.0.0');
    await c.close();
  });
});

describe('retry policy', () => {
  it('parses Retry-After as seconds or a date, capped at a minute', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter('3600', 0)).toBe(60_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it('backs off exponentially with full jitter up to a cap', () => {
    expect([1, 2, 3, 4, 10].map((a) => retryDelayMs(a, undefined, () => 1))).toEqual([250, 500, 1000, 2000, 8000]);
    expect(retryDelayMs(3, undefined, () => 0)).toBe(0);
    expect(retryDelayMs(3, 1500, () => 1)).toBe(1500);
  });
});
