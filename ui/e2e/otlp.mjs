// OTLP/JSON payloads for the e2e suite: a small shop (several traces, errors, events, links),
// a trace whose every name, key and value is a script/markup payload, and a big trace.
import { randomBytes } from 'node:crypto';

export const hex = (n) => randomBytes(n).toString('hex');
const ns = (us) => String(BigInt(Math.round(us)) * 1000n);

const attr = (key, v) => {
  if (typeof v === 'boolean') return { key, value: { boolValue: v } };
  if (Number.isInteger(v)) return { key, value: { intValue: v } };
  if (typeof v === 'number') return { key, value: { doubleValue: v } };
  return { key, value: { stringValue: String(v) } };
};

// spans: [{service, name, id, parent, start (µs from t0), dur, kind, error, attrs, events, links}]
export function toOtlp(traceId, t0us, spans, resourceAttrs = {}) {
  const byService = new Map();
  for (const s of spans) {
    if (!byService.has(s.service)) byService.set(s.service, []);
    byService.get(s.service).push({
      traceId,
      spanId: s.id,
      parentSpanId: s.parent ?? '',
      name: s.name,
      kind: s.kind ?? 1,
      startTimeUnixNano: ns(t0us + s.start),
      endTimeUnixNano: ns(t0us + s.start + s.dur),
      attributes: Object.entries(s.attrs ?? {}).map(([k, v]) => attr(k, v)),
      events: (s.events ?? []).map((e) => ({
        timeUnixNano: ns(t0us + e.at),
        name: e.name,
        attributes: Object.entries(e.attrs ?? {}).map(([k, v]) => attr(k, v)),
      })),
      links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
      status: s.error ? { code: 2, message: s.errorMessage ?? 'failed' } : { code: 0 },
    });
  }
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: {
        attributes: [attr('service.name', service), ...Object.entries(resourceAttrs[service] ?? {}).map(([k, v]) => attr(k, v))],
      },
      scopeSpans: [{ scope: { name: 'ariadne-e2e', version: '1.0' }, spans: list }],
    })),
  };
}

// One checkout trace of the shop; `slow` stretches the payment call, `fail` makes it fail.
export function shopTrace(t0us, { slow = 1, fail = false, extraCartCalls = 0 } = {}) {
  const traceId = hex(16);
  const id = () => hex(8);
  const root = id();
  const cart = id();
  const checkout = id();
  const pay = id();
  const spans = [
    { service: 'frontend', name: 'GET /checkout', id: root, start: 0, dur: 0, kind: 2, attrs: { 'http.method': 'GET', 'http.route': '/checkout', 'http.status_code': fail ? 502 : 200 }, error: fail },
    { service: 'frontend', name: 'cart.get', id: id(), parent: root, start: 800, dur: 4200, kind: 3, attrs: { 'peer.service': 'cart' } },
    { service: 'cart', name: 'GET /cart', id: cart, parent: null, start: 1200, dur: 3500, kind: 2, attrs: { 'http.method': 'GET', 'cart.items': 3 } },
    { service: 'redis', name: 'HGETALL', id: id(), parent: cart, start: 1500, dur: 900, kind: 3, attrs: { 'db.system': 'redis', 'db.statement': 'HGETALL cart:42' } },
    { service: 'frontend', name: 'checkout.place', id: checkout, parent: root, start: 5200, dur: 0, kind: 3 },
    { service: 'checkout', name: 'PlaceOrder', id: pay, parent: checkout, start: 5600, dur: 0, kind: 2, attrs: { 'order.total': 59.9, 'order.express': true },
      events: [{ at: 5700, name: 'validated', attrs: { items: 3 } }] },
    { service: 'payment', name: 'Charge', id: id(), parent: pay, start: 6000, dur: 9000 * slow, kind: 2, error: fail, errorMessage: 'card declined',
      attrs: { 'payment.provider': 'acme', 'retry.count': fail ? 2 : 0 },
      events: fail ? [{ at: 9000, name: 'exception', attrs: { 'exception.type': 'CardDeclined', 'exception.message': 'card declined by issuer' } }] : [] },
    { service: 'postgres', name: 'INSERT orders', id: id(), parent: pay, start: 6000 + 9000 * slow + 300, dur: 2100, kind: 3, attrs: { 'db.system': 'postgresql', 'db.statement': 'INSERT INTO orders VALUES ($1, $2)' } },
  ];
  // cart's server span hangs under the frontend's client span.
  spans[2].parent = spans[1].id;
  for (let i = 0; i < extraCartCalls; i++) {
    spans.push({ service: 'redis', name: 'HGET', id: id(), parent: cart, start: 2500 + i * 200, dur: 150, kind: 3, attrs: { 'db.system': 'redis' } });
  }
  const payEnd = spans[7].start + spans[7].dur + 400;
  spans[5].dur = payEnd - spans[5].start;
  spans[4].dur = payEnd + 300 - spans[4].start;
  spans[0].dur = spans[4].start + spans[4].dur + 600;
  spans.push({ service: 'frontend', name: 'render', id: id(), parent: root, start: spans[0].dur - 500, dur: 400, kind: 1 });
  return {
    traceId,
    spans,
    body: toOtlp(traceId, t0us, spans, { frontend: { 'host.name': 'web-1', 'service.version': '2.4.1' }, payment: { 'host.name': 'pay-3' } }),
  };
}

export const XSS = {
  service: '<img src=x onerror="window.__xss=1">svc',
  operation: '<script>window.__xss=2</script>op',
  key: '"><svg onload="window.__xss=3">',
  value: '<iframe src="javascript:window.__xss=4"></iframe>',
  url: 'javascript:window.__xss=5',
  event: '<b onmouseover="window.__xss=6">hover</b>',
};

export function xssTrace(t0us) {
  const traceId = hex(16);
  const root = hex(8);
  const child = hex(8);
  const spans = [
    { service: XSS.service, name: XSS.operation, id: root, start: 0, dur: 5000, kind: 2,
      attrs: { [XSS.key]: XSS.value, 'http.url': XSS.url, 'note': '{{constructor.constructor("window.__xss=7")()}}' },
      events: [{ at: 100, name: XSS.event, attrs: { [XSS.key]: XSS.event } }] },
    { service: 'plain-service', name: XSS.operation, id: child, parent: root, start: 500, dur: 2000, kind: 3, error: true,
      attrs: { [XSS.key]: XSS.url }, links: [{ traceId: hex(16), spanId: hex(8) }] },
  ];
  return { traceId, spans, rootSpanId: root, body: toOtlp(traceId, t0us, spans, { [XSS.service]: { [XSS.key]: XSS.value } }) };
}

// A trace of `count` spans: a root with a few services fanning out, depth up to ~8.
export function bigTrace(t0us, count) {
  const traceId = hex(16);
  const LEVELS = [['gateway', 'gateway'], ['orders', 'search'], ['inventory', 'pricing'], ['users', 'ledger'], ['cache', 'cache']];
  const spans = [{ service: 'gateway', name: 'POST /batch', id: hex(8), start: 0, dur: 0, kind: 2 }];
  const open = [spans[0]];
  let t = 10;
  for (let i = 1; i < count; i++) {
    // Parent: mostly a recent span, sometimes an older one, so the tree is both deep and wide.
    const parent = open[Math.max(0, open.length - 1 - (i % 7))];
    const depth = (parent.depth ?? 0) + 1;
    const s = {
      // Services by depth, so the service map of this trace is a readable layered graph.
      service: LEVELS[Math.min(depth, LEVELS.length - 1)][i % 2],
      name: `op-${i % 50}`,
      id: hex(8),
      parent: parent.id,
      start: t,
      dur: 20 + (i % 13) * 5,
      kind: i % 2 ? 3 : 2,
      depth,
      error: i % 997 === 0,
      attrs: { 'item.index': i, 'batch.part': `part-${i % 10}` },
    };
    spans.push(s);
    if (depth < 8) open.push(s);
    if (open.length > 64) open.splice(1, 1);
    t += 3;
  }
  for (const s of spans) delete s.depth;
  spans[0].dur = t + 500;
  // Widen parents so children stay inside them.
  const byId = new Map(spans.map((s) => [s.id, s]));
  for (let i = spans.length - 1; i > 0; i--) {
    const s = spans[i];
    const p = byId.get(s.parent);
    if (p && p.start + p.dur < s.start + s.dur + 1) p.dur = s.start + s.dur + 1 - p.start;
  }
  // Send in batches of 5000 spans.
  const bodies = [];
  for (let i = 0; i < spans.length; i += 5000) bodies.push(toOtlp(traceId, t0us, spans.slice(i, i + 5000)));
  return { traceId, spans, bodies };
}
