// The lessons, done the way a learner does them: read the steps the page lists,
// type each line into the terminal, press the buttons a step names, and wait
// for the page to say the goal was reached (the lab checks the world, not the
// typing). Progress survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openLab, RESULTS, screenshot } from './harness.mjs';

/** Types `line` into the first terminal and waits until the page has handled it. */
async function type(page, line) {
  const term = page.locator('section.terminal').first();
  const log = term.locator('[role=log]');
  const before = Number(await log.getAttribute('data-client-lines'));
  const input = term.getByRole('textbox');
  await input.fill(line);
  await input.press('Enter');
  await page.waitForFunction(([el, n]) => Number(el.dataset.clientLines) >= n, [await log.elementHandle(), before + 1]);
}

/** The APOP digest the page's calculator gives for the last greeting's timestamp. */
async function apopDigest(page) {
  const greetings = await page.locator('section.terminal').first().locator('li.server').allTextContents();
  const greeting = greetings.reverse().find((l) => l.includes('<'));
  const stamp = greeting.slice(greeting.indexOf('<'), greeting.lastIndexOf('>') + 1);
  await page.getByRole('textbox', { name: 'Timestamp from the greeting' }).fill(stamp);
  const digest = page.locator('output.digest');
  await page.waitForFunction((el) => /^[0-9a-f]{32}$/.test(el.textContent), await digest.elementHandle());
  return digest.textContent();
}

/** What the learner does for the n-th "do this" step of a lesson. */
async function chore(page, lesson, n) {
  const network = page.getByRole('region', { name: 'Network' });
  const press = (name) => network.getByRole('button', { name, exact: true }).click();
  if (lesson === 'retry-bounce' && n === 0) return press('Take down mail.b.example');
  if (lesson === 'dial-up' && n === 0) return press('+10 min');
  if (lesson === 'retry-bounce' && n === 1) await press('+10 min');
  if (lesson === 'apop') return undefined;
  if (lesson === 'mojibake') {
    // What the learner sees: the UTF-8 text garbled by its Shift_JIS label,
    // then read right once they pick UTF-8 (the message itself is unchanged).
    const pane = page.getByRole('region', { name: 'Mailbox bob@a.example' });
    await pane.getByRole('button', { name: 'Shift_JIS label' }).click();
    const inspector = page.locator('section.inspector');
    const body = inspector.locator('.body-text');
    await body.waitFor();
    assert.match(await body.textContent(), /^縺薙ｓ縺ｫ縺｡縺ｯ/, 'read as labelled, the body is mojibake');
    const readAs = inspector.getByRole('combobox', { name: 'Read the text as' });
    assert.equal(await readAs.inputValue(), '', 'as labelled first');
    assert.match(await readAs.locator('option').first().textContent(), /as labelled \(Shift_JIS\)/);
    await readAs.selectOption('UTF-8');
    await page.waitForFunction((el) => el.textContent.startsWith('こんにちは、ボブさん'), await body.elementHandle());
    assert.match(await inspector.locator('ul.mime-tree').textContent(), /charset=Shift_JIS/, 'the label is as it arrived');
    await readAs.scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-lesson-mojibake');
    return undefined;
  }
  if (lesson === 'no-label') {
    // Unlabelled, the 7-bit ISO-2022-JP octets show as what they are in ASCII;
    // read as ISO-2022-JP they are Japanese again.
    await page.getByRole('region', { name: 'Mailbox bob@a.example' }).getByRole('button', { name: 'no label' }).click();
    const inspector = page.locator('section.inspector');
    const body = inspector.locator('.body-text');
    await body.waitFor();
    assert.match(await body.textContent(), /\$B\$3\$s\$K\$A\$O/, 'read with no label, the body is JIS codes');
    const readAs = inspector.getByRole('combobox', { name: 'Read the text as' });
    assert.match(await readAs.locator('option').first().textContent(), /as labelled \(no charset label\)/);
    await readAs.selectOption('ISO-2022-JP');
    await page.waitForFunction((el) => el.textContent.startsWith('こんにちは、ボブさん'), await body.elementHandle());
    return undefined;
  }
  if (lesson === 'mua-mta-mda') {
    const mua = page.getByRole('region', { name: 'Mail client (MUA)' });
    await mua.getByRole('combobox', { name: 'Account' }).selectOption('alice@a.example');
    await mua.getByRole('textbox', { name: 'To' }).fill('carol@b.example');
    await mua.getByRole('textbox', { name: 'Subject' }).fill('roles');
    return mua.getByRole('button', { name: 'Send' }).click();
  }
  return press('Run until idle');
}

async function doLesson(page, index) {
  const list = page.getByRole('region', { name: 'Lessons' });
  if ((await list.locator('details.lesson-list').getAttribute('open')) === null) {
    await list.locator('details.lesson-list > summary').click();
  }
  await list.locator('details.lesson-list li button').nth(index).click();
  const lesson = list.locator('article.lesson');
  const id = await lesson.getAttribute('data-lesson');
  assert.equal(await lesson.locator('.lesson-status').getAttribute('class'), 'lesson-status pending', `${id} starts pending`);
  // The list folds away once a lesson starts: the rail shows the lesson's goal.
  assert.equal(await list.locator('details.lesson-list').getAttribute('open'), null, `${id}: the list folded away`);
  const [goal, rail] = [await lesson.locator('.goal').boundingBox(), await list.boundingBox()];
  assert.ok(goal.y >= rail.y && goal.y + goal.height <= rail.y + rail.height, `${id}: its goal is in view`);
  const steps = lesson.locator('ol.steps > li');
  let chores = 0;
  let digest = '';
  for (let i = 0; i < (await steps.count()); i += 1) {
    const step = steps.nth(i);
    const code = step.locator('code');
    if ((await code.count()) > 0) {
      const line = (await code.getAttribute('data-line')).replace('<digest>', digest);
      await type(page, line);
    } else {
      if (id === 'apop') digest = await apopDigest(page);
      await chore(page, id, chores);
      chores += 1;
    }
  }
  await lesson.locator('.lesson-status.reached').waitFor({ timeout: 5000 });
  if (id === 'dmarc') {
    // What the learner sees: the refusal in the terminal, and in the timeline
    // what DMARC did with each message and that the second went to bob's Junk.
    const log = page.locator('section.terminal').first().locator('[role=log]');
    assert.match(await log.textContent(), /550 5\.7\.1 DMARC: rejected by the policy for a\.example/);
    const timeline = page.getByRole('region', { name: 'Network' }).locator('ol.timeline');
    assert.match(await timeline.textContent(), /mail\.b\.example checked DMARC for the From: domain a\.example: fail → refused \(550\)/);
    assert.match(await timeline.textContent(), /mail\.a\.example checked DMARC for the From: domain b\.example: fail → to Junk/);
    assert.match(await timeline.textContent(), /mail\.a\.example delivered UID \d+ to bob@a\.example \(Junk\)/);
    // The DNS box shows each domain's whole record at the page's text size, every
    // glyph inside the box (a record too long for a line wraps, it is not cut).
    const dns = page.getByRole('region', { name: 'Network' }).getByRole('group', { name: 'DNS' });
    const rows = await dns.locator('.mx').allTextContents();
    for (const record of ['_dmarc.a.example TXT "v=DMARC1; p=reject"', '_dmarc.b.example TXT "v=DMARC1; p=quarantine"',
      'spam.example.net TXT "v=spf1 ip4:203.0.113.66 -all"']) {
      assert.ok(rows.includes(record), `${record} in\n${rows.join('\n')}`);
    }
    const outside = await dns.evaluate((box) => {
      const edge = box.getBoundingClientRect();
      return [...box.querySelectorAll('.mx')].filter((row) => {
        const range = document.createRange();
        range.selectNodeContents(row);
        return [...range.getClientRects()].some((r) => r.left < edge.left || r.right > edge.right);
      }).map((row) => row.textContent);
    });
    assert.deepEqual(outside, []);
    const sizes = await dns.locator('.mx').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    assert.ok(sizes.every((size) => size >= 12), `DNS text sizes ${sizes}`);
    // The receiver asked DNS for b.example's policy: on the wiretap, as SPF's questions are.
    const tapped = await page.getByRole('region', { name: 'Wiretap' }).locator('li code').allTextContents();
    for (const line of ['_dmarc.b.example TXT?', '"v=DMARC1; p=quarantine"']) {
      assert.ok(tapped.includes(line), `${line} in\n${tapped.join('\n')}`);
    }
  }
  if (id === 'dkim') {
    // What the learner sees: at bob's end the forwarded copy passes DKIM although
    // SPF fails, the list's copy fails DKIM for its changed Subject; the key's
    // DNS question is on the wiretap.
    const timeline = await page.getByRole('region', { name: 'Network' }).locator('ol.timeline').textContent();
    assert.match(timeline, /mail\.a\.example signed with a\.example's DKIM key \(selector lab\)/);
    assert.match(timeline, /mail\.a\.example checked SPF of a\.example for 198\.51\.100\.25: fail/);
    assert.match(timeline, /mail\.a\.example checked the DKIM signature of d=a\.example: pass/);
    assert.match(timeline, /mail\.a\.example checked the DKIM signature of d=a\.example: fail \(the signature does not verify/);
    assert.match(timeline, /mail\.b\.example posted to list lab-list@b\.example: 2 members, its Subject tagged/);
    const tapped = await page.getByRole('region', { name: 'Wiretap' }).locator('li code').allTextContents();
    assert.ok(tapped.includes('lab._domainkey.a.example TXT?'), tapped.join('\n'));
  }
  // What the steps changed is in view: the lesson's own view in the side column,
  // and mail that just arrived in whichever pane it landed.
  const within = async (inner, outer) => {
    const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
    return a.y < b.y + b.height && a.y + a.height > b.y;
  };
  const shows = await lesson.getAttribute('data-shows');
  if (shows) assert.ok(await within(page.locator(`#${shows}`), page.locator('.views')), `${id}: #${shows} in view`);
  const arrived = page.locator('.mailboxes tr.new');
  if ((await arrived.count()) > 0) {
    assert.ok(await within(arrived.first(), page.locator('.mailboxes')), `${id}: the new mail is in view`);
  }
  // Each lesson's bench at a school laptop's size and at full HD, for people to look at.
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${RESULTS}/e2e-lesson-${String(index + 1).padStart(2, '0')}-${id}-${width}.png` });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  if (id === 'dkim') {
    // As the hint says: bob's forwarded copy, in the inspector, was checked by
    // mail.a.example: SPF fail, DKIM pass (with what that means), DMARC pass.
    await page.getByRole('region', { name: 'Mailbox bob@a.example' }).getByRole('button', { name: 'forwarded' }).click();
    const results = page.locator('section.inspector table.auth-results', { hasText: 'Checked by mail.a.example' });
    await results.waitFor();
    const row = async (method) => (await results.locator('tr', { has: page.locator('th', { hasText: method }) }).locator('td').first().textContent());
    assert.deepEqual([await row('SPF'), await row('DKIM'), await row('DMARC')], ['fail', 'pass', 'pass']);
    assert.match(await results.textContent(), /The signature verifies with the key published at s\._domainkey\.d/);
  }
  return id;
}

test('every lesson is completed by typing the steps it lists; progress survives a reload', async (t) => {
  const { page, errors } = await openLab(t);
  fs.mkdirSync(RESULTS, { recursive: true });
  await page.setViewportSize({ width: 1366, height: 768 });
  page.on('dialog', (dialog) => dialog.accept());
  const list = page.getByRole('region', { name: 'Lessons' });
  // A newcomer lands on lesson 1 with its goal in view.
  assert.equal(await list.locator('article.lesson').getAttribute('data-lesson'), 'smtp-pop3');
  assert.match(await list.locator('.lesson-status').textContent(), /Not reached yet/);
  const total = await list.locator('details.lesson-list li').count();
  assert.ok(total >= 14, `${total} lessons`);
  const done = [];
  for (let i = 0; i < total; i += 1) done.push(await doLesson(page, i));
  assert.equal(new Set(done).size, total);
  assert.match(await list.locator('summary').first().textContent(), new RegExp(`\\(${total}/${total} done\\)`));
  const shot = await screenshot(page, 'e2e-lessons');
  console.log(`screenshot: ${shot}`);

  await page.reload();
  await list.locator('article.lesson').waitFor();
  assert.match(await list.locator('summary').first().textContent(), new RegExp(`\\(${total}/${total} done\\)`));
  assert.equal(await list.locator('li.done').count(), total);

  await page.getByRole('button', { name: '日本語で表示' }).click();
  const ja = page.getByRole('region', { name: 'レッスン' });
  assert.match(await ja.locator('summary').first().textContent(), new RegExp(`レッスン（${total}/${total} 完了）`));
  assert.match(await ja.locator('.lesson-status').textContent(), /目標達成/);
  assert.deepEqual(errors, []);
});
