// The network map: machines and DNS drawn as SVG, links coloured by state
// (open, TLS, closed), a host's services, users and policies on a click, the
// open-relay and SPF switches changing what the server answers, and a domain's
// SPF record edited in its host's panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, smtpSend, typeLine } from './harness.mjs';

test('the map shows links by state, host details, and the open-relay switch works', async (t) => {
  const { page, errors } = await openLab(t);
  const network = page.getByRole('region', { name: 'Network' });
  const map = network.getByRole('img', { name: /Map of the network/ });
  // DNS is drawn above the map as text, read at the page's size.
  const dns = network.getByRole('group', { name: 'DNS' });
  await map.waitFor();
  for (const name of ['pc.a.example', 'mail.a.example', 'mail.b.example']) {
    await map.locator(`g.node[data-name="${name}"]`).waitFor();
  }
  assert.match(await dns.textContent(), /a\.example MX 10 mail\.a\.example.*b\.example MX 10 mail\.b\.example/);
  // SPF records are TXT records in the same DNS.
  assert.match(await dns.textContent(), /a\.example TXT "v=spf1 mx -all"/);
  // An empty timeline says so: the DNS box under its heading is not what happened.
  const timelineNote = () => network.locator('ol.timeline').evaluate((el) => getComputedStyle(el, '::before').content);
  assert.match(await timelineNote(), /^"Nothing yet: deliveries, relays and checks/);

  // The first terminal's session is an open link on port 25; STARTTLS turns it blue.
  // The first terminal, whichever host it is connected to.
  const term = page.locator('section.terminal').first();
  await term.locator('[role=log] li.server').first().waitFor();
  assert.equal(await map.locator('g.link.open').count(), 1);
  assert.equal(await map.locator('g.link.open text').textContent(), '25');
  await typeLine(term, 'EHLO pc.a.example', 1);
  await typeLine(term, 'STARTTLS', 1);
  await map.locator('g.link.tls').waitFor();
  assert.equal(await map.locator('g.link.tls text').textContent(), '25 TLS');
  await typeLine(term, 'QUIT', 1);
  await map.locator('g.link.closed').waitFor();

  // A click on a host shows what it runs, who lives there and its policies.
  await map.locator('g.node[data-name="mail.b.example"]').click();
  const details = network.locator('dl.host-details');
  await details.waitFor();
  const text = await details.textContent();
  assert.match(text, /198\.51\.100\.25/);
  assert.match(text, /25 smtp.*587 submission.*993 imaps/);
  assert.equal(await details.getByRole('checkbox', { name: '110 pop3' }).isChecked(), true);
  assert.match(text, /carol@b\.example/);
  const relay = details.getByRole('checkbox', { name: /Open relay/ });
  assert.equal(await relay.isChecked(), false);

  // Closed relay: 554. Open relay: accepted for a domain that is not its own.
  const tryRelay = async () => {
    await typeLine(term, 'telnet mail.b.example 25', 1);
    const b = term;
    await typeLine(b, 'HELO spam.example.net', 1);
    await typeLine(b, 'MAIL FROM:<winner@lottery.example>', 1);
    const [reply] = await typeLine(b, 'RCPT TO:<alice@a.example>', 1);
    await typeLine(b, 'QUIT', 1);
    return reply;
  };
  assert.match(await tryRelay(), /^554 .*Relay access denied/);
  await relay.check();
  assert.match(await tryRelay(), /^250 .*Recipient <alice@a.example> OK/);
  await relay.uncheck();
  assert.match(await tryRelay(), /^554 .*Relay access denied/);

  // SPF: with the check on, mail.b.example refuses a.example's mail sent from
  // an address a.example's record (v=spf1 mx -all) does not list: this PC's.
  const spf = details.getByRole('checkbox', { name: /Check SPF on port 25/ });
  assert.equal(await spf.isChecked(), false);
  await spf.check();
  await typeLine(term, 'telnet mail.b.example 25', 1);
  const refusedSpf = await smtpSend(term, { from: 'alice@a.example', to: 'carol@b.example', lines: ['Subject: from my PC', '', 'Hi'] });
  assert.match(refusedSpf, /^550 5\.7\.23 SPF fail: a\.example does not authorise 192\.0\.2\.10 to send its mail/);
  // Before answering, mail.b.example asked DNS: its questions and the answers are on the wiretap.
  const tap = page.getByRole('region', { name: 'Wiretap' });
  await tap.locator('li.tap-link', { hasText: 'mail.b.example → DNS' }).last().waitFor();
  const tapped = await tap.locator('li code').allTextContents();
  for (const line of ['a.example TXT?', '"v=spf1 mx -all"', 'a.example MX?', 'mail.a.example A?', '192.0.2.25']) {
    assert.ok(tapped.includes(line), `${line} in\n${tapped.join('\n')}`);
  }
  await typeLine(term, 'QUIT', 1);
  await network.locator('ol.timeline', { hasText: 'mail.b.example checked SPF of a.example for 192.0.2.10: fail' }).waitFor();
  assert.equal(await timelineNote(), 'none', 'a timeline with lines has no empty note');
  // The record is a.example's to write: in mail.a.example's panel its owner adds
  // the PC's address, the DNS box shows the new record, and the same mail passes.
  await map.locator('g.node[data-name="mail.a.example"]').click();
  const txt = details.getByRole('textbox', { name: 'a.example TXT' });
  assert.equal(await txt.inputValue(), 'v=spf1 mx -all');
  await txt.fill('v=spf1 mx ip4:192.0.2.10 -all');
  await details.getByRole('button', { name: 'Save' }).click();
  await dns.locator('.mx', { hasText: 'a.example TXT "v=spf1 mx ip4:192.0.2.10 -all"' }).waitFor();
  await typeLine(term, 'telnet mail.b.example 25', 1);
  // The learner also forges a verdict in mail.b.example's name: the host takes it out.
  const forged = 'Authentication-Results: mail.b.example; dkim=pass header.d=a.example';
  const passed = await smtpSend(term, { from: 'alice@a.example', to: 'carol@b.example', lines: [forged, 'Subject: from my PC, listed', '', 'Hi'] });
  assert.match(passed, /^250 /);
  await typeLine(term, 'QUIT', 1);
  await network.locator('ol.timeline', { hasText: 'mail.b.example checked SPF of a.example for 192.0.2.10: pass' }).waitFor();
  // The timeline says what the host took out, and why.
  await network.locator('ol.timeline', { hasText: 'mail.b.example removed 1 Authentication-Results field(s) claiming to be its own, which came from outside (RFC 8601 §5)' }).waitFor();
  // carol's reader sees the verdict mail.b.example wrote on top (RFC 8601), decoded.
  await page.getByRole('region', { name: 'Mailbox carol@b.example' }).getByRole('button', { name: 'from my PC, listed' }).click();
  const verdict = page.locator('section.inspector table.auth-results');
  await verdict.first().waitFor();
  assert.equal(await verdict.count(), 1, 'only the verdict mail.b.example wrote');
  assert.match(await verdict.locator('caption').textContent(), /^Checked by mail\.b\.example\. Anyone can write this field/);
  const rows = verdict.locator('tr');
  assert.deepEqual(await rows.first().locator('th, td').allTextContents(), ['SPF', 'pass', 'smtp.mailfrom=alice@a.example']);
  assert.match(await rows.nth(1).textContent(), /sending IP is allowed by the SPF record/);
  await verdict.scrollIntoViewIfNeeded();
  // Envelope and header stack when the inspector is narrow: an address is not
  // broken mid-word, and a header field's value sits beside its name.
  const cells = async (table, name) => {
    const row = page.locator(`section.inspector table.${table} tr`, { hasText: name });
    return [await row.locator('th').boundingBox(), await row.locator('td').boundingBox()];
  };
  const [mailFrom, address] = await cells('envelope', 'MAIL FROM');
  assert.ok(address.height < mailFrom.height * 1.5, `<alice@a.example> on one line (${address.height} px high)`);
  const [subject, subjectValue] = await cells('header-fields', 'Subject');
  assert.ok(Math.abs(subject.y - subjectValue.y) < 4, `Subject's value beside its name (${subject.y}, ${subjectValue.y})`);
  await screenshot(page, 'e2e-inspector-auth-results');
  await map.locator('g.node[data-name="mail.b.example"]').click();
  await spf.uncheck();

  // A service switched off refuses connections, as a closed port does.
  await details.getByRole('checkbox', { name: '110 pop3' }).uncheck();
  await typeLine(term, 'telnet mail.b.example 110');
  await term.locator('li.lab', { hasText: 'mail.b.example port 110: connection refused' }).waitFor();
  await details.getByRole('checkbox', { name: '110 pop3' }).check();
  // Login only inside TLS: the POP3 server refuses USER in the clear.
  await details.getByRole('checkbox', { name: /Login only inside TLS/ }).check();
  await typeLine(term, 'telnet mail.b.example 110', 1);
  const [refused] = await typeLine(term, 'USER carol', 1);
  assert.match(refused, /^-ERR \[AUTH\] USER\/PASS is disabled until STLS/);
  await typeLine(term, 'QUIT', 1);

  // A host taken down is drawn down.
  await network.getByRole('button', { name: 'Take down mail.b.example' }).click();
  await map.locator('g.node.down[data-name="mail.b.example"]').waitFor();
  // The same switches are one visible button away in the host list, not behind a name.
  const settings = network.getByRole('button', { name: 'Services and policies of mail.a.example' });
  assert.equal(await settings.getAttribute('aria-expanded'), 'false');
  await settings.click();
  assert.equal(await settings.getAttribute('aria-expanded'), 'true');
  assert.match(await network.locator('dl.host-details').textContent(), /192\.0\.2\.25/);
  const shot = await screenshot(page, 'e2e-map');
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, []);
});
