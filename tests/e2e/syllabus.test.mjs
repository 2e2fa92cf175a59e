// For the teacher: the syllabus lists every lesson with the lecture-note topic
// it teaches and the world it starts from; a lesson is previewed without
// changing anything, and one started on another world sets the lab aside,
// with a way back that survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, smtpSend } from './harness.mjs';

const smtpTerminal = (page) => page.getByRole('region', { name: 'Terminal mail.a.example:25' });
const bobPane = (page) => page.getByRole('region', { name: 'Mailbox bob@a.example' });
const activeLesson = (page) => page.locator('article.lesson').getAttribute('data-lesson');

test('the syllabus previews lessons, and a lesson on another world sets the lab aside', async (t) => {
  const { page, errors } = await openLab(t);
  await page.setViewportSize({ width: 1366, height: 768 });
  await smtpTerminal(page).locator('[role=log] li.server').first().waitFor();
  await smtpSend(smtpTerminal(page), { from: 'alice@a.example', to: 'bob@a.example', lines: ['Subject: my own lab', '', 'x'] });
  await bobPane(page).getByText('my own lab').waitFor();

  await page.getByRole('button', { name: 'Syllabus' }).click();
  const syllabus = page.getByRole('dialog', { name: 'Syllabus' });
  const rows = syllabus.locator('tbody tr');
  assert.equal(await rows.count(), 22);
  for (const row of await rows.all()) {
    const [, , topic, world] = await row.locator('td').allTextContents();
    assert.match(topic, /\(notes [A-D]/, 'every topic says where in the notes');
    assert.match(world, /^[a-z0-9-]+$/);
  }
  const apop = syllabus.locator('tr[data-lesson=apop] td');
  assert.match(await apop.nth(2).textContent(), /APOP/);
  assert.equal(await apop.nth(3).textContent(), 'eavesdropping');
  const shot = await screenshot(page, 'e2e-syllabus-1366');
  console.log(`screenshot: ${shot}`);

  // A preview changes nothing: the goal and steps show, the lab stays as it was.
  const relay = syllabus.locator('tr[data-lesson=open-relay]');
  await relay.locator('summary').click();
  await relay.getByText('MAIL FROM:<', { exact: false }).first().waitFor();
  assert.equal(await activeLesson(page), 'smtp-pop3');
  assert.equal(await page.locator('.aside').count(), 0);

  // Started on another world: no question, the lab is set aside.
  let asked = 0;
  page.on('dialog', (d) => {
    asked += 1;
    d.accept();
  });
  await syllabus.getByRole('button', { name: 'Start 12' }).click();
  await page.locator('article.lesson[data-lesson=open-relay]').waitFor();
  assert.equal(asked, 0);
  await page.getByRole('button', { name: 'Close' }).first().click();
  const aside = page.locator('.aside');
  assert.match(await aside.textContent(), /set aside: two-domains/);
  assert.equal(await bobPane(page).getByText('my own lab').count(), 0, 'the lesson has its own world');

  // A later lesson on yet another world replaces only the lesson's world, after asking.
  await page.getByRole('button', { name: 'Syllabus' }).click();
  await syllabus.getByRole('button', { name: 'Start 17' }).click();
  await page.locator('article.lesson[data-lesson=backup-mx]').waitFor();
  assert.equal(asked, 1);
  await syllabus.getByRole('button', { name: 'Close' }).click();

  // The way back survives a reload, and brings the lab and its lesson back.
  await page.reload();
  await aside.waitFor();
  await aside.getByRole('button', { name: 'Back to it' }).click();
  await bobPane(page).getByText('my own lab').waitFor();
  assert.equal(await activeLesson(page), 'smtp-pop3');
  assert.equal(await aside.count(), 0);
  await page.reload();
  await bobPane(page).getByText('my own lab').waitFor();
  assert.equal(await aside.count(), 0, 'gone once used');

  // The syllabus speaks Japanese too.
  await page.getByRole('button', { name: '日本語で表示' }).click();
  await page.getByRole('button', { name: 'シラバス' }).click();
  const ja = page.getByRole('dialog', { name: 'シラバス' });
  assert.match(await ja.locator('tr[data-lesson=apop] td').nth(2).textContent(), /APOP（資料 C/);
  await screenshot(page, 'e2e-syllabus-ja');
  assert.deepEqual(errors, []);
});
