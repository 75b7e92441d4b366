import { describe, expect, it } from 'vitest';
import { formatErrorShare, serviceMapStats } from './serviceMap';

describe('serviceMapStats', () => {
  it('gives each edge its error share and each service the share of its received calls that failed', () => {
    const s = serviceMapStats([
      { parent: 'fe', child: 'api', callCount: 200, errorCount: 10 },
      { parent: 'batch', child: 'api', callCount: 50, errorCount: 40 },
      { parent: 'api', child: 'db', callCount: 400, errorCount: 0 },
    ]);
    expect(s.edges.map((e) => e.errorShare)).toEqual([0.05, 0.8, 0]);
    const api = s.nodes.get('api')!;
    expect(api.callsIn).toBe(250);
    expect(api.callsOut).toBe(400);
    expect(api.errors).toBe(50);
    expect(api.errorShare).toBeCloseTo(0.2);
    expect(s.nodes.get('db')!.errorShare).toBe(0);
    expect(s.maxCalls).toBe(400);
  });

  it('leaves the share unknown when the server sends no errorCount', () => {
    const s = serviceMapStats([{ parent: 'fe', child: 'api', callCount: 7 }]);
    expect(s.edges[0].errorShare).toBeNull();
    expect(s.nodes.get('api')!.errors).toBeNull();
    expect(s.nodes.get('api')!.errorShare).toBeNull();
    // A service nobody calls has no error share either.
    expect(s.nodes.get('fe')!.errorShare).toBeNull();
  });

  it('uses only the edges that report errors for a service that has both kinds', () => {
    const s = serviceMapStats([
      { parent: 'a', child: 'c', callCount: 10, errorCount: 5 },
      { parent: 'b', child: 'c', callCount: 90 },
    ]);
    expect(s.nodes.get('c')!.callsIn).toBe(100);
    expect(s.nodes.get('c')!.errorShare).toBe(0.5);
  });

  it('clamps nonsense counts instead of showing shares above 100% or NaN', () => {
    const s = serviceMapStats([
      { parent: 'a', child: 'b', callCount: 0, errorCount: 3 },
      { parent: 'a', child: 'c', callCount: 2, errorCount: 9 },
    ]);
    expect(s.edges.map((e) => e.errorShare)).toEqual([0, 1]);
    expect(s.nodes.get('c')!.errorShare).toBe(1);
  });
});

describe('formatErrorShare', () => {
  it('formats shares for labels and hides zero or unknown ones', () => {
    expect(formatErrorShare(0.25)).toBe('25%');
    expect(formatErrorShare(0.053)).toBe('5.3%');
    expect(formatErrorShare(0.0004)).toBe('<0.1%');
    expect(formatErrorShare(0)).toBe('');
    expect(formatErrorShare(null)).toBe('');
  });
});
