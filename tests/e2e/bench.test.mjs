// The lab bench: what a learner types and what it causes are on one screen,
// without scrolling the page, at a school laptop's 1366×768 and at 1920×1080;
// the keyboard is where the learner types; a projector mode is readable from
// the back of a room; the map's labels never overlap and show hosts as the
// world has them (scheduled outages included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlsOutsideColumns, openLab, screenshot, typeLine } from './harness.mjs';

const LESSON_1 = [
  'EHLO pc.a.example', 'MAIL FROM:<alice@a.example>', 'RCPT TO:<bob@a.example>', 'DATA',
  'From: Alice <alice@a.example>', 'Subject: Hello Bob', '', 'Lunch at noon?', '.', 'QUIT',
  'telnet mail.a.example 110', 'USER bob', 'PASS bob-pw', 'LIST', 'RETR 1', 'QUIT',
];

/** True when the element's box lies wholly inside the viewport. */
async function onScreen(page, locator) {
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize();
  return Boolean(box) && box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5;
}

async function typeAll(page, lines) {
  const term = page.locator('section.terminal').first();
  for (const line of lines) await typeLine(term, line, ['', 'From: Alice <alice@a.example>', 'Subject: Hello Bob', 'Lunch at noon?'].includes(line) ? 0 : 1);
}

for (const [width, height] of [[1366, 768], [1920, 1080]]) {
  test(`at ${width}×${height} lesson 1's cause and effect are on screen together`, async (t) => {
    const { page, errors } = await openLab(t);
    await page.setViewportSize({ width, height });
    const command = page.locator('section.terminal').first().getByRole('textbox');
    await command.waitFor();
    // The keyboard is in the command box from the start.
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('command')), true, 'focused on load');
    await typeAll(page, LESSON_1);
    const lessons = page.getByRole('region', { name: 'Lessons' });
    await lessons.locator('.lesson-status.reached').waitFor();
    const newestTap = page.getByRole('region', { name: 'Wiretap' }).locator('ol.tap > li').last();
    const seen = {
      'the command box': await onScreen(page, command),
      "the lesson's done state": await onScreen(page, lessons.locator('.lesson-status.reached')),
      'Next lesson': await onScreen(page, lessons.getByRole('button', { name: 'Next lesson →' })),
      "bob's mailbox": await onScreen(page, page.getByRole('region', { name: 'Mailbox bob@a.example' }).locator('h2')),
      "the wiretap's newest line": await onScreen(page, newestTap),
    };
    assert.deepEqual(Object.entries(seen).filter(([, v]) => !v).map(([k]) => k), [], 'all on screen at once');
    assert.match(await newestTap.textContent(), /\+OK|QUIT/, 'the newest line is the last POP3 exchange');
    const pageScroll = await page.evaluate(() => document.scrollingElement.scrollHeight - window.innerHeight);
    assert.ok(pageScroll <= 0, `the page itself does not scroll (${pageScroll} px)`);
    await screenshot(page, `e2e-bench-${width}`);
    assert.deepEqual(errors, []);
  });
}

test('a click on the terminal or on a lesson step gives the command box the keys', async (t) => {
  const { page, errors } = await openLab(t);
  await page.setViewportSize({ width: 1366, height: 768 });
  const term = page.locator('section.terminal').first();
  await term.locator('li.server').first().waitFor();
  await page.getByRole('button', { name: 'Side by side' }).focus();
  await term.locator('[role=log]').click();
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('command')), true);
  await page.keyboard.type('NOOP');
  await page.keyboard.press('Enter');
  await term.locator('li.server', { hasText: '250 OK' }).waitFor();
  // A step puts its line in the box; Enter sends it.
  await page.getByRole('region', { name: 'Lessons' }).locator('ol.steps code[data-line="EHLO pc.a.example"]').click();
  assert.equal(await term.getByRole('textbox').inputValue(), 'EHLO pc.a.example');
  await page.keyboard.press('Enter');
  await term.locator('li.server', { hasText: '250 HELP' }).waitFor();
  // Side by side puts the terminals next to each other, both command boxes in view.
  await page.getByRole('button', { name: 'Open terminal' }).click();
  await page.getByRole('button', { name: 'Side by side' }).click();
  const boxes = await page.locator('section.terminal input.command').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  assert.equal(boxes.length, 2);
  assert.ok(Math.abs(boxes[0].y - boxes[1].y) < 2 && boxes[1].x > boxes[0].x + boxes[0].width - 1, 'side by side, not stacked');
  assert.ok(boxes.every((b) => b.bottom <= 768), 'both command boxes in view');
  // Two terminals to the same place get different tab names.
  await page.getByRole('button', { name: 'Open terminal' }).click();
  const tabs = await page.getByRole('tab').allTextContents();
  assert.equal(new Set(tabs).size, tabs.length, `tab names: ${tabs}`);
  // Three side by side take room from the other columns: each is 30 columns of text or so.
  const widths = await page.locator('section.terminal').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  assert.equal(widths.length, 3);
  assert.ok(widths.every((w) => w >= 215), `terminal widths ${widths.map(Math.round)} px at 1366`);
  assert.deepEqual(errors, []);
});

test('projector mode: every text at least 20 px, the map included', async (t) => {
  const { page, errors } = await openLab(t);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.locator('section.terminal li.server').first().waitFor();
  await page.getByRole('button', { name: 'Projector' }).click();
  await page.locator('.lab-root.projector').waitFor();
  const small = await page.evaluate(() => {
    const tooSmall = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || el.closest('svg') || el.closest('[hidden]')) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 20) tooSmall.push(`${el.tagName}.${el.className}: ${size}px "${node.textContent.trim().slice(0, 30)}"`);
    }
    // SVG text is drawn in the map's own units: scale them to screen pixels.
    const svg = document.querySelector('svg.map');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const el of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(el).fontSize) * scale;
      if (size < 20) tooSmall.push(`map text ${size.toFixed(1)}px "${el.textContent.slice(0, 30)}"`);
    }
    return tooSmall;
  });
  assert.deepEqual(small.slice(0, 10), [], `${small.length} texts under 20 px`);
  // The larger text wraps inside its column: no control reaches into the next one.
  const spills = await controlsOutsideColumns(page);
  assert.deepEqual(spills, []);
  await screenshot(page, 'e2e-projector-1920');
  assert.deepEqual(errors, []);
});

test("the map's labels never overlap; a scheduled outage is shown as down; the queue has headers", async (t) => {
  const { page, errors } = await openLab(t);
  page.on('dialog', (d) => d.accept());
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.locator('section.terminal li.server').first().waitFor();
  // Two connections between the same two machines (25 and 110), plus 143.
  for (const port of ['110', '143']) {
    await page.getByRole('combobox', { name: 'Port' }).selectOption(port);
    await page.getByRole('button', { name: 'Open terminal' }).click();
  }
  const labels = page.locator('svg.map .link text');
  assert.ok((await labels.count()) >= 3);
  const boxes = await labels.evaluateAll((els) => els.map((e) => [e.textContent, e.getBoundingClientRect().toJSON()]));
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const [a, b] = [boxes[i][1], boxes[j][1]];
      const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
      assert.ok(apart, `"${boxes[i][0]}" and "${boxes[j][0]}" overlap`);
    }
  }
  assert.equal(await page.locator('svg.map marker#arrow').count(), 1, 'links have arrows');
  assert.ok((await page.locator('.legend li').count()) >= 5, 'the map has a legend');

  // The backup-MX lesson: mail.b.example is down for 20 minutes by schedule.
  const list = page.getByRole('region', { name: 'Lessons' });
  await list.locator('details.lesson-list > summary').click();
  await list.getByRole('button', { name: /backup MX/i }).click();
  const network = page.getByRole('region', { name: 'Network' });
  await network.locator('.host-name', { hasText: /^mail\.b\.example \(down until \d\d:\d\d\)$/ }).waitFor();
  assert.match(await page.locator('svg.map g.node[data-name="mail.b.example"]').getAttribute('class'), /\bdown\b/);
  assert.doesNotMatch(await page.locator('svg.map g.node[data-name="backup.b.example"]').getAttribute('class'), /\bdown\b/);
  // Mail handed to the backup MX waits in its queue, shown as a table with headers.
  const term = page.locator('section.terminal').first();
  await typeLine(term, 'QUIT');
  await typeLine(term, 'telnet backup.b.example 25', 1);
  for (const line of ['EHLO pc.a.example', 'MAIL FROM:<alice@a.example>', 'RCPT TO:<carol@b.example>', 'DATA']) await typeLine(term, line, 1);
  await typeLine(term, 'Subject: later');
  await typeLine(term, '');
  await typeLine(term, '.', 1);
  await network.locator('table.queue').waitFor();
  assert.deepEqual(await network.locator('table.queue th').allTextContents(), ['ID', 'Held by', 'Recipients', 'Tries', 'Next try', 'Last error']);
  // Event numbers of the timeline are not clipped: the list's markers fit in its padding.
  const clipped = await network.locator('ol.timeline').evaluate((ol) => parseFloat(getComputedStyle(ol).paddingLeft) < 2.5 * parseFloat(getComputedStyle(ol).fontSize));
  assert.equal(clipped, false);
  await screenshot(page, 'e2e-bench-outage');
  assert.deepEqual(errors, []);
});

test('a long transcript renders only the rows around its view, scrolls whole and downloads as text', async (t) => {
  const { page, errors } = await openLab(t);
  await page.setViewportSize({ width: 1366, height: 768 });
  const term = page.locator('section.terminal').first();
  const log = term.locator('[role=log]');
  await term.locator('li.server').first().waitFor();
  // 400 NOOPs typed (800 lines, plus the greeting), as fast as the page takes them.
  await term.getByRole('textbox').evaluate((input) => {
    for (let i = 0; i < 400; i += 1) {
      input.value = `NOOP ${i}`;
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    }
  });
  await page.waitForFunction((el) => Number(el.dataset.serverLines) === 401, await log.elementHandle());
  const rendered = await log.locator('li:not(.spacer)').count();
  assert.ok(rendered <= 160, `${rendered} rows rendered of 803`);
  assert.equal(await log.locator('li.client').last().textContent(), 'NOOP 399', 'the newest line is shown');
  // Scrolled to the top, the first lines are there to read (and the newest kept below).
  await log.evaluate((el) => { el.scrollTop = 0; });
  await log.locator('li.lab', { hasText: 'Trying mail.a.example 25...' }).waitFor();
  assert.ok(await log.locator('li.lab', { hasText: 'Trying mail.a.example 25...' }).isVisible());
  // New output does not pull a learner reading old lines back down.
  await term.getByRole('textbox').fill('NOOP again');
  await term.getByRole('textbox').press('Enter');
  await page.waitForFunction((el) => Number(el.dataset.serverLines) === 402, await log.elementHandle());
  assert.ok(await log.locator('li.lab', { hasText: 'Trying mail.a.example 25...' }).isVisible(), 'still reading the top');
  // The whole dialogue downloads as text.
  const [download] = await Promise.all([page.waitForEvent('download'), term.getByRole('button', { name: 'Download as text' }).click()]);
  const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString());
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 402 + 401, `${lines.length} lines: every server and client line`);
  assert.equal(lines[0], 'S: 220 mail.a.example ESMTP Mail Lab ready');
  assert.equal(lines.at(-2), 'C: NOOP again');
  assert.deepEqual(errors, []);
});
