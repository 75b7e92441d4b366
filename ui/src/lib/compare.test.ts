import { describe, expect, it } from 'vitest';
import { compareTraces } from './compare';
import { buildTraceModel } from './traceModel';
import { sampleTrace, span, trace } from '../testdata/fixtures';

describe('compareTraces', () => {
  it('reports identical traces as all same with zero deltas', () => {
    const a = buildTraceModel(sampleTrace());
    const rows = compareTraces(a, buildTraceModel(sampleTrace()));
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.status === 'same' && r.delta === 0)).toBe(true);
  });

  it('finds added, removed and slower paths in tree order', () => {
    const a = buildTraceModel(trace([span('r', null, 0, 100), span('x', 'r', 0, 10, 'load'), span('y', 'r', 10, 10, 'old')]));
    const b = buildTraceModel(
      trace([span('r', null, 0, 300), span('x', 'r', 0, 200, 'load'), span('x2', 'r', 200, 10, 'load'), span('n', 'r', 5, 10, 'new', 'p2')]),
    );
    const rows = compareTraces(a, b);
    expect(rows.map((r) => [r.path, r.status])).toEqual([
      ['frontend:op-r', 'changed'],
      ['frontend:op-r › frontend:load', 'changed'],
      ['frontend:op-r › frontend:old', 'removed'],
      ['frontend:op-r › cart:new', 'added'],
    ]);
    const load = rows[1];
    expect([load.countA, load.countB, load.meanA, load.meanB, load.delta]).toEqual([1, 2, 10, 105, 95]);
    expect(rows[2].meanB).toBeNull();
    expect(rows[3].depth).toBe(1);
  });
});
