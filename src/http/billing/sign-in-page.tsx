import { Field, Layout } from "./layout";

export interface SignInProps {
  token: string;
  accountId?: string;
  error?: string | null;
  fieldErrors?: { accountId?: string; apiKey?: string };
  notice?: string | null;
  development: boolean;
}

export function SignInPage(props: SignInProps) {
  return (
    <Layout title="Sign in · Billing">
      <main id="main" class="sign-in" tabindex={-1}>
        <h1>Billing</h1>
        <p>
          Sign in with an admin API key of your account to see your credit, add credit, set up auto
          top-up and export movements.
        </p>
        {props.notice ? (
          <p class="outcome outcome-neutral" role="status">
            {props.notice}
          </p>
        ) : null}
        {props.error ? (
          <p class="form-error" role="alert" tabindex={-1} data-focus data-testid="sign-in-error">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/billing/sign-in" class="form card" novalidate>
          <input type="hidden" name="csrf" value={props.token} />
          <Field
            id="account-id"
            name="accountId"
            label="Account ID"
            value={props.accountId}
            required
            autocomplete="username"
            error={props.fieldErrors?.accountId}
          />
          <Field
            id="api-key"
            name="apiKey"
            label="Admin API key"
            type="password"
            required
            autocomplete="current-password"
            hint="Starts with ck_. Agent keys cannot open Billing."
            error={props.fieldErrors?.apiKey}
          />
          <div class="actions">
            <button type="submit" class="button button-primary">
              Sign in
            </button>
          </div>
        </form>
        {props.development ? (
          <p class="hint">
            Local development: <code>npm run dev</code> prints the demo account's ID and admin key.
          </p>
        ) : null}
        <p class="hint">
          <a href="/docs">API reference</a>
        </p>
      </main>
    </Layout>
  );
}
