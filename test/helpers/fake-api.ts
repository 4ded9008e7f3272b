// A scripted ApiClient for handler tests: every GET goes to `answer`, which
// returns a raw JSON body (numbers as a server would send them) or throws an
// ApiError. The body goes through JSON text, so the API layer's readers parse
// it exactly as they would a real response.
import type { ApiClient, LazyBody, Query } from '../../src/api/client.js';
import { parseJsonExact, stringifyJson } from '../../src/domain/json.js';

export interface FakeCall {
  path: string;
  query: Query;
}

export type Answer = (path: string, query: Query) => unknown;

export function scriptedApi(answer: Answer): { api: ApiClient; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const respond = async (path: string, query: Query | undefined): Promise<string> => {
    const q = query ?? {};
    calls.push({ path, query: q });
    await Promise.resolve();
    return stringifyJson(await answer(path, q));
  };
  const api: ApiClient = {
    baseUrl: 'http://127.0.0.1:1',
    async get<T>(path: string, query?: Query): Promise<T> {
      return parseJsonExact(await respond(path, query)) as T;
    },
    async fetch(path: string, query?: Query): Promise<LazyBody> {
      const text = await respond(path, query);
      return { text, json: <T>() => parseJsonExact(text) as T };
    },
    post: () => Promise.reject(new Error('unexpected POST in a read-only test')),
    close: () => Promise.resolve(),
  };
  return { api, calls };
}
