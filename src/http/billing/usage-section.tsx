import type { UsageBody } from "./api-types";
import { amountText } from "./format";
import type { UsageState } from "./page-data";

/** The export's Description words, as a person reads them. */
export const CATEGORY_LABELS: Record<string, string> = {
  call: "Calls",
  sms: "SMS",
  mms: "MMS",
  whatsapp: "WhatsApp",
  "ai-voice-agents": "AI Voice Agents",
  stt: "Speech-to-text",
  "conversation-intelligence": "Conversation Intelligence",
  "top-up": "Top-ups",
  adjustment: "Adjustments",
};
const UNIT_OF: Record<string, string> = {
  call: "seconds",
  sms: "fragments",
  mms: "fragments",
  whatsapp: "fragments",
};

const label = (category: string) => CATEGORY_LABELS[category] ?? category;
const minutes = (seconds: number) => `${Math.floor(seconds / 60).toLocaleString("en")} min`;

function UsersTable(props: { report: UsageBody; currency: string }) {
  const { users } = props.report;
  if (users.length === 0) return <p>No calls by any user this month.</p>;
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Package minutes per user">
      <table>
        <caption>Package minutes per user</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Package minutes used</th>
            <th scope="col">Fair use</th>
            <th scope="col" class="num">
              Calls charged from credit
            </th>
            <th scope="col" class="num">
              Spend from credit
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map(({ fairUseMinutes: fairUse, ...user }) => (
            <tr data-user={user.userId}>
              <td class="mono">{user.userId}</td>
              <td>
                {user.packageMinutesUsed.toLocaleString("en")}
                {fairUse === null ? "" : ` of ${fairUse.toLocaleString("en")}`} min
                {user.fairUseException ? (
                  <span class="hint" data-testid="fair-use-exception">
                    {" "}
                    (a limit set for this user)
                  </span>
                ) : null}
                {fairUse === null ? null : (
                  <meter
                    class="usage-meter"
                    min={0}
                    max={fairUse}
                    high={fairUse * 0.9}
                    value={Math.min(user.packageMinutesUsed, fairUse)}
                    aria-hidden="true"
                  ></meter>
                )}
              </td>
              <td>
                {user.overFairUse ? (
                  <strong class="negative">Over the limit: extra minutes use credit</strong>
                ) : (
                  "Within the limit"
                )}
              </td>
              <td class="num">{minutes(user.creditCallBilledSeconds)}</td>
              <td class="num">{amountText(user.creditCallSpend, props.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AllowancesTable(props: { report: UsageBody }) {
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Allowances">
      <table>
        <caption>Included allowances</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col" class="num">
              Included
            </th>
            <th scope="col" class="num">
              Used
            </th>
            <th scope="col" class="num">
              Charged from credit
            </th>
          </tr>
        </thead>
        <tbody>
          {props.report.allowances.map((a) => (
            <tr>
              <td>{label(a.service)}</td>
              <td class="num">{a.includedMinutes.toLocaleString("en")} min</td>
              <td class="num">{a.usedMinutes.toLocaleString("en")} min</td>
              <td class="num">
                {Math.max(0, a.usedMinutes - a.includedMinutes).toLocaleString("en")} min
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SpendTable(props: { report: UsageBody; currency: string }) {
  const { spend } = props.report;
  if (spend.length === 0) return <p>Nothing was charged from credit this month.</p>;
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Spend per category">
      <table>
        <caption>Spend per category</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col" class="num">
              Charges
            </th>
            <th scope="col" class="num">
              Units charged
            </th>
            <th scope="col" class="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {spend.map((s) => (
            <tr>
              <td>{label(s.category)}</td>
              <td class="num">{s.charges.toLocaleString("en")}</td>
              <td class="num">
                {s.units.toLocaleString("en")} {UNIT_OF[s.category] ?? "minutes"}
              </td>
              <td class="num">{amountText(s.amount, props.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** AI usage the plan bills by invoice: shown apart, since it never touches credit. */
function InvoicedTable(props: { report: UsageBody; currency: string }) {
  const { invoiced, totalInvoiced } = props.report;
  if (invoiced.length === 0) return null;
  return (
    <section
      class="table-scroll"
      tabindex={0}
      aria-label="Billed by invoice"
      data-testid="usage-invoiced"
    >
      <table>
        <caption>
          Billed by invoice: not taken from credit, these minutes are on your next invoice
        </caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col" class="num">
              Uses
            </th>
            <th scope="col" class="num">
              Minutes invoiced
            </th>
            <th scope="col" class="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {invoiced.map((s) => (
            <tr>
              <td>{label(s.service)}</td>
              <td class="num">{s.records.toLocaleString("en")}</td>
              <td class="num">{s.minutes.toLocaleString("en")} min</td>
              <td class="num">{amountText(s.amount, props.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan={3}>
              Total billed by invoice
            </th>
            <td class="num" data-testid="usage-invoiced-total">
              {amountText(totalInvoiced, props.currency)}
            </td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

function UsageReport(props: { report: UsageBody; currency: string }) {
  const { report, currency } = props;
  return (
    <>
      <dl class="figures">
        <div>
          <dt>Calling package</dt>
          <dd>{report.package ?? "No calling package: every call is charged from credit"}</dd>
        </div>
        <div>
          <dt>Fair usage limit</dt>
          <dd>
            {report.fairUseMinutesPerUser === null
              ? "—"
              : `${report.fairUseMinutesPerUser.toLocaleString("en")} minutes per user per month`}
          </dd>
        </div>
        <div>
          <dt>Charged from credit this month</dt>
          <dd data-testid="usage-total">{amountText(report.totalSpend, currency)}</dd>
        </div>
      </dl>
      <UsersTable report={report} currency={currency} />
      <AllowancesTable report={report} />
      <SpendTable report={report} currency={currency} />
      <InvoicedTable report={report} currency={currency} />
    </>
  );
}

export function UsageSection(props: { usage: UsageState; currency: string }) {
  const { usage } = props;
  return (
    <section class="card" id="usage" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage &amp; overages</h2>
      <p class="hint">
        Package minutes per user against the fair usage limit, included allowances, what was charged
        from credit by category, and what your plan bills by invoice. A user over the limit pays for
        further minutes from credit.
      </p>
      <form method="get" action="/billing#usage" class="form form-inline">
        <div class="field">
          <label for="usage-month">Month</label>
          <input id="usage-month" name="month" type="month" value={usage.month} required />
        </div>
        <button type="submit" class="button button-secondary">
          Show
        </button>
      </form>
      {usage.kind === "ready" ? (
        <UsageReport report={usage.body} currency={props.currency} />
      ) : null}
      {usage.kind === "unavailable" ? (
        <p class="outcome outcome-neutral" data-testid="usage-unavailable">
          Usage details are not available on this service yet. Your credit movements export lists
          every charge.
        </p>
      ) : null}
      {usage.kind === "error" ? (
        <p class="outcome outcome-error" role="alert">
          Usage for {usage.month} could not be shown: {usage.message}
        </p>
      ) : null}
    </section>
  );
}
