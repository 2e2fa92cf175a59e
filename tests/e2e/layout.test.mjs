// From a 1024-pixel laptop to a large projector: no sideways scrolling, and the
// terminal, the mailboxes and the lessons are on screen without zooming.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlsOutsideColumns, openLab, screenshot } from './harness.mjs';

test('the page fits 1024 px laptops and 1920 px projectors', async (t) => {
  const { page, errors } = await openLab(t);
  for (const [width, height] of [[1024, 768], [1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.getByRole('region', { name: 'Lessons' }).waitFor();
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${width} px: ${overflow} px of sideways scrolling`);
    for (const name of ['Terminal mail.a.example:25', 'Mailbox bob@a.example', 'Network']) {
      const box = await page.getByRole('region', { name }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= width, `${name} fits in ${width} px`);
    }
    const command = await page.getByRole('textbox', { name: 'Command' }).boundingBox();
    assert.ok(command.width >= 300, `the Command box is usable at ${width} px (${command.width} px wide)`);
    assert.deepEqual(await controlsOutsideColumns(page), [], `${width} px`);
    await screenshot(page, `e2e-layout-${width}`);
  }
  assert.deepEqual(errors, []);
});
