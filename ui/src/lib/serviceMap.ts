// Service map numbers from /api/dependencies: per edge, the share of calls that failed; per
// service, the calls it received and how many of them failed (summed over the edges into it,
// since an edge's errorCount counts the callee's spans with an error status). errorCount is
// optional in the API (older servers and Jaeger do not send it): where no edge into a service
// reports it, the service's error share is unknown (null), not zero.
import type { Dependency } from '../api/types';

export interface EdgeStat {
  dep: Dependency;
  errorShare: number | null; // errors / calls, null when unknown
}

export interface NodeStat {
  id: string;
  callsIn: number; // calls received (all edges into it)
  callsOut: number; // calls made
  errors: number | null; // failed calls received, over the edges that report errorCount
  errorShare: number | null; // errors / calls received on those edges
}

export interface ServiceMapStats {
  edges: EdgeStat[];
  nodes: Map<string, NodeStat>;
  maxCalls: number;
}

function share(errors: number, calls: number): number {
  return calls > 0 ? Math.min(1, Math.max(0, errors / calls)) : 0;
}

export function serviceMapStats(deps: readonly Dependency[]): ServiceMapStats {
  const nodes = new Map<string, NodeStat & { reportedCalls: number }>();
  const node = (id: string) => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = { id, callsIn: 0, callsOut: 0, errors: null, errorShare: null, reportedCalls: 0 }));
    return n;
  };
  let maxCalls = 1;
  const edges: EdgeStat[] = [];
  for (const dep of deps) {
    const calls = Math.max(0, dep.callCount || 0);
    maxCalls = Math.max(maxCalls, calls);
    const known = typeof dep.errorCount === 'number' && Number.isFinite(dep.errorCount);
    edges.push({ dep, errorShare: known ? share(dep.errorCount!, calls) : null });
    node(dep.parent).callsOut += calls;
    const child = node(dep.child);
    child.callsIn += calls;
    if (known) {
      child.errors = (child.errors ?? 0) + Math.max(0, dep.errorCount!);
      child.reportedCalls += calls;
    }
  }
  const out = new Map<string, NodeStat>();
  for (const [id, n] of nodes) {
    out.set(id, {
      id,
      callsIn: n.callsIn,
      callsOut: n.callsOut,
      errors: n.errors,
      errorShare: n.errors === null ? null : share(n.errors, n.reportedCalls),
    });
  }
  return { edges, nodes: out, maxCalls };
}

// "12%", "0.5%", "<0.1%" for a share in [0, 1]; '' for none or unknown.
export function formatErrorShare(s: number | null): string {
  if (s === null || s <= 0) return '';
  const pct = s * 100;
  if (pct < 0.1) return '<0.1%';
  return `${pct.toFixed(pct < 10 ? 1 : 0)}%`;
}
