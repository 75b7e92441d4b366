// Find-in-trace: which spans match a query. Terms are separated by spaces and all must match
// (case-insensitive substring) one of: service, operation, span ID, a tag or resource key or
// value, a log field. A term "key=value" matches a tag with that key and a value containing it.
import type { KeyValue } from '../api/types';
import type { SpanNode, TraceModel } from './traceModel';

function kvMatches(kvs: KeyValue[] | null | undefined, term: string, key: string | null): boolean {
  if (!kvs) return false;
  for (const kv of kvs) {
    const v = String(kv.value).toLowerCase();
    if (key !== null) {
      if (kv.key.toLowerCase() === key && v.includes(term)) return true;
    } else if (kv.key.toLowerCase().includes(term) || v.includes(term)) return true;
  }
  return false;
}

function spanMatches(n: SpanNode, term: string): boolean {
  const eq = term.indexOf('=');
  if (eq > 0) {
    const key = term.slice(0, eq);
    const value = term.slice(eq + 1);
    return kvMatches(n.span.tags, value, key) || kvMatches(n.process.tags, value, key);
  }
  if (n.service.toLowerCase().includes(term)) return true;
  if (n.operation.toLowerCase().includes(term)) return true;
  if (n.span.spanID.toLowerCase() === term) return true;
  if (kvMatches(n.span.tags, term, null) || kvMatches(n.process.tags, term, null)) return true;
  for (const log of n.span.logs ?? []) if (kvMatches(log.fields, term, null)) return true;
  return false;
}

// IDs of matching spans in depth-first order; empty for an empty query.
export function findSpans(model: TraceModel, query: string): string[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return [];
  const out: string[] = [];
  for (const n of model.spans) if (terms.every((t) => spanMatches(n, t))) out.push(n.id);
  return out;
}
