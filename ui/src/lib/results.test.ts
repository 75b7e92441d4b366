import { describe, expect, it } from 'vitest';
import { sortSummaries, summarize } from './results';
import { sampleTrace, span, trace } from '../testdata/fixtures';

describe('results', () => {
  it('summarizes a trace', () => {
    const s = summarize(sampleTrace());
    expect(s).toMatchObject({ rootService: 'frontend', rootOperation: 'GET /checkout', spanCount: 5, errorCount: 1, duration: 100 });
  });
  it('sorts by each order', () => {
    const mk = (id: string, start: number, dur: number, n: number) => {
      const t = trace(Array.from({ length: n }, (_, i) => span(`${id}${i}`, i ? `${id}0` : null, start, dur)));
      return { ...summarize({ ...t, traceID: id }), traceID: id };
    };
    const list = [mk('a', 0, 50, 1), mk('b', 10, 10, 3), mk('c', 5, 90, 2)];
    expect(sortSummaries(list, 'recent').map((s) => s.traceID)).toEqual(['b', 'c', 'a']);
    expect(sortSummaries(list, 'longest').map((s) => s.traceID)).toEqual(['c', 'a', 'b']);
    expect(sortSummaries(list, 'shortest').map((s) => s.traceID)).toEqual(['b', 'a', 'c']);
    expect(sortSummaries(list, 'spans').map((s) => s.traceID)).toEqual(['b', 'c', 'a']);
  });
});
