// A tiny stand-in for `ariadne serve` (UI development and e2e --fixture mode only): takes
// OTLP/JSON on POST /v1/traces, answers the Jaeger query API the UI reads, and serves a built
// UI directory with the SPA fallback. Not a reference implementation: just enough shape.
//   node e2e/fixture-server.mjs --dist build/u/ui/dist --port 16686 [--seed]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

function anyValue(v) {
  if (!v) return ['string', ''];
  if ('stringValue' in v) return ['string', v.stringValue];
  if ('boolValue' in v) return ['bool', v.boolValue];
  if ('intValue' in v) return ['int64', Number(v.intValue)];
  if ('doubleValue' in v) return ['float64', v.doubleValue];
  return ['string', JSON.stringify(v)];
}
const kv = (a) => {
  const [type, value] = anyValue(a.value);
  return { key: a.key, type, value };
};
const KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

export function createStore() {
  const traces = new Map(); // traceID → { spans: [], processes: Map key→{serviceName,tags} }
  function ingest(body) {
    for (const rs of body.resourceSpans ?? []) {
      const rattrs = (rs.resource?.attributes ?? []).map(kv);
      const service = rattrs.find((a) => a.key === 'service.name')?.value ?? 'unknown';
      const ptags = rattrs.filter((a) => a.key !== 'service.name');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const tid = s.traceId.toLowerCase();
          let t = traces.get(tid);
          if (!t) traces.set(tid, (t = { spans: [], processes: new Map() }));
          const pkey = JSON.stringify([service, ptags]);
          if (!t.processes.has(pkey)) t.processes.set(pkey, { id: `p${t.processes.size + 1}`, serviceName: service, tags: ptags });
          const tags = (s.attributes ?? []).map(kv);
          if (s.kind) tags.push({ key: 'span.kind', type: 'string', value: KINDS[s.kind] ?? 'unspecified' });
          if (s.status?.code === 2) {
            tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' }, { key: 'error', type: 'bool', value: true });
            if (s.status.message) tags.push({ key: 'otel.status_description', type: 'string', value: s.status.message });
          }
          const refs = [];
          if (s.parentSpanId) refs.push({ refType: 'CHILD_OF', traceID: tid, spanID: s.parentSpanId });
          for (const l of s.links ?? []) refs.push({ refType: 'FOLLOWS_FROM', traceID: l.traceId, spanID: l.spanId });
          const start = Number(BigInt(s.startTimeUnixNano) / 1000n);
          t.spans.push({
            traceID: tid,
            spanID: s.spanId,
            operationName: s.name,
            references: refs,
            startTime: start,
            duration: Number(BigInt(s.endTimeUnixNano) / 1000n) - start,
            tags,
            logs: (s.events ?? []).map((e) => ({
              timestamp: Number(BigInt(e.timeUnixNano) / 1000n),
              fields: [{ key: 'event', type: 'string', value: e.name }, ...(e.attributes ?? []).map(kv)],
            })),
            processID: t.processes.get(pkey).id,
            warnings: null,
            _service: service,
          });
        }
      }
    }
  }
  function jaeger(tid) {
    const t = traces.get(tid);
    if (!t) return null;
    const processes = {};
    for (const p of t.processes.values()) processes[p.id] = { serviceName: p.serviceName, tags: p.tags };
    return { traceID: tid, spans: t.spans.map(({ _service, ...s }) => s), processes, warnings: null };
  }
  return { traces, ingest, jaeger };
}

function parseGoDuration(s) {
  const m = /^([\d.]+)(us|µs|ms|s|m|h)$/.exec(s ?? '');
  if (!m) return null;
  return parseFloat(m[1]) * { us: 1, µs: 1, ms: 1e3, s: 1e6, m: 6e7, h: 3.6e9 }[m[2]];
}

export function startFixtureServer({ port = 0, dist }) {
  const store = createStore();
  const send = (res, status, body, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  };
  const env = (data) => ({ data, total: Array.isArray(data) ? data.length : 0, limit: 0, offset: 0, errors: null });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    if (req.method === 'POST' && p === '/v1/traces') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      store.ingest(JSON.parse(Buffer.concat(chunks).toString()));
      return send(res, 200, {});
    }
    if (p === '/health') return send(res, 200, { status: 'ok' });
    const all = [...store.traces.values()].flatMap((t) => t.spans);
    if (p === '/api/services') return send(res, 200, env([...new Set(all.map((s) => s._service))].sort()));
    let m = /^\/api\/services\/([^/]+)\/operations$/.exec(p);
    if (m) {
      const svc = decodeURIComponent(m[1]);
      return send(res, 200, env([...new Set(all.filter((s) => s._service === svc).map((s) => s.operationName))].sort()));
    }
    if (p === '/api/traces') {
      const q = url.searchParams;
      const svc = q.get('service');
      const op = q.get('operation');
      const tags = q.get('tags') ? JSON.parse(q.get('tags')) : {};
      const start = Number(q.get('start') ?? 0);
      const end = Number(q.get('end') ?? Infinity);
      const min = parseGoDuration(q.get('minDuration'));
      const max = parseGoDuration(q.get('maxDuration'));
      const limit = Number(q.get('limit') ?? 20);
      const out = [];
      for (const [tid, t] of store.traces) {
        const hit = t.spans.some(
          (s) =>
            (!svc || s._service === svc) &&
            (!op || s.operationName === op) &&
            s.startTime >= start &&
            s.startTime <= end &&
            (min === null || s.duration >= min) &&
            (max === null || s.duration <= max) &&
            Object.entries(tags).every(([k, v]) => s.tags.some((x) => x.key === k && String(x.value) === v)),
        );
        if (hit) out.push(store.jaeger(tid));
      }
      out.sort((a, b) => Math.max(...b.spans.map((s) => s.startTime)) - Math.max(...a.spans.map((s) => s.startTime)));
      return send(res, 200, env(out.slice(0, limit)));
    }
    m = /^\/api\/(v3\/)?traces\/([^/]+)$/.exec(p);
    if (m) {
      const t = store.jaeger(decodeURIComponent(m[2]).toLowerCase());
      if (!t) return send(res, 404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
      return send(res, 200, m[1] ? { result: { resourceSpans: [] } } : env([t]));
    }
    if (p === '/api/dependencies') {
      const byId = new Map(all.map((s) => [s.spanID, s]));
      const edges = new Map();
      for (const s of all) {
        const ref = s.references.find((r) => r.refType === 'CHILD_OF');
        const parent = ref && byId.get(ref.spanID);
        if (!parent || parent._service === s._service) continue;
        const k = `${parent._service}\u0000${s._service}`;
        const e = edges.get(k) ?? { parent: parent._service, child: s._service, callCount: 0, errorCount: 0 };
        e.callCount++;
        if (s.tags.some((t) => t.key === 'error' && t.value === true)) e.errorCount++;
        edges.set(k, e);
      }
      return send(res, 200, env([...edges.values()]));
    }
    if (p.startsWith('/api/')) return send(res, 404, { data: null, errors: [{ code: 404, msg: 'no route' }] });
    // Static UI.
    const file = p.startsWith('/assets/') || p === '/favicon.svg' ? normalize(join(dist, p)) : join(dist, 'index.html');
    if (!file.startsWith(dist)) return send(res, 404, 'no');
    try {
      return send(res, 200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      return send(res, 404, 'not found', 'text/plain');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, store, port: server.address().port })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (n, d) => {
    const i = process.argv.indexOf(n);
    return i > 0 ? process.argv[i + 1] : d;
  };
  const { port, store } = await startFixtureServer({ port: Number(arg('--port', '16686')), dist: arg('--dist', 'dist') });
  if (process.argv.includes('--seed')) {
    const { shopTrace, xssTrace, bigTrace } = await import('./otlp.mjs');
    const now = Date.now() * 1000;
    for (let i = 0; i < 12; i++) store.ingest(shopTrace(now - i * 170e6, { slow: 1 + (i % 4), fail: i % 5 === 1, extraCartCalls: i % 3 }).body);
    store.ingest(xssTrace(now - 5e6).body);
    for (const b of bigTrace(now - 9e6, 2000).bodies) store.ingest(b);
  }
  console.log(`fixture server on http://127.0.0.1:${port}/`);
}
