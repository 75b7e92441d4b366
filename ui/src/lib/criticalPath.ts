// Critical path: the chain of work that decides when the trace ends. Starting at each root's
// end, walk backwards: the span's last-finishing child (clipped to the parent) that started
// before the current point is on the path, then continue from that child's start; the gaps
// between such children are the span's own time. Same definition as Jaeger's UI. Iterative
// (explicit stack), O(n log n).
import type { SpanNode, TraceModel } from './traceModel';

export interface PathSegment {
  node: SpanNode;
  start: number; // µs from the trace start
  end: number;
}

export function criticalPath(model: TraceModel): PathSegment[] {
  if (!model.roots.length) return [];
  // The root that ends last decides the trace's end.
  let root = model.roots[0];
  for (const r of model.roots) if (r.end > root.end) root = r;

  type Task = { kind: 'span'; node: SpanNode; until: number } | { kind: 'self'; seg: PathSegment };
  const out: PathSegment[] = []; // produced latest first
  const stack: Task[] = [{ kind: 'span', node: root, until: root.end }];
  while (stack.length) {
    const task = stack.pop()!;
    if (task.kind === 'self') {
      out.push(task.seg);
      continue;
    }
    const span = task.node;
    const planned: Task[] = []; // in latest-first order
    let cursor = Math.min(span.end, task.until);
    const kids = span.children.length > 1 ? [...span.children].sort((a, b) => b.end - a.end) : span.children;
    for (const child of kids) {
      if (cursor <= span.start) break;
      const childStart = Math.max(child.start, span.start);
      const childEnd = Math.min(child.end, cursor);
      if (childStart >= cursor || childEnd <= childStart) continue;
      if (childEnd < cursor) planned.push({ kind: 'self', seg: { node: span, start: childEnd, end: cursor } });
      planned.push({ kind: 'span', node: child, until: childEnd });
      cursor = childStart;
    }
    if (cursor > span.start) planned.push({ kind: 'self', seg: { node: span, start: span.start, end: cursor } });
    if (span.duration === 0 && planned.length === 0) {
      planned.push({ kind: 'self', seg: { node: span, start: span.start, end: span.start } });
    }
    for (let i = planned.length - 1; i >= 0; i--) stack.push(planned[i]);
  }
  return out.reverse();
}

// The spans that own at least one critical segment, with the segments per span.
export function criticalBySpan(segments: PathSegment[]): Map<string, PathSegment[]> {
  const m = new Map<string, PathSegment[]>();
  for (const s of segments) {
    const list = m.get(s.node.id);
    if (list) list.push(s);
    else m.set(s.node.id, [s]);
  }
  return m;
}
