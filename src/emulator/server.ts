// The emulator's HTTP face: node:http, the error envelope, auth, body limits,
// idempotency and fault injection; endpoint logic is in api.ts over the store.
import { createHash } from 'node:crypto';
import { randomHex } from './ids.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiFailure } from './failure.js';
import type { Store } from './store.js';
import type { EmulatorClock } from './clock.js';
import { decideFaults, seededRandom, type FaultRule } from './faults.js';
import { routeRequest, type Dialect, type Scope } from './api.js';
import { parseJsonExact, stringifyJson } from '../domain/json.js';
import { RawJson } from './resource-json.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  store: Store;
  adminToken: string;
  gatewayToken: string;
  faults: FaultRule[];
  faultsSeed: number | undefined;
  clock: EmulatorClock;
  /** kt's contract (default) or the product's documented shapes; see api.ts. */
  dialect?: Dialect;
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export function createEmulatorServer(options: ServerOptions): Server {
  const random = options.faultsSeed === undefined ? Math.random : seededRandom(options.faultsSeed);
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    const requestId = `req_${randomHex(8)}`;
    handle(req, res, options, random, requestId).catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, errorReply(500, 'internal', error instanceof Error ? error.message : String(error), requestId, {}, options.dialect), requestId);
      } else res.destroy();
    });
  });
  return server;
}

/**
 * The error envelope: kt's `{"error":{code,message,request_id,...}}`, or the
 * product's plain `{"error":"<message>"}` (402 always "insufficient balance",
 * an unknown path "not found").
 */
function errorReply(status: number, code: string, message: string, requestId: string, extra: Record<string, unknown> = {}, dialect: Dialect = 'kt'): Reply {
  if (dialect === 'product') {
    const text = status === 402 ? 'insufficient balance' : code === 'not_found' ? 'not found' : message;
    return { status, body: JSON.stringify({ error: text }), headers: {} };
  }
  return {
    status,
    body: stringifyJson({ error: { code, message, request_id: requestId, ...extra } }, { moneyDecimals: 0 }),
    headers: {},
  };
}

function send(res: ServerResponse, reply: Reply, requestId: string): void {
  // All headers in one writeHead, as a bare server sends them: setHeader validates and stores each one first.
  const headers: Record<string, string | number> = { 'X-Request-Id': requestId };
  for (const name in reply.headers) headers[name] = reply.headers[name] as string;
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = Buffer.byteLength(reply.body);
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function handle(req: IncomingMessage, res: ServerResponse, options: ServerOptions, random: () => number, requestId: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const method = req.method ?? 'GET';
  const decision = options.faults.length > 0 ? decideFaults(options.faults, method, url.pathname, random) : { latencyMs: 0, fault: undefined };
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  const fault = decision.fault;
  if (fault !== undefined && !fault.commit) {
    injectFault(req, res, fault, requestId, options.dialect);
    return;
  }
  const reply = await process(req, url, method, options, requestId);
  if (fault !== undefined) {
    injectFault(req, res, fault, requestId, options.dialect);
    return;
  }
  send(res, reply, requestId);
}

function injectFault(req: IncomingMessage, res: ServerResponse, fault: FaultRule, requestId: string, dialect: Dialect | undefined): void {
  if (fault.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  const status = Number(fault.kind);
  const reply = errorReply(
    status,
    status === 429 ? 'rate_limited' : 'service_unavailable',
    status === 429 ? 'too many requests (injected fault)' : 'service unavailable (injected fault)',
    requestId,
    {},
    dialect,
  );
  if (fault.retryAfter !== undefined) reply.headers['Retry-After'] = String(fault.retryAfter);
  // the request body may still be arriving; drain it so keep-alive stays usable
  req.resume();
  send(res, reply, requestId);
}

/**
 * The body as text. Listeners rather than `for await`: an async iterator
 * costs a few promises per chunk, and a gateway's body is one small chunk.
 */
function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) return Promise.reject(new ApiFailure(413, 'payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`));
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        cleanup();
        // As leaving a `for await` over the request did: the rest is never read, the connection goes.
        req.destroy();
        reject(new ApiFailure(413, 'payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      // Aborted before its end: the iterator rejected with a premature close.
      cleanup();
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function authenticate(req: IncomingMessage, options: ServerOptions): Scope {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) throw new ApiFailure(401, 'unauthorized', 'missing bearer token: send Authorization: Bearer <token>');
  const token = match[1];
  if (token === options.adminToken) return 'admin';
  if (token === options.gatewayToken) return 'gateway';
  throw new ApiFailure(401, 'unauthorized', 'unknown token');
}

async function process(req: IncomingMessage, url: URL, method: string, options: ServerOptions, requestId: string): Promise<Reply> {
  try {
    const scope = authenticate(req, options);
    const isGateway = url.pathname.startsWith('/v1/gateway/');
    if (isGateway && scope !== 'gateway') throw new ApiFailure(403, 'forbidden', 'gateway endpoints need the gateway token');
    // Gateways also report events after the fact (POST /v1/events).
    const gatewayMayCall = url.pathname === '/v1/whoami' || (method === 'POST' && url.pathname.replace(/\/+$/, '') === '/v1/events');
    if (!isGateway && scope === 'gateway' && !gatewayMayCall) {
      throw new ApiFailure(403, 'forbidden', 'the gateway token may only call /v1/gateway/*, POST /v1/events and /v1/whoami');
    }
    let body: unknown = undefined;
    let raw = '';
    if (method === 'POST') {
      raw = await readBody(req);
      try {
        body = raw.trim() === '' ? {} : parseJsonExact(raw);
      } catch {
        throw new ApiFailure(400, 'invalid_json', 'request body is not valid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiFailure(400, 'invalid_request', 'request body must be a JSON object');
      }
    } else {
      req.resume();
    }
    const store = options.store;
    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' && keyHeader !== '' && method === 'POST' ? keyHeader : undefined;
    const fingerprint =
      key === undefined ? '' : createHash('sha256').update(`${scope} ${method} ${url.pathname}\n${JSON.stringify(body)}`).digest('hex');
    return await store.txBatched((): Reply => {
      if (key !== undefined) {
        const previous = store.idempotent(`${scope}:${key}`);
        if (previous !== undefined) {
          if (previous.fingerprint !== fingerprint) {
            throw new ApiFailure(409, 'idempotency_conflict', 'this Idempotency-Key was already used with a different request');
          }
          return { status: previous.status, body: previous.body, headers: { 'Idempotent-Replayed': 'true' } };
        }
      }
      const result = routeRequest({ store, clock: options.clock, dialect: options.dialect ?? 'kt' }, scope, method, url, body as Record<string, unknown> | undefined);
      const text = result.body instanceof RawJson ? result.body.text : stringifyJson(result.body, { moneyDecimals: 0 });
      if (key !== undefined) store.saveIdempotent(`${scope}:${key}`, fingerprint, result.status, text);
      return { status: result.status, body: text, headers: {} };
    });
  } catch (error) {
    if (error instanceof ApiFailure) return errorReply(error.status, error.code, error.message, requestId, error.extra, options.dialect);
    throw error;
  }
}
