// Random ids for reservations and request ids. One randomBytes call per id
// was 3% of the emulator's time under load; ids are cut from a 4 KiB pool of
// the same cryptographic randomness instead, refilled when used up.
import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let offset = 0;

/** `bytes` random bytes as lowercase hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    offset = 0;
  }
  const text = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return text;
}

let lastMs = 0;
let counter = 0;

/**
 * 20 lowercase hex characters that sort in the order they were made: the
 * wall clock's milliseconds (12), a counter within the millisecond (4), then
 * 4 random ones. A reservation's id is its table's primary key; random ids
 * land on a random leaf of that index, so each batch of holds dirtied (and
 * wrote to the WAL) a page per hold, where ordered ids all go to the last
 * one. The wall clock, not the emulator's (which may stand still); a clock
 * set back only costs that ordering, and the random part still keeps ids of
 * an earlier run with the same instant and counter apart.
 */
export function orderedHex(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (counter === 0xffff) {
    // 65,536 ids in one millisecond: borrow the next one, keeping the order.
    lastMs += 1;
    counter = 0;
  } else {
    counter += 1;
  }
  return lastMs.toString(16).padStart(12, '0') + counter.toString(16).padStart(4, '0') + randomHex(2);
}
