// The trace as the timeline needs it: spans linked into a tree (parent = first CHILD_OF
// reference, else first FOLLOWS_FROM within the trace, else parentSpanID), in depth-first order
// with children by start time, times relative to the trace start, and per-trace statistics.
// Built iteratively (no recursion) so a 50,000-span or 10,000-deep trace cannot overflow the
// stack. Spans whose parent is missing, or that sit on a reference cycle, become roots and are
// reported in `warnings`.
import type { KeyValue, Process, Span, Trace } from '../api/types';

export interface SpanNode {
  span: Span;
  id: string; // unique within the model (span ID, suffixed if duplicated)
  service: string;
  operation: string;
  process: Process;
  parent: SpanNode | null;
  children: SpanNode[];
  depth: number;
  index: number; // position in depth-first order
  subtreeSize: number; // this span and all its descendants
  start: number; // µs from the trace start
  duration: number;
  end: number;
  isError: boolean;
  kind: string;
}

export interface ServiceStat {
  name: string;
  spans: number;
  errors: number;
}

export interface TraceModel {
  traceID: string;
  spans: SpanNode[]; // depth-first order
  byId: Map<string, SpanNode>;
  roots: SpanNode[];
  startTime: number; // µs since epoch
  duration: number; // µs
  depth: number; // levels in the tree
  services: ServiceStat[]; // by span count, descending
  errorCount: number;
  rootService: string;
  rootOperation: string;
  warnings: string[];
}

export function tagValue(tags: KeyValue[] | null | undefined, key: string): unknown {
  if (!tags) return undefined;
  for (const t of tags) if (t.key === key) return t.value;
  return undefined;
}

export function isErrorSpan(span: Span): boolean {
  return scanTags(span).isError;
}

// One pass over a span's tags for what the model needs.
function scanTags(span: Span): { isError: boolean; kind: string } {
  let isError = false;
  let kind = '';
  const tags = span.tags;
  if (tags) {
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i];
      const k = t.key;
      if (k === 'error') {
        if (t.value === true || t.value === 'true') isError = true;
      } else if (k === 'otel.status_code') {
        if (t.value === 'ERROR') isError = true;
      } else if (k === 'span.kind') {
        kind = String(t.value);
      }
    }
  }
  return { isError, kind };
}

const UNKNOWN_PROCESS: Process = { serviceName: 'unknown-service', tags: [] };
// Leaves share one frozen empty array (most spans are leaves; 50,000 empty arrays are garbage).
const NO_CHILDREN = Object.freeze([]) as unknown as SpanNode[];

function parentIdOf(span: Span, traceID: string): string | null {
  const refs = span.references ?? [];
  const child = refs.find((r) => r.refType === 'CHILD_OF' && (!r.traceID || r.traceID === traceID));
  if (child) return child.spanID;
  const follows = refs.find((r) => r.refType === 'FOLLOWS_FROM' && (!r.traceID || r.traceID === traceID));
  if (follows) return follows.spanID;
  return span.parentSpanID && !/^0+$/.test(span.parentSpanID) ? span.parentSpanID : null;
}

export function buildTraceModel(trace: Trace): TraceModel {
  const warnings: string[] = [...(trace.warnings ?? [])];
  const spans = trace.spans ?? [];
  const nodes: SpanNode[] = [];
  const byId = new Map<string, SpanNode>();
  let minStart = Infinity;
  let maxEnd = -Infinity;
  for (const s of spans) {
    minStart = Math.min(minStart, s.startTime);
    maxEnd = Math.max(maxEnd, s.startTime + Math.max(0, s.duration));
  }
  if (!spans.length) minStart = maxEnd = 0;
  let duplicates = 0;
  for (const span of spans) {
    const process = span.process ?? trace.processes?.[span.processID] ?? UNKNOWN_PROCESS;
    let id = span.spanID;
    if (byId.has(id)) {
      duplicates++;
      let n = 2;
      while (byId.has(`${span.spanID}#${n}`)) n++;
      id = `${span.spanID}#${n}`;
    }
    const start = span.startTime - minStart;
    const duration = Math.max(0, span.duration);
    const scanned = scanTags(span);
    const node: SpanNode = {
      span,
      id,
      service: process.serviceName || 'unknown-service',
      operation: span.operationName,
      process,
      parent: null,
      children: NO_CHILDREN,
      depth: 0,
      index: nodes.length,
      subtreeSize: 1,
      start,
      duration,
      end: start + duration,
      isError: scanned.isError,
      kind: scanned.kind,
    };
    nodes.push(node);
    byId.set(id, node);
  }
  if (duplicates) warnings.push(`${duplicates} span(s) share an ID with another span`);

  let missingParents = 0;
  for (const node of nodes) {
    const pid = parentIdOf(node.span, trace.traceID);
    if (pid === null) continue;
    const parent = byId.get(pid);
    if (!parent || parent === node) {
      missingParents++;
      continue;
    }
    node.parent = parent;
  }
  // Break reference cycles: walk each chain once, marking visited nodes.
  const state = new Uint8Array(nodes.length); // 0 new, 1 on current walk, 2 done
  let cycles = 0;
  const walk: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    if (state[i]) continue;
    walk.length = 0;
    let cur: SpanNode | null = nodes[i];
    while (cur) {
      const k = cur.index; // creation order until the depth-first pass below
      if (state[k] === 2) break;
      if (state[k] === 1) {
        cur.parent = null; // cut the cycle here
        cycles++;
        break;
      }
      state[k] = 1;
      walk.push(k);
      cur = cur.parent;
    }
    for (const k of walk) state[k] = 2;
  }
  if (missingParents) warnings.push(`${missingParents} span(s) reference a parent that is not in the trace`);
  if (cycles) warnings.push(`${cycles} reference cycle(s) were cut`);

  const roots: SpanNode[] = [];
  for (const node of nodes) {
    const p = node.parent;
    if (!p) roots.push(node);
    else if (p.children === NO_CHILDREN) p.children = [node];
    else p.children.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.start - b.start || a.end - b.end;
  roots.sort(byStart);
  for (const node of nodes) if (node.children.length > 1) node.children.sort(byStart);

  // Depth-first order, depths and subtree sizes, iteratively.
  const order: SpanNode[] = [];
  const stack: SpanNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  let maxDepth = 0;
  while (stack.length) {
    const node = stack.pop()!;
    node.depth = node.parent ? node.parent.depth + 1 : 0;
    maxDepth = Math.max(maxDepth, node.depth);
    node.index = order.length;
    order.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.parent) n.parent.subtreeSize += n.subtreeSize;
  }

  const stats = new Map<string, ServiceStat>();
  let errorCount = 0;
  for (const n of order) {
    let st = stats.get(n.service);
    if (!st) stats.set(n.service, (st = { name: n.service, spans: 0, errors: 0 }));
    st.spans++;
    if (n.isError) {
      st.errors++;
      errorCount++;
    }
  }
  const services = [...stats.values()].sort((a, b) => b.spans - a.spans || a.name.localeCompare(b.name));
  // The root is the earliest root span with no parent reference at all, else the first root.
  const root = roots.find((r) => parentIdOf(r.span, trace.traceID) === null) ?? roots[0];
  return {
    traceID: trace.traceID,
    spans: order,
    byId,
    roots,
    startTime: minStart,
    duration: maxEnd - minStart,
    depth: order.length ? maxDepth + 1 : 0,
    services,
    errorCount,
    rootService: root?.service ?? '',
    rootOperation: root?.operation ?? '',
    warnings,
  };
}

// The rows to show: depth-first order, skipping the descendants of collapsed spans. O(n).
export function visibleSpans(model: TraceModel, collapsed: ReadonlySet<string>): SpanNode[] {
  if (collapsed.size === 0) return model.spans;
  const out: SpanNode[] = [];
  const all = model.spans;
  for (let i = 0; i < all.length; ) {
    const n = all[i];
    out.push(n);
    i += collapsed.has(n.id) ? n.subtreeSize : 1;
  }
  return out;
}

// The chain of ancestors of a span, root first (to expand them when a span is revealed).
export function ancestors(node: SpanNode): SpanNode[] {
  const out: SpanNode[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out.reverse();
}
