import type { DaySpend } from "./daily-spend";
import { dateText, microsText } from "./format";

const WIDTH = 720;
const HEIGHT = 240;
const PLOT = { left: 64, right: 12, top: 16, bottom: 36 };
/** Every fifth day is labelled; 30 labels would not fit a phone. */
const LABEL_EVERY_DAYS = 5;

/** A round step for the axis: 1, 2 or 5 times a power of ten, above the largest day. */
export function axisMaxMicros(maxMicros: number): number {
  if (maxMicros <= 0) return 1_000_000;
  const magnitude = 10 ** Math.floor(Math.log10(maxMicros));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= maxMicros) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Daily spend as server-rendered SVG bars: no script, scales with the page, and each bar has
 * a tooltip. The same numbers are offered as a table beside it for screen readers.
 */
export function SpendChart(props: { days: DaySpend[]; currency: string }) {
  const { days, currency } = props;
  const total = days.reduce((sum, d) => sum + d.spendMicros, 0);
  const top = axisMaxMicros(Math.max(0, ...days.map((d) => d.spendMicros)));
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (micros: number) => PLOT.top + plotHeight - (micros / top) * plotHeight;
  const first = days[0]?.date ?? "";
  const last = days.at(-1)?.date ?? "";
  return (
    <figure class="chart">
      <div class="chart-scroll" tabindex={0} role="region" aria-label="Daily spend chart">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          width="100%"
          role="img"
          aria-labelledby="spend-chart-title spend-chart-desc"
          preserveAspectRatio="xMidYMid meet"
        >
          <title id="spend-chart-title">Daily spend over the last {days.length} days</title>
          <desc id="spend-chart-desc">
            {`From ${dateText(first)} to ${dateText(last)}: ${microsText(total, currency)} in total, at most ${microsText(
              Math.max(0, ...days.map((d) => d.spendMicros)),
              currency,
            )} on one day.`}
          </desc>
          {[0, 0.5, 1].map((f) => (
            <g class="chart-grid">
              <line x1={PLOT.left} x2={WIDTH - PLOT.right} y1={y(top * f)} y2={y(top * f)} />
              <text x={PLOT.left - 6} y={y(top * f) + 4} text-anchor="end">
                {microsText(Math.round(top * f), currency).replace(`${currency} `, "")}
              </text>
            </g>
          ))}
          {days.map((day, i) => {
            const height = Math.max(
              day.spendMicros > 0 ? 1 : 0,
              (day.spendMicros / top) * plotHeight,
            );
            const x = PLOT.left + i * slot + (slot - barWidth) / 2;
            return (
              <g class="chart-bar">
                <rect
                  x={x.toFixed(1)}
                  y={(PLOT.top + plotHeight - height).toFixed(1)}
                  width={barWidth.toFixed(1)}
                  height={height.toFixed(1)}
                >
                  <title>{`${dateText(day.date)}: ${microsText(day.spendMicros, currency)}`}</title>
                </rect>
                {i % LABEL_EVERY_DAYS === 0 || i === days.length - 1 ? (
                  <text
                    class="chart-label"
                    x={(x + barWidth / 2).toFixed(1)}
                    y={HEIGHT - PLOT.bottom + 18}
                    text-anchor="middle"
                  >
                    {dateText(day.date).replace(/ \d{4}$/, "")}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption>
        Spend per day in {currency}, charges only (top-ups and adjustments are not spend). Last{" "}
        {days.length} days: <strong>{microsText(total, currency)}</strong>
      </figcaption>
    </figure>
  );
}

/** The chart's numbers as a table, folded away by default. */
export function SpendTable(props: { days: DaySpend[]; currency: string }) {
  return (
    <details class="spend-table">
      <summary>Show daily spend as a table</summary>
      <div class="table-scroll" tabindex={0} role="region" aria-label="Daily spend table">
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" class="num">
                Spend
              </th>
            </tr>
          </thead>
          <tbody>
            {[...props.days].reverse().map((day) => (
              <tr>
                <td>{dateText(day.date)}</td>
                <td class="num">{microsText(day.spendMicros, props.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
