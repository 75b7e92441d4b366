import { describe, expect, it } from 'vitest';
import { criticalBySpan, criticalPath } from './criticalPath';
import { buildTraceModel } from './traceModel';
import { sampleTrace, span, trace } from '../testdata/fixtures';

const simple = (m: ReturnType<typeof criticalPath>) => m.map((s) => [s.node.id, s.start, s.end]);

describe('criticalPath', () => {
  it('follows the last-finishing child backwards and fills gaps with self time', () => {
    const m = buildTraceModel(sampleTrace());
    // root 0..100; a 10..40 (c 15..35); b 30..90 (d 40..80).
    expect(simple(criticalPath(m))).toEqual([
      ['root', 0, 10],
      ['a', 10, 15],
      ['c', 15, 30],
      ['b', 30, 40],
      ['d', 40, 80],
      ['b', 80, 90],
      ['root', 90, 100],
    ]);
  });

  it('covers the whole trace duration without overlaps', () => {
    const m = buildTraceModel(sampleTrace());
    const segs = criticalPath(m);
    for (let i = 1; i < segs.length; i++) expect(segs[i].start).toBe(segs[i - 1].end);
    expect(segs[0].start).toBe(0);
    expect(segs[segs.length - 1].end).toBe(m.duration);
  });

  it('clips children that outlive their parent', () => {
    const m = buildTraceModel(trace([span('r', null, 0, 10), span('async', 'r', 5, 100)]));
    expect(simple(criticalPath(m))).toEqual([
      ['r', 0, 5],
      ['async', 5, 10],
    ]);
  });

  it('skips a child entirely hidden behind a later one', () => {
    const m = buildTraceModel(
      trace([span('r', null, 0, 100), span('long', 'r', 10, 80), span('inner', 'r', 20, 30)]),
    );
    const on = criticalBySpan(criticalPath(m));
    expect(on.has('long')).toBe(true);
    expect(on.has('inner')).toBe(false);
  });

  it('is empty for an empty trace and survives deep chains', () => {
    expect(criticalPath(buildTraceModel(trace([])))).toEqual([]);
    const spans = Array.from({ length: 15000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : null, i, 30000 - 2 * i));
    const segs = criticalPath(buildTraceModel(trace(spans)));
    expect(criticalBySpan(segs).size).toBe(15000);
  });
});
