import { utc } from './format.ts';

export interface Bar {
  t: number;
  value: number;
  /** Drawn in the alert colour (a failed run). */
  bad?: boolean;
}

/**
 * Bars over time as SVG, with the axis ends in UTC; every bar has a title (hover) and the whole
 * chart a text summary for screen readers.
 */
export function BarChart({
  bars,
  label,
  unit,
  height = 120,
}: {
  bars: Bar[];
  label: string;
  unit: string;
  height?: number;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = 1000;
  const bw = bars.length ? w / bars.length : w;
  const total = bars.reduce((s, b) => s + b.value, 0);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${w} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: ${total} ${unit} in ${bars.length} bars`}
      >
        {bars.map((b, i) => {
          const h = (b.value / max) * (height - 4);
          return (
            <rect
              key={i}
              x={i * bw + bw * 0.1}
              width={Math.max(1, bw * 0.8)}
              y={height - h}
              height={h}
              className={b.bad ? 'bar bad' : 'bar'}
            >
              <title>{`${utc(b.t)}: ${b.value} ${unit}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>
        <span>{bars.length ? utc(bars[0]!.t) : ''}</span>
        <span>
          {label} (max {max} {unit})
        </span>
        <span>{bars.length ? utc(bars.at(-1)!.t) : ''}</span>
      </figcaption>
    </figure>
  );
}
