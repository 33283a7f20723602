/**
 * The report's quality–cost and quality–latency scatters as static inline SVG: one dot per
 * model, the Pareto front (no other model is both cheaper/faster and better) drawn as a step
 * line through its models. Rendered here rather than in the page so it needs no script.
 */
import { escapeHtml } from './escape.js';

export interface Point {
  label: string;
  /** Cost in USD or latency in ms: lower is better. */
  x: number;
  /** Pass rate 0–1: higher is better. */
  y: number;
}

/** Points no other point beats on both axes, lowest x first. */
export function paretoFront(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y);
  const out: Point[] = [];
  for (const p of sorted) if (out.length === 0 || p.y > out[out.length - 1].y) out.push(p);
  return out;
}

const W = 460;
const H = 300;
const PAD = { l: 52, r: 36, t: 16, b: 44 };

export function scatter(points: Point[], o: { title: string; xLabel: string; format: (x: number) => string; id: string }): string {
  const head = `<figure class="chart" id="${o.id}"><figcaption>${escapeHtml(o.title)}</figcaption>`;
  if (points.length === 0) return `${head}<p class="muted">Not enough data: no model has both a pass rate and a known ${escapeHtml(o.xLabel)}.</p></figure>`;
  const maxX = Math.max(...points.map((p) => p.x)) || 1;
  const sx = (x: number) => PAD.l + (x / maxX) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - y * (H - PAD.t - PAD.b);
  const front = paretoFront(points);
  const onFront = new Set(front.map((p) => p.label));
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${sy(t)}" y2="${sy(t)}"/>`, `<text class="tick" x="${PAD.l - 6}" y="${sy(t) + 4}" text-anchor="end">${t * 100}%</text>`);
  }
  for (const t of [0, 0.5, 1]) parts.push(`<text class="tick" x="${sx(t * maxX)}" y="${H - PAD.b + 16}" text-anchor="middle">${escapeHtml(o.format(t * maxX))}</text>`);
  parts.push(`<text class="axis" x="${(W + PAD.l) / 2}" y="${H - 8}" text-anchor="middle">${escapeHtml(o.xLabel)} (lower is better)</text>`);
  parts.push(`<text class="axis" transform="translate(14 ${(H - PAD.b + PAD.t) / 2}) rotate(-90)" text-anchor="middle">pass rate</text>`);
  if (front.length > 1) {
    // A staircase: from each front model right to the next one's cost, then up to its pass rate.
    let d = `M${sx(front[0].x)} ${sy(front[0].y)}`;
    for (const p of front.slice(1)) d += ` H${sx(p.x)} V${sy(p.y)}`;
    parts.push(`<path class="front" d="${d}"/>`);
  }
  points.forEach((p) => {
    const cls = onFront.has(p.label) ? 'dot on-front' : 'dot';
    const tip = `${p.label}: ${Math.round(p.y * 1000) / 10}% at ${o.format(p.x)}`;
    // Labels of points in the right half go to their left, so they stay inside the chart.
    const left = sx(p.x) > (W + PAD.l) / 2;
    const label = `<text x="${sx(p.x) + (left ? -8 : 8)}" y="${sy(p.y) - 6}" text-anchor="${left ? 'end' : 'start'}">${escapeHtml(p.label)}</text>`;
    parts.push(`<g class="${cls}"><circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="5"><title>${escapeHtml(tip)}</title></circle>${label}</g>`);
  });
  return `${head}<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(o.title)}">${parts.join('')}</svg><p class="legend">Pareto front: ${front.map((p) => escapeHtml(p.label)).join(' → ')}</p></figure>`;
}
