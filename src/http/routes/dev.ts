import { Hono } from "hono";
import { isProduction } from "../../config";
import { seedDemo } from "../../dev/seed";
import { listMailbox } from "../../notify";
import { requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";

/** Local-development helpers; a production deployment does not have them. */
export function devRoutes(app: Hono<AppEnv>) {
  return (
    new Hono<AppEnv>()
      .use(async (c, next) => {
        if (isProduction(c.env))
          throw new ApiError(404, "route_not_found", `No route for ${c.req.method} ${c.req.path}.`);
        await next();
      })
      .post("/seed", async (c) => {
        requireOperator(c);
        return c.json(await seedDemo(app, c.env));
      })
      /** The local mailbox: every email the service would have sent, newest first. */
      .get("/mailbox", async (c) => {
        requireOperator(c);
        const to = c.req.query("to");
        return c.json({ emails: await listMailbox(c.env.DB, to ? { to } : {}) });
      })
  );
}
