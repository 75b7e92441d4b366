// logfmt tags as Jaeger's and Grafana's search forms take them:
//   error=true http.status_code=500 msg="two words" note="a \"quote\""
// A key without "=value" is reported as an error (Jaeger rejects it too).

export interface LogfmtResult {
  tags: Record<string, string>;
  error: string | null;
}

export function parseLogfmt(input: string): LogfmtResult {
  const tags: Record<string, string> = {};
  let i = 0;
  const s = input;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < s.length) {
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) break;
    let key = '';
    while (i < s.length && s[i] !== '=' && !isSpace(s[i])) key += s[i++];
    if (s[i] !== '=') return { tags, error: `"${key}" has no value: write ${key}=value` };
    if (!key) return { tags, error: 'a tag has an empty key' };
    i++; // '='
    let value = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i];
        if (c === '\\' && i + 1 < s.length) {
          value += s[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return { tags, error: `the value of "${key}" has no closing quote` };
    } else {
      while (i < s.length && !isSpace(s[i])) value += s[i++];
    }
    tags[key] = value;
  }
  return { tags, error: null };
}

function quote(v: string): string {
  return /^[^\s"=\\]+$/.test(v) ? v : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function formatLogfmt(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' ');
}
