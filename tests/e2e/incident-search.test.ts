import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { ROOT, newPhone, registerE2eWorld } from './harness'
import { IncidentsPage } from './pages'
import { IncidentCommandPage } from './command-pages'

const world = registerE2eWorld()

/** The list's rows as "level title", in reading order (the list is windowed: these few are all drawn). */
async function rows(page: Page): Promise<string[]> {
  return page
    .locator('li[aria-level]')
    .evaluateAll((lis) =>
      lis.map(
        (li) => `${li.getAttribute('aria-level')} ${li.querySelector('.incident-card__title')?.textContent ?? ''}`,
      ),
    )
}

/** The list's count line (the page has other status regions: sync, updates). */
const countLine = (page: Page) => page.getByRole('search').getByRole('status')

async function search(page: Page, query: string, count: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search incidents' }).fill(query)
  await page.waitForFunction(
    ([selector, text]) => document.querySelector(selector!)?.textContent?.trim() === text,
    ['.incident-search [role="status"]', count],
  )
}

test('the incidents list nests sub-incidents at any depth, finds words in logs (typos, Japanese) and filters', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Dana')
  const incidents = new IncidentsPage(page)

  const campus = await incidents.declare('Campus network down', 1)
  await campus.log('Replaced the transceiver on the core switch uplink')
  const command = new IncidentCommandPage(page)
  const building = await command.declareSubIncident('Building B switch loop', 2)
  const gym = await building.declareSubIncident('Gym Wi-Fi down', 3)
  await gym.declareSubIncident('Gym access point 4 dead', 3)
  await page.goto(`${world.server.url}/incidents`)
  const badges = await incidents.declare('Door badge readers offline', 3)
  await badges.log('コアスイッチの電源とアップリンクを確認する。')
  await page.goto(`${world.server.url}/incidents`)
  await incidents.declare('Printer queue stuck in the library', 4)
  await page.goto(`${world.server.url}/incidents`)
  await incidents.declare('Projector dead in room 12', 4)
  await new IncidentCommandPage(page).resolve()
  await page.goto(`${world.server.url}/incidents`)
  await page.getByRole('searchbox', { name: 'Search incidents' }).waitFor()

  // A tall screen first: the list is windowed, and only rows near the screen are in the page.
  await page.setViewportSize({ width: 360, height: 1600 })
  // A great-grandchild sits under its parent, not at the top level.
  await page.getByRole('list', { name: 'Resolved incidents' }).waitFor()
  assert.deepEqual(await rows(page), [
    '1 Campus network down',
    '2 Building B switch loop',
    '3 Gym Wi-Fi down',
    '4 Gym access point 4 dead',
    '1 Door badge readers offline',
    '1 Printer queue stuck in the library',
    '1 Projector dead in room 12',
  ])
  const resolvedItem = page.getByRole('list', { name: 'Resolved incidents' }).getByRole('listitem')
  assert.equal(await resolvedItem.getAttribute('aria-posinset'), '1', 'places count within the Resolved list')
  assert.equal(await resolvedItem.getAttribute('aria-setsize'), '1')
  await page.setViewportSize({ width: 360, height: 740 })
  // My roles: six open incidents commanded, two lines shown, so the list starts on the first screen.
  assert.equal(await page.getByRole('list', { name: 'My roles' }).getByRole('listitem').count(), 2)
  await page.getByRole('button', { name: 'Show all 6' }).waitFor()
  const top = await page.getByRole('list', { name: 'Open incidents' }).boundingBox()
  assert.ok(top && top.y < 740 - 100, `the list starts on the first screen (y = ${top?.y})`)
  if (process.env.E2E_SCREENSHOTS) {
    await showSearch(page)
    await shot(page, 'docs/incidents-list.png')
    await page.evaluate(() => window.scrollTo(0, 0))
  }
  await page.getByRole('button', { name: 'Hide 3 sub-incidents' }).click()
  assert.deepEqual((await rows(page)).slice(0, 2), ['1 Campus network down', '1 Door badge readers offline'])
  await page.getByRole('button', { name: 'Show 3 sub-incidents' }).click()

  // A log entry's word, typed with two letters swapped.
  await search(page, 'transciever', '1 incident matches “transciever”')
  assert.deepEqual(await rows(page), ['1 Campus network down'])
  // Japanese: a word inside a sentence.
  await search(page, '電源', '1 incident matches “電源”')
  assert.deepEqual(await rows(page), ['1 Door badge readers offline'])
  // A match deep in the tree comes with its parents (context).
  await search(page, 'gym', '2 incidents match “gym”')
  assert.deepEqual(await rows(page), [
    '1 Campus network down',
    '2 Building B switch loop',
    '3 Gym Wi-Fi down',
    '4 Gym access point 4 dead',
  ])
  assert.equal(await page.locator('.incident-row--context').count(), 2, 'the two parents are context only')
  if (process.env.E2E_SCREENSHOTS) {
    await showSearch(page)
    await shot(page, 'docs/incidents-search.png')
  }

  await search(page, '', '')
  await page.getByLabel('Severity').selectOption('4')
  await countLine(page).filter({ hasText: '2 incidents match the filters' }).waitFor()
  await page.getByLabel('Status').selectOption('open')
  await countLine(page).filter({ hasText: '1 incident matches the filters' }).waitFor()
  assert.deepEqual(await rows(page), ['1 Printer queue stuck in the library'])
  await context.close()
})

/** Scroll so the search field sits just under the app's sticky header: the pictures show it and the list. */
async function showSearch(page: Page): Promise<void> {
  await page.evaluate(() => {
    const header = document.querySelector('header')?.getBoundingClientRect().bottom ?? 0
    const search = document.querySelector('[role="search"]')!.getBoundingClientRect().top
    window.scrollBy(0, search - header - 8)
  })
}

/** A 360 × 740 screenshot into docs/ (run with E2E_SCREENSHOTS=1 to refresh the README's pictures). */
async function shot(page: Page, path: string): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  await page.screenshot({ path: join(ROOT, path) })
}
