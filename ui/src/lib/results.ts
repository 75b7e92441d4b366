// Search results: one summary per trace and the list's sort orders.
import type { Trace } from '../api/types';
import { buildTraceModel } from './traceModel';

export interface TraceSummary {
  traceID: string;
  rootService: string;
  rootOperation: string;
  startTime: number; // µs since epoch
  duration: number; // µs
  spanCount: number;
  errorCount: number;
  services: { name: string; spans: number; errors: number }[];
}

export function summarize(trace: Trace): TraceSummary {
  const m = buildTraceModel(trace);
  return {
    traceID: trace.traceID,
    rootService: m.rootService,
    rootOperation: m.rootOperation,
    startTime: m.startTime,
    duration: m.duration,
    spanCount: m.spans.length,
    errorCount: m.errorCount,
    services: m.services,
  };
}

export type SortOrder = 'recent' | 'longest' | 'shortest' | 'spans' | 'errors';

export const SORT_ORDERS: { value: SortOrder; label: string }[] = [
  { value: 'recent', label: 'Most recent' },
  { value: 'longest', label: 'Longest first' },
  { value: 'shortest', label: 'Shortest first' },
  { value: 'spans', label: 'Most spans' },
  { value: 'errors', label: 'Most errors' },
];

export function sortSummaries(list: TraceSummary[], order: SortOrder): TraceSummary[] {
  const cmp: Record<SortOrder, (a: TraceSummary, b: TraceSummary) => number> = {
    recent: (a, b) => b.startTime - a.startTime,
    longest: (a, b) => b.duration - a.duration,
    shortest: (a, b) => a.duration - b.duration,
    spans: (a, b) => b.spanCount - a.spanCount,
    errors: (a, b) => b.errorCount - a.errorCount || b.startTime - a.startTime,
  };
  return [...list].sort((a, b) => cmp[order](a, b) || a.traceID.localeCompare(b.traceID));
}
