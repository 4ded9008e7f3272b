// Raw HTTP calls to an emulator, for tests of the API itself.
import { parseJsonExact } from '../../src/domain/json.js';
import type { Emulator } from './emulator.js';

export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON; the tests check its shape
  body: any;
}

export async function call(
  emu: Pick<Emulator, 'url' | 'adminToken'>,
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; headers?: Record<string, string>; raw?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? emu.adminToken : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined || options.raw !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers,
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    // Numbers too long for a double (exact money) come back as their text.
    parsed = parseJsonExact(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
