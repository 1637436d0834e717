import type { MovementBody } from "./api-types";
import type { DaySpend } from "./daily-spend";
import { amountText, dateTimeText } from "./format";
import { CHART_MOVEMENT_PAGES_MAX } from "./page-data";
import { SpendChart, SpendTable } from "./spend-chart";

export function SpendSection(props: { days: DaySpend[]; complete: boolean; currency: string }) {
  return (
    <section class="card" id="spend" aria-labelledby="spend-heading">
      <h2 id="spend-heading">Daily spend</h2>
      <SpendChart days={props.days} currency={props.currency} />
      {props.complete ? null : (
        <p class="hint">
          This month is busy: the chart shows the first {CHART_MOVEMENT_PAGES_MAX * 500} movements
          of the period. Export credit movements for every charge.
        </p>
      )}
      <SpendTable days={props.days} currency={props.currency} />
    </section>
  );
}

const UNIT_LABELS: Record<string, string> = {
  seconds: "s",
  fragments: "fragments",
  minutes: "min",
};

export function MovementsSection(props: {
  movements: MovementBody[];
  currency: string;
  timeZone: string;
}) {
  return (
    <section class="card" id="movements" aria-labelledby="movements-heading">
      <h2 id="movements-heading">Latest movements</h2>
      {props.movements.length === 0 ? (
        <p>No credit movements in the last 30 days.</p>
      ) : (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Latest credit movements">
          <table class="movements">
            <thead>
              <tr>
                <th scope="col">Date &amp; time</th>
                <th scope="col">Description</th>
                <th scope="col">Interaction ID</th>
                <th scope="col" class="num">
                  Units charged
                </th>
                <th scope="col" class="num">
                  Credit movement
                </th>
                <th scope="col" class="num">
                  Balance after
                </th>
              </tr>
            </thead>
            <tbody>
              {props.movements.map((m) => (
                <tr>
                  <td>{dateTimeText(m.at, props.timeZone)}</td>
                  <td>
                    {m.description}
                    {m.reason ? <span class="sub">{m.reason}</span> : null}
                  </td>
                  <td class="mono">{m.interactionId}</td>
                  <td class="num">
                    {m.unitsCharged === null
                      ? "—"
                      : `${m.unitsCharged} ${UNIT_LABELS[m.units ?? ""] ?? m.units ?? ""}`}
                  </td>
                  <td class={m.amount.startsWith("-") ? "num negative" : "num positive"}>
                    {amountText(m.amount, props.currency)}
                  </td>
                  <td class="num">{amountText(m.balanceAfter, props.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
