/** The stub of an account's ledger; every caller (routes, export consumer, cron) goes through here. */
export function ledgerOf(env: Env, accountId: string, region?: DurableObjectLocationHint | null) {
  // The hint only matters when the object is first created; later calls find it where it is.
  return env.LEDGER.get(
    env.LEDGER.idFromName(accountId),
    region ? { locationHint: region } : undefined,
  );
}
