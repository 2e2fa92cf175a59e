// The walking skeleton, typed into the real page: an SMTP session to
// mail.a.example:25 gets 220/250/354/250/221 and the message shows in bob's pane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, typeLine } from './harness.mjs';

test('an SMTP session typed into the terminal delivers to bob@a.example', async (t) => {
  const { page, errors } = await openLab(t);
  const terminal = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await terminal.locator('[role=log] li.server').first().waitFor();
  assert.equal(await terminal.locator('.endpoint').textContent(), 'telnet mail.a.example 25');
  assert.deepEqual(await terminal.locator('[role=log] li.server').allTextContents(), [
    '220 mail.a.example ESMTP Mail Lab ready',
  ]);
  const pane = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  assert.equal(await pane.locator('tr.message').count(), 0);

  const ehlo = await typeLine(terminal, 'EHLO pc.a.example', 1);
  assert.match(ehlo.at(-1), /^250 /);
  assert.deepEqual(await typeLine(terminal, 'MAIL FROM:<alice@a.example>', 1), ['250 2.1.0 Sender <alice@a.example> OK']);
  assert.deepEqual(await typeLine(terminal, 'RCPT TO:<bob@a.example>', 1), ['250 2.1.5 Recipient <bob@a.example> OK']);
  assert.deepEqual(await typeLine(terminal, 'DATA', 1), ['354 End data with <CR><LF>.<CR><LF>']);
  for (const line of ['From: Alice <alice@a.example>', 'To: Bob <bob@a.example>', 'Subject: Lunch at noon?', '', 'See you there.']) {
    assert.deepEqual(await typeLine(terminal, line), []);
  }
  const accepted = await typeLine(terminal, '.', 1);
  assert.match(accepted[0], /^250 2\.0\.0 OK: queued as /);
  assert.deepEqual(await typeLine(terminal, 'QUIT', 1), ['221 2.0.0 mail.a.example closing connection']);
  // Its tab says, on hover, why it is struck through.
  const tab = page.getByRole('tab', { name: 'telnet mail.a.example 25' });
  await page.waitForFunction((el) => el.getAttribute('title') === 'connection closed', await tab.elementHandle());

  const row = pane.locator('tr.message');
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  const text = await row.first().textContent();
  assert.match(text, /Lunch at noon\?/);
  assert.match(text, /Alice <alice@a\.example>/);
  // Reply classes colour the transcript; hovering explains a code.
  assert.equal(await terminal.locator('li.r3xx').first().getAttribute('title'),
    'Start the mail input; end it with a line holding only a period (<CRLF>.<CRLF>).');

  const shot = await screenshot(page, 'e2e-smtp-skeleton');
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, [], 'no console or page errors');
});
