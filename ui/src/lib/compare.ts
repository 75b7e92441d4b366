// Compares two traces by structure: every span is keyed by its path of service:operation from
// the root ("api:GET /cart › cart:load › redis:GET"). For each path present in either trace we
// report how many spans it has on each side and their mean duration, and whether it was added,
// removed or changed. Rows come out in tree order (a path right after its parent path).
import type { SpanNode, TraceModel } from './traceModel';

export type DiffStatus = 'same' | 'changed' | 'added' | 'removed';

export interface DiffRow {
  path: string;
  label: string; // last element: service:operation
  depth: number;
  countA: number;
  countB: number;
  meanA: number | null; // µs
  meanB: number | null;
  delta: number | null; // meanB - meanA
  status: DiffStatus;
}

const SEP = ' › ';

interface Agg {
  count: number;
  total: number;
  label: string;
  depth: number;
}

function aggregate(model: TraceModel, into: Map<string, [Agg | null, Agg | null]>, side: 0 | 1, order: string[]) {
  const paths = new Map<SpanNode, string>();
  for (const n of model.spans) {
    const label = `${n.service}:${n.operation}`;
    const path = n.parent ? paths.get(n.parent)! + SEP + label : label;
    paths.set(n, path);
    let entry = into.get(path);
    if (!entry) {
      entry = [null, null];
      into.set(path, entry);
      order.push(path);
    }
    const agg = (entry[side] ??= { count: 0, total: 0, label, depth: n.depth });
    agg.count++;
    agg.total += n.duration;
  }
}

// Relative change under which a duration counts as "same" (noise).
export const SAME_THRESHOLD = 0.1;

export function compareTraces(a: TraceModel, b: TraceModel): DiffRow[] {
  const m = new Map<string, [Agg | null, Agg | null]>();
  const order: string[] = [];
  aggregate(a, m, 0, order);
  aggregate(b, m, 1, order);
  // Tree order: sort path element lists lexicographically by first-seen order of each prefix.
  const rank = new Map(order.map((p, i) => [p, i]));
  const key = (p: string) => {
    const parts = p.split(SEP);
    const ranks: number[] = [];
    for (let i = 1; i <= parts.length; i++) ranks.push(rank.get(parts.slice(0, i).join(SEP)) ?? 0);
    return ranks;
  };
  const keys = new Map(order.map((p) => [p, key(p)]));
  const sorted = [...order].sort((x, y) => {
    const kx = keys.get(x)!;
    const ky = keys.get(y)!;
    for (let i = 0; i < Math.min(kx.length, ky.length); i++) if (kx[i] !== ky[i]) return kx[i] - ky[i];
    return kx.length - ky.length;
  });
  return sorted.map((path) => {
    const [x, y] = m.get(path)!;
    const meanA = x ? x.total / x.count : null;
    const meanB = y ? y.total / y.count : null;
    let status: DiffStatus;
    if (!x) status = 'added';
    else if (!y) status = 'removed';
    else {
      const base = Math.max(meanA!, 1);
      status = x.count !== y.count || Math.abs(meanB! - meanA!) / base > SAME_THRESHOLD ? 'changed' : 'same';
    }
    const ref = (x ?? y)!;
    return {
      path,
      label: ref.label,
      depth: ref.depth,
      countA: x?.count ?? 0,
      countB: y?.count ?? 0,
      meanA,
      meanB,
      delta: meanA !== null && meanB !== null ? meanB - meanA : null,
      status,
    };
  });
}
