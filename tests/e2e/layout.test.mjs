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
  // On a school laptop, the Network link brings the whole map into view, and the
  // first mailbox's heading stays on screen above it.
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.getByRole('navigation', { name: 'Show' }).getByRole('link', { name: 'Network' }).click();
  const map = await page.getByRole('img', { name: /Map of the network/ }).boundingBox();
  assert.ok(map.y >= 0 && map.y + map.height <= 768, `the map spans ${Math.round(map.y)}-${Math.round(map.y + map.height)} px of 768`);
  const heading = await page.getByRole('heading', { name: /^Mailbox bob@a\.example/ }).boundingBox();
  assert.ok(heading.y >= 0 && heading.y + heading.height <= map.y, 'the mailbox heading is above the map, on screen');
  await screenshot(page, 'e2e-layout-1366-network');
  assert.deepEqual(errors, []);
});
