// The wiretap labels a login as the world recorded it: APOP sends a digest
// ("a digest only"), USER/PASS the password itself ("password in the clear!").
// Lesson 7 once showed the APOP line in red as a password in the clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openLab, screenshot, typeLine } from './harness.mjs';

async function pop3(page) {
  await page.getByRole('combobox', { name: 'Port' }).selectOption('110');
  await page.getByRole('button', { name: 'Open terminal' }).click();
  const term = page.getByRole('region', { name: 'Terminal mail.a.example:110' }).last();
  await term.locator('[role=log] li.server').first().waitFor();
  return term;
}

test('the wiretap says digest for APOP and password for USER/PASS', async (t) => {
  const { page, errors } = await openLab(t);
  const apop = await pop3(page);
  const greeting = await apop.locator('[role=log] li.server').first().textContent();
  const stamp = greeting.slice(greeting.indexOf('<'), greeting.lastIndexOf('>') + 1);
  const digest = createHash('md5').update(stamp + 'bob-pw').digest('hex');
  const [ok] = await typeLine(apop, `APOP bob ${digest}`, 1);
  assert.match(ok, /^\+OK/);
  await typeLine(apop, 'QUIT', 1);

  const tap = page.getByRole('region', { name: 'Wiretap' });
  const apopLine = tap.locator('li', { hasText: `APOP bob ${digest}` });
  await apopLine.waitFor();
  assert.match(await apopLine.getAttribute('class'), /\bdigest\b/);
  assert.match(await apopLine.textContent(), /a digest only: the password itself did not cross/);
  assert.doesNotMatch(await apopLine.textContent(), /password in the clear/);

  const plain = await pop3(page);
  await typeLine(plain, 'USER bob', 1);
  await typeLine(plain, 'PASS bob-pw', 1);
  const passLine = tap.locator('li', { hasText: 'PASS bob-pw' });
  await passLine.waitFor();
  assert.match(await passLine.getAttribute('class'), /\bsecret\b/);
  assert.match(await passLine.textContent(), /password in the clear!/);
  const userLine = tap.locator('li', { hasText: 'USER bob' }).first();
  assert.doesNotMatch(await userLine.textContent(), /password in the clear/);
  // Above the log, where later lines cannot scroll it away: the password line and its link.
  assert.equal(await tap.locator('p.caught').textContent(),
    'Last password seen in the clear: PASS bob-pw — 192.0.2.10 → mail.a.example:110');

  await tap.scrollIntoViewIfNeeded();
  await screenshot(page, 'e2e-wiretap-labels');
  assert.deepEqual(errors, []);
});
