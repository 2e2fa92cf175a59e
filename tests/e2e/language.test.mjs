// Every label switches between English and Japanese at run time, and a
// Japanese browser starts in Japanese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLab, screenshot, typeLine } from './harness.mjs';

test('switching to Japanese and back', async (t) => {
  const { page, errors } = await openLab(t);
  await page.getByRole('textbox', { name: 'Command' }).waitFor();
  await page.getByRole('button', { name: '日本語で表示' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
  const terminal = page.getByRole('region', { name: '端末 mail.a.example:25' });
  const input = terminal.getByRole('textbox', { name: 'コマンド' });
  await input.waitFor();
  assert.match(await terminal.locator('.hint').textContent(), /状態：接続しました。EHLO/);
  // The lab's own lines switch language too; protocol text stays as sent.
  assert.deepEqual((await terminal.locator('[role=log] li.lab').allTextContents()).slice(0, 2), [
    'mail.a.example のポート 25 に接続しています…',
    '接続しました。',
  ]);
  await typeLine(terminal, 'EHLO pc.a.example', 1);
  assert.equal(await terminal.locator('li.r2xx').last().getAttribute('title'), '要求された操作は完了しました。');
  await page.getByRole('region', { name: 'メールボックス bob@a.example' }).getByText('まだメッセージはありません。').waitFor();
  await screenshot(page, 'e2e-japanese');
  await page.getByRole('button', { name: 'Show in English' }).click();
  await page.getByRole('region', { name: 'Mailbox bob@a.example' }).waitFor();
  const english = page.getByRole('region', { name: 'Terminal mail.a.example:25' });
  assert.deepEqual((await english.locator('[role=log] li.lab').allTextContents()).slice(0, 2), [
    'Trying mail.a.example 25...',
    'Connected.',
  ]);
  assert.deepEqual(errors, []);
});

test('a Japanese browser starts in Japanese', async (t) => {
  const { page, errors } = await openLab(t, { locale: 'ja-JP' });
  await page.getByRole('textbox', { name: 'コマンド' }).waitFor();
  assert.equal(await page.locator('h1').textContent(), 'メールラボ');
  assert.deepEqual(errors, []);
});
