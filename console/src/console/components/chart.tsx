import type { HistoryPoint } from '../api/system';

const WIDTH = 560;
const HEIGHT = 140;
const PAD = 28;

/** A small line chart of one series of the history, drawn as SVG by React (no chart library, no inline script). */
export function HistoryChart(props: {
  title: string;
  points: HistoryPoint[];
  value: (point: HistoryPoint) => number;
  unit: string;
}) {
  const { points, value } = props;
  const values = points.map(value);
  const max = Math.max(1, ...values);
  const first = points[0]?.at ?? 0;
  const span = Math.max(1, (points.at(-1)?.at ?? 0) - first);
  const x = (at: number) => PAD + ((at - first) / span) * (WIDTH - 2 * PAD);
  const y = (v: number) => HEIGHT - PAD - (v / max) * (HEIGHT - 2 * PAD);
  const path = points.map((point, i) => `${x(point.at).toFixed(1)},${y(values[i]!).toFixed(1)}`).join(' ');
  const latest = values.at(-1);
  const summary =
    latest === undefined
      ? `${props.title}: no data yet`
      : `${props.title}: latest ${latest.toFixed(0)} ${props.unit}, highest ${max.toFixed(0)} ${props.unit} over ${points.length} checks`;
  return (
    <figure className="chart">
      <figcaption>
        {props.title}{' '}
        <span className="hint">
          (latest {latest === undefined ? '—' : `${latest.toFixed(0)} ${props.unit}`})
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <line x1={PAD} y1={HEIGHT - PAD} x2={WIDTH - PAD} y2={HEIGHT - PAD} className="axis" />
        <line x1={PAD} y1={PAD} x2={PAD} y2={HEIGHT - PAD} className="axis" />
        <text x={4} y={PAD + 4} className="tick">
          {max.toFixed(0)}
        </text>
        <text x={4} y={HEIGHT - PAD + 4} className="tick">
          0
        </text>
        {points.length > 1 && <polyline points={path} className="line" />}
        {points.length === 1 && <circle cx={x(points[0]!.at)} cy={y(values[0]!)} r={3} className="dot" />}
      </svg>
    </figure>
  );
}
