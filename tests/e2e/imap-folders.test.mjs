// IMAP in two terminals side by side: CREATE a folder, APPEND a MIME message
// typed as a literal, SEARCH, FETCH one part and a partial body, STORE a flag
// and MOVE the message, while the second terminal on the same folder hears
// every change (IDLE pushes the APPEND; NOOP brings the flag and the EXPUNGE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, typeLine } from './harness.mjs';

const MIME = [
  'From: bob@a.example',
  'Subject: plan with attachment',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  'Step one: read this.',
  '--b1',
  'Content-Type: application/octet-stream; name="notes.txt"',
  'Content-Transfer-Encoding: base64',
  '',
  'aGVsbG8gd29ybGQ=',
  '--b1--',
];

async function openImap(page, index) {
  await page.getByRole('combobox', { name: 'Port' }).selectOption('143');
  await page.getByRole('button', { name: 'Open terminal' }).click();
  const term = page.getByRole('region', { name: 'Terminal mail.a.example:143' }).nth(index);
  await term.locator('li.server').first().waitFor();
  await typeLine(term, `${index ? 'b' : 'a'}1 LOGIN bob bob-pw`, 1);
  return term;
}

test('CREATE, APPEND, SEARCH, partial FETCH, STORE and MOVE seen from a second terminal', async (t) => {
  const { page, errors } = await openLab(t);
  await page.getByRole('button', { name: 'Side by side' }).click();
  const a = await openImap(page, 0);
  const b = await openImap(page, 1);

  assert.deepEqual(await typeLine(a, 'a2 CREATE Projects', 1), ['a2 OK CREATE completed']);
  await typeLine(b, 'b2 SELECT Projects', 7);
  assert.deepEqual(await typeLine(b, 'b3 IDLE', 1), ['+ idling']);

  // The literal: its size counts every CRLF between the lines; the Enter after
  // the last line ends the command.
  const literal = MIME.join('\r\n');
  assert.deepEqual(await typeLine(a, `a3 APPEND Projects (\\Seen) {${Buffer.byteLength(literal)}}`, 1), ['+ Ready for literal data']);
  for (const line of MIME.slice(0, -1)) await typeLine(a, line);
  const appended = await typeLine(a, MIME.at(-1), 1);
  assert.match(appended[0], /^a3 OK \[APPENDUID \d+ 1\] APPEND completed$/);
  // b was idling: the server pushed the new message without a command.
  await b.locator('li.server', { hasText: '* 1 EXISTS' }).waitFor();
  // bob's pane showed INBOX, which did not change: it shows where the mail went.
  const bob = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  await bob.locator('h2', { hasText: '— Projects (1 message)' }).waitFor();

  await typeLine(a, 'a4 SELECT Projects', 7);
  assert.deepEqual(await typeLine(a, 'a5 SEARCH SUBJECT attachment', 2), ['* SEARCH 1', 'a5 OK SEARCH completed']);
  // Part 2 (the base64 attachment as sent) and the first 9 octets of part 1.
  const part = (await typeLine(a, 'a6 FETCH 1 (BODY.PEEK[2] BODY.PEEK[1]<0.9>)', 4)).join('\n');
  assert.equal(part, '* 1 FETCH (BODY[2] {16}\naGVsbG8gd29ybGQ= BODY[1]<0> {9}\nStep one:)\na6 OK FETCH completed');
  const structure = await typeLine(a, 'a7 FETCH 1 BODYSTRUCTURE', 2);
  assert.match(structure[0], /\("text" "plain" \("charset" "UTF-8"\) NIL NIL "7bit" 20 0 .*\("application" "octet-stream" \("name" "notes\.txt"\) NIL NIL "base64" 16 .*\) "mixed" \("boundary" "b1"\)/);

  assert.deepEqual(await typeLine(a, 'a8 STORE 1 +FLAGS (\\Flagged)', 2), ['* 1 FETCH (FLAGS (\\Seen \\Flagged))', 'a8 OK STORE completed']);
  // b hears it by UID; the message is \Recent there, b having been told of it first.
  await b.locator('li.server', { hasText: '* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged \\Recent))' }).waitFor();
  const moved = await typeLine(a, 'a9 MOVE 1 INBOX', 3);
  assert.match(moved[0], /^\* OK \[COPYUID \d+ 1 1\] Moved$/);
  assert.deepEqual(moved.slice(1), ['* 1 EXPUNGE', 'a9 OK MOVE completed']);
  // The pane stays on the folder it shows, which changed: the message left it.
  await bob.locator('p.expunged', { hasText: 'UID 1' }).waitFor();
  await b.locator('li.server', { hasText: '* 1 EXPUNGE' }).waitFor();
  assert.deepEqual(await typeLine(b, 'DONE', 1), ['b3 OK IDLE terminated']);

  // In INBOX the message is there, flagged.
  await bob.getByRole('button', { name: /^INBOX 1/ }).click();
  const row = bob.locator('tr.message', { hasText: 'plan with attachment' });
  await row.waitFor();
  assert.match(await row.getAttribute('data-flags'), /\\Flagged/);
  const shot = await screenshot(page, 'e2e-imap-folders');
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, []);
});
