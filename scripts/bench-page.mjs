// The page's own cost in headless Chromium, through the real page (dist/):
// - Enter → next painted frame, median, in a fresh lab and in a loaded one
//   (a 10,000-line transcript, 50,000 events, a 10,000-message folder);
//   target: loaded / fresh ≤ 1.2; and with a 27 MB message open in the inspector;
// - a keystroke in the mail client's compose form with that log; target ≤ 16 ms;
// - the JS heap and the wasm memory after that and 100 MB of junk typed into a
//   terminal; stated bound: 64 MB of JS heap, 128 MB of wasm memory.
// - loading: the decode of the LZMA-shipped wasm, and navigation to first line.
// Figures for the log (speed is measured here, not asserted by a timed test).
import { serveDist, openBrowser } from '../tests/e2e/harness.mjs';

const SAMPLES = Number(process.env.SAMPLES ?? 40);
const JS_HEAP_BOUND = 64 * 1024 * 1024;
const WASM_MEMORY_BOUND = 128 * 1024 * 1024;

/** A 10,000-message mbox, as a learner might import. */
function mbox(count) {
  const parts = [];
  for (let i = 1; i <= count; i += 1) {
    parts.push(`From alice@a.example Wed Apr  1 09:00:00 2026\nFrom: alice@a.example\nTo: bob@a.example\nSubject: message ${i}\nMessage-ID: <${i}@a.example>\n\nbody ${i}\n\n`);
  }
  return Buffer.from(parts.join(''));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serveDist();
const { browser, page } = await openBrowser();
try {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; }));
  await page.goto(server.url);
  await page.locator('section.terminal li.server').first().waitFor();
  // Loading: the decode of the LZMA-shipped wasm (scripts/post-build.mjs), and the
  // time from navigation to the terminal's first line, from the local server.
  const loading = await page.evaluate(() => ({
    unlzma: performance.getEntriesByName('unlzma')[0]?.duration,
    ready: performance.now(),
  }));
  if (loading.unlzma === undefined) throw new Error('no unlzma measure: is the wasm not shipped LZMA-compressed?');

  // In the page: type lines into the front terminal's command box without
  // waiting for paint (setup), or one line and time it to the next painted frame.
  await page.evaluate(() => {
    const box = () => document.querySelector('section.terminal:not([hidden]) input.command');
    window.__type = (line) => {
      const input = box();
      input.value = line;
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    };
    window.__typeMany = (line, n) => { for (let i = 0; i < n; i += 1) window.__type(line); };
    window.__enterToPaint = (line) => new Promise((resolve) => {
      const start = performance.now();
      window.__type(line);
      // rAF runs just before the frame is painted; a task queued there runs after it.
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
    });
  });
  const enterToPaint = async () => {
    const times = [];
    for (let i = 0; i < SAMPLES; i += 1) times.push(await page.evaluate(() => window.__enterToPaint('NOOP')));
    return median(times);
  };
  const fresh = await enterToPaint();

  // Load the lab: a 10,000-message folder (imported), then NOOPs until the
  // transcript has 10,000 lines and the world 50,000 events.
  const bob = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  await bob.locator('input[type=file]').setInputFiles({ name: 'big.mbox', mimeType: 'application/mbox', buffer: mbox(10000) });
  await bob.getByText('INBOX (10000 messages)').waitFor({ timeout: 120000 });
  await page.evaluate(() => window.__typeMany('NOOP', 5000));
  const transcriptLines = await page.evaluate(() => {
    const t = document.querySelector('section.terminal:not([hidden]) [role=log]');
    return Number(t.dataset.serverLines) + Number(t.dataset.clientLines);
  });
  // More events on a second terminal (each NOOP is two: the line and the reply).
  await page.getByRole('button', { name: 'Open terminal' }).click();
  await page.evaluate(() => window.__typeMany('NOOP', 15000));
  await page.getByRole('tab').first().click();
  const loaded = await enterToPaint();

  // A keystroke in the compose form: Subject, one character at a time.
  const subject = page.getByRole('region', { name: 'Mail client (MUA)' }).getByRole('textbox', { name: 'Subject' });
  await subject.scrollIntoViewIfNeeded();
  const strokes = await subject.evaluate(async (input, n) => {
    const work = [];
    const frame = [];
    for (let i = 0; i < n; i += 1) {
      const start = performance.now();
      input.value += 'x';
      input.dispatchEvent(new InputEvent('input', { bubbles: true, data: 'x', inputType: 'insertText' }));
      // The page has handled it once its render (a microtask) has run.
      await new Promise((r) => setTimeout(r, 0));
      work.push(performance.now() - start);
      frame.push(await new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now() - start), 0))));
    }
    return { work, frame };
  }, SAMPLES);
  const keystroke = median(strokes.work);
  const keystrokeFrame = median(strokes.frame);

  // 100 MB of junk typed into a terminal: 100 lines of 1 MB.
  await page.evaluate(() => { const mb = 'x'.repeat(1 << 20); for (let i = 0; i < 100; i += 1) window.__type(mb); });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasmMemory = await page.evaluate(() => window.__wasm?.memory?.buffer.byteLength ?? 0);

  // Enter → paint with a 27 MB message (a 20 MB attachment) open in the
  // inspector: a line typed elsewhere must not read that message again. Last,
  // so its bytes are not counted in the memory figures above.
  const attachment = Buffer.alloc(20 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  const big = Buffer.from(`From: alice@a.example\r\nTo: bob@a.example\r\nSubject: big one\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`);
  await bob.locator('input[type=file]').setInputFiles({ name: 'big.eml', mimeType: 'message/rfc822', buffer: big });
  await bob.getByRole('button', { name: 'big one' }).click();
  await page.getByRole('region', { name: /^Message bob@a.example UID/ }).waitFor();
  const withOpen = await enterToPaint();
  await page.getByRole('region', { name: /^Message bob@a.example UID/ }).getByRole('button', { name: 'Close' }).click();

  const ms = (x) => `${x.toFixed(1)} ms`;
  const mb = (x) => `${(x / 1048576).toFixed(1)} MB`;
  const ratio = loaded / fresh;
  console.log(`page/load: wasm decoded from LZMA as it arrived, response to last byte decoded in ${ms(loading.unlzma)}; first terminal line ${ms(loading.ready)} after navigation (loopback server, cold cache)`);
  console.log(`page/enter-to-paint fresh lab: median ${ms(fresh)} of ${SAMPLES}`);
  console.log(`page/enter-to-paint loaded lab (${transcriptLines} transcript lines; 20,000 NOOPs typed, 40,000 link events, and 10,000 messages imported into one folder): median ${ms(loaded)}; ratio ${ratio.toFixed(2)} (target ≤ 1.2: ${ratio <= 1.2 ? 'met' : 'NOT met'})`);
  const openRatio = withOpen / fresh;
  console.log(`page/enter-to-paint with a ${(big.length / 1048576).toFixed(0)} MB message open in the inspector as well: median ${ms(withOpen)}; ratio ${openRatio.toFixed(2)} (target ≤ 1.2: ${openRatio <= 1.2 ? 'met' : 'NOT met'})`);
  console.log(`page/compose-keystroke with that log: handled in median ${ms(keystroke)} (target ≤ 16 ms: ${keystroke <= 16 ? 'met' : 'NOT met'}); next painted frame after ${ms(keystrokeFrame)}`);
  console.log(`page/memory after 100 MB of junk: JS heap ${mb(usedSize)} (bound ${mb(JS_HEAP_BOUND)}: ${usedSize <= JS_HEAP_BOUND ? 'within' : 'OVER'}), wasm memory ${mb(wasmMemory)} (bound ${mb(WASM_MEMORY_BOUND)}: ${wasmMemory <= WASM_MEMORY_BOUND ? 'within' : 'OVER'})`);
} finally {
  await browser.close();
  await server.close();
}
