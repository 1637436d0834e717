/**
 * The page's styles. Colours are chosen for at least 4.5:1 contrast on their backgrounds;
 * every focusable element shows a visible focus ring; one column below 760 px.
 */
export const BILLING_CSS = `
:root {
  --text: #1b1f24; --muted: #4a5563; --line: #d0d7de; --bg: #f5f7fa; --card: #ffffff;
  --primary: #0a58ca; --primary-dark: #083f91; --focus: #0a58ca;
  --danger-bg: #fdecea; --danger: #7a1c12; --warning-bg: #fff4d6; --warning: #5c4300;
  --success-bg: #e7f5ec; --success: #13502c; --neutral-bg: #eef1f5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--text); background: var(--bg); line-height: 1.5;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--primary); }
a:hover { color: var(--primary-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--card); padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: 1rem; top: 1rem; }
.top { background: var(--card); border-bottom: 1px solid var(--line); }
.top-inner { max-width: 1100px; margin: 0 auto; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; }
.crumbs { margin: 0; color: var(--muted); }
.sign-out { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 0 0 .75rem; }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
.section-nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin-bottom: 1rem; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 1rem; }
#credit, #export, #usage, #spend, #movements { grid-column: 1 / -1; }
#billing-details { grid-column: 1 / -1; }
#billing-details summary { cursor: pointer; font-weight: 600; margin: .75rem 0; }
@media (max-width: 760px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem; min-width: 0; }
.hint { color: var(--muted); font-size: .925rem; margin: .25rem 0 .75rem; }
.balance-row { display: flex; flex-wrap: wrap; gap: 1rem 3rem; align-items: flex-start; }
.balance-label { margin: 0; color: var(--muted); }
.balance { font-size: 2.25rem; font-weight: 700; margin: 0; font-variant-numeric: tabular-nums; }
.state { display: inline-block; margin: .25rem 0 0; padding: .1rem .6rem; border-radius: 999px; font-size: .875rem; font-weight: 600; }
.state-ok { background: var(--success-bg); color: var(--success); }
.state-low { background: var(--warning-bg); color: var(--warning); }
.state-exhausted { background: var(--danger-bg); color: var(--danger); }
.figures { display: flex; flex-wrap: wrap; gap: .75rem 2rem; margin: 0; }
.figures dt { color: var(--muted); font-size: .875rem; }
.figures dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.banner { border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0 0; border-left: 6px solid; }
.banner p { margin: .35rem 0; }
.banner-danger { background: var(--danger-bg); color: var(--danger); border-color: var(--danger); }
.banner-warning { background: var(--warning-bg); color: var(--warning); border-color: var(--warning); }
.banner a { color: inherit; font-weight: 600; }
.outcome { border-radius: 6px; padding: .6rem .9rem; margin: .75rem 0; }
.outcome p { margin: .2rem 0; }
.outcome-pending, .outcome-neutral { background: var(--neutral-bg); }
.outcome-success { background: var(--success-bg); color: var(--success); }
.outcome-error { background: var(--danger-bg); color: var(--danger); }
.outcome-warning { background: var(--warning-bg); color: var(--warning); }
.outcome-success a:not(.button), .outcome-error a { color: inherit; }
.outcome-pending { display: flex; gap: .6rem; align-items: flex-start; }
.spinner { width: 1rem; height: 1rem; margin-top: .25rem; border: 3px solid var(--line); border-top-color: var(--primary); border-radius: 50%; animation: spin 1s linear infinite; flex: none; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
.form { display: grid; gap: .75rem; }
.form.card { max-width: 28rem; }
.form-inline { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; margin-bottom: .75rem; }
.field { display: grid; gap: .25rem; }
.field label { font-weight: 600; }
.field .hint { margin: 0; }
.input-row { display: flex; align-items: stretch; }
.input-prefix { display: flex; align-items: center; padding: 0 .6rem; border: 1px solid #8c959f; border-right: 0; border-radius: 6px 0 0 6px; background: var(--neutral-bg); color: var(--muted); }
.input-prefix + input { border-radius: 0 6px 6px 0; }
input, select { font: inherit; color: var(--text); background: var(--card); border: 1px solid #8c959f; border-radius: 6px; padding: .5rem .65rem; min-height: 2.75rem; width: 100%; max-width: 22rem; }
input[type=month] { width: auto; }
.field-invalid input, .field-invalid select { border-color: var(--danger); border-width: 2px; }
.field-error, .form-error { color: var(--danger); font-weight: 600; margin: 0; }
.form-error { background: var(--danger-bg); padding: .5rem .75rem; border-radius: 6px; margin-bottom: .75rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; }
.button { font: inherit; font-weight: 600; border-radius: 6px; padding: .55rem 1.1rem; min-height: 2.75rem; cursor: pointer; border: 1px solid transparent; text-decoration: none; display: inline-flex; align-items: center; }
.button-primary { background: var(--primary); color: #fff; }
.button-primary:hover { background: var(--primary-dark); color: #fff; }
.button-secondary { background: var(--card); color: var(--primary); border-color: var(--primary); }
.button-link { background: none; border: 0; padding: 0; min-height: auto; color: var(--primary); text-decoration: underline; justify-self: start; }
.button[hidden] { display: none; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .925rem; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.negative { color: var(--danger); }
.positive { color: var(--success); }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .875em; word-break: break-all; }
.usage-meter { display: block; width: 100%; max-width: 12rem; height: .6rem; margin-top: .25rem; }
.sub { display: block; color: var(--muted); font-size: .85rem; }
.chart { margin: 0; }
.chart-scroll { overflow-x: auto; }
/* Below this width the labels would be too small to read: the chart scrolls instead. */
.chart svg { display: block; width: 100%; min-width: 520px; height: auto; }
.chart-grid line { stroke: var(--line); stroke-width: 1; }
.chart-grid text, .chart-label { fill: var(--muted); font-size: 12px; }
.chart-bar rect { fill: var(--primary); }
.chart-bar rect:hover { fill: var(--primary-dark); }
figcaption { margin-top: .5rem; }
details summary { cursor: pointer; color: var(--primary); margin-top: .75rem; }
.sign-in { max-width: 32rem; }
.foot { max-width: 1100px; margin: 0 auto; padding: 1rem; color: var(--muted); }
.account-name { font-weight: 600; }
.docs { max-width: 960px; }
.docs section { margin-bottom: 2rem; }
.docs-op { margin-bottom: 1rem; }
.docs-op h3 { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; font-size: 1rem; }
.docs-method { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 700; padding: .1rem .5rem; border-radius: 4px; color: #fff; background: #4a5563; }
.docs-get { background: #0a58ca; } .docs-post { background: #13502c; } .docs-put { background: #7a4a00; } .docs-delete { background: #7a1c12; }
.docs-path { font-size: 1rem; }
.docs-schema pre { background: var(--neutral-bg); padding: .75rem; border-radius: 6px; overflow-x: auto; font-size: .8rem; }
.docs-responses { padding-left: 1.25rem; }
`;
