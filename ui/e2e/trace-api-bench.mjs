// Server side of opening a big trace: GET /api/traces/{id} of the e2e suite's 50,000-span trace,
// against one or more `ariadne serve --storage memory` binaries filled with the same spans.
// Prints per binary the median time to first byte and to the last byte, the server's CPU time
// per request (utime+stime of the process from /proc, so other load on the machine does not
// count), the body size, and whether every binary's bodies are byte-identical to the first
// one's: for the big trace and for a failing shop trace and the hostile-strings trace (events,
// links, errors, doubles, booleans, escaping).
//
//   node ui/e2e/trace-api-bench.mjs --binary build/a/bin/ariadne [--binary build/b/bin/ariadne]
//        [--spans 50000] [--runs 7]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { bigTrace, shopTrace, xssTrace } from './otlp.mjs';

const args = process.argv.slice(2);
const binaries = args.flatMap((a, i) => (a === '--binary' ? [args[i + 1]] : []));
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const SPANS = opt('--spans', 50000);
const RUNS = opt('--runs', 7);
if (!binaries.length) throw new Error('--binary <path to ariadne> (repeat to compare)');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TICKS = 100; // USER_HZ on Linux

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS; // utime + stime
}

async function start(binary) {
  const flags = ['serve', '--storage', 'memory', '--listen-host', '127.0.0.1', '--query-port', '0'];
  for (const n of ['otlp-grpc-port', 'otlp-http-port', 'zipkin-port', 'jaeger-http-port', 'jaeger-compact-port', 'jaeger-binary-port']) flags.push(`--${n}`, '0');
  const proc = spawn(binary, flags, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const endpoint = (name) => new RegExp(`endpoint=${name} url=(\\S+)`).exec(log)?.[1];
  for (let i = 0; !(endpoint('query_api') && endpoint('otlp_http')); i++) {
    if (proc.exitCode !== null || i > 400) throw new Error(`${binary} did not start:\n${log}`);
    await sleep(50);
  }
  return { proc, base: endpoint('query_api').replace(/\/api\/?$/, ''), otlp: endpoint('otlp_http') };
}

// One GET with timings; the body as a Buffer.
function get(url) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttfb = 0;
    request(url, (res) => {
      const chunks = [];
      res.once('data', () => (ttfb = performance.now() - t0));
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, ttfb, total: performance.now() - t0, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const big = bigTrace(Date.now() * 1000 - 60e6, SPANS);
const small = [shopTrace(Date.now() * 1000 - 90e6, { slow: 2, fail: true, extraCartCalls: 2 }), xssTrace(Date.now() * 1000 - 30e6)];
const results = [];
let reference = null;
let smallReference = null;
for (const binary of binaries) {
  const s = await start(binary);
  try {
    for (const b of [...small.map((t) => t.body), ...big.bodies]) {
      const r = await fetch(s.otlp, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
      if (!r.ok) throw new Error(`POST: ${r.status}`);
    }
    const url = `${s.base}/api/traces/${big.traceId}`;
    for (let i = 0; i < 100; i++) {
      const r = await get(url);
      if (r.status === 200 && JSON.parse(r.body).data[0].spans.length === SPANS) break;
      await sleep(100);
    }
    const ttfb = [];
    const total = [];
    const cpu = [];
    let body = null;
    for (let i = 0; i < RUNS; i++) {
      const c0 = cpuMs(s.proc.pid);
      const r = await get(url);
      await sleep(50); // let the server finish the write before reading its CPU time
      cpu.push(cpuMs(s.proc.pid) - c0);
      ttfb.push(r.ttfb);
      total.push(r.total);
      body = r.body;
    }
    reference ??= body;
    const smallBodies = Buffer.concat(await Promise.all(small.map(async (t) => (await get(`${s.base}/api/traces/${t.traceId}`)).body)));
    smallReference ??= smallBodies;
    results.push({
      binary,
      spans: SPANS,
      bytes: body.length,
      ttfbMs: Math.round(median(ttfb)),
      totalMs: Math.round(median(total)),
      serverCpuMsPerRequest: Math.round(median(cpu)),
      identicalToFirst: body.equals(reference) && smallBodies.equals(smallReference),
    });
  } finally {
    s.proc.kill('SIGTERM');
    await new Promise((r) => s.proc.once('exit', r));
  }
}
console.log(JSON.stringify({ loadAverage: loadavg().map((x) => +x.toFixed(2)), runs: RUNS, results }, null, 2));
