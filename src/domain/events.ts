// The vocabulary of spend events shared by the client, the emulator and the
// shell completions.

/** Keys a spend aggregation can be split by (`--group-by`, `group_by=`). */
export const GROUP_KEYS = ['team', 'provider', 'model'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export function isGroupKey(text: string): text is GroupKey {
  return (GROUP_KEYS as readonly string[]).includes(text);
}

/** Largest page of events or transactions one request asks for (and the emulator serves). */
export const MAX_PAGE_SIZE = 1000;
