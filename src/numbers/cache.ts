import { readNumberOwner, type NumberOwner } from "./directory";

/**
 * How long an isolate trusts what the directory said about a number (an owner or none). A
 * number moved or released in another isolate is seen here within this; the isolate that
 * made the change forgets its entries at once. The call path reads D1 at most this often per
 * number and isolate.
 */
export const NUMBER_CACHE_TTL_MS = 30_000;
/** A bound, not an eviction policy: the cache is cleared when full. */
export const NUMBERS_CACHED_MAX = 50_000;

interface CachedOwner {
  owner: NumberOwner | null;
  expiresAtMs: number;
}
const owners = new Map<string, CachedOwner>();

/** The account holding `number`, from this isolate's cache when it is fresh. */
export function numberOwner(
  db: D1Database,
  number: string,
  nowMs = Date.now(),
): NumberOwner | null | Promise<NumberOwner | null> {
  const cached = owners.get(number);
  if (cached && cached.expiresAtMs > nowMs) return cached.owner;
  // Each request reads D1 itself rather than awaiting another request's read: the runtime
  // ties I/O to the request that started it (see src/ledger-client/batches.ts).
  return readNumberOwner(db, number).then((owner) => {
    if (owners.size >= NUMBERS_CACHED_MAX) owners.clear();
    owners.set(number, { owner, expiresAtMs: Date.now() + NUMBER_CACHE_TTL_MS });
    return owner;
  });
}

/** After an assignment: this isolate reads these numbers from D1 on their next call. */
export function forgetNumbers(numbers: Iterable<string>): void {
  for (const number of numbers) owners.delete(number);
}
