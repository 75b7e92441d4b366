// The trace as the timeline needs it: spans linked into a tree (parent = first CHILD_OF
// reference, else first FOLLOWS_FROM within the trace, else parentSpanID), in depth-first order
// with children by start time, times relative to the trace start, and per-trace statistics.
// Built iteratively (no recursion) so a 50,000-span or 10,000-deep trace cannot overflow the
// stack, in a few linear passes and one sort. Spans whose parent is missing, or that sit on a
// reference cycle, become roots and are reported in `warnings`.
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

function isAllZeros(id: string): boolean {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== 48) return false;
  return true;
}

// The parent reference: first CHILD_OF in this trace, else first FOLLOWS_FROM, else parentSpanID.
// Plain loops: this runs once per span on 50,000-span traces.
function parentIdOf(span: Span, traceID: string): string | null {
  const refs = span.references;
  if (refs && refs.length) {
    let follows: string | null = null;
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i];
      if (r.traceID && r.traceID !== traceID) continue;
      if (r.refType === 'CHILD_OF') return r.spanID;
      if (follows === null && r.refType === 'FOLLOWS_FROM') follows = r.spanID;
    }
    if (follows !== null) return follows;
  }
  const p = span.parentSpanID;
  return p && !isAllZeros(p) ? p : null;
}

// Builds the model in a few linear passes over flat arrays (typed arrays for the per-span
// numbers), with one sort of all spans by start instead of one sort per parent.
export function buildTraceModel(trace: Trace): TraceModel {
  const warnings: string[] = trace.warnings ? [...trace.warnings] : [];
  const spans = trace.spans ?? [];
  const n = spans.length;
  const traceID = trace.traceID;
  const processes = trace.processes ?? {};

  let minStart = Infinity;
  let maxEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    const st = s.startTime;
    const e = st + (s.duration > 0 ? s.duration : 0);
    if (st < minStart) minStart = st;
    if (e > maxEnd) maxEnd = e;
  }
  if (!n) minStart = maxEnd = 0;

  // Pass 1: one node per span, in the order received.
  const nodes: SpanNode[] = new Array(n);
  const parentIds: (string | null)[] = new Array(n);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const byId = new Map<string, SpanNode>();
  let duplicates = 0;
  let lastProcessID: string | undefined;
  let lastProcess: Process = UNKNOWN_PROCESS;
  for (let i = 0; i < n; i++) {
    const span = spans[i];
    let process = span.process;
    if (!process) {
      if (span.processID !== lastProcessID) {
        lastProcessID = span.processID;
        lastProcess = processes[span.processID] ?? UNKNOWN_PROCESS;
      }
      process = lastProcess;
    }
    let id = span.spanID;
    if (byId.has(id)) {
      duplicates++;
      let k = 2;
      while (byId.has(`${span.spanID}#${k}`)) k++;
      id = `${span.spanID}#${k}`;
    }
    const start = span.startTime - minStart;
    const duration = span.duration > 0 ? span.duration : 0;
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
      index: i,
      subtreeSize: 1,
      start,
      duration,
      end: start + duration,
      isError: scanned.isError,
      kind: scanned.kind,
    };
    nodes[i] = node;
    starts[i] = start;
    ends[i] = start + duration;
    parentIds[i] = parentIdOf(span, traceID);
    byId.set(id, node);
  }
  if (duplicates) warnings.push(`${duplicates} span(s) share an ID with another span`);

  // Pass 2: parents.
  let missingParents = 0;
  for (let i = 0; i < n; i++) {
    const pid = parentIds[i];
    if (pid === null) continue;
    const node = nodes[i];
    const parent = byId.get(pid);
    if (!parent || parent === node) {
      missingParents++;
      continue;
    }
    node.parent = parent;
  }
  // Break reference cycles: walk each chain once, marking visited nodes.
  const state = new Uint8Array(n); // 0 new, 1 on current walk, 2 done
  let cycles = 0;
  const walk: number[] = [];
  for (let i = 0; i < n; i++) {
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
    for (let j = 0; j < walk.length; j++) state[walk[j]] = 2;
  }
  if (missingParents) warnings.push(`${missingParents} span(s) reference a parent that is not in the trace`);
  if (cycles) warnings.push(`${cycles} reference cycle(s) were cut`);

  // Pass 3: children lists, filled in start order (then end, then arrival), so they come out
  // sorted. Spans usually arrive nearly sorted, which the sort handles in about linear time.
  const byStart = new Uint32Array(n);
  for (let i = 0; i < n; i++) byStart[i] = i;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    const a = i - 1;
    if (starts[a] > starts[i] || (starts[a] === starts[i] && ends[a] > ends[i])) sorted = false;
  }
  if (!sorted) byStart.sort((a, b) => starts[a] - starts[b] || ends[a] - ends[b] || a - b);
  const roots: SpanNode[] = [];
  for (let j = 0; j < n; j++) {
    const node = nodes[byStart[j]];
    const p = node.parent;
    if (!p) roots.push(node);
    else if (p.children === NO_CHILDREN) p.children = [node];
    else p.children.push(node);
  }

  // Pass 4: depth-first order, depths and service statistics, iteratively.
  const order: SpanNode[] = new Array(n);
  let filled = 0;
  const stack: SpanNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  let maxDepth = 0;
  let errorCount = 0;
  const stats = new Map<string, ServiceStat>();
  let lastStat: ServiceStat | undefined;
  while (stack.length) {
    const node = stack.pop()!;
    const depth = node.parent ? node.parent.depth + 1 : 0;
    node.depth = depth;
    if (depth > maxDepth) maxDepth = depth;
    node.index = filled;
    order[filled++] = node;
    let st = lastStat;
    if (!st || st.name !== node.service) {
      st = stats.get(node.service);
      if (!st) stats.set(node.service, (st = { name: node.service, spans: 0, errors: 0 }));
      lastStat = st;
    }
    st.spans++;
    if (node.isError) {
      st.errors++;
      errorCount++;
    }
    const kids = node.children;
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  // Pass 5: subtree sizes, children before parents.
  for (let i = n - 1; i >= 0; i--) {
    const node = order[i];
    if (node.parent) node.parent.subtreeSize += node.subtreeSize;
  }

  const services = [...stats.values()].sort((a, b) => b.spans - a.spans || a.name.localeCompare(b.name));
  // The root is the earliest root span with no parent reference at all, else the first root.
  const root = roots.find((r) => parentIdOf(r.span, traceID) === null) ?? roots[0];
  return {
    traceID,
    spans: order,
    byId,
    roots,
    startTime: minStart,
    duration: maxEnd - minStart,
    depth: n ? maxDepth + 1 : 0,
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
