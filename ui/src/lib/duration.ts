// Durations: µs formatting for display and Go duration strings ("1.5s", "250ms") as the query
// API takes them for minDuration/maxDuration and lookback.

const UNITS_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  μs: 1,
  ms: 1000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
};

// Parses a Go-style duration ("1h30m", "1.5s", "300ms") into µs; null when malformed.
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!s) return null;
  const re = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    total += parseFloat(m[1]) * UNITS_US[m[2]];
    pos = re.lastIndex;
  }
  return total;
}

function trim(n: number, digits: number): string {
  return parseFloat(n.toFixed(digits)).toString();
}

// Human duration from µs: "850µs", "12.3ms", "1.25s", "2m 5s", "3h 2m".
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const sign = us < 0 ? '-' : '';
  const a = Math.abs(us);
  if (a < 1) return `${sign}${trim(a * 1000, 0)}ns`;
  if (a < 1000) return `${sign}${trim(a, a < 10 ? 2 : 1)}µs`;
  if (a < 1_000_000) return `${sign}${trim(a / 1000, a < 10_000 ? 2 : 1)}ms`;
  if (a < 60_000_000) return `${sign}${trim(a / 1_000_000, 2)}s`;
  if (a < 3_600_000_000) {
    const m = Math.floor(a / 60_000_000);
    const s = Math.round((a - m * 60_000_000) / 1_000_000);
    return `${sign}${m}m${s ? ` ${s}s` : ''}`;
  }
  const h = Math.floor(a / 3_600_000_000);
  const m = Math.round((a - h * 3_600_000_000) / 60_000_000);
  return `${sign}${h}h${m ? ` ${m}m` : ''}`;
}

// Wall-clock time of a µs timestamp: "2026-11-22 05:10:03.123".
export function formatTimestamp(us: number): string {
  const d = new Date(us / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

// "3 minutes ago" relative to nowMs.
export function formatAgo(us: number, nowMs: number): string {
  const s = Math.round((nowMs - us / 1000) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

// Tick positions for a ruler over [0, span] µs: about `count` round steps (1, 2, 5 × 10^k).
export function niceTicks(span: number, count: number): number[] {
  if (span <= 0 || count <= 0) return [0];
  const raw = span / count;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let t = 0; t <= span + step * 1e-9; t += step) ticks.push(t);
  return ticks;
}
