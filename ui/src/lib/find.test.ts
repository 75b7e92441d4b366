import { describe, expect, it } from 'vitest';
import { findSpans } from './find';
import { buildTraceModel } from './traceModel';
import { sampleTrace } from '../testdata/fixtures';

describe('findSpans', () => {
  const m = buildTraceModel(sampleTrace());
  it('matches service, operation, IDs, tags, resource and logs, case-insensitively', () => {
    expect(findSpans(m, 'CART')).toEqual(['b']);
    expect(findSpans(m, 'select')).toEqual(['d']);
    expect(findSpans(m, 'postgres')).toEqual(['d']);
    expect(findSpans(m, 'retry')).toEqual(['b']);
    expect(findSpans(m, 'web-1')).toEqual(['root', 'a', 'c']);
    expect(findSpans(m, 'c')).toContain('c');
  });
  it('needs every term and supports key=value', () => {
    expect(findSpans(m, 'frontend auth')).toEqual(['a']);
    expect(findSpans(m, 'http.status_code=503')).toEqual(['b']);
    expect(findSpans(m, 'http.status_code=404')).toEqual([]);
    expect(findSpans(m, '  ')).toEqual([]);
  });
});
