/** The pass-rate trend as an inline SVG line chart (no chart library: one polyline and its axes). */
import type { Summary } from './types.ts';

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

export function TrendChart({ trend }: { trend: Summary['trend'] }) {
  // The API lists the newest scan first; a chart reads left (old) to right (new).
  const points = [...trend].reverse().filter((point) => point.passRate !== null);
  if (points.length === 0) return <p>No finished scan yet.</p>;
  const innerWidth = WIDTH - PAD.left - PAD.right;
  const innerHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) =>
    PAD.left + (points.length === 1 ? innerWidth / 2 : (index / (points.length - 1)) * innerWidth);
  const y = (rate: number) => PAD.top + (1 - rate) * innerHeight;
  const line = points
    .map((point, index) => `${x(index).toFixed(1)},${y(point.passRate!).toFixed(1)}`)
    .join(' ');
  const description = points
    .map((point) => `${point.finishedAt?.slice(0, 10) ?? '?'}: ${((point.passRate ?? 0) * 100).toFixed(1)} %`)
    .join(', ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="trend-title trend-desc">
        <title id="trend-title">Pass rate over the last {points.length} scans</title>
        <desc id="trend-desc">{description}</desc>
        {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
          <g key={tick}>
            <line class="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text class="axis" x={PAD.left - 6} y={y(tick) + 4} text-anchor="end">
              {tick * 100}%
            </text>
          </g>
        ))}
        <polyline class="trend" points={line} fill="none" />
        {points.map((point, index) => (
          <circle key={point.scanId} class="dot" cx={x(index)} cy={y(point.passRate!)} r={4}>
            <title>
              {point.finishedAt?.slice(0, 16).replace('T', ' ') ?? ''}{' '}
              {((point.passRate ?? 0) * 100).toFixed(1)} %
            </title>
          </circle>
        ))}
        <text class="axis" x={PAD.left} y={HEIGHT - 8}>
          {points[0]?.finishedAt?.slice(0, 10)}
        </text>
        <text class="axis" x={WIDTH - PAD.right} y={HEIGHT - 8} text-anchor="end">
          {points.at(-1)?.finishedAt?.slice(0, 10)}
        </text>
      </svg>
    </figure>
  );
}
