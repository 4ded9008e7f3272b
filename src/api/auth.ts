import type { ApiClient } from './client.js';

export interface Whoami {
  org: string;
  name: string;
  scopes: string[];
}

export function fetchWhoami(client: ApiClient): Promise<Whoami> {
  return client.get<Whoami>('/v1/whoami');
}
