import type { ExportBody } from "./api-types";
import { dateText, dateTimeText } from "./format";
import { CsrfInput } from "./layout";

function ExportState(props: { job: ExportBody; timeZone: string }) {
  const { job, timeZone } = props;
  const period =
    job.periodStart && job.periodEnd
      ? `${dateText(job.periodStart, timeZone)} to ${dateText(job.periodEnd, timeZone)}`
      : null;
  switch (job.status) {
    case "processing":
      return (
        <div
          class="outcome outcome-pending"
          role="status"
          data-poll-url={`/billing/exports/${job.id}/status`}
          data-focus-after="export-state"
          id="export-state"
          data-testid="export-state"
          data-state="processing"
        >
          <span class="spinner" aria-hidden="true"></span>
          <div>
            <p>
              <strong>Processing.</strong> {job.message}
            </p>
            <p>
              <a href="/billing#export">Refresh</a>
            </p>
          </div>
        </div>
      );
    case "ready":
      return (
        <div
          class="outcome outcome-success"
          role="status"
          tabindex={-1}
          id="export-state"
          data-testid="export-state"
          data-state="ready"
        >
          <p>
            <strong>Ready.</strong> {job.message}
          </p>
          {period ? <p>Period covered: {period}.</p> : null}
          {job.rows !== undefined ? <p>{job.rows} movements.</p> : null}
          {job.downloadUrl ? (
            <p>
              <a
                class="button button-primary"
                href={job.downloadUrl}
                download
                data-testid="export-download"
              >
                Download export (CSV)
              </a>
            </p>
          ) : null}
          {job.downloadUrl ? (
            <p class="hint">
              This link works until {dateTimeText(job.downloadUrlExpiresAt, timeZone)}; the email's
              link works longer.
            </p>
          ) : null}
        </div>
      );
    case "failed":
      return (
        <div
          class="outcome outcome-error"
          role="alert"
          tabindex={-1}
          id="export-state"
          data-testid="export-state"
          data-state="failed"
        >
          <p>
            <strong>Failed.</strong> {job.message}
          </p>
        </div>
      );
    default: {
      const unmapped: never = job.status;
      return <p>{String(unmapped)}</p>;
    }
  }
}

export function ExportSection(props: {
  job: ExportBody | null;
  error: string | undefined;
  timeZone: string;
  csrf: string;
}) {
  const { job } = props;
  return (
    <section class="card" id="export" aria-labelledby="export-heading">
      <h2 id="export-heading">Export credit movements</h2>
      <p class="hint">
        A CSV file of every movement of your credit (calls, messages, AI usage, top-ups) for the
        current day and up to the last 30 days. It is prepared in the background; we email you the
        download link and the period covered when it is ready.
      </p>
      {job ? <ExportState job={job} timeZone={props.timeZone} /> : null}
      {props.error ? (
        <p class="form-error" role="alert" tabindex={-1} data-focus>
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/billing/exports" class="form">
        <CsrfInput token={props.csrf} />
        <div class="actions">
          <button type="submit" class="button button-primary">
            {job?.status === "failed" ? "Try again" : "Export credit movements"}
          </button>
        </div>
      </form>
    </section>
  );
}
