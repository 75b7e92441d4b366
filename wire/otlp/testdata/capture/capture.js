// Regenerates the golden OTLP fixtures in wire/otlp/testdata/ from the real OpenTelemetry JS
// exporters (versions pinned in package.json). Usage: npm ci && node capture.js
// It starts an HTTP server on 127.0.0.1 (a free port), exports one rich trace through the
// OTLP/proto and OTLP/HTTP-JSON exporters, and saves each request body as a fixture file.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const api = require('@opentelemetry/api');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http');

const outDir = path.join(__dirname, '..');
const bodies = {};

function startServer() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        bodies[req.url] = Buffer.concat(chunks);
        const json = (req.headers['content-type'] || '').includes('json');
        res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function emit(tracer) {
  const parent = tracer.startSpan('GET /api/cart', {
    kind: api.SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.response.status_code': 500,
      'app.ratio': 0.25,
      'app.cached': false,
      'app.tags': ['red', 'green'],
      'app.sizes': [1, 2, 3],
      'app.weights': [0.5, 1.5],
      'app.flags': [true, false],
      'app.unicode': 'caf\u00e9 \u2603',
    },
  });
  const ctx = api.trace.setSpan(api.context.active(), parent);
  const child = tracer.startSpan(
    'SELECT cart',
    {
      kind: api.SpanKind.CLIENT,
      attributes: { 'db.system': 'postgresql' },
      links: [{
        context: {
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: api.TraceFlags.SAMPLED,
        },
        attributes: { 'link.kind': 'retry' },
      }],
    },
    ctx);
  child.addEvent('exception', {
    'exception.type': 'Error',
    'exception.message': 'connection reset',
    'retry.count': 2,
  });
  child.setStatus({ code: api.SpanStatusCode.ERROR, message: 'connection reset' });
  child.end();
  parent.setStatus({ code: api.SpanStatusCode.ERROR });
  parent.end();
}

async function captureWith(exporter) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'cart-service',
      'service.version': '1.4.2',
      'deployment.environment': 'test',
      'process.pid': 4242,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],  // both spans in one request
  });
  emit(provider.getTracer('ariadne-capture', '0.1.0'));
  await provider.forceFlush();
  await provider.shutdown();
}

(async () => {
  const server = await startServer();
  const base = `http://127.0.0.1:${server.address().port}`;
  await captureWith(new ProtoExporter({ url: `${base}/proto` }));
  await captureWith(new JsonExporter({ url: `${base}/json` }));
  server.close();
  for (const [url, file] of [['/proto', 'otlp_js_proto.bin'], ['/json', 'otlp_js_json.json']]) {
    if (!bodies[url]) throw new Error(`no ${url} request captured`);
    fs.writeFileSync(path.join(outDir, file), bodies[url]);
    console.log(`${file}: ${bodies[url].length} bytes`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
