// Duration over time for the search results: one dot per trace (size by span count, red when
// the trace has errors); clicking a dot opens the trace. Hand-written SVG, no chart library.
import { useState } from 'react';
import { formatDuration, niceTicks } from '../lib/duration';
import type { TraceSummary } from '../lib/results';

const W = 900;
const H = 180;
const PAD = { l: 64, r: 16, t: 12, b: 28 };

function clockLabel(us: number, spanUs: number): string {
  const d = new Date(us / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return spanUs < 120_000_000 ? `${hm}:${pad(d.getSeconds())}` : hm;
}

export function Scatter(props: { traces: TraceSummary[]; onOpen: (id: string) => void }) {
  const [hover, setHover] = useState<TraceSummary | null>(null);
  const { traces } = props;
  if (!traces.length) return null;
  let t0 = Math.min(...traces.map((t) => t.startTime));
  let t1 = Math.max(...traces.map((t) => t.startTime));
  if (t1 === t0) {
    t0 -= 1_000_000;
    t1 += 1_000_000;
  }
  const maxDur = Math.max(1, ...traces.map((t) => t.duration)) * 1.1;
  const maxSpans = Math.max(1, ...traces.map((t) => t.spanCount));
  const x = (us: number) => PAD.l + ((us - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (d: number) => H - PAD.b - (d / maxDur) * (H - PAD.t - PAD.b);
  const yTicks = niceTicks(maxDur, 4).filter((v) => v <= maxDur);
  const xTicks = niceTicks(t1 - t0, 6).filter((v) => v <= t1 - t0);
  return (
    <div className="scatter">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Trace duration over time" preserveAspectRatio="none">
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line className="grid" x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} />
            <text className="axis" x={PAD.l - 6} y={y(v) + 4} textAnchor="end">
              {formatDuration(v)}
            </text>
          </g>
        ))}
        {xTicks.map((v) => (
          <text key={`x${v}`} className="axis" x={x(t0 + v)} y={H - 8} textAnchor="middle">
            {clockLabel(t0 + v, t1 - t0)}
          </text>
        ))}
        {traces.map((t) => (
          <circle
            key={t.traceID}
            data-trace-id={t.traceID}
            className={`dot${t.errorCount ? ' dot-error' : ''}`}
            cx={x(t.startTime)}
            cy={y(t.duration)}
            r={4 + 6 * Math.sqrt(t.spanCount / maxSpans)}
            onClick={() => props.onOpen(t.traceID)}
            onMouseEnter={() => setHover(t)}
            onMouseLeave={() => setHover(null)}
          >
            <title>{`${t.rootService}: ${t.rootOperation} — ${formatDuration(t.duration)}, ${t.spanCount} spans`}</title>
          </circle>
        ))}
      </svg>
      <div className="scatter-hover">
        {hover
          ? `${hover.rootService}: ${hover.rootOperation} · ${formatDuration(hover.duration)} · ${hover.spanCount} spans${hover.errorCount ? ` · ${hover.errorCount} errors` : ''}`
          : 'Click a dot to open the trace'}
      </div>
    </div>
  );
}
