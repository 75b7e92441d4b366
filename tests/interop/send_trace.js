// Sends one trace with a real client library to ariadne serve, then prints TRACE_ID=<hex>.
// Usage: node send_trace.js <client> <port> <service>
//   client: otlp-proto | otlp-proto-gzip | otlp-json | otlp-json-gzip | otlp-grpc |
//           otlp-grpc-gzip | zipkin | jaeger-udp | jaeger-http
// The trace: a SERVER parent (50 ms) with a CLIENT child (20 ms, error status), attributes of
// every type, an event, a link, and resource attributes. interop_test.cc checks what comes back.
'use strict';

const [client, port, service] = process.argv.slice(2);
if (!client || !port || !service) {
  console.error('usage: node send_trace.js <client> <port> <service>');
  process.exit(2);
}

const T0 = Date.now() - 1000;  // milliseconds

async function sendOtel() {
  const api = require('@opentelemetry/api');
  const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  let exporter;
  const gzip = client.endsWith('-gzip');
  const compression = gzip ? 'gzip' : 'none';
  if (client.startsWith('otlp-proto')) {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
    exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, compression });
  } else if (client.startsWith('otlp-json')) {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, compression });
  } else if (client.startsWith('otlp-grpc')) {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
    exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}`, compression });
  } else if (client === 'zipkin') {
    const { ZipkinExporter } = require('@opentelemetry/exporter-zipkin');
    exporter = new ZipkinExporter({ url: `http://127.0.0.1:${port}/api/v2/spans` });
  } else {
    throw new Error('unknown client ' + client);
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'deployment.environment': 'interop',
      'host.cpus': 4,
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('ariadne-interop', '1.0.0');
  const linked = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  };
  const parent = tracer.startSpan('interop-parent', {
    kind: api.SpanKind.SERVER,
    startTime: T0,
    attributes: {
      'attr.string': 'hello',
      'attr.int': 42,
      'attr.double': 3.5,
      'attr.bool': true,
      'attr.strings': ['a', 'b'],
      'attr.ints': [1, 2, 3],
    },
    links: [{ context: linked, attributes: { 'link.kind': 'batch' } }],
  });
  parent.addEvent('cache.miss', { 'retry.count': 3 }, T0 + 5);
  const ctx = api.trace.setSpan(api.context.active(), parent);
  const child = tracer.startSpan('interop-child', { kind: api.SpanKind.CLIENT, startTime: T0 + 10 }, ctx);
  child.setAttribute('peer.service', 'db');
  child.setStatus({ code: api.SpanStatusCode.ERROR, message: 'boom' });
  child.end(T0 + 30);
  parent.end(T0 + 50);
  await provider.forceFlush();
  await provider.shutdown();
  return parent.spanContext().traceId;
}

function sendJaeger() {
  const { initTracer } = require('jaeger-client');
  const reporter = client === 'jaeger-udp'
    ? { agentHost: '127.0.0.1', agentPort: Number(port), flushIntervalMs: 50 }
    : { collectorEndpoint: `http://127.0.0.1:${port}/api/traces`, flushIntervalMs: 50 };
  const logger = { info() {}, error(msg) { console.error('jaeger-client: ' + msg); } };
  const tracer = initTracer(
    { serviceName: service, sampler: { type: 'const', param: 1 }, reporter },
    { logger, tags: { 'deployment.environment': 'interop', 'host.cpus': 4 } });
  const parent = tracer.startSpan('interop-parent', { startTime: T0 });
  parent.setTag('span.kind', 'server');
  parent.setTag('attr.string', 'hello');
  parent.setTag('attr.int', 42);
  parent.setTag('attr.double', 3.5);
  parent.setTag('attr.bool', true);
  parent.log({ event: 'cache.miss', 'retry.count': 3 }, T0 + 5);
  const child = tracer.startSpan('interop-child', { childOf: parent.context(), startTime: T0 + 10 });
  child.setTag('span.kind', 'client');
  child.setTag('error', true);
  child.finish(T0 + 30);
  parent.finish(T0 + 50);
  return new Promise((resolve) => {
    tracer.close(() => resolve(parent.context().traceIdStr));
  });
}

(async () => {
  try {
    const id = client.startsWith('jaeger') ? await sendJaeger() : await sendOtel();
    console.log('TRACE_ID=' + id);
    process.exit(0);
  } catch (e) {
    console.error('send_trace failed: ' + (e && e.stack || e));
    process.exit(1);
  }
})();
