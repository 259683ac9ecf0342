/** The report's stylesheet: system fonts, cards on a light grey page, tables with tabular figures. */
export const PAGE_STYLE = `
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --page: #f3f4f6; --card: #ffffff;
  --danger: #b42318; --danger-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4d6; --accent: #1c7ed6;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: var(--card); border-bottom: 1px solid var(--line); }
.wrap { max-width: 1320px; margin: 0 auto; padding: 0 28px; }
header.top .wrap { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 12px 32px; padding-top: 22px; padding-bottom: 18px; }
h1 { font-size: 24px; line-height: 1.2; margin: 0 0 4px; font-weight: 650; letter-spacing: -0.01em; }
h1 .scenario { color: var(--muted); font-weight: 500; }
.subtitle { margin: 0; color: var(--muted); }
h2 { font-size: 17px; margin: 34px 0 12px; font-weight: 650; }
h2 .hint { font-size: 13px; font-weight: 400; color: var(--muted); margin-left: 8px; }
h3 { font-size: 14px; margin: 0; font-weight: 600; }
h4 { font-size: 12px; margin: 0 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; font-weight: 600; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 6px; font-weight: 500; }
.legend .files { color: var(--muted); font-weight: 400; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 3px; margin-right: 7px; vertical-align: -1px; }
.legend .swatch { margin-right: 0; }
.dash { display: inline-block; width: 26px; height: 0; border-top: 2px solid var(--muted); vertical-align: middle; margin-right: 2px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin: 0; }
.grid { display: grid; gap: 16px; grid-template-columns: repeat(2, minmax(0, 1fr)); }
.grid.three { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.grid.one { grid-template-columns: minmax(0, 1fr); }
@media (max-width: 980px) { .grid, .grid.three { grid-template-columns: minmax(0, 1fr); } }
.chart figcaption { margin-bottom: 8px; }
.plot { position: relative; height: 290px; }
.plot.tall { height: 420px; }
.caption { margin: 10px 0 0; color: var(--muted); font-size: 12.5px; }
.missing { display: flex; flex-direction: column; justify-content: center; min-height: 120px; }
.muted { color: var(--muted); }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 8px 12px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--soft); }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover td { background: #fafbfc; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.bad-text { color: var(--danger); font-weight: 600; }
.badge { display: inline-block; margin-left: 8px; padding: 0 7px; border-radius: 999px; font-size: 11px; font-weight: 600; line-height: 18px; }
.badge.bad { background: var(--danger-bg); color: var(--danger); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
tr.failed td { color: var(--danger); }
.banner { border-radius: 10px; padding: 12px 16px; margin: 20px 0 0; border: 1px solid; }
.banner.danger { background: var(--danger-bg); border-color: #f3b8b2; color: #7a1a12; font-size: 15px; }
.banner.warn { background: var(--warn-bg); border-color: #f0d58a; color: #5c3d00; }
.verdict { margin: 14px 0 0; padding: 12px 16px; background: var(--card); border: 1px solid var(--line); border-left: 3px solid var(--accent); border-radius: 10px; }
.verdict p { margin: 4px 0; }
.verdict .file { font-weight: 600; }
ul.warnings { margin: 0; padding: 0; list-style: none; }
ul.warnings > li { margin: 0 0 10px; }
ul.warnings ul { margin: 4px 0 0 18px; padding-left: 18px; }
.details { margin-bottom: 16px; }
.details-grid { display: grid; gap: 8px 32px; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); margin-top: 12px; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 3px 14px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
details { margin-top: 12px; }
summary { cursor: pointer; color: var(--accent); }
pre { background: var(--soft); border-radius: 8px; padding: 12px; overflow: auto; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-height: 360px; }
footer { color: var(--muted); font-size: 12px; padding: 28px 0 36px; }
`;
