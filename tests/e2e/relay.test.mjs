// The MTA in the page: with mail.b.example down, mail for carol waits in the
// queue, is retried on the clock and bounces to alice; the wiretap shows the
// AUTH PLAIN password crossing in the clear; once b is back, mail flows and
// the MTA-to-MTA link is encrypted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, typeLine } from './harness.mjs';

async function submit(page, subject) {
  await page.getByRole('combobox', { name: 'Port' }).selectOption('587');
  await page.getByRole('button', { name: 'Open terminal' }).click();
  const term = page.getByRole('region', { name: 'Terminal mail.a.example:587' }).last();
  await term.locator('[role=log] li.server').first().waitFor();
  await typeLine(term, 'EHLO pc.a.example', 1);
  assert.deepEqual(await typeLine(term, 'AUTH PLAIN AGFsaWNlAGFsaWNlLXB3', 1), ['235 2.7.0 Authentication successful']);
  await typeLine(term, 'MAIL FROM:<alice@a.example>', 1);
  assert.deepEqual(await typeLine(term, 'RCPT TO:<carol@b.example>', 1), ['250 2.1.5 Recipient <carol@b.example> OK']);
  await typeLine(term, 'DATA', 1);
  for (const line of [`Subject: ${subject}`, '', 'hello carol']) await typeLine(term, line);
  const [reply] = await typeLine(term, '.', 1);
  assert.match(reply, /^250 2\.0\.0 OK: queued as/);
  await typeLine(term, 'QUIT', 1);
}

test('down host: queue, retries, bounce; up again: relayed over TLS', async (t) => {
  const { page, errors } = await openLab(t);
  const network = page.getByRole('region', { name: 'Network' });
  await network.getByRole('button', { name: 'Take down mail.b.example' }).click();
  await network.getByText('mail.b.example (taken down)').waitFor();

  await submit(page, 'while b is down');
  const queued = network.locator('tr.queued');
  await queued.first().waitFor();
  assert.deepEqual((await queued.first().locator('td').allTextContents()).slice(1, 4), ['mail.a.example', 'carol@b.example', '1']);
  const tap = page.getByRole('region', { name: 'Wiretap' });
  const secret = tap.locator('li.secret').first();
  assert.match(await secret.textContent(), /AUTH PLAIN AGFsaWNlAGFsaWNlLXB3.*password in the clear!/);

  await network.getByRole('button', { name: '+1 min' }).click();
  await network.locator('tr.queued td:nth-child(4)').getByText('2', { exact: true }).waitFor();
  await network.getByRole('button', { name: 'Run until idle' }).click();
  await network.getByText('Every queue is empty.').waitFor();
  const timeline = await network.locator('ol.timeline').textContent();
  assert.match(timeline, /deferred \(mail\.b\.example: host is down \(no route to host\)\)/);
  assert.match(timeline, /bounced to alice@a\.example/);
  const alice = page.getByRole('region', { name: 'Mailbox alice@a.example' });
  await alice.getByRole('button', { name: 'Undelivered Mail Returned to Sender' }).waitFor();
  // The bounce in the inspector: its null reverse-path is the point, and it never crossed SMTP.
  await alice.getByRole('button', { name: 'Undelivered Mail Returned to Sender' }).click();
  const inspector = page.locator('section.inspector');
  const mailFrom = inspector.locator('table.envelope tr', { hasText: 'MAIL FROM' }).locator('td');
  assert.match(await mailFrom.textContent(), /^<> the null reverse-path: a bounce or delivery report, never bounced again/);
  assert.equal(await inspector.locator('table.envelope tr', { hasText: 'RCPT TO' }).locator('td').textContent(), '<alice@a.example>');
  await inspector.getByText('No Received lines: made on the host that stored it').waitFor();
  await inspector.getByRole('button', { name: 'Close' }).click();

  await network.getByRole('button', { name: 'Bring up mail.b.example' }).click();
  await submit(page, 'now b is up');
  const carol = page.getByRole('region', { name: 'Mailbox carol@b.example' });
  await carol.getByRole('button', { name: 'now b is up' }).waitFor();
  assert.ok((await tap.locator('li.encrypted').count()) > 0, 'the relay used STARTTLS: the tap sees ciphertext');
  // Stored at mail.b.example first, then its 250 hands the message over: in that order.
  const relayed = (await network.locator('ol.timeline li').allTextContents()).slice(-2);
  assert.match(relayed[0], /mail\.b\.example delivered UID \d+ to carol@b\.example/);
  assert.match(relayed[1], /mail\.a\.example read mail\.b\.example's 250: C\S+ for carol@b\.example is now mail\.b\.example's responsibility/);
  // Opened in the inspector, the message's Received route lights up on the map.
  await carol.getByRole('button', { name: 'now b is up' }).click();
  const map = network.getByRole('img', { name: /Map of the network/ });
  await map.locator('polyline.route-path').waitFor();
  const onRoute = await map.locator('g.node.on-route').evaluateAll((gs) => gs.map((g) => g.dataset.name));
  assert.deepEqual(onRoute, ['pc.a.example', 'mail.a.example', 'mail.b.example']);
  const shot = await screenshot(page, 'e2e-relay-retry-bounce');
  console.log(`screenshot: ${shot}`);
  // The timeline speaks the page's language.
  await page.getByRole('button', { name: '日本語で表示' }).click();
  const ja = page.getByRole('region', { name: 'ネットワーク' });
  const jaTimeline = await ja.locator('ol.timeline').textContent();
  assert.match(jaTimeline, /エラーメールを alice@a\.example に返しました/);
  // The world's own reason is in Japanese too (a server's reply would stay as it said it).
  assert.match(jaTimeline, /延期（mail\.b\.example：ホストが停止しています（ホストへの経路がありません））/);
  assert.doesNotMatch(jaTimeline, /host is down/);
  assert.deepEqual(errors, []);
});

test('DSN typed by hand: NOTIFY=SUCCESS brings a delivery report, ENVID and ORCPT come back', async (t) => {
  const { page, errors } = await openLab(t);
  const term = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  await term.locator('[role=log] li.server').first().waitFor();
  const ehlo = await typeLine(term, 'EHLO pc.a.example', 1);
  await term.locator('li.server', { hasText: '250 HELP' }).waitFor();
  assert.ok((await term.locator('li.server', { hasText: /^250-DSN$/ }).count()) === 1, ehlo.join('\n'));
  assert.match((await typeLine(term, 'MAIL FROM:<alice@a.example> RET=HDRS ENVID=lesson-1', 1))[0], /^250 /);
  assert.deepEqual(await typeLine(term, 'RCPT TO:<bob@a.example> NOTIFY=SUCCESS ORCPT=rfc822;Bob@a.example', 1), [
    '250 2.1.5 Recipient <bob@a.example> OK',
  ]);
  await typeLine(term, 'DATA', 1);
  for (const line of ['Subject: track me', '', 'hello bob']) await typeLine(term, line);
  assert.match((await typeLine(term, '.', 1))[0], /^250 2\.0\.0 OK: queued as/);
  const alice = page.getByRole('region', { name: 'Mailbox alice@a.example' });
  await alice.getByRole('button', { name: 'Successful Mail Delivery Report' }).click();
  const inspector = page.locator('section.inspector');
  await inspector.waitFor();
  console.log(`screenshot: ${await screenshot(page, 'e2e-dsn-success-report')}`);
  const raw = await inspector.textContent();
  assert.match(raw, /the null reverse-path: a bounce or delivery report/);
  assert.match(raw, /Original-Envelope-Id: lesson-1/);
  assert.match(raw, /Original-Recipient: rfc822;Bob@a\.example/);
  assert.match(raw, /Action: delivered/);
  assert.deepEqual(errors, []);
});
