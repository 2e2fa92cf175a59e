// Mailbox panes with folders, flags and live highlights; a 10,000-message mbox
// imported and scrolled with only the rows in view in the DOM; .eml and mbox
// downloads; the dot-stuffed wire form; the whole lab saved to a file and
// opened again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLab, screenshot, typeLine } from './harness.mjs';

const bobPane = (page) => page.getByRole('region', { name: 'Mailbox bob@a.example' });

function bigMbox(n) {
  const parts = [];
  for (let i = 1; i <= n; i += 1) {
    parts.push(`From alice@a.example Wed Apr  1 09:00:00 2026\nFrom: alice@a.example\nSubject: bulk ${i}\n\nmessage ${i}\n\n`);
  }
  return Buffer.from(parts.join(''));
}

test('10,000 imported messages render only the rows in view; folders, flags, expunge and files', async (t) => {
  const { page, errors } = await openLab(t);
  const bob = bobPane(page);
  await bob.waitFor();
  // Any account of the world can get a pane.
  await page.getByRole('combobox', { name: 'Show the mailbox of' }).selectOption('postmaster@b.example');
  await page.getByRole('region', { name: 'Mailbox postmaster@b.example' }).getByText('No messages yet.').waitFor();

  await bob.locator('input[type=file]').setInputFiles({ name: 'bulk.mbox', mimeType: 'application/mbox', buffer: bigMbox(10000) });
  await page.getByRole('status').filter({ hasText: 'Imported 10000 messages into bob@a.example INBOX.' }).waitFor();
  assert.match(await bob.locator('h2').textContent(), /INBOX \(10000 messages\)/);
  // The folder button's two numbers, and the UID column, say what they count.
  assert.equal(await bob.getByRole('button', { name: /^INBOX 10000/ }).getAttribute('title'), '10000 messages, 10000 unseen (no \\Seen flag)');
  assert.match(await bob.locator('th', { hasText: 'UID' }).getAttribute('title'), /POP3 numbers the messages 1, 2, … afresh in each session/);
  const rows = bob.locator('tr.message');
  // What arrived is in view: the folder shows its end, the new rows highlighted.
  await bob.locator('tr.message.new', { hasText: 'bulk 10000' }).waitFor();
  assert.ok(await bob.locator('tr.message', { hasText: 'bulk 10000' }).isVisible());
  assert.ok((await rows.count()) <= 30, `${await rows.count()} rows in the DOM`);
  // Scroll to the top: the first message is rendered, the DOM stays small.
  await bob.locator('.rows').evaluate((el) => { el.scrollTop = 0; });
  await page.waitForFunction((el) => el.querySelector('tr.message td')?.textContent === '1', await bob.locator('.rows').elementHandle());
  assert.ok((await rows.count()) <= 30, `${await rows.count()} rows after scrolling`);
  await bob.locator('.rows').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await bob.locator('tr.message', { hasText: 'bulk 10000' }).waitFor();

  // A message with a dot line, into Drafts: the wire form shows it stuffed.
  await bob.getByRole('button', { name: /^Drafts 0/ }).click();
  assert.match(await bob.locator('h2').textContent(), /Drafts \(0 messages\)/);
  // Its last line is 日本語 in Shift_JIS: 8-bit bytes that must come back out unchanged.
  const eml = Buffer.concat([
    Buffer.from('From: bob@a.example\r\nSubject: dotted\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n.hidden file\r\nplain\r\n'),
    Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x0d, 0x0a]),
  ]);
  await bob.locator('input[type=file]').setInputFiles({ name: 'dotted.eml', mimeType: 'message/rfc822', buffer: eml });
  await bob.getByRole('button', { name: 'dotted' }).click();
  const inspector = page.getByRole('region', { name: 'Message bob@a.example UID 1' });
  await inspector.getByText('On the wire after DATA (dot-stuffed)').click();
  assert.deepEqual(await inspector.locator('pre.wire-form .stuffed').allTextContents(), ['..hidden file\n']);
  assert.equal(await inspector.locator('pre.body-text').textContent(), '.hidden file\r\nplain\r\n日本語\r\n');
  const [eDownload] = await Promise.all([page.waitForEvent('download'), inspector.getByRole('button', { name: 'Download as .eml' }).click()]);
  assert.equal(eDownload.suggestedFilename(), 'bob_at_a.example-Drafts-1.eml');
  assert.ok(fs.readFileSync(await eDownload.path()).equals(eml), 'the .eml holds the stored bytes');

  // IMAP flags and EXPUNGE show in the pane as they happen.
  await page.getByRole('combobox', { name: 'Port' }).selectOption('143');
  await page.getByRole('button', { name: 'Open terminal' }).click();
  const imap = page.getByRole('region', { name: 'Terminal mail.a.example:143' });
  await imap.locator('li.server').first().waitFor();
  await typeLine(imap, 'a1 LOGIN bob bob-pw', 1);
  await typeLine(imap, 'a2 SELECT Drafts', 1);
  await typeLine(imap, 'a3 STORE 1 +FLAGS (\\Deleted \\Flagged)', 2);
  const row = bob.locator('tr.message', { hasText: 'dotted' });
  await bob.locator('tr.message.flags.deleted').waitFor();
  assert.match(await row.locator('td.flags').textContent(), /\\Flagged.*\\Deleted|\\Deleted.*\\Flagged/);
  await typeLine(imap, 'a4 EXPUNGE', 2);
  await bob.getByRole('status').filter({ hasText: 'Just removed: UID 1' }).waitFor();
  assert.equal(await bob.locator('tr.message').count(), 0);

  // The folder as mbox: 10,000 messages with mboxrd From_ lines.
  await bob.getByRole('button', { name: /^INBOX 10000/ }).click();
  const [mDownload] = await Promise.all([page.waitForEvent('download'), bob.getByRole('button', { name: 'Download folder (mbox)' }).click()]);
  assert.equal(mDownload.suggestedFilename(), 'bob_at_a.example-INBOX.mbox');
  const mbox = fs.readFileSync(await mDownload.path(), 'utf8');
  assert.equal(mbox.match(/^From /gm).length, 10000);

  // Save the lab, reset it, and open the saved file: the mail is back.
  await page.getByRole('combobox', { name: 'Port' }).selectOption('25');
  const [lDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save the lab to a file' }).click()]);
  const saved = fs.readFileSync(await lDownload.path());
  assert.match(saved.toString('utf8', 0, 20), /^mail-lab-world 5 /);
  page.on('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Reset the lab' }).click();
  await bob.getByText('No messages yet.').waitFor();
  await page.locator('header input[type=file]').setInputFiles({ name: 'mail-lab.world.txt', mimeType: 'text/plain', buffer: saved });
  await page.getByRole('status').filter({ hasText: 'The saved lab is open.' }).waitFor();
  assert.match(await bob.locator('h2').textContent(), /INBOX \(10000 messages\)/);
  // A file that is not a saved lab is refused by name, and the lab stays.
  await page.locator('header input[type=file]').setInputFiles({ name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.getByRole('status').filter({ hasText: /Could not import: this is not a saved Mail Lab world/ }).waitFor();
  assert.match(await bob.locator('h2').textContent(), /INBOX \(10000 messages\)/);
  const shot = await screenshot(page, 'e2e-mailbox');
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, []);
});

test('a file of gigabytes is refused past the quota, without being read whole', async (t) => {
  const { page, errors } = await openLab(t);
  await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; }));
  // A reload while the page still loads aborts its WebAssembly: wait for it first.
  await bobPane(page).waitFor();
  await page.reload();
  const bob = bobPane(page);
  await bob.waitFor();
  // A sparse 4 GiB file: no disk used, but reading it whole would not fit in the
  // page (wasm32 memory ends at 4 GiB). The page reads one byte past the quota.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-huge-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'huge.mbox');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'From alice@a.example Wed Apr  1 09:00:00 2026\nSubject: huge\n\n');
  fs.ftruncateSync(fd, 4 * 2 ** 30);
  fs.closeSync(fd);
  const started = Date.now();
  await bob.locator('input[type=file]').setInputFiles(file);
  await page.getByRole('status').filter({ hasText: "Could not import: the file is larger than a mailbox's quota (64 MiB)." }).waitFor();
  const seconds = (Date.now() - started) / 1000;
  const wasmMemory = await page.evaluate(() => window.__wasm.memory.buffer.byteLength);
  console.log(`a 4 GiB file refused in ${seconds.toFixed(1)} s; wasm memory ${(wasmMemory / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(seconds < 10, `${seconds} s`);
  assert.ok(wasmMemory < 256 * 2 ** 20, `${wasmMemory} bytes of wasm memory`);
  // Nothing of it is stored, not even a message cut short; the lab goes on.
  await bob.getByText('No messages yet.').waitFor();
  assert.deepEqual(errors, []);
});
