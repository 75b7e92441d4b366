import { describe, expect, it } from 'vitest';
import { ancestors, buildTraceModel, visibleSpans } from './traceModel';
import { sampleTrace, span, trace } from '../testdata/fixtures';

describe('buildTraceModel', () => {
  it('links spans into a tree in depth-first order with children by start time', () => {
    const m = buildTraceModel(sampleTrace());
    expect(m.spans.map((n) => n.id)).toEqual(['root', 'a', 'c', 'b', 'd']);
    expect(m.spans.map((n) => n.depth)).toEqual([0, 1, 2, 1, 2]);
    expect(m.byId.get('root')!.subtreeSize).toBe(5);
    expect(m.byId.get('b')!.subtreeSize).toBe(2);
    expect(m.roots.map((r) => r.id)).toEqual(['root']);
  });

  it('computes header statistics', () => {
    const m = buildTraceModel(sampleTrace());
    expect(m.duration).toBe(100);
    expect(m.depth).toBe(3);
    expect(m.errorCount).toBe(1);
    expect(m.rootService).toBe('frontend');
    expect(m.rootOperation).toBe('GET /checkout');
    expect(m.services).toEqual([
      { name: 'frontend', spans: 3, errors: 0 },
      { name: 'cart', spans: 1, errors: 1 },
      { name: 'db', spans: 1, errors: 0 },
    ]);
    expect(m.byId.get('d')!.start).toBe(40);
    expect(m.byId.get('d')!.end).toBe(80);
  });

  it('treats OTel ERROR status as an error', () => {
    const m = buildTraceModel(
      trace([span('x', null, 0, 5, 'op', 'p1', { tags: [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }] })]),
    );
    expect(m.byId.get('x')!.isError).toBe(true);
  });

  it('makes spans with a missing parent roots and warns', () => {
    const m = buildTraceModel(trace([span('r', null, 0, 10), span('orphan', 'gone', 5, 1)]));
    expect(m.roots.map((r) => r.id)).toEqual(['r', 'orphan']);
    expect(m.rootOperation).toBe('op-r');
    expect(m.warnings.join()).toMatch(/parent that is not in the trace/);
  });

  it('cuts reference cycles instead of looping', () => {
    const m = buildTraceModel(trace([span('a', 'b', 0, 10), span('b', 'a', 1, 5)]));
    expect(m.spans).toHaveLength(2);
    expect(m.roots).toHaveLength(1);
    expect(m.warnings.join()).toMatch(/cycle/);
  });

  it('keeps spans with duplicate IDs under distinct keys', () => {
    const m = buildTraceModel(trace([span('a', null, 0, 10), span('a', null, 1, 5)]));
    expect([...m.byId.keys()].sort()).toEqual(['a', 'a#2']);
    expect(m.warnings.join()).toMatch(/share an ID/);
  });

  it('uses FOLLOWS_FROM and parentSpanID when there is no CHILD_OF', () => {
    const follows = span('f', null, 5, 1, 'op', 'p1', {
      references: [{ refType: 'FOLLOWS_FROM', traceID: 't1', spanID: 'r' }],
    });
    const legacy = span('l', null, 6, 1, 'op', 'p1', { parentSpanID: 'r' });
    const m = buildTraceModel(trace([span('r', null, 0, 10), follows, legacy]));
    expect(m.byId.get('f')!.parent!.id).toBe('r');
    expect(m.byId.get('l')!.parent!.id).toBe('r');
  });

  it('handles a 20,000-deep chain without recursion', () => {
    const spans = Array.from({ length: 20000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : null, i, 20000 - i));
    const m = buildTraceModel(trace(spans));
    expect(m.depth).toBe(20000);
    expect(m.spans[19999].id).toBe('s19999');
  });

  it('handles an empty trace', () => {
    const m = buildTraceModel(trace([]));
    expect(m.spans).toEqual([]);
    expect(m.duration).toBe(0);
  });
});

describe('visibleSpans', () => {
  it('hides the descendants of collapsed spans', () => {
    const m = buildTraceModel(sampleTrace());
    expect(visibleSpans(m, new Set(['a'])).map((n) => n.id)).toEqual(['root', 'a', 'b', 'd']);
    expect(visibleSpans(m, new Set(['root'])).map((n) => n.id)).toEqual(['root']);
    expect(visibleSpans(m, new Set(['c'])).map((n) => n.id)).toEqual(['root', 'a', 'c', 'b', 'd']);
  });

  it('lists ancestors root first', () => {
    const m = buildTraceModel(sampleTrace());
    expect(ancestors(m.byId.get('d')!).map((n) => n.id)).toEqual(['root', 'b']);
  });
});
