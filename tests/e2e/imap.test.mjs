// IMAP in the page: two terminals on the same INBOX; a message delivered by
// SMTP and a flag set in one terminal show up in the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, smtpSend, typeLine } from './harness.mjs';

async function openTerminal(page, port, index) {
  await page.getByRole('combobox', { name: 'Host' }).selectOption('mail.a.example');
  await page.getByRole('combobox', { name: 'Port' }).selectOption(String(port));
  await page.getByRole('button', { name: 'Open terminal' }).click();
  // Locators are lazy: pin each terminal by its position, not by "last".
  const terminal = page.getByRole('region', { name: `Terminal mail.a.example:${port}` }).nth(index);
  await terminal.locator('[role=log] li.server').first().waitFor();
  return terminal;
}

test('two IMAP terminals on one folder see each other', async (t) => {
  const { page, errors } = await openLab(t);
  const smtp = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await smtp.locator('[role=log] li.server').first().waitFor();
  await smtpSend(smtp, { from: 'alice@a.example', to: 'bob@a.example', lines: ['Subject: for IMAP', '', 'hello'] });

  // Two sessions at once: show the terminals side by side instead of in tabs.
  await page.getByRole('button', { name: 'Side by side' }).click();
  const a = await openTerminal(page, 143, 0);
  const b = await openTerminal(page, 143, 1);
  assert.match(await a.locator('[role=log] li.server').first().textContent(), /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 /);
  assert.match(await a.locator('.hint').textContent(), /Not authenticated/);
  assert.deepEqual(await typeLine(a, 'a1 SELECT INBOX', 1), [
    'a1 BAD SELECT is not valid in the not authenticated state: log in first (LOGIN or AUTHENTICATE). Valid now: LOGIN AUTHENTICATE STARTTLS CAPABILITY NOOP LOGOUT ID',
  ]);
  for (const term of [a, b]) {
    const ok = await typeLine(term, 'a2 LOGIN bob bob-pw', 1);
    assert.match(ok[0], /^a2 OK \[CAPABILITY /);
    const select = await typeLine(term, 'a3 SELECT INBOX', 8);
    assert.ok(select.includes('* 1 EXISTS'), select.join('\n'));
  }
  assert.match(await a.locator('.hint').textContent(), /Selected/);
  assert.equal(await a.locator('li.client', { hasText: 'a3 SELECT INBOX' }).getAttribute('title'), 'SELECT: open a folder to read and change it.');
  const fetch = await typeLine(a, 'a4 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])', 4);
  assert.ok(fetch.includes('Subject: for IMAP'), fetch.join('\n'));
  assert.deepEqual(await typeLine(b, 'b5 STORE 1 +FLAGS (\\Flagged)', 2), ['* 1 FETCH (FLAGS (\\Flagged))', 'b5 OK STORE completed']);
  // a selected INBOX first, so the message is \Recent in a's session (RFC 3501 §2.3.2), not in b's.
  assert.deepEqual(await typeLine(a, 'a6 NOOP', 2), ['* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))', 'a6 OK NOOP completed']);
  const moved = await typeLine(b, 'b7 MOVE 1 Trash', 3);
  assert.match(moved[0], /^\* OK \[COPYUID \d+ 1 1\] Moved$/);
  assert.deepEqual(moved.slice(1), ['* 1 EXPUNGE', 'b7 OK MOVE completed']);
  assert.deepEqual(await typeLine(a, 'a8 NOOP', 2), ['* 1 EXPUNGE', 'a8 OK NOOP completed']);
  assert.equal(await a.locator('li.r2xx').last().getAttribute('title'), 'tag OK: the command with this tag completed.');
  await page.getByRole('region', { name: 'Mailbox bob@a.example' }).getByText('No messages yet.').waitFor();
  const shot = await screenshot(page, 'e2e-imap-two-terminals');
  // Back to tabs: one terminal in front; a tab brings another forward.
  await page.getByRole('button', { name: 'Side by side' }).click();
  const tabs = page.getByRole('tablist', { name: 'Terminals' }).getByRole('tab');
  assert.deepEqual(await tabs.allTextContents(), ['telnet mail.a.example 25', 'telnet mail.a.example 143 #2', 'telnet mail.a.example 143 #3']);
  assert.equal(await tabs.nth(2).getAttribute('aria-selected'), 'true');
  // Roles skip hidden elements: pin the panels by the ids the tabs control.
  const [panelA, panelB] = [page.locator('#terminal-1'), page.locator('#terminal-2')];
  assert.equal(await tabs.nth(1).getAttribute('aria-controls'), 'terminal-1');
  assert.ok(await panelB.isVisible());
  assert.ok(!(await panelA.isVisible()));
  await tabs.nth(1).click();
  await panelA.waitFor({ state: 'visible' });
  assert.ok(!(await panelB.isVisible()));
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, []);
});

test('a Japanese folder name: modified UTF-7 until ENABLE IMAP4rev2', async (t) => {
  const { page, errors } = await openLab(t);
  const term = await openTerminal(page, 143, 0);
  await typeLine(term, 'a1 LOGIN bob bob-pw', 1);
  // An IMAP4rev1 session (RFC 3501 §5.1.3): UTF-8 is refused, with the spelling to use.
  assert.deepEqual(await typeLine(term, 'a2 CREATE "仕事"', 1), [
    'a2 NO Mailbox name is not valid mUTF-7: IMAP4rev1 writes it &TtVOiw-; after ENABLE IMAP4rev2 names are UTF-8',
  ]);
  assert.deepEqual(await typeLine(term, 'a3 CREATE &TtVOiw-', 1), ['a3 OK CREATE completed']);
  const listed = await typeLine(term, 'a4 LIST "" &TtVOiw-', 2);
  assert.deepEqual(listed, ['* LIST (\\HasNoChildren) "/" &TtVOiw-', 'a4 OK LIST completed']);
  const title = await term.locator('li.server', { hasText: '&TtVOiw-' }).last().getAttribute('title');
  assert.match(title, /modified UTF-7.*&TtVOiw- is 仕事/);
  // The same folder in UTF-8 once the session speaks IMAP4rev2.
  await typeLine(term, 'a5 ENABLE IMAP4rev2', 2);
  const utf8 = await typeLine(term, 'a6 LIST "" "仕*"', 2);
  assert.ok(utf8.some((l) => l.includes('仕事')) && utf8.at(-1) === 'a6 OK LIST completed', utf8.join('\n'));
  console.log(`screenshot: ${await screenshot(page, 'e2e-imap-japanese-folder')}`);
  assert.deepEqual(errors, []);
});
