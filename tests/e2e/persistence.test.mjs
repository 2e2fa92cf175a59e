// The lab survives a reload; a saved lab that cannot be read is explained and
// left alone until the learner chooses; reset asks first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openLab, screenshot, smtpSend, typeLine } from './harness.mjs';

const smtpTerminal = (page) => page.getByRole('region', { name: 'Terminal mail.a.example:25' });
const bobPane = (page) => page.getByRole('region', { name: 'Mailbox bob@a.example' });

test('mail delivered before a reload is still there after it', async (t) => {
  const { page, errors } = await openLab(t);
  await smtpTerminal(page).locator('[role=log] li.server').first().waitFor();
  await smtpSend(smtpTerminal(page), { from: 'alice@a.example', to: 'bob@a.example', lines: ['Subject: keep me', '', 'x'] });
  await bobPane(page).getByText('keep me').waitFor();
  await page.reload();
  await bobPane(page).getByText('keep me').waitFor();
  // Connections do not survive a reload; the terminal starts a new session.
  assert.deepEqual(await smtpTerminal(page).locator('[role=log] li.server').allTextContents(), ['220 mail.a.example ESMTP Mail Lab ready']);
  assert.deepEqual(errors, []);
});

test('an unreadable saved lab is explained, kept, and replaced only by choice', async (t) => {
  const { page, errors } = await openLab(t);
  // A reload while the page still loads aborts its WebAssembly: wait for it first.
  await smtpTerminal(page).locator('[role=log] li.server').first().waitFor();
  const future = 'mail-lab-world 99 AAAA';
  await page.evaluate((v) => localStorage.setItem('mail-lab.world', v), future);
  await page.reload();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /format version 99, and this Mail Lab reads versions 1 to 5; it was left untouched/);
  // Using the page does not overwrite it.
  await typeLine(smtpTerminal(page), 'NOOP', 1);
  assert.equal(await page.evaluate(() => localStorage.getItem('mail-lab.world')), future);
  await screenshot(page, 'e2e-storage-problem');
  await page.getByRole('button', { name: 'Discard it and start fresh' }).click();
  await alert.waitFor({ state: 'detached' });
  // The lab is saved after a pause in the learner's work (not on every action).
  await page.waitForFunction((old) => localStorage.getItem('mail-lab.world') !== old, future);
  const saved = await page.evaluate(() => localStorage.getItem('mail-lab.world'));
  assert.match(saved, /^mail-lab-world 5 [A-Za-z0-9+/]+=*$/);
  assert.deepEqual(errors, []);
});

test('a lab saved by the previous version opens with the scenario\'s mailboxes and mail client', async (t) => {
  const { page, errors } = await openLab(t);
  await smtpTerminal(page).locator('[role=log] li.server').first().waitFor();
  // Version 3 did not name the learner's accounts: the page takes them from the scenario.
  const v3 = readFileSync(new URL('../../crates/world/tests/fixtures/two-domains-v3.txt', import.meta.url), 'utf8');
  await page.evaluate((v) => localStorage.setItem('mail-lab.world', v), v3.trim());
  await page.reload();
  await smtpTerminal(page).locator('[role=log] li.server').first().waitFor();
  const panes = await page.locator('section.mailbox').evaluateAll((s) => s.map((e) => e.getAttribute('aria-label')));
  assert.deepEqual(panes, ['Mailbox bob@a.example', 'Mailbox alice@a.example', 'Mailbox carol@b.example']);
  const client = page.getByRole('region', { name: 'Mail client' });
  assert.equal(await client.getByRole('combobox', { name: 'Account' }).inputValue(), 'bob@a.example');
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(errors, []);
});

test('reset asks before it deletes anything', async (t) => {
  const { page, errors } = await openLab(t);
  await smtpTerminal(page).locator('[role=log] li.server').first().waitFor();
  await smtpSend(smtpTerminal(page), { from: 'alice@a.example', to: 'bob@a.example', lines: ['Subject: doomed', '', 'x'] });
  await bobPane(page).getByText('doomed').waitFor();
  page.once('dialog', (d) => d.dismiss());
  await page.getByRole('button', { name: 'Reset the lab' }).click();
  assert.equal(await bobPane(page).locator('tr.message').count(), 1, 'cancelled: nothing deleted');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Reset the lab' }).click();
  await bobPane(page).getByText('No messages yet.').waitFor();
  assert.deepEqual(errors, []);
});
