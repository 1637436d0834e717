import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { insecureSecrets } from "../config";
import { authenticate } from "./auth";
import { billingPage } from "./billing/routes";
import { apiReference } from "./openapi/routes";
import type { AppEnv } from "./context";
import { ApiError, errorBody, respondWithError } from "./errors";
import { requestLog } from "./log";
import { rateLimit } from "./rate-limit";
import { accounts } from "./routes/accounts";
import { credit } from "./routes/credit";
import { devRoutes } from "./routes/dev";
import { accountExports, exportDownloads } from "./routes/exports";
import { paymentMethod } from "./routes/payment-method";
import { paymentWebhooks } from "./routes/payment-webhooks";
import { sandboxPages } from "./routes/sandbox-pages";
import { topUpReturns, topUps } from "./routes/top-ups";
import { calls } from "./routes/calls";
import { numbers } from "./routes/numbers";
import { switchCalls } from "./routes/switch-calls";
import { messages } from "./routes/messages";
import { plans } from "./routes/plans";
import { rates, RATE_DECK_BODY_MAX_BYTES } from "./routes/rates";
import { usage } from "./routes/usage";
import { billingDetails } from "./routes/billing-details";
import { historyMoves } from "./routes/history-moves";

/** JSON bodies of this API are small; anything larger is refused before it is read. */
export const JSON_BODY_MAX_BYTES = 64 * 1024;

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(requestLog);
  app.use(async (c, next) => {
    const insecure = insecureSecrets(c.env);
    if (insecure.length > 0) {
      throw new ApiError(
        503,
        "insecure_configuration",
        `Refusing to serve: set the secrets ${insecure.join(", ")}.`,
      );
    }
    await next();
  });
  // Rate decks are the one large upload; every other body is small JSON.
  const limitOf = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(413, "body_too_large", `The body is larger than ${maxSize} bytes.`);
      },
    });
  const jsonLimit = limitOf(JSON_BODY_MAX_BYTES);
  const rateDeckLimit = limitOf(RATE_DECK_BODY_MAX_BYTES);
  app.use("/v1/*", (c, next) =>
    c.req.path.startsWith("/v1/rates/") ? rateDeckLimit(c, next) : jsonLimit(c, next),
  );

  app.get("/health", (c) => c.json({ ok: true }));

  app.use("/v1/accounts/*", authenticate, rateLimit);
  app.use("/v1/accounts", authenticate);
  app.route("/v1/accounts", accounts);
  app.route("/v1/accounts", credit);
  app.route("/v1/accounts", accountExports);
  // No bearer token: the email's signed link is the credential (checked in the route).
  app.route("/v1/exports", exportDownloads);
  app.route("/v1/accounts", topUps);
  app.route("/v1/accounts", paymentMethod);
  // No bearer token: the browser back from the bank's page; it only makes the ledger ask.
  app.route("/payments", topUpReturns);
  app.route("/sandbox", sandboxPages);
  app.route("/v1/webhooks", paymentWebhooks);
  app.route("/v1/accounts", plans);
  app.route("/v1/accounts", calls);
  app.route("/v1/accounts", numbers);
  app.route("/v1/accounts", messages);
  app.route("/v1/accounts", usage);
  app.route("/v1/accounts", billingDetails);
  // The switch's call routes without an account: it is found from the call's numbers.
  app.use("/v1/calls/*", authenticate);
  app.route("/v1/calls", switchCalls);
  app.use("/v1/rates", authenticate);
  app.use("/v1/rates/*", authenticate);
  app.route("/v1/rates", rates);
  app.use("/v1/history-moves", authenticate);
  app.use("/v1/history-moves/*", authenticate);
  app.route("/v1/history-moves", historyMoves);
  app.use("/dev/*", authenticate);
  app.route("/dev", devRoutes(app));
  // The dashboard's Billing page: a cookie-signed-in client of the routes above.
  app.get("/", (c) => c.redirect("/billing", 302));
  app.route("/billing", billingPage(app));
  app.route("/", apiReference);

  app.notFound((c) =>
    c.json(errorBody("route_not_found", `No route for ${c.req.method} ${c.req.path}.`), 404),
  );
  app.onError((err, c) => {
    if (err instanceof ApiError) return respondWithError(c, err);
    console.error(
      JSON.stringify({
        event: "unhandled_error",
        requestId: c.get("requestId"),
        error: String(err),
        stack: err.stack,
      }),
    );
    return c.json(
      errorBody("internal_error", "Something went wrong on our side; the request may be retried."),
      500,
    );
  });
  return app;
}
