// A control plane that answers the way the product's public docs show it
// (../shared/reference/control-plane-api-facts.md), not the way kt's own
// contract does: events under `events`, newest first, no cursor anywhere,
// costs in `event_cost_attribution.total_cost_usd` as floats with the noise a
// float serialiser leaves, ids sometimes only in `event_id`, wallets under
// `wallets` in the console's shapes (a scope of organization, team or user;
// balance, reserved, total_allocated, total_spent, status; no period, no
// parent, fields left out where a console has nothing to show), a balance
// endpoint that answers with the caller's cascade whatever team is asked
// for, transactions only at
// /v1/wallets/{id}/transactions, errors as bare strings, and an HTML page for
// any path it does not know. No aggregation endpoint: `aggregate=` is ignored.
//
// Real HTTP on a free loopback port; the data is fixed (no clock involved).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProductEvent {
  id?: string;
  event_id?: string;
  timestamp: string;
  event_type: string;
  verdict: string;
  reason_code: string;
  provider: string;
  model: string;
  config_version: string;
  team?: string;
  input_tokens?: number;
  output_tokens?: number;
  /** Written into the body verbatim (a JSON number's text, e.g. `3.75e-05`). */
  costText?: string;
  /** Put the cost in a flat `cost_usd` instead of event_cost_attribution. */
  flatCost?: boolean;
}

export interface ProductServerOptions {
  events: ProductEvent[];
  /** The page size when the request has no `limit` (the product CLI's default is 50). */
  defaultLimit?: number;
  /** The most a page holds whatever `limit` says. */
  maxLimit?: number;
  /** A broken server that ignores `since`/`until`. */
  ignoreWindow?: boolean;
  /** Transactions ignore `since`/`until`: the whole history comes in one page. */
  ignoreTransactionWindow?: boolean;
  /** The wallets GET /v1/wallets lists (default PRODUCT_WALLETS). */
  wallets?: readonly object[];
}

export interface ProductServer {
  url: string;
  /** Every request line, in order. */
  requests: string[];
  /** A new event, as a gateway would record it. */
  addEvent(event: ProductEvent): void;
  close(): Promise<void>;
}

/**
 * The organization's wallet (not called org, no team), a team's pool nearly
 * spent (in float noise), a team's with nothing but a balance, and a user's.
 */
export const PRODUCT_WALLETS: readonly object[] = [
  { id: 'wal_7f3c', scope: 'organization', name: 'Acme', balance: 41250.5, reserved: 0, total_allocated: 50000, total_spent: 8749.5, status: 'Healthy' },
  { id: 'wal_search', scope: 'team', scope_id: 'search', name: 'Search', balance: 3.0000000000000004, reserved: 0, total_allocated: 10000, total_spent: 9996.999999999998, status: 'Low' },
  { id: 'wal_ads', scope: 'team', team_id: 'ads', name: 'Ads', balance: 120 },
  { id: 'wal_u_ada', scope: 'user', user_id: 'usr_ada', name: 'ada@acme.example', balance: 12.5, reserved: 0.5, total_allocated: 50, total_spent: 37, status: 'Healthy' },
];

// Newest first, as the console lists them.
const TRANSACTIONS = [
  { id: 'txn_2', type: 'settle', amount: -0.0016150000000000001, balance: 3.0000000000000004, created_at: '2026-11-20T10:00:01Z' },
  { id: 'txn_1', type: 'allocate', amount: 10000, balance: 10000, created_at: '2026-11-01T00:00:00Z' },
  { id: 'txn_0', type: 'allocate', amount: 10000, balance: 10000, created_at: '2026-10-01T00:00:00Z' },
];

function eventJson(e: ProductEvent): string {
  const fields: string[] = [];
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) fields.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  };
  put('id', e.id);
  put('event_id', e.event_id);
  put('event_type', e.event_type);
  put('timestamp', e.timestamp);
  put('verdict', e.verdict);
  put('reason_code', e.reason_code);
  put('model', e.model);
  put('provider', e.provider);
  put('config_version', e.config_version);
  put('team', e.team);
  put('input_tokens', e.input_tokens);
  put('output_tokens', e.output_tokens);
  if (e.costText !== undefined) {
    if (e.flatCost === true) fields.push(`"cost_usd":${e.costText}`);
    else fields.push(`"event_cost_attribution":{"total_cost_usd":${e.costText},"source_spend_log_id":"spl_${e.id ?? e.event_id ?? ''}"}`);
  }
  return `{${fields.join(',')}}`;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

export async function startProductServer(options: ProductServerOptions): Promise<ProductServer> {
  // Newest first, as the console lists them.
  const events = [...options.events].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
  const requests: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== 'Bearer product-token') return send(res, 401, JSON.stringify({ error: 'invalid token' }));
    const q = url.searchParams;
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v1/whoami') {
      return send(res, 200, JSON.stringify({ user: { id: 'usr_1', email: 'ada@acme.example' }, organization: { id: 'org_1', name: 'Acme' }, role: 'billing_admin', scope: 'org:billing events:read' }));
    }
    if (req.method === 'GET' && path === '/v1/events') {
      const since = q.get('since');
      const until = q.get('until');
      const limit = Math.min(options.maxLimit ?? 500, Number(q.get('limit') ?? options.defaultLimit ?? 50));
      const verdicts = q.get('verdict')?.split(',');
      const page = events
        .filter((e) => options.ignoreWindow === true || since === null || Date.parse(e.timestamp) >= Date.parse(since))
        .filter((e) => options.ignoreWindow === true || until === null || Date.parse(e.timestamp) < Date.parse(until))
        .filter((e) => verdicts === undefined || verdicts.includes(e.verdict))
        .slice(0, limit);
      return send(res, 200, `{"events":[${page.map(eventJson).join(',')}]}`);
    }
    const wallets = options.wallets ?? PRODUCT_WALLETS;
    if (req.method === 'GET' && path === '/v1/wallets') {
      return send(res, 200, JSON.stringify({ wallets }));
    }
    if (req.method === 'GET' && path === '/v1/wallets/balance') {
      // The cascade of the caller (ada: user → organization), whatever team_id says.
      const scoped = (scope: string): object[] => wallets.filter((w) => (w as { scope?: string }).scope === scope);
      const cascade = [...scoped('user'), ...scoped('organization')];
      return send(res, 200, JSON.stringify({ effective_scope: 'user', cascade }));
    }
    if (req.method === 'GET' && path === '/v1/wallets/wal_search/transactions') {
      const since = q.get('since');
      const until = q.get('until');
      const inWindow = (t: { created_at: string }): boolean =>
        (since === null || Date.parse(t.created_at) >= Date.parse(since)) && (until === null || Date.parse(t.created_at) < Date.parse(until));
      const rows = options.ignoreTransactionWindow === true ? TRANSACTIONS : TRANSACTIONS.filter(inWindow);
      return send(res, 200, JSON.stringify({ transactions: rows }));
    }
    if (req.method === 'POST' && path === '/v1/wallets/credit') {
      req.resume();
      return send(res, 402, JSON.stringify({ error: 'insufficient balance' }));
    }
    send(res, 404, '<!doctype html><html><body><h1>404 Not Found</h1></body></html>', 'text/html');
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addEvent: (event) => {
      events.unshift(event);
      events.sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The environment a child kt needs to talk to it. */
export function productEnv(server: ProductServer, now: string): Record<string, string> {
  return { KEEPTRUSTS_API_URL: server.url, KEEPTRUSTS_API_TOKEN: 'product-token', KT_NOW: now };
}
