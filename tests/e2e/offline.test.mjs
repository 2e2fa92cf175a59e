// After the first visit the page works with the network off (service worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, typeLine } from './harness.mjs';

test('the page reloads and works offline after the first visit', async (t) => {
  const { page, errors } = await openLab(t);
  await page.getByRole('textbox', { name: 'Command' }).waitFor();
  // Wait until the service worker has cached the page and controls it.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
  await page.context().setOffline(true);
  await page.reload();
  const terminal = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await terminal.locator('[role=log] li.server').first().waitFor();
  const reply = await typeLine(terminal, 'EHLO offline.example', 1);
  assert.equal(reply[0], '250-mail.a.example Hello offline.example [192.0.2.10]');
  await screenshot(page, 'e2e-offline');
  assert.deepEqual(errors, []);
});
