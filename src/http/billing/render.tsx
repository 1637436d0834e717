import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../context";
import { Layout } from "./layout";

export async function htmlPage(
  c: Context<AppEnv>,
  page: Child,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  // A JSX node renders on toString(), which is a promise when a component is async.
  const markup = await (page as { toString(): string | Promise<string> }).toString();
  return c.html(`<!doctype html>${markup}`, status);
}

/** A short page for what stops a form before the API is asked (expired form, cross-site post). */
export function MessagePage(props: { title: string; message: string }) {
  return (
    <Layout title={props.title}>
      <main id="main" class="sign-in" tabindex={-1}>
        <h1>{props.title}</h1>
        <p role="alert">{props.message}</p>
        <p>
          <a href="/billing">Back to Billing</a>
        </p>
      </main>
    </Layout>
  );
}
