/**
 * Which D1 database holds an account's movements. Accounts, keys, rate decks and exports
 * stay in the main database (`DB`); movements live in one of several history shards so
 * that no single database meets D1's 10 GB cap. Shard 0 is `DB` itself, which is where
 * every account that existed before sharding keeps its history (migration 0009); shard k
 * is the D1 binding `HISTORY_k`.
 *
 * A new account's shard is a stable function of its id over the shards open to new
 * accounts, and it is recorded on the account when the account is created: opening more
 * shards later changes where new accounts go, never where an existing account's history is.
 */

/** The most shards a deployment may bind; the README's capacity plan stays well below it. */
export const HISTORY_SHARDS_MAX = 64;

/** FNV-1a over the id's UTF-16 code units: cheap, stable across runtimes and releases. */
function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard a new account is given, among `openShards` (as configured, in any order). */
export function shardForNewAccount(accountId: string, openShards: readonly number[]): number {
  if (openShards.length === 0) throw new RangeError("no history shard is open to new accounts");
  const sorted = [...openShards].sort((a, b) => a - b);
  return sorted[stableHash(accountId) % sorted.length] as number;
}

/**
 * `HISTORY_SHARDS_FOR_NEW_ACCOUNTS` ("0,1,2,3"); unset means 0 alone, a deployment that
 * has not added shards. A shard named there must be bound, or accounts would be given a
 * database that does not exist.
 */
export function openShardsOf(env: Env): number[] {
  const text = (env.HISTORY_SHARDS_FOR_NEW_ACCOUNTS ?? "").trim();
  if (text === "") return [0];
  const shards = [...new Set(text.split(",").map((part) => Number(part.trim())))];
  for (const shard of shards) historyDatabase(env, shard);
  return shards;
}

/** The binding of shard `shard`; a shard recorded on an account but not bound is a deployment error. */
export function historyDatabase(env: Env, shard: number): D1Database {
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= HISTORY_SHARDS_MAX)
    throw new RangeError(`bad history shard: ${shard}`);
  if (shard === 0) return env.DB;
  const binding: unknown = Reflect.get(env, `HISTORY_${shard}`);
  if (!isD1(binding)) throw new Error(`history shard ${shard} has no D1 binding HISTORY_${shard}`);
  return binding;
}

function isD1(value: unknown): value is D1Database {
  return typeof value === "object" && value !== null && "prepare" in value && "batch" in value;
}

/** Every shard bound in this deployment, 0 first: the archive job and the simulation visit them all. */
export function boundShards(env: Env): number[] {
  const shards = [0];
  for (let shard = 1; shard < HISTORY_SHARDS_MAX; shard++)
    if (isD1(Reflect.get(env, `HISTORY_${shard}`))) shards.push(shard);
  return shards;
}

/** The recorded shard of an account, or null when the main database has no such account. */
export async function recordedShardOf(env: Env, accountId: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT history_shard FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ history_shard: number }>();
  return row ? row.history_shard : null;
}

/**
 * The database holding the account's movements. An account the main database does not
 * know has no history anywhere, and reading or writing it on a guessed shard would be the
 * silent move the recorded shard exists to prevent.
 */
export async function historyDatabaseOf(env: Env, accountId: string): Promise<D1Database> {
  const shard = await recordedShardOf(env, accountId);
  if (shard === null) throw new Error(`account ${accountId} has no row in the main database`);
  return historyDatabase(env, shard);
}
