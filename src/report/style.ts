/** The report's stylesheet: inline, system fonts only, light and dark. */
export const REPORT_CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #667; --line: #d8dce2; --pass: #1a7f37; --fail: #c62828; --warn: #b26b00; --card: #f6f8fa; --front: #6b46c1; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f1115; --fg: #e6e6e6; --muted: #9aa; --line: #2b313b; --pass: #4cc36a; --fail: #ff6b6b; --warn: #e0a030; --card: #171a21; --front: #a78bfa; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
h1 { font-size: 20px; margin: 0 0 4px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; }
.summary th, .summary td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
.summary th.model, .summary thead th:first-child { text-align: left; }
.summary td.errors, .summary th.left { text-align: left; max-width: 420px; }
.err-kind { font-size: 12px; color: var(--warn); }
.up { color: var(--pass); } .down { color: var(--fail); }
.charts { display: flex; flex-wrap: wrap; gap: 24px; margin: 16px 0; }
.chart { margin: 0; } .chart figcaption { font-weight: 600; margin-bottom: 4px; }
.chart .grid { stroke: var(--line); } .chart .tick, .chart .axis { fill: var(--muted); font-size: 11px; }
.chart .dot circle { fill: var(--muted); } .chart .dot.on-front circle { fill: var(--front); }
.chart .dot text { fill: var(--fg); font-size: 11px; }
.chart .front { fill: none; stroke: var(--front); stroke-width: 2; stroke-dasharray: 4 3; }
.legend { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
.controls { position: sticky; top: 0; background: var(--bg); padding: 8px 0; display: flex; flex-wrap: wrap; gap: 14px; align-items: center; border-bottom: 1px solid var(--line); z-index: 1; }
.controls input[type=search] { min-width: 260px; padding: 4px 8px; }
.grid { width: 100%; table-layout: fixed; margin-top: 8px; }
.grid th, .grid td { border: 1px solid var(--line); padding: 6px 8px; vertical-align: top; text-align: left; }
.grid thead th { background: var(--card); }
.grid th.case { width: 22%; font-weight: normal; background: var(--card); }
.case-id { font-weight: 600; word-break: break-all; }
.where { font-size: 11px; word-break: break-all; }
.tag { display: inline-block; font-size: 11px; border: 1px solid var(--line); border-radius: 9px; padding: 0 6px; margin: 2px 4px 0 0; }
pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre.prompt { max-height: 9em; overflow: auto; }
pre.answer { max-height: 14em; overflow: auto; background: var(--card); padding: 4px 6px; border-radius: 4px; }
.sample + .sample { border-top: 1px dashed var(--line); margin-top: 6px; padding-top: 6px; }
.meta { display: flex; gap: 8px; flex-wrap: wrap; font-size: 12px; }
.badge { font-weight: 600; } .badge.pass { color: var(--pass); } .badge.fail { color: var(--fail); } .badge.error { color: var(--warn); }
.checks { margin: 2px 0 0; padding-left: 16px; font-size: 12px; }
.checks .ok { color: var(--pass); } .checks .bad { color: var(--fail); }
.error-msg { color: var(--warn); font-size: 12px; word-break: break-word; }
td.better { box-shadow: inset 4px 0 0 var(--pass); } td.worse { box-shadow: inset 4px 0 0 var(--fail); }
.better-key { color: var(--pass); font-weight: 600; } .worse-key { color: var(--fail); font-weight: 600; }
.diff { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
.diff-head { font-weight: 600; color: var(--muted); }
.dl.del { background: rgba(198, 40, 40, .15); } .dl.add { background: rgba(26, 127, 55, .15); }
#more { margin: 12px 0; padding: 6px 14px; }
`;
