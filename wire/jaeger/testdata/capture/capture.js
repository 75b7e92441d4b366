// Captures what real clients send, as test fixtures for the Jaeger and Zipkin decoders.
//
//   cd wire/jaeger/testdata/capture && npm ci && node capture.js
//
// Listens on 127.0.0.1 (free ports) as a Jaeger agent (UDP, binary emitBatch), a Jaeger collector
// (HTTP POST /api/traces, application/x-thrift) and a Zipkin server (POST /api/v2/spans), drives
// jaeger-client 3.19.0 and @opentelemetry/exporter-zipkin 2.12.1 once each, and writes
//   ../jaeger_udp_binary_emitbatch.bin, ../jaeger_http_batch.bin,
//   ../../../zipkin/testdata/otel_zipkin_exporter.json
// The tests assert the content created below (names, tags, logs, references).
'use strict';
const dgram = require('dgram');
const fs = require('fs');
const http = require('http');
const path = require('path');

const jaegerDir = path.resolve(__dirname, '..');
const zipkinDir = path.resolve(__dirname, '../../../zipkin/testdata');

function listenHttp(onBody) {
  return new Promise(resolve => {
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        onBody(req, Buffer.concat(chunks));
        res.writeHead(req.url.startsWith('/api/v2') ? 202 : 200);
        res.end();
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function listenUdp(onDatagram) {
  return new Promise(resolve => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', msg => onDatagram(msg));
    sock.bind(0, '127.0.0.1', () => resolve(sock));
  });
}

// One trace: a server root with typed tags and logs, a client child (CHILD_OF) with an error, and
// a FOLLOWS_FROM consumer span.
function emitJaegerTrace(tracer) {
  const root = tracer.startSpan('GET /orders', {
    tags: { 'span.kind': 'server', 'http.method': 'GET', 'http.status_code': 200, 'cache.hit': true },
  });
  root.log({ event: 'order.loaded', 'order.id': 'o-42', items: 3 });
  root.log({ message: 'just a message', level: 'info' });
  const child = tracer.startSpan('SELECT orders', { childOf: root.context(),
    tags: { 'span.kind': 'client', 'db.system': 'postgresql', 'peer.service': 'db' } });
  child.setTag('error', true);
  child.log({ event: 'error', 'error.object': 'timeout after 5s' });
  child.finish();
  const follower = tracer.startSpan('process order', {
    references: [require('opentracing').followsFrom(root.context())],
    tags: { 'span.kind': 'consumer', payload: Buffer.from([0, 1, 2, 255]) },
  });
  follower.finish();
  root.finish();
}

function jaegerTracer(reporter) {
  const { initTracer } = require('jaeger-client');
  return initTracer(
    { serviceName: 'orders-svc', sampler: { type: 'const', param: 1 },
      reporter: Object.assign({ flushIntervalMs: 100 }, reporter) },
    { tags: { 'deployment.environment': 'test', 'host.cores': 4 }, traceId128bit: true,
      logger: { info() {}, error(e) { console.error(e); } } });
}

function closeTracer(tracer) { return new Promise(resolve => tracer.close(resolve)); }

async function captureJaeger() {
  let datagram = null;
  const udp = await listenUdp(msg => { if (!datagram) datagram = msg; });
  let body = null;
  const httpServer = await listenHttp((req, b) => { if (req.url === '/api/traces') body = b; });

  const udpTracer = jaegerTracer({ agentHost: '127.0.0.1', agentPort: udp.address().port });
  emitJaegerTrace(udpTracer);
  await closeTracer(udpTracer);
  const httpTracer = jaegerTracer({
    collectorEndpoint: `http://127.0.0.1:${httpServer.address().port}/api/traces` });
  emitJaegerTrace(httpTracer);
  await closeTracer(httpTracer);
  await new Promise(r => setTimeout(r, 300));
  udp.close();
  httpServer.close();
  if (!datagram || !body) throw new Error('jaeger capture incomplete');
  fs.writeFileSync(path.join(jaegerDir, 'jaeger_udp_binary_emitbatch.bin'), datagram);
  fs.writeFileSync(path.join(jaegerDir, 'jaeger_http_batch.bin'), body);
  console.log(`jaeger: udp ${datagram.length} B, http ${body.length} B`);
}

async function captureZipkin() {
  const api = require('@opentelemetry/api');
  const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { ZipkinExporter } = require('@opentelemetry/exporter-zipkin');
  // SimpleSpanProcessor sends one request per span: keep every body.
  const bodies = [];
  const server = await listenHttp((req, b) => { if (req.url === '/api/v2/spans') bodies.push(b); });
  const exporter = new ZipkinExporter({ url: `http://127.0.0.1:${server.address().port}/api/v2/spans` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout-svc', 'service.version': '1.2.3' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('capture', '0.1.0');
  const root = tracer.startSpan('POST /checkout', { kind: api.SpanKind.SERVER,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201, retry: false,
      ratio: 0.25, 'quote"s<script>': 'a\nb' } });
  root.addEvent('cart.validated', { items: 2 });
  const ctx = api.trace.setSpan(api.context.active(), root);
  const child = tracer.startSpan('charge card', { kind: api.SpanKind.CLIENT,
    attributes: { 'peer.service': 'payments' } }, ctx);
  child.setStatus({ code: api.SpanStatusCode.ERROR, message: 'card declined' });
  child.end();
  const producer = tracer.startSpan('publish order', { kind: api.SpanKind.PRODUCER }, ctx);
  producer.setStatus({ code: api.SpanStatusCode.OK });
  producer.end();
  const internal = tracer.startSpan('compute totals', {}, ctx);
  internal.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  await new Promise(r => setTimeout(r, 200));
  server.close();
  if (bodies.length !== 4) throw new Error(`zipkin capture incomplete: ${bodies.length} bodies`);
  const spans = [].concat(...bodies.map(b => JSON.parse(b.toString('utf8'))));
  fs.mkdirSync(zipkinDir, { recursive: true });
  // One body as the exporter sent it, and all spans in one list (what a batching processor sends).
  fs.writeFileSync(path.join(zipkinDir, 'otel_zipkin_exporter_single.json'), bodies[0]);
  fs.writeFileSync(path.join(zipkinDir, 'otel_zipkin_exporter.json'), JSON.stringify(spans));
  console.log(`zipkin: ${bodies.length} requests, ${spans.length} spans`);
}

(async () => {
  await captureJaeger();
  await captureZipkin();
})().catch(e => { console.error(e); process.exit(1); });
