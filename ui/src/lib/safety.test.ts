// Guard for the rule "span data is rendered as text, never as HTML": no source file of the UI
// may use an HTML-injection API. (The e2e suite checks the behaviour with hostile data.)
import { describe, expect, it } from 'vitest';

const FILES = import.meta.glob(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const FORBIDDEN = [
  /dangerouslySetInnerHTML/,
  /\.innerHTML\b/,
  /\.outerHTML\b/,
  /insertAdjacentHTML/,
  /document\.write/,
  /\beval\(/,
  /new Function\(/,
];

describe('UI sources', () => {
  it('never inject HTML', () => {
    const names = Object.keys(FILES);
    expect(names.length).toBeGreaterThan(10);
    expect(names.some((n) => n.endsWith('SpanDetails.tsx'))).toBe(true);
    const hits = names.flatMap((n) => FORBIDDEN.filter((re) => re.test(FILES[n])).map((re) => `${n}: ${re}`));
    expect(hits).toEqual([]);
  });
});
