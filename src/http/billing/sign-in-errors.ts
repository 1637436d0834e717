import { API_KEY_PREFIX } from "../auth";
import type { ApiAnswer } from "./api-client";

export type SignInAnswer =
  | { ok: true }
  | {
      ok: false;
      status: 400 | 401 | 403 | 429 | 502;
      message: string;
      fieldErrors: { accountId?: string; apiKey?: string };
    };

const fail = (
  status: 400 | 401 | 403 | 429 | 502,
  message: string,
  fieldErrors: { accountId?: string; apiKey?: string } = {},
) => ({ ok: false, status, message, fieldErrors }) as const;

/**
 * A sign-in is the API's own answer to reading the account's credit with the key, which
 * needs an admin key of that account. Only account keys sign in: the operator token opens
 * every account and must never sit in a browser's cookie.
 */
export async function signInAnswer(
  apiKey: string,
  accountId: string,
  readCredit: (key: string) => Promise<ApiAnswer<unknown>>,
): Promise<SignInAnswer> {
  const missing: { accountId?: string; apiKey?: string } = {};
  if (!accountId) missing.accountId = "Enter your account ID.";
  if (!apiKey) missing.apiKey = "Enter an admin API key.";
  if (missing.accountId || missing.apiKey) return fail(400, "Please fill in both fields.", missing);
  if (!apiKey.startsWith(API_KEY_PREFIX)) {
    return fail(401, "This is not an account API key.", {
      apiKey: `Account API keys start with ${API_KEY_PREFIX}.`,
    });
  }
  const answer = await readCredit(apiKey);
  if (answer.ok) return { ok: true };
  switch (answer.status) {
    case 400:
      return fail(400, "Check the account ID.", {
        accountId: "Use 1 to 64 letters, digits, '_' or '-'.",
      });
    case 401:
      return fail(401, "This API key is not valid. Check that you copied the whole key.", {
        apiKey: "This key is not valid.",
      });
    case 403:
      return fail(403, "This key cannot open Billing. Sign in with an admin key of the account.", {
        apiKey: "This is not an admin key.",
      });
    case 404:
      // The API answers a key of another account as if the account did not exist; so does this form.
      return fail(401, "No account with this ID for this key.", {
        accountId: "No account with this ID for this key.",
      });
    case 429:
      return fail(429, "Too many attempts. Wait a minute and try again.");
    default:
      return fail(502, `The service could not check the key: ${answer.error.message}`);
  }
}
