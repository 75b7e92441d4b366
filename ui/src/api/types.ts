// Jaeger query API JSON (the shape /api/* returns; see docs/ui.md and Jaeger's uimodel).
export type TagType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

export interface KeyValue {
  key: string;
  type?: TagType | string;
  value: unknown;
}

export interface SpanLog {
  timestamp: number; // µs since epoch
  fields: KeyValue[];
}

export interface SpanReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM' | string;
  traceID: string;
  spanID: string;
}

export interface Span {
  traceID: string;
  spanID: string;
  flags?: number;
  operationName: string;
  references?: SpanReference[] | null;
  startTime: number; // µs since epoch
  duration: number; // µs
  tags?: KeyValue[] | null;
  logs?: SpanLog[] | null;
  processID: string;
  process?: Process;
  warnings?: string[] | null;
  parentSpanID?: string;
}

export interface Process {
  serviceName: string;
  tags?: KeyValue[] | null;
}

export interface Trace {
  traceID: string;
  spans: Span[];
  processes: Record<string, Process>;
  warnings?: string[] | null;
}

export interface ApiError {
  code?: number;
  msg: string;
  traceID?: string;
}

export interface Envelope<T> {
  data: T;
  total?: number;
  limit?: number;
  offset?: number;
  errors?: ApiError[] | null;
}

export interface Dependency {
  parent: string;
  child: string;
  callCount: number;
  errorCount?: number;
}

export interface Operation {
  name: string;
  spanKind?: string;
}
