/**
 * Local development runs with these values (wrangler.toml [vars]); a production
 * deployment must replace every one with a secret and refuses to serve until it does.
 */
export const DEV_DEFAULT_SECRETS = {
  ADMIN_TOKEN: "dev-operator-token",
  SWITCH_TOKEN: "dev-switch-token",
  SIGNING_SECRET: "dev-signing-secret",
  PAYMENT_WEBHOOK_SECRET: "whsec_dev_sandbox",
} as const;

export function isProduction(env: Env): boolean {
  return env.ENVIRONMENT === "production";
}

/** Names of the secrets that still have their dev value, where that is not allowed. */
export function insecureSecrets(env: Env): string[] {
  if (!isProduction(env)) return [];
  return Object.entries(DEV_DEFAULT_SECRETS)
    .filter(([name, devValue]) => {
      const value = env[name as keyof typeof DEV_DEFAULT_SECRETS];
      return !value || value === devValue;
    })
    .map(([name]) => name);
}
