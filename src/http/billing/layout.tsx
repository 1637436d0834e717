import type { Child } from "hono/jsx";
import { ASSET_PATHS } from "./assets";

/**
 * The HTML shell of the page and the sign-in form. Styles and the small script are files
 * of their own, so the Content-Security-Policy can forbid every inline script and style.
 */
export function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{props.title}</title>
        {/* No favicon: an empty data URL keeps the browser from asking for one. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ASSET_PATHS.css} />
        <script src={ASSET_PATHS.js} defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        {props.children}
      </body>
    </html>
  );
}

/** A labelled input whose hint and error are tied to it for screen readers. */
export function Field(props: {
  id: string;
  name: string;
  label: string;
  value?: string | null;
  hint?: Child;
  error?: string | null;
  type?: string;
  inputmode?: "decimal" | "text";
  autocomplete?: string;
  required?: boolean;
  prefix?: string;
  pattern?: string;
}) {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
      <div class="input-row">
        {props.prefix ? (
          <span class="input-prefix" aria-hidden="true">
            {props.prefix}
          </span>
        ) : null}
        <input
          id={props.id}
          name={props.name}
          type={props.type ?? "text"}
          value={props.value ?? ""}
          inputmode={props.inputmode}
          autocomplete={props.autocomplete ?? "off"}
          required={props.required}
          pattern={props.pattern}
          spellcheck={false}
          aria-describedby={describedBy || undefined}
          aria-invalid={props.error ? "true" : undefined}
        />
      </div>
    </div>
  );
}

/** The hidden CSRF token every form of the page carries. */
export const CsrfInput = (props: { token: string }) => (
  <input type="hidden" name="csrf" value={props.token} />
);

/** Money inputs: plain decimals, the same the API takes. */
export const MONEY_PATTERN = "[0-9]+([.][0-9]{1,6})?";
