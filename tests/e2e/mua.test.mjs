// The mail client: compose in Japanese with a Bcc, send through submission
// (STARTTLS + AUTH), watch it relayed and delivered, then fetch it with POP3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, smtpSend } from './harness.mjs';

test('compose, send through 587, and read with POP3', async (t) => {
  const { page, errors } = await openLab(t);
  const mua = page.getByRole('region', { name: 'Mail client (MUA)' });
  await mua.getByRole('combobox', { name: 'Account' }).selectOption('alice@a.example');
  await mua.getByRole('textbox', { name: 'To' }).fill('carol@b.example');
  await mua.getByRole('textbox', { name: 'Bcc' }).fill('bob@a.example');
  await mua.getByRole('textbox', { name: 'Subject' }).fill('会議の件');
  await mua.getByRole('textbox', { name: 'Body' }).fill('明日の会議は10時からです。');
  await mua.getByRole('button', { name: 'Send' }).click();
  await mua.getByRole('status').getByText('carol@b.example: accepted; bob@a.example: accepted').waitFor();
  const log = await mua.getByRole('log').textContent();
  assert.match(log, /EHLO pc\.a\.example.*STARTTLS.*220 2\.0\.0 Ready to start TLS/s);
  assert.match(log, /235 2\.7\.0 Authentication successful/);
  assert.match(log, /RCPT TO:<bob@a\.example>/, 'Bcc is an envelope recipient');

  const carol = page.getByRole('region', { name: 'Mailbox carol@b.example' });
  await carol.getByRole('button', { name: '会議の件' }).waitFor();
  const bob = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  await bob.getByRole('button', { name: '会議の件' }).click();
  const inspector = page.getByRole('region', { name: /^Message bob@a\.example UID 1$/ });
  assert.equal((await inspector.locator('.body-text').textContent()).trim(), '明日の会議は10時からです。');
  const header = await inspector.locator('table.header-fields').textContent();
  assert.match(header, /Tocarol@b\.example/);
  assert.doesNotMatch(await inspector.locator('pre.raw').textContent(), /Bcc/i, 'Bcc is never written into the header');

  await mua.getByRole('combobox', { name: 'Account' }).selectOption('carol@b.example');
  await mua.getByRole('button', { name: 'Check mail (POP3)' }).click();
  await mua.getByRole('status').getByText('1 new message for carol@b.example').waitFor();
  assert.match(await mua.locator('.mua-inbox').textContent(), /carol@b\.example: alice@a\.example — 会議の件/);
  assert.match(await mua.getByRole('log').textContent(), /STLS.*APOP carol@b\.example [0-9a-f]{32}/s, 'the greeting had a timestamp, so APOP');
  await screenshot(page, 'e2e-mua');
  assert.deepEqual(errors, []);
});

test('the mail client over IMAP: a copy in Sent, IDLE hears a delivery, list and move to Trash', async (t) => {
  const { page, errors } = await openLab(t);
  const mua = page.getByRole('region', { name: 'Mail client (MUA)' });
  await mua.getByRole('combobox', { name: 'Account' }).selectOption('alice@a.example');
  await mua.getByRole('textbox', { name: 'To' }).fill('bob@a.example');
  await mua.getByRole('textbox', { name: 'Subject' }).fill('via IMAP');
  await mua.getByRole('button', { name: 'Send' }).click();
  await mua.getByRole('status').getByText('bob@a.example: accepted').waitFor();
  assert.match(await mua.locator('ol.mua-log').textContent(), /APPEND "Sent" \(\\Seen\) \{\d+\+?\}.*OK \[APPENDUID \d+ 1\]/s);
  const alice = page.getByRole('region', { name: 'Mailbox alice@a.example' });
  await alice.getByRole('button', { name: /^Sent 1/ }).click();
  await alice.getByRole('button', { name: 'via IMAP' }).waitFor();

  // bob's client idles on INBOX; a message typed into the terminal is pushed to it.
  await mua.getByRole('combobox', { name: 'Account' }).selectOption('bob@a.example');
  await mua.getByRole('button', { name: 'Watch INBOX (IMAP IDLE)' }).click();
  await mua.getByRole('button', { name: 'Stop watching' }).waitFor();
  const smtp = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await smtp.locator('[role=log] li.server').first().waitFor();
  const reply = await smtpSend(smtp, { from: 'carol@b.example', to: 'bob@a.example', lines: ['From: carol@b.example', 'Subject: pushed', '', 'x'] });
  assert.match(reply, /^250 /);
  await mua.locator('ol.mua-pushed').getByText('* 2 EXISTS').waitFor();
  await mua.getByRole('button', { name: 'Stop watching' }).click();

  await mua.getByRole('button', { name: 'Check mail (IMAP)' }).click();
  await mua.getByRole('status').getByText('bob@a.example INBOX over IMAP: 2 messages').waitFor();
  assert.match(await mua.locator('ul.mua-imap').textContent(), /UID 1 alice@a\.example — via IMAP.*UID 2 carol@b\.example — pushed/s);
  await mua.getByRole('button', { name: 'Move to Trash UID 1' }).click();
  await mua.getByRole('status').getByText('bob@a.example INBOX over IMAP: 1 message').waitFor();
  const bob = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  await bob.getByRole('button', { name: /^Trash 1/ }).waitFor();
  await screenshot(page, 'e2e-mua-imap');
  assert.deepEqual(errors, []);
});
