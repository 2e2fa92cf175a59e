// The world benchmark in the browser: the page's own wasm runs the workload of
// `cargo bench -p mail-lab-world --bench relay` (10,000 messages relayed a -> b
// through the SMTP engines, then fetched over IMAP) in headless Chromium, and
// prints messages per second. A figure for the log, not a pass/fail test.
import { serveDist, openBrowser } from '../tests/e2e/harness.mjs';

const MESSAGES = Number(process.env.MESSAGES ?? 10000);
const RUNS = Number(process.env.RUNS ?? 3);

// The page built with `--features bench` (see scripts/test.sh), which exports the workload.
const server = await serveDist(process.env.DIST ?? 'target/dist-bench');
const { browser, page } = await openBrowser();
try {
  await page.goto(server.url);
  await page.waitForFunction(() => window.wasmBindings?.bench_relay_and_fetch);
  const times = [];
  for (let run = 0; run < RUNS; run += 1) {
    const { delivered, ms } = await page.evaluate((n) => {
      const start = performance.now();
      const delivered = window.wasmBindings.bench_relay_and_fetch(n);
      return { delivered, ms: performance.now() - start };
    }, MESSAGES);
    if (delivered !== MESSAGES) throw new Error(`only ${delivered} of ${MESSAGES} messages reached carol`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const rate = Math.round((MESSAGES / median) * 1000);
  console.log(`world/relay_and_fetch_${MESSAGES / 1000}k wasm (Chromium): median ${median.toFixed(1)} ms of ${RUNS} runs = ${rate} msg/s`);
} finally {
  await browser.close();
  await server.close();
}
