// Small hand-written Jaeger-JSON traces for the unit tests.
import type { Span, Trace } from '../api/types';

export const T0 = 1_700_000_000_000_000; // µs

export function span(
  id: string,
  parent: string | null,
  start: number,
  duration: number,
  op = `op-${id}`,
  pid = 'p1',
  extra: Partial<Span> = {},
): Span {
  return {
    traceID: 't1',
    spanID: id,
    operationName: op,
    references: parent ? [{ refType: 'CHILD_OF', traceID: 't1', spanID: parent }] : [],
    startTime: T0 + start,
    duration,
    tags: [],
    logs: [],
    processID: pid,
    warnings: null,
    ...extra,
  };
}

export function trace(spans: Span[]): Trace {
  return {
    traceID: 't1',
    spans,
    processes: {
      p1: { serviceName: 'frontend', tags: [{ key: 'host.name', type: 'string', value: 'web-1' }] },
      p2: { serviceName: 'cart', tags: [] },
      p3: { serviceName: 'db', tags: [] },
    },
    warnings: null,
  };
}

// root(0..100) → a(10..40) → c(15..35); root → b(30..90, error, cart); b → d(40..80, db)
export function sampleTrace(): Trace {
  return trace([
    span('b', 'root', 30, 60, 'GET /cart', 'p2', {
      tags: [
        { key: 'error', type: 'bool', value: true },
        { key: 'http.status_code', type: 'int64', value: 503 },
      ],
      logs: [{ timestamp: T0 + 50, fields: [{ key: 'event', type: 'string', value: 'retry' }] }],
    }),
    span('root', null, 0, 100, 'GET /checkout', 'p1'),
    span('a', 'root', 10, 30, 'auth', 'p1'),
    span('c', 'a', 15, 20, 'token', 'p1'),
    span('d', 'b', 40, 40, 'SELECT', 'p3', { tags: [{ key: 'db.system', type: 'string', value: 'postgres' }] }),
  ]);
}
