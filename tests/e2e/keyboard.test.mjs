// Keyboard only: Tab reaches the controls in order, each with an accessible
// name, and lesson 1 is done without a mouse (typing into the terminal, then
// reaching bob's mailbox and opening the message with Enter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot } from './harness.mjs';

/** The focused element's role-ish tag and accessible name, as a screen reader would announce it. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const labelled = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent) || el.textContent || el.getAttribute('placeholder') || '';
    return { tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), name: labelled.trim().replace(/\s+/g, ' ') };
  });
}

async function tabTo(page, wanted, limit = 120) {
  const seen = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f) seen.push(f);
    if (f && wanted(f)) return seen;
  }
  throw new Error(`not reached by Tab; saw ${JSON.stringify(seen.map((f) => f.name))}`);
}

test('every control is reachable by Tab with a name, and lesson 1 is done from the keyboard', async (t) => {
  const { page, errors } = await openLab(t);
  await page.getByRole('region', { name: 'Lessons' }).waitFor();
  const seen = await tabTo(page, (f) => f.tag === 'input' && f.name === 'Command');
  const names = seen.map((f) => f.name);
  for (const expected of ['Reset the lab', '日本語で表示', 'Save the lab to a file', 'Side by side']) {
    assert.ok(names.includes(expected), `${expected} is reachable: ${JSON.stringify(names)}`);
  }
  assert.ok(names.some((n) => n.startsWith('Lessons (0/')), 'the lesson list opens from the keyboard');
  assert.ok(names.includes('telnet mail.a.example 25'), 'the terminal tab is reachable');
  const unnamed = seen.filter((f) => f.name === '');
  assert.deepEqual(unnamed, [], 'no focusable control without an accessible name');

  // The Command box has focus: type lesson 1.
  for (const line of ['EHLO pc.a.example', 'MAIL FROM:<alice@a.example>', 'RCPT TO:<bob@a.example>', 'DATA',
    'Subject: keyboard only', '', 'typed without a mouse', '.', 'QUIT', 'telnet mail.a.example 110',
    'USER bob', 'PASS bob-pw', 'RETR 1', 'QUIT']) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  }
  await page.getByRole('region', { name: 'Lessons' }).locator('.lesson-status.reached').waitFor();
  // The transcript follows its newest line.
  const gap = await page.locator('section.terminal [role=log]').first().evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop);
  assert.ok(gap <= 2, `scrolled to the newest line (${gap} px left)`);
  // Up and Down walk the terminal's history, as a shell does.
  const command = page.getByRole('textbox', { name: 'Command' });
  const recall = async (key) => {
    await page.keyboard.press(key);
    return command.inputValue();
  };
  assert.equal(await recall('ArrowUp'), 'QUIT');
  assert.equal(await recall('ArrowUp'), 'RETR 1');
  assert.equal(await recall('ArrowDown'), 'QUIT');
  assert.equal(await recall('ArrowDown'), '');

  // On to bob's mailbox and open the message with Enter.
  await tabTo(page, (f) => f.tag === 'button' && f.name === 'keyboard only');
  await page.keyboard.press('Enter');
  await page.getByRole('region', { name: 'Message bob@a.example UID 1' }).waitFor();
  await screenshot(page, 'e2e-keyboard');
  assert.deepEqual(errors, []);
});

test('starting a lesson from the keyboard leaves focus on the folded list, not at the top of the page', async (t) => {
  const { page, errors } = await openLab(t);
  await page.getByRole('region', { name: 'Lessons' }).waitFor();
  await tabTo(page, (f) => f.tag === 'summary' && f.name.startsWith('Lessons (0/'));
  await page.keyboard.press('Enter');
  await tabTo(page, (f) => f.tag === 'button' && f.name === 'Send with SMTP, read with POP3');
  await page.keyboard.press('Enter');
  await page.locator('section.lessons .goal').waitFor();
  assert.equal(await page.locator('details.lesson-list').getAttribute('open'), null, 'the list folded away');
  const f = await focused(page);
  assert.equal(f && f.tag, 'summary', `focus stays on the list's summary: ${JSON.stringify(f)}`);
  // The next Tab goes on into the lesson just started.
  await tabTo(page, (g) => g.tag === 'summary' && g.name.startsWith('Try this'), 5);
  assert.deepEqual(errors, []);
});
