import type { Child } from "hono/jsx";
import { Layout } from "../billing/layout";

// The served document is walked as plain JSON of any shape.
// biome-ignore lint/suspicious/noExplicitAny: its values are whatever the document holds
type Json = Record<string, any>;

/** `code` spans in the document's prose, the only markup it uses besides **Who:**. */
function Prose(props: { text: string }) {
  const parts: Child[] = [];
  props.text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).forEach((part) => {
    if (part.startsWith("`") && part.endsWith("`")) parts.push(<code>{part.slice(1, -1)}</code>);
    else if (part.startsWith("**") && part.endsWith("**"))
      parts.push(<strong>{part.slice(2, -2)}</strong>);
    else if (part) parts.push(part);
  });
  return <>{parts}</>;
}

const anchor = (method: string, path: string) =>
  `${method}-${path.replace(/[^A-Za-z0-9]+/g, "-")}`.replace(/-+$/, "");

function SchemaBlock(props: { label: string; schema: unknown }) {
  return (
    <details class="docs-schema">
      <summary>{props.label}</summary>
      <pre tabindex={0}>{JSON.stringify(props.schema, null, 2)}</pre>
    </details>
  );
}

function OperationBlock(props: { method: string; path: string; op: Json }) {
  const { method, path, op } = props;
  const params = (op.parameters ?? []) as Json[];
  const body = op.requestBody?.content as Json | undefined;
  return (
    <article
      class="card docs-op"
      id={anchor(method, path)}
      aria-labelledby={`${anchor(method, path)}-title`}
    >
      <h3 id={`${anchor(method, path)}-title`}>
        <span class={`docs-method docs-${method}`}>{method.toUpperCase()}</span>{" "}
        <code class="docs-path">{path}</code>
      </h3>
      <p>{op.summary}</p>
      {String(op.description ?? "")
        .split("\n\n")
        .map((paragraph) => (
          <p>
            <Prose text={paragraph} />
          </p>
        ))}
      {params.length > 0 ? (
        <div
          class="table-scroll"
          tabindex={0}
          role="region"
          aria-label={`Parameters of ${method.toUpperCase()} ${path}`}
        >
          <table>
            <caption>Parameters</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">In</th>
                <th scope="col">Required</th>
                <th scope="col">Schema</th>
              </tr>
            </thead>
            <tbody>
              {params.map((p) => (
                <tr>
                  <td>
                    <code>{p.name}</code>
                  </td>
                  <td>{p.in}</td>
                  <td>{p.required ? "yes" : "no"}</td>
                  <td>
                    <code>{JSON.stringify(p.schema)}</code>
                    {p.description ? <span class="sub">{p.description}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {body
        ? Object.entries(body).map(([type, content]) => (
            <SchemaBlock label={`Request body (${type})`} schema={(content as Json).schema} />
          ))
        : null}
      <h4>Responses</h4>
      <ul class="docs-responses">
        {Object.entries(op.responses as Json).map(([status, res]) => (
          <li>
            <strong>{status}</strong> <Prose text={String((res as Json).description)} />
            {Object.entries(((res as Json).content ?? {}) as Json).map(([type, content]) =>
              (content as Json).schema ? (
                <SchemaBlock label={`Schema (${type})`} schema={(content as Json).schema} />
              ) : (
                <span class="sub">{type}</span>
              ),
            )}
          </li>
        ))}
      </ul>
    </article>
  );
}

/** The reference, rendered on the server from the same document /openapi.json serves. */
export function DocsPage(props: { document: Json }) {
  const { document } = props;
  const byTag = new Map<string, Array<{ method: string; path: string; op: Json }>>();
  for (const [path, item] of Object.entries(document.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const tag = (op as Json).tags?.[0] ?? "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)?.push({ method, path, op: op as Json });
    }
  }
  return (
    <Layout title={`API reference · ${document.info.title}`}>
      <main id="main" tabindex={-1} class="docs">
        <h1>{document.info.title}: API reference</h1>
        <p>
          <Prose text={document.info.description} />
        </p>
        <p>
          Version {document.info.version}. Machine-readable:{" "}
          <a href="/openapi.json">/openapi.json</a> (OpenAPI {document.openapi}).{" "}
          <a href="/billing">Billing page</a>
        </p>
        <nav aria-label="Groups of routes" class="section-nav">
          {[...byTag.keys()].map((tag) => (
            <a href={`#tag-${tag.replace(/[^A-Za-z0-9]+/g, "-")}`}>{tag}</a>
          ))}
        </nav>
        {[...byTag].map(([tag, ops]) => (
          <section
            id={`tag-${tag.replace(/[^A-Za-z0-9]+/g, "-")}`}
            aria-labelledby={`tag-${tag.replace(/[^A-Za-z0-9]+/g, "-")}-h`}
          >
            <h2 id={`tag-${tag.replace(/[^A-Za-z0-9]+/g, "-")}-h`}>{tag}</h2>
            {ops.map((entry) => (
              <OperationBlock {...entry} />
            ))}
          </section>
        ))}
      </main>
    </Layout>
  );
}
