import { describe, expect, it } from 'vitest';
import { emptyForm, parseSearchUrl, toApiQuery, toSearchUrl } from './searchParams';

const NOW = 1_700_000_000_000; // ms

describe('search URL', () => {
  it("reads Jaeger UI's link shape", () => {
    const f = parseSearchUrl(
      new URLSearchParams('service=cart&operation=GET%20%2Fcart&tags=%7B%22error%22%3A%22true%22%7D&lookback=2h&minDuration=10ms&limit=50'),
    );
    expect(f).toMatchObject({ service: 'cart', operation: 'GET /cart', tags: 'error=true', lookback: '2h', minDuration: '10ms', limit: 50 });
  });

  it('reads logfmt tags, repeated tag=k:v and custom ranges', () => {
    const f = parseSearchUrl(new URLSearchParams('service=a&tags=http.status_code%3D500&tag=peer%3Adb:5432&start=100&end=200'));
    expect(f.tags).toBe('http.status_code=500 peer=db:5432');
    expect([f.lookback, f.start, f.end]).toEqual(['custom', 100, 200]);
  });

  it('ignores operation=all, bad limits and bad lookbacks', () => {
    const f = parseSearchUrl(new URLSearchParams('operation=all&limit=-3&lookback=soon'));
    expect([f.operation, f.limit, f.lookback]).toEqual(['', 20, '1h']);
  });

  it('round-trips the page URL', () => {
    const f = { ...emptyForm(), service: 's', operation: 'o', tags: 'a=1 b="x y"', lookback: '6h', maxDuration: '2s', limit: 7 };
    expect(parseSearchUrl(toSearchUrl(f))).toEqual(f);
  });
});

describe('toApiQuery', () => {
  it('resolves the lookback and converts tags to JSON', () => {
    const q = toApiQuery({ ...emptyForm(), service: 'cart', tags: 'error=true msg="a b"', lookback: '2h', minDuration: '5ms' }, NOW);
    expect(q.error).toBeNull();
    const p = q.params!;
    expect(p.get('service')).toBe('cart');
    expect(JSON.parse(p.get('tags')!)).toEqual({ error: 'true', msg: 'a b' });
    expect(Number(p.get('end'))).toBe(NOW * 1000);
    expect(Number(p.get('end')) - Number(p.get('start'))).toBe(2 * 3600 * 1e6);
    expect(p.get('minDuration')).toBe('5ms');
    expect(p.get('limit')).toBe('20');
  });

  it('uses a custom range as given', () => {
    const q = toApiQuery({ ...emptyForm(), service: 's', lookback: 'custom', start: 5, end: 9 }, NOW);
    expect([q.params!.get('start'), q.params!.get('end'), q.params!.get('lookback')]).toEqual(['5', '9', null]);
  });

  it('reports what is wrong', () => {
    expect(toApiQuery(emptyForm(), NOW).error).toMatch(/service/);
    expect(toApiQuery({ ...emptyForm(), service: 's', tags: 'oops' }, NOW).error).toMatch(/Tags/);
    expect(toApiQuery({ ...emptyForm(), service: 's', minDuration: 'fast' }, NOW).error).toMatch(/Min duration/);
    expect(toApiQuery({ ...emptyForm(), service: 's', minDuration: '2s', maxDuration: '1s' }, NOW).error).toMatch(/below/);
    expect(toApiQuery({ ...emptyForm(), service: 's', lookback: 'custom', start: 9, end: 5 }, NOW).error).toMatch(/starts after/);
  });
});
