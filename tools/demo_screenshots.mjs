// Takes the README's screenshots from a running demo (`ariadne demo`, or `./dev.sh serve`):
// the search page, an error trace of the Neurectomy seed with its failing span selected, and
// the service map. Uses playwright-core from ui/node_modules and Debian's Chromium.
//
//   node tools/demo_screenshots.mjs [--url http://127.0.0.1:16686] [--out docs/screenshots]
//
// Let the demo run for a minute first so the scatter plot and the map have something to show.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(join(root, 'ui', 'package.json'))('playwright-core');

const args = process.argv.slice(2);
const arg = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const base = arg('--url', 'http://127.0.0.1:16686').replace(/\/$/, '');
const out = resolve(arg('--out', join(root, 'docs', 'screenshots')));
mkdirSync(out, { recursive: true });

// An error trace that crosses services: a failed ryot inference (seed 000).
async function findErrorTrace() {
  const q = new URLSearchParams({ service: 'ryot', tags: '{"error":"true"}', lookback: '1h', limit: '20' });
  const body = await (await fetch(`${base}/api/traces?${q}`)).json();
  const traces = (body.data ?? []).filter((t) => Object.keys(t.processes).length >= 3);
  if (traces.length === 0) throw new Error('no multi-service error trace of ryot yet: let the demo run longer');
  traces.sort((a, b) => b.spans.length - a.spans.length);
  const t = traces[0];
  const failing = t.spans.find((s) => s.tags.some((g) => g.key === 'error' && String(g.value) === 'true'));
  return { traceId: t.traceID, spanId: failing?.spanID };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shot = (name) => page.screenshot({ path: join(out, `${name}.png`) });

  await page.goto(`${base}/search?service=ryot&lookback=15m&limit=50`);
  await page.waitForSelector('.result');
  await shot('demo-search');

  const { traceId, spanId } = await findErrorTrace();
  await page.goto(`${base}/trace/${traceId}${spanId ? `?uiFind=${spanId}` : ''}`);
  await page.waitForSelector(spanId ? '.details' : '.tl-row');
  await shot('demo-trace');

  await page.goto(`${base}/dependencies?lookback=1h`);
  await page.waitForSelector('.map svg .node');
  await shot('demo-dependencies');
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
}
