import { Hono } from "hono";
import { pageHeaders } from "../billing/page-headers";
import { htmlPage } from "../billing/render";
import type { AppEnv } from "../context";
import { openApiDocument } from "../openapi";
import { DocsPage } from "./docs-page";

/** The document and its page; public, like any API's reference. */
export const apiReference = new Hono<AppEnv>()
  .get("/openapi.json", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    c.header("X-Content-Type-Options", "nosniff");
    return c.json(openApiDocument());
  })
  .get("/docs", pageHeaders, (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return htmlPage(c, <DocsPage document={openApiDocument()} />);
  });
