export const APP_CSS = `:root {
  --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; --card: #fff;
  --accent: #2458d6; --ok: #1b7f4b; --bad: #b3261e; --warn: #9a6700;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .75rem 1.5rem; background: var(--card); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 1.2rem; color: var(--fg); text-decoration: none; }
.tagline { color: var(--muted); flex: 1; }
.key-form { display: flex; gap: .4rem; align-items: center; }
.key-form input { width: 16rem; }
main { max-width: 72rem; margin: 1.25rem auto; padding: 0 1.5rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1.25rem; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 1rem 0 .5rem; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: .85rem; }
input, select, textarea, button { font: inherit; }
input, select, textarea { padding: .3rem .45rem; border: 1px solid var(--line); border-radius: 5px; background: #fff; color: var(--fg); }
textarea { width: 100%; min-height: 4.5rem; font-family: ui-monospace, monospace; font-size: .85rem; }
button { padding: .3rem .8rem; border: 1px solid var(--accent); border-radius: 5px; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .55; cursor: default; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .6rem 1rem; }
.field { display: flex; flex-direction: column; gap: .2rem; }
.field span { font-size: .85rem; color: var(--muted); }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: .75rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: .75rem 0 0; padding: .5rem .75rem .75rem; }
legend { color: var(--muted); font-size: .85rem; padding: 0 .3rem; }
.checks label { margin-right: 1rem; white-space: nowrap; }
.muted { color: var(--muted); }
.mono { font-family: ui-monospace, monospace; font-size: .85rem; }
.status { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem; border: 1px solid currentColor; }
.status-completed { color: var(--ok); }
.status-failed, .status-cancelled { color: var(--bad); }
.status-queued, .status-building, .status-benchmarking, .status-evaluating, .status-ranking { color: var(--warn); }
progress { width: 100%; height: .9rem; }
.sentence { font-size: 1.05rem; padding: .6rem .8rem; border-left: 4px solid var(--ok); background: #f0f8f3; margin: .75rem 0; }
.failures li { color: var(--bad); }
#notice:not(:empty) { max-width: 72rem; margin: 1rem auto 0; padding: .6rem 1rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); }
#notice.error { border-color: var(--bad); color: var(--bad); }
iframe.report { width: 100%; height: 80vh; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
a { color: var(--accent); }
`;
