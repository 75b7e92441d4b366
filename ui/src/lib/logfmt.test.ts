import { describe, expect, it } from 'vitest';
import { formatLogfmt, parseLogfmt } from './logfmt';

describe('logfmt', () => {
  it('parses bare and quoted values', () => {
    expect(parseLogfmt('error=true  http.status_code=500 msg="two words" q="a \\"b\\""')).toEqual({
      tags: { error: 'true', 'http.status_code': '500', msg: 'two words', q: 'a "b"' },
      error: null,
    });
  });

  it('accepts empty input and empty values', () => {
    expect(parseLogfmt('   ')).toEqual({ tags: {}, error: null });
    expect(parseLogfmt('k=')).toEqual({ tags: { k: '' }, error: null });
  });

  it('reports keys without values and unclosed quotes', () => {
    expect(parseLogfmt('error').error).toMatch(/no value/);
    expect(parseLogfmt('a=1 msg="oops').error).toMatch(/closing quote/);
    expect(parseLogfmt('=v').error).toMatch(/empty key/);
  });

  it('round-trips through formatLogfmt', () => {
    const tags = { a: '1', b: 'two words', c: 'quote"d', d: '' };
    expect(parseLogfmt(formatLogfmt(tags)).tags).toEqual(tags);
  });
});
