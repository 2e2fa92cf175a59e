// After the first visit the page works with the network off (service worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBrowser, openLab, screenshot, serveDist, typeLine } from './harness.mjs';

/** Until the service worker has cached the page and controls it. */
async function controlled(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
}

/** The wasm files this page load fetched, and whether it decoded one (post-build.mjs's measure). */
const wasmLoad = (page) =>
  page.evaluate(() => ({
    fetched: performance.getEntriesByType('resource').map((e) => e.name.replace(/.*\//, '')).filter((n) => n.includes('.wasm')),
    decoded: performance.getEntriesByName('unlzma').length > 0,
  }));

test('the page reloads and works offline after the first visit', async (t) => {
  const { page, errors } = await openLab(t);
  await page.getByRole('textbox', { name: 'Command' }).waitFor();
  // The first visit fetches the wasm LZMA-compressed and decodes it.
  const first = await wasmLoad(page);
  assert.deepEqual(first.fetched.map((n) => n.replace(/^.*\.wasm/, '.wasm')), ['.wasm.lzma']);
  assert.ok(first.decoded, 'the first visit decodes the wasm');
  await controlled(page);
  await page.context().setOffline(true);
  await page.reload();
  const terminal = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await terminal.locator('[role=log] li.server').first().waitFor();
  // The worker keeps it decoded: the page it controls asks for the .wasm and decodes nothing.
  const again = await wasmLoad(page);
  assert.deepEqual(again.fetched.map((n) => n.replace(/^.*\.wasm/, '.wasm')), ['.wasm']);
  assert.ok(!again.decoded, 'a page the worker controls decodes nothing');
  const reply = await typeLine(terminal, 'EHLO offline.example', 1);
  assert.equal(reply[0], '250-mail.a.example Hello offline.example [192.0.2.10]');
  // A cache that lost the decoded wasm: the worker decodes its .lzma again, still offline.
  const lost = await page.evaluate(async () => {
    const cache = await caches.open((await caches.keys())[0]);
    const wasm = (await cache.keys()).map((r) => r.url).filter((u) => u.endsWith('.wasm'));
    for (const url of wasm) await cache.delete(url);
    return wasm.length;
  });
  assert.equal(lost, 1);
  await page.reload();
  await terminal.locator('[role=log] li.server').first().waitFor();
  const decodedAgain = await wasmLoad(page);
  assert.deepEqual(decodedAgain.fetched.map((n) => n.replace(/^.*\.wasm/, '.wasm')), ['.wasm']);
  assert.ok(!decodedAgain.decoded, 'the worker, not the page, decoded it');
  assert.equal(await page.evaluate(async () => (await (await caches.open((await caches.keys())[0])).keys()).filter((r) => r.url.endsWith('.wasm')).length), 1, 'and keeps it again');
  await screenshot(page, 'e2e-offline');
  assert.deepEqual(errors, []);
});

test('a new build reaches a learner who visited before: the worker names its cache after the build', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-dist-'));
  fs.cpSync('dist', dir, { recursive: true });
  const worker = fs.readFileSync(path.join(dir, 'sw.js'), 'utf8');
  const built = worker.match(/mail-lab-[0-9a-f]{12}/);
  const build = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'index.html'))).digest('hex');
  assert.equal(built?.[0], `mail-lab-${build.slice(0, 12)}`, 'the built worker names its cache after the build');
  const server = await serveDist(dir);
  const { browser, page, errors } = await openBrowser();
  t.after(async () => {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await page.goto(server.url);
  await controlled(page);
  assert.equal(await page.title(), 'Mail Lab');
  // The teacher puts a new build up: another page, and a worker naming another cache.
  const index = path.join(dir, 'index.html');
  fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('<title>Mail Lab</title>', '<title>Mail Lab, new build</title>'));
  fs.writeFileSync(path.join(dir, 'sw.js'), worker.replace(built[0], 'mail-lab-0123456789ab'));
  // The next visit still gets the cached page while the new worker installs;
  // once it has replaced the old cache, the visit after gets the new build.
  await page.reload();
  // Reloading again while this page still loads would abort its WebAssembly.
  await page.getByRole('textbox', { name: 'Command' }).waitFor();
  for (let tries = 0; (await page.evaluate(() => caches.keys())).join() !== 'mail-lab-0123456789ab'; tries++) {
    assert.ok(tries < 100, 'the new worker replaces the old cache within 10 s');
    await page.waitForTimeout(100);
  }
  await page.reload();
  assert.equal(await page.title(), 'Mail Lab, new build');
  assert.deepEqual(errors, []);
});

test('a page whose worker cannot give it the decoded wasm decodes the .lzma itself', async (t) => {
  // A worker that keeps no decoder for a cache miss (as a debug build's worker has none).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-dist-'));
  fs.cpSync('dist', dir, { recursive: true });
  const sw = path.join(dir, 'sw.js');
  const worker = fs.readFileSync(sw, 'utf8');
  assert.ok(worker.includes('"function"==typeof unlzma'), 'the built worker decodes on a cache miss');
  fs.writeFileSync(sw, worker.replace('"function"==typeof unlzma', '"function"==typeof noDecoderHere'));
  const server = await serveDist(dir);
  const { browser, page, errors } = await openBrowser();
  t.after(async () => {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await page.goto(server.url);
  await controlled(page);
  await page.evaluate(async () => {
    const cache = await caches.open((await caches.keys())[0]);
    for (const r of await cache.keys()) if (r.url.endsWith('.wasm')) await cache.delete(r);
  });
  // The worker answers the .wasm from the server, which has none (404); the page decodes.
  await page.reload();
  await page.locator('section.terminal li.server').first().waitFor();
  const load = await wasmLoad(page);
  assert.ok(load.decoded, 'the page decoded the .lzma');
  assert.deepEqual(load.fetched.map((n) => n.replace(/^.*\.wasm/, '.wasm')), ['.wasm', '.wasm.lzma']);
  assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
});
