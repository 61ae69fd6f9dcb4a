import type { QuestionResult } from './results.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A horizontal bar chart as inline SVG (docs/rules/surveys.md §8): `role="img"` with a title, a value
 * label on every bar, one colour (GOV.UK blue #1d70b8, 5.2:1 on white) and no meaning in
 * colour alone. The table beside it is the accessible source; the chart repeats it.
 */
export function barChart(result: QuestionResult, id: string): string {
  const rows = result.options;
  const labelWidth = 300;
  const barArea = 340;
  const rowHeight = 28;
  const height = rows.length * rowHeight + 10;
  const width = labelWidth + barArea + 90;
  const max = Math.max(1, ...rows.map((r) => r.percent));
  const bars = rows
    .map((r, i) => {
      const y = 5 + i * rowHeight;
      const w = Math.round((r.percent / max) * barArea);
      const label = r.label.length > 46 ? `${r.label.slice(0, 45)}…` : r.label;
      return [
        `<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end" font-size="14" fill="#0b0c0c">${esc(label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 4}" width="${w}" height="${rowHeight - 8}" fill="#1d70b8"/>`,
        `<text x="${labelWidth + w + 6}" y="${y + 18}" font-size="14" fill="#0b0c0c">${r.percent.toFixed(1)}% (${r.count})</text>`,
      ].join('');
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" aria-labelledby="${id}-title" ` +
    `viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">` +
    `<title id="${id}-title">${esc(result.label)}: percentage of ${result.base} people answering who chose each option</title>` +
    `${bars}</svg>`
  );
}
