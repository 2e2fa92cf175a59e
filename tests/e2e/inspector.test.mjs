// The message inspector: a Japanese ISO-2022-JP message typed as its wire form
// shows its subject and body in Japanese; envelope and header stand side by
// side; an HTML mail with script payloads is shown without any script running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, smtpSend, typeLine } from './harness.mjs';

test('ISO-2022-JP subject and body show in Japanese; envelope beside header', async (t) => {
  const { page, errors } = await openLab(t);
  const smtp = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await smtp.locator('[role=log] li.server').first().waitFor();
  const reply = await smtpSend(smtp, {
    // Bob gets it as a Bcc: he is in the envelope, not in To:.
    from: 'alice@a.example',
    to: 'bob@a.example',
    lines: [
      'From: =?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@a.example>',
      'To: someone-else@b.example',
      'Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?=',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=ISO-2022-JP',
      'Content-Transfer-Encoding: base64',
      '',
      'GyRCJDMkcyRLJEEkTyEiQCQzJiEjGyhCDQo=',
    ],
  });
  assert.match(reply, /^250 2\.0\.0 OK: queued as/);
  const pane = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  const subject = pane.getByRole('button', { name: '日本語の件名' });
  await subject.waitFor();
  assert.match(await pane.locator('tr.message').first().textContent(), /山田太郎 <taro@a\.example>/);
  await subject.click();
  const inspector = page.getByRole('region', { name: /^Message bob@a\.example UID 1$/ });
  await inspector.waitFor();
  assert.equal(await inspector.locator('h2').textContent(), '日本語の件名');
  assert.equal((await inspector.locator('.body-text').textContent()).trim(), 'こんにちは、世界。');
  const envelope = await inspector.locator('table.envelope').textContent();
  assert.match(envelope, /MAIL FROM<alice@a\.example>/);
  assert.match(envelope, /RCPT TO<bob@a\.example>/);
  const header = await inspector.locator('table.header-fields').textContent();
  assert.match(header, /From山田太郎 <taro@a\.example>/);
  assert.match(header, /Tosomeone-else@b\.example/);
  assert.match(await inspector.locator('ol.route').textContent(), /pc\.a\.example → mail\.a\.example \(ESMTP, id C1-1\)/);
  assert.match(await inspector.locator('ul.mime-tree').textContent(), /1 text\/plain; charset=ISO-2022-JP · base64/);
  const shot = await screenshot(page, 'e2e-inspector-japanese');
  console.log(`screenshot: ${shot}`);
  // A message without a From: field is listed as having none: the envelope's
  // MAIL FROM is not its author, and stays in the inspector's envelope.
  assert.match(await smtpSend(smtp, { from: 'alice@a.example', to: 'bob@a.example', lines: ['Subject: no author', '', 'hi'] }), /^250 /);
  const anonymous = pane.locator('tr.message', { hasText: 'no author' });
  await anonymous.waitFor();
  assert.equal(await anonymous.locator('td.missing').textContent(), '(no From: field)');
  assert.doesNotMatch(await anonymous.textContent(), /alice@a\.example/);
  await pane.getByRole('button', { name: 'no author' }).click();
  const opened = page.getByRole('region', { name: /^Message bob@a\.example UID 2$/ });
  assert.match(await opened.locator('table.envelope').textContent(), /MAIL FROM<alice@a\.example>/);
  assert.match(await opened.textContent(), /No From: field; RFC 5322 §3\.6 requires one\./);
  // The field is named once, not again in brackets.
  assert.doesNotMatch(await opened.textContent(), /requires one\. \(From:\)/);
  // Where a problem is, the inspector says at which octet, in the page's language.
  assert.match(await smtpSend(smtp, { from: 'alice@a.example', to: 'bob@a.example', lines: ['From: alice@a.example', 'Subject: eight bit', '', 'caf\u00e9'] }), /^250 /);
  await pane.getByRole('button', { name: 'eight bit' }).click();
  const eight = page.getByRole('region', { name: /^Message bob@a\.example UID 3$/ });
  assert.match(await eight.textContent(), /8-bit bytes but no MIME charset: readers must guess the encoding\. \(at octet \d+\)/);
  await pane.getByRole('button', { name: 'no author' }).click();
  // An empty From: field is there, and is not called missing.
  assert.match(await smtpSend(smtp, { from: 'alice@a.example', to: 'bob@a.example', lines: ['From:', 'Subject: empty author', '', 'hi'] }), /^250 /);
  const empty = pane.locator('tr.message', { hasText: 'empty author' });
  await empty.waitFor();
  assert.equal(await empty.locator('td.missing').count(), 0);
  assert.deepEqual(errors, []);
});

test('an HTML mail with <script> and onerror= payloads runs no script', async (t) => {
  // Chromium reports what it blocked (the script, the remote image) as console
  // errors: those are expected; anything else fails the test.
  const { page, errors } = await openLab(t, {
    allowed: [/Blocked script execution in 'about:srcdoc'/, /Loading the image '[^']*\/x' violates the following Content Security Policy directive/],
  });
  // The mail is opened below, so every request it could cause comes after this.
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const smtp = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await smtp.locator('[role=log] li.server').first().waitFor();
  await smtpSend(smtp, {
    from: 'mallory@evil.example',
    to: 'bob@a.example',
    lines: [
      'From: Mallory <mallory@evil.example>',
      'Subject: Totally harmless',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p id="hello">Hello</p><script>parent.document.title="pwned-script";window.top.pwned=1</script>',
      '<img src="x" onerror="parent.document.title=\'pwned-onerror\';window.top.pwned=2">',
    ],
  });
  await page.getByRole('region', { name: 'Mailbox bob@a.example' }).getByRole('button', { name: 'Totally harmless' }).click();
  const frame = page.locator('iframe.html-body');
  await frame.waitFor();
  assert.equal(await frame.getAttribute('sandbox'), '', 'sandboxed with no permissions at all');
  assert.equal(await page.frameLocator('iframe.html-body').locator('#hello').textContent(), 'Hello');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.title(), 'Mail Lab');
  assert.ok(!requests.some((u) => u.endsWith('/x')), `no remote load from the mail: ${requests}`);
  const shot = await screenshot(page, 'e2e-html-sandbox');
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, []);
});

test('a charset picked in the inspector reads only that message: the next one opens as labelled', async (t) => {
  const { page, errors } = await openLab(t);
  const smtp = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await smtp.locator('[role=log] li.server').first().waitFor();
  for (const subject of ['first', 'second']) {
    const lines = [`Subject: ${subject}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=Shift_JIS', '', 'こんにちは'];
    assert.match(await smtpSend(smtp, { from: 'alice@a.example', to: 'bob@a.example', lines }), /^250 /);
  }
  const pane = page.getByRole('region', { name: 'Mailbox bob@a.example' });
  const inspector = page.locator('section.inspector');
  const body = inspector.locator('.body-text');
  const readAs = inspector.getByRole('combobox', { name: 'Read the text as' });
  await pane.getByRole('button', { name: 'first' }).click();
  assert.match(await body.textContent(), /^縺薙ｓ縺ｫ縺｡縺ｯ/);
  await readAs.selectOption('UTF-8');
  await page.waitForFunction((el) => el.textContent.startsWith('こんにちは'), await body.elementHandle());
  await pane.getByRole('button', { name: 'second' }).click();
  await page.getByRole('region', { name: 'Message bob@a.example UID 2' }).waitFor();
  assert.equal(await readAs.inputValue(), '', 'the choice shows "as labelled" again');
  assert.match(await body.textContent(), /^縺薙ｓ縺ｫ縺｡縺ｯ/, 'and the text is read as labelled');
  assert.deepEqual(errors, []);
});
