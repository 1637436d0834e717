import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isProduction } from "../../config";
import type { AppEnv } from "../context";
import { sha256Hex } from "../crypto";
import { billingApi, type BillingApi } from "./api-client";
import type { ExportBody, TopUpBody } from "./api-types";
import { ASSETS } from "./assets";
import { BILLING_DETAILS_FIELDS } from "./billing-details-section";
import { BillingPage } from "./billing-page";
import {
  clearBillingCookies,
  clearLastExport,
  clearSignInNonce,
  readLastExport,
  readSession,
  readSignInNonce,
  writeLastExport,
  writeSession,
  writeSignInNonce,
} from "./cookies";
import {
  isCrossSite,
  sessionFormToken,
  sessionFormTokenMatches,
  signInFormToken,
  signInFormTokenMatches,
} from "./csrf";
import { formStateFrom, isNoticeCode, NOTICES, type PageForms } from "./form-state";
import { loadBillingData } from "./page-data";
import { pageHeaders } from "./page-headers";
import { paymentMethodOptions } from "./payment-methods";
import { htmlPage, MessagePage } from "./render";
import { randomToken } from "./sealing";
import { SESSION_TTL_SECONDS, type BillingSession } from "./session";
import { signInAnswer } from "./sign-in-errors";
import { SignInPage } from "./sign-in-page";
import { formFields } from "../validate";

/** Forms of this page are a few short fields. */
export const BILLING_FORM_MAX_BYTES = 16 * 1024;
const FIELD_MAX_CHARS = 512;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const TOP_UP_ID = /^(top|atu)_[A-Za-z0-9_-]{10,40}$/;
const EXPORT_ID = /^exp_[A-Za-z0-9_-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9-]{8,64}$/;

const SIGN_IN_NOTICES = {
  "signed-out": "You are signed out.",
  expired: "Your session has ended. Sign in again to continue.",
} as const;

type Form = Record<string, string>;

async function readForm(c: Context<AppEnv>): Promise<Form> {
  const form: Form = {};
  for (const [name, value] of Object.entries(await formFields(c)))
    form[name] = value.trim().slice(0, FIELD_MAX_CHARS);
  return form;
}

const toSignIn = (c: Context<AppEnv>, notice?: keyof typeof SIGN_IN_NOTICES) =>
  c.redirect(notice ? `/billing/sign-in?notice=${notice}` : "/billing/sign-in", 303);

const refused = (c: Context<AppEnv>, message: string) =>
  htmlPage(c, <MessagePage title="This form could not be sent" message={message} />, 403);

/**
 * The Billing page: a signed-in admin's view of the public API. Every read and every action
 * is a call to the API's own routes with the admin's key (see api-client.ts).
 */
export function billingPage(app: Hono<AppEnv>) {
  const apiFor = (c: Context<AppEnv>, session: BillingSession) =>
    billingApi(app, c, session.apiKey);
  const accountPath = (session: BillingSession) =>
    `/v1/accounts/${encodeURIComponent(session.accountId)}`;

  /** A POST of a signed-in form: same site, a live session, and that session's token. */
  async function formSession(c: Context<AppEnv>, form: Form): Promise<BillingSession | Response> {
    if (isCrossSite(c)) return refused(c, "Forms of this page can only be sent from this page.");
    const session = await readSession(c);
    if (!session) return toSignIn(c, "expired");
    if (
      !(await sessionFormTokenMatches(c.env.SIGNING_SECRET, session.sessionId, form.csrf ?? ""))
    ) {
      return refused(c, "This form has expired. Reload the page and try again.");
    }
    return session;
  }

  async function renderBilling(
    c: Context<AppEnv>,
    session: BillingSession,
    api: BillingApi,
    forms: PageForms = {},
    status: 200 | 400 | 402 | 409 | 422 | 429 | 502 = 200,
  ) {
    const nowMs = Date.now();
    const monthParam = c.req.query("month");
    const topUpParam = c.req.query("topUp");
    const loaded = await loadBillingData(api, session.accountId, {
      month: monthParam && MONTH.test(monthParam) ? monthParam : null,
      topUpId: topUpParam && TOP_UP_ID.test(topUpParam) ? topUpParam : null,
      exportId: readLastExport(c),
      nowMs,
    });
    if (!loaded.ok) {
      if ([401, 403, 404].includes(loaded.status)) {
        clearBillingCookies(c);
        return toSignIn(c, "expired");
      }
      return htmlPage(
        c,
        <MessagePage
          title="Billing is not available"
          message={`The service could not be reached: ${loaded.message}`}
        />,
        502,
      );
    }
    const notice = c.req.query("notice");
    return htmlPage(
      c,
      <BillingPage
        data={loaded.data}
        forms={forms}
        notice={isNoticeCode(notice) ? NOTICES[notice] : null}
        paymentMethods={paymentMethodOptions(c.env, loaded.data.credit.paymentMethod)}
        billingDetailsSaved={c.req.query("saved") === "billing-details"}
        csrf={await sessionFormToken(c.env.SIGNING_SECRET, session.sessionId)}
      />,
      status,
    );
  }

  const statusOf = (status: number) =>
    [400, 402, 409, 422, 429].includes(status) ? (status as 400 | 402 | 409 | 422 | 429) : 502;

  return (
    new Hono<AppEnv>()
      .use(pageHeaders)
      .use(
        bodyLimit({
          maxSize: BILLING_FORM_MAX_BYTES,
          onError: (c) =>
            htmlPage(
              c,
              <MessagePage
                title="Too large"
                message="This form is larger than the page ever sends."
              />,
              413,
            ),
        }),
      )

      .get("/", async (c) => {
        const session = await readSession(c);
        if (!session) return toSignIn(c);
        return renderBilling(c, session, apiFor(c, session));
      })

      .get("/sign-in", async (c) => {
        if (await readSession(c)) return c.redirect("/billing", 303);
        const nonce = randomToken();
        writeSignInNonce(c, nonce);
        const notice = c.req.query("notice") as keyof typeof SIGN_IN_NOTICES | undefined;
        return htmlPage(
          c,
          <SignInPage
            token={await signInFormToken(c.env.SIGNING_SECRET, nonce)}
            notice={
              notice && Object.hasOwn(SIGN_IN_NOTICES, notice)
                ? (SIGN_IN_NOTICES[notice] ?? null)
                : null
            }
            development={!isProduction(c.env)}
          />,
        );
      })

      .post("/sign-in", async (c) => {
        const form = await readForm(c);
        if (isCrossSite(c)) return refused(c, "Sign in from this page only.");
        const nonce = readSignInNonce(c);
        if (
          !nonce ||
          !(await signInFormTokenMatches(c.env.SIGNING_SECRET, nonce, form.csrf ?? ""))
        ) {
          return refused(c, "This sign-in form has expired. Reload the page and try again.");
        }
        const accountId = form.accountId ?? "";
        const apiKey = form.apiKey ?? "";
        const answer = await signInAnswer(apiKey, accountId, (key) =>
          billingApi(app, c, key).get(`/v1/accounts/${encodeURIComponent(accountId)}/credit`),
        );
        if (!answer.ok) {
          return htmlPage(
            c,
            <SignInPage
              token={await signInFormToken(c.env.SIGNING_SECRET, nonce)}
              accountId={accountId}
              error={answer.message}
              fieldErrors={answer.fieldErrors}
              development={!isProduction(c.env)}
            />,
            answer.status,
          );
        }
        clearSignInNonce(c);
        // An export remembered from another sign-in may belong to another account.
        clearLastExport(c);
        await writeSession(c, {
          sessionId: randomToken(),
          accountId,
          apiKey,
          keyHash: await sha256Hex(apiKey),
          expiresAtSec: Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS,
        });
        return c.redirect("/billing", 303);
      })

      .post("/sign-out", async (c) => {
        const form = await readForm(c);
        const session = await formSession(c, form);
        if (session instanceof Response) return session;
        clearBillingCookies(c);
        return toSignIn(c, "signed-out");
      })

      .post("/top-ups", async (c) => {
        const form = await readForm(c);
        const session = await formSession(c, form);
        if (session instanceof Response) return session;
        const api = apiFor(c, session);
        const key =
          form.idempotencyKey && IDEMPOTENCY_KEY.test(form.idempotencyKey)
            ? form.idempotencyKey
            : crypto.randomUUID();
        const answer = await api.send<TopUpBody>(
          "POST",
          `${accountPath(session)}/top-ups`,
          { amount: form.amount ?? "", paymentMethod: form.paymentMethod || undefined },
          {
            "Idempotency-Key": `billing-${key}`,
          },
        );
        // The bank wants the admin: straight to its page, which sends them back here after.
        if (answer.ok && answer.body.nextAction) return c.redirect(answer.body.nextAction.url, 303);
        if (answer.ok)
          return c.redirect(`/billing?topUp=${encodeURIComponent(answer.body.id)}#add-credit`, 303);
        if (answer.status === 401) return toSignIn(c, "expired");
        const error =
          answer.error.code === "idempotency_key_reused"
            ? {
                message:
                  "This form was already sent with other values. Check the amount and press Pay now again.",
              }
            : answer.error;
        const topUp = formStateFrom(
          { amount: form.amount ?? "", paymentMethod: form.paymentMethod ?? "" },
          error,
          ["amount", "paymentMethod"],
        );
        return renderBilling(c, session, api, { topUp }, statusOf(answer.status));
      })

      /** "Save a card" / "Replace card": off to the gateway's hosted page, back to #card. */
      .post("/card", async (c) => {
        const form = await readForm(c);
        const session = await formSession(c, form);
        if (session instanceof Response) return session;
        const api = apiFor(c, session);
        const answer = await api.send<{ url: string }>(
          "POST",
          `${accountPath(session)}/payment-method/setup`,
          undefined,
        );
        if (answer.ok) return c.redirect(answer.body.url, 303);
        if (answer.status === 401) return toSignIn(c, "expired");
        return renderBilling(
          c,
          session,
          api,
          { cardError: answer.error.message },
          statusOf(answer.status),
        );
      })

      .post("/auto-top-up", async (c) => {
        const form = await readForm(c);
        const session = await formSession(c, form);
        if (session instanceof Response) return session;
        const api = apiFor(c, session);
        const enabled = form.enabled === "on";
        const answer = await api.send("PUT", `${accountPath(session)}/auto-top-up`, {
          enabled,
          threshold: form.threshold ?? "",
          amount: form.amount ?? "",
          ...(form.paymentMethod ? { paymentMethod: form.paymentMethod } : {}),
        });
        if (answer.ok)
          return c.redirect(
            `/billing?notice=${enabled ? "auto-top-up-saved" : "auto-top-up-off"}#auto-top-up`,
            303,
          );
        if (answer.status === 401) return toSignIn(c, "expired");
        const autoTopUp = formStateFrom(
          {
            amount: form.amount ?? "",
            threshold: form.threshold ?? "",
            paymentMethod: form.paymentMethod ?? "",
          },
          answer.error,
          ["amount", "threshold", "paymentMethod"],
        );
        return renderBilling(c, session, api, { autoTopUp }, statusOf(answer.status));
      })

      .post("/billing-details", async (c) => {
        const form = await readForm(c);
        const session = await formSession(c, form);
        if (session instanceof Response) return session;
        const api = apiFor(c, session);
        const values = Object.fromEntries(
          BILLING_DETAILS_FIELDS.map((name) => [name, form[name] ?? ""]),
        );
        const answer = await api.send("PUT", `${accountPath(session)}/billing-details`, values);
        if (answer.ok) return c.redirect("/billing?saved=billing-details#billing-details", 303);
        if (answer.status === 401) return toSignIn(c, "expired");
        const billingDetails = formStateFrom(values, answer.error, BILLING_DETAILS_FIELDS);
        return renderBilling(c, session, api, { billingDetails }, statusOf(answer.status));
      })

      .post("/exports", async (c) => {
        const form = await readForm(c);
        const session = await formSession(c, form);
        if (session instanceof Response) return session;
        const api = apiFor(c, session);
        const answer = await api.send<ExportBody>(
          "POST",
          `${accountPath(session)}/exports`,
          undefined,
        );
        if (answer.ok) {
          writeLastExport(c, answer.body.id);
          return c.redirect("/billing#export", 303);
        }
        if (answer.status === 401) return toSignIn(c, "expired");
        return renderBilling(
          c,
          session,
          api,
          { exportError: answer.error.message },
          statusOf(answer.status),
        );
      })

      /** What the page's script polls; `settled` tells it to reload. */
      .get("/top-ups/:topUpId/status", async (c) => {
        const session = await readSession(c);
        const id = c.req.param("topUpId");
        if (!session)
          return c.json({ error: { code: "signed_out", message: "Sign in again." } }, 401);
        if (!TOP_UP_ID.test(id))
          return c.json({ error: { code: "top_up_not_found", message: "No such top-up." } }, 404);
        const answer = await apiFor(c, session).get<TopUpBody>(
          `${accountPath(session)}/top-ups/${id}`,
        );
        if (!answer.ok)
          return c.json({ error: answer.error }, answer.status as ContentfulStatusCode);
        return c.json({ status: answer.body.status, settled: answer.body.status !== "pending" });
      })

      .get("/exports/:exportId/status", async (c) => {
        const session = await readSession(c);
        const id = c.req.param("exportId");
        if (!session)
          return c.json({ error: { code: "signed_out", message: "Sign in again." } }, 401);
        if (!EXPORT_ID.test(id))
          return c.json({ error: { code: "export_not_found", message: "No such export." } }, 404);
        const answer = await apiFor(c, session).get<ExportBody>(
          `${accountPath(session)}/exports/${id}`,
        );
        if (!answer.ok)
          return c.json({ error: answer.error }, answer.status as ContentfulStatusCode);
        return c.json({ status: answer.body.status, settled: answer.body.status !== "processing" });
      })

      .get("/assets/:file", (c) => {
        // Own properties only: "constructor" or "__proto__" must not find Object's.
        const name = c.req.param("file");
        const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
        if (!asset) return c.text("Not found", 404);
        c.header("Cache-Control", "public, max-age=300");
        return c.body(asset.body, 200, { "Content-Type": asset.type });
      })
  );
}
