// Shared pieces of the end-to-end tests: serve dist/ on 127.0.0.1, open Debian's
// Chromium through playwright-core, and collect every console error and page error.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

export const RESULTS = path.resolve('test-results');

/** Serves `dir` on a free loopback port; resolves to { url, close }. */
export function serveDist(dir = 'dist') {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Launches headless Chromium; resolves to { browser, page, errors }. Console
 * errors matching one of `allowed` (expected by a test) are not collected. */
export async function openBrowser({ locale = 'en-US', allowed = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed.some((re) => re.test(msg.text()))) errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  return { browser, page, errors };
}

/** Saves a full-page screenshot under test-results/ and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Types one line into a terminal's Command box, waits for `replies` new server
 * lines and returns the server lines that line brought (the transcript renders
 * only the rows around its view, so the log says how many lines it holds). */
export async function typeLine(terminal, line, replies = 0) {
  const log = terminal.locator('[role=log]');
  const before = Number(await log.getAttribute('data-server-lines'));
  // One text box per terminal, named "Command" or "コマンド" by language.
  const input = terminal.getByRole('textbox');
  await input.fill(line);
  await input.press('Enter');
  if (replies > 0) {
    await terminal.page().waitForFunction(
      ([el, n]) => Number(el.dataset.serverLines) >= n,
      [await log.elementHandle(), before + replies],
    );
  }
  const added = Number(await log.getAttribute('data-server-lines')) - before;
  const shown = await log.locator('li.server').allTextContents();
  return added > 0 ? shown.slice(-added) : [];
}

/** Sends one message by typing an SMTP session into `terminal`; returns the 250 reply. */
export async function smtpSend(terminal, { from, to, lines }) {
  await typeLine(terminal, 'EHLO pc.a.example', 1);
  await typeLine(terminal, `MAIL FROM:<${from}>`, 1);
  for (const rcpt of [].concat(to)) await typeLine(terminal, `RCPT TO:<${rcpt}>`, 1);
  await typeLine(terminal, 'DATA', 1);
  for (const line of lines) await typeLine(terminal, line);
  const [reply] = await typeLine(terminal, '.', 1);
  return reply;
}

/** Serves dist/, opens Chromium on it, and closes both when the test ends. */
export async function openLab(t, options = {}) {
  const server = await serveDist();
  const opened = await openBrowser(options);
  t.after(async () => {
    await opened.browser.close();
    await server.close();
  });
  await opened.page.goto(server.url);
  return { ...opened, url: server.url };
}

/** Buttons, fields and labels that reach out of their column of the bench. */
export function controlsOutsideColumns(page) {
  return page.evaluate(() => {
    const out = [];
    for (const column of document.querySelectorAll('.bench > *')) {
      const c = column.getBoundingClientRect();
      for (const el of column.querySelectorAll('button, select, input, label')) {
        const r = el.getBoundingClientRect();
        if (el.closest('[hidden]') || r.width === 0) continue;
        if (r.left < c.left - 1 || r.right > c.right + 1) {
          const name = (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30);
          out.push(`${el.tagName} "${name}" ${Math.round(r.left)}-${Math.round(r.right)} px, its column ${Math.round(c.left)}-${Math.round(c.right)} px`);
        }
      }
    }
    return out;
  });
}
