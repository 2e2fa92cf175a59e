// Send with SMTP, then read and delete with POP3 in a second terminal: the
// mailbox pane keeps the message through DELE and loses it at QUIT (UPDATE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, typeLine } from './harness.mjs';

test('SMTP then POP3: RETR shows the message, DELE commits only at QUIT', async (t) => {
  const { page, errors } = await openLab(t);

  const smtp = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await smtp.locator('[role=log] li.server').first().waitFor();
  await typeLine(smtp, 'EHLO pc.a.example', 1);
  await typeLine(smtp, 'MAIL FROM:<alice@a.example>', 1);
  await typeLine(smtp, 'RCPT TO:<bob@a.example>', 1);
  await typeLine(smtp, 'DATA', 1);
  // A learner types the wire form: "..x" stores ".x"; a lone leading dot is removed.
  for (const line of ['Subject: Read me with POP3', '', '..starts with a dot', '.unstuffed', 'bye']) await typeLine(smtp, line);
  // The terminal says what each dotted line will store.
  assert.deepEqual(await smtp.locator('[role=log] li.lab').allTextContents().then((l) => l.slice(-2)), [
    'Dot-stuffed line: the server removes the first dot and stores “.starts with a dot” (RFC 5321 §4.5.2).',
    'This line starts with one dot: the server removes it and stores “unstuffed”. To keep a leading dot, type two (dot-stuffing).',
  ]);
  assert.match((await typeLine(smtp, '.', 1))[0], /^250 2\.0\.0 OK: queued as/);
  await typeLine(smtp, 'QUIT', 1);

  const pane = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  await pane.locator('tr.message').first().waitFor();

  await page.getByRole('combobox', { name: 'Host' }).selectOption('mail.a.example');
  await page.getByRole('combobox', { name: 'Port' }).selectOption('110');
  await page.getByRole('button', { name: 'Open terminal' }).click();
  const pop = page.getByRole('region', { name: 'Terminal mail.a.example:110' });
  await pop.locator('[role=log] li.server').first().waitFor();
  assert.match(await pop.locator('[role=log] li.server').first().textContent(), /^\+OK POP3 server ready <C\d+\.\d+@mail\.a\.example>$/);
  assert.match(await pop.locator('.hint').textContent(), /AUTHORIZATION/);

  assert.deepEqual(await typeLine(pop, 'STAT', 1), [
    '-ERR STAT is not valid in the AUTHORIZATION state; valid now: USER PASS APOP AUTH STLS CAPA QUIT',
  ]);
  assert.deepEqual(await typeLine(pop, 'USER bob', 1), ['+OK bob selected; send PASS']);
  const pass = await typeLine(pop, 'PASS bob-pw', 1);
  assert.match(pass[0], /^\+OK bob's maildrop has 1 message \(\d+ octets\)$/);
  assert.match(await pop.locator('.hint').textContent(), /TRANSACTION/);
  const retr = await typeLine(pop, 'RETR 1', 1);
  await pop.page().waitForFunction((el) => el.querySelector('[role=log]').lastElementChild.textContent === '.', await pop.elementHandle());
  const all = await pop.locator('[role=log] li.server').allTextContents();
  assert.match(retr[0], /^\+OK \d+ octets$/);
  assert.ok(all.includes('Subject: Read me with POP3'), all.join('\n'));
  assert.ok(all.includes('..starts with a dot'), 'RETR stuffs the stored ".starts with a dot" again, as on the wire');
  const stuffed = pop.locator('[role=log] li.stuffed');
  assert.deepEqual(await stuffed.allTextContents(), ['..starts with a dot']);
  assert.match(await stuffed.getAttribute('title'), /^Dot-stuffed by the server/);
  assert.ok(all.includes('unstuffed'), 'the SMTP server removed the lone leading dot');
  assert.deepEqual(await typeLine(pop, 'DELE 1', 1), ['+OK message 1 deleted']);
  // A typed command explains itself too.
  assert.equal(await pop.locator('li.client', { hasText: 'DELE 1' }).getAttribute('title'), 'DELE: mark a message for deletion at QUIT.');
  assert.equal(await pane.locator('tr.message').count(), 1, 'DELE only marks the message');
  assert.deepEqual(await typeLine(pop, 'QUIT', 1), ['+OK mail.a.example POP3 server signing off (maildrop empty)']);
  await pane.getByText('No messages yet.').waitFor();
  assert.equal(await pop.locator('li.r2xx').first().getAttribute('title'), '+OK: the command succeeded.');

  const shot = await screenshot(page, 'e2e-smtp-then-pop3');
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, [], 'no console or page errors');
});
