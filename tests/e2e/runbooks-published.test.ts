/**
 * Published runbooks reach a phone without a redeploy, in real Chromium
 * against the real server: the phone joins, another token publishes a new
 * version through the API, the phone shows it (the stream's runbook notice
 * makes it come at once), and after going offline and reloading it still shows
 * and finds the new text, and no longer finds the text the new version removed.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { issueToken, newPhone, registerE2eWorld, ROOT, waitForServiceWorker } from './harness'
import { RunbooksPage } from './runbook-pages'
import { openJoinLink, SyncIndicator } from './sync-pages'

const world = registerE2eWorld()

const OLD_STEP = 'Check the UPS: is it on battery, alarming, or overloaded? Is the breaker tripped?'
const NEW_STEP = 'Check the flux capacitor for zorblax warnings'

/** Propose and publish a new version of `id` through the API, as an editor's phone would. */
async function publish(token: string, id: string, source: string): Promise<number> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const base = `${world.server.url}/api/runbooks/${encodeURIComponent(id)}`
  const proposed = await fetch(`${base}/versions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ source, note: 'e2e' }),
  })
  assert.equal(proposed.status, 201, await proposed.clone().text())
  const { version } = (await proposed.json()) as { version: number }
  const published = await fetch(`${base}/versions/${version}/publish`, { method: 'POST', headers, body: '{}' })
  assert.equal(published.status, 200, await published.text())
  return version
}

test('a version published on the server reaches a joined phone, then reads and searches offline', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Dana')
  await waitForServiceWorker(page)
  await openJoinLink(page, world.server.url, issueToken(world.server.dataDir, 'Dana'))
  await new SyncIndicator(page).waitFor(/^Synced$/)

  // The server seeded runbooks/ as version 1; the phone syncs its catalogue and shows that number.
  await page.goto(`${world.server.url}/runbooks/switch-down`)
  await page.getByRole('heading', { name: 'Switch down in a closet', level: 1 }).waitFor()
  const version = page.locator('.runbook-review__version')
  await version.filter({ hasText: /^Version 1$/ }).waitFor()
  await page.getByText(OLD_STEP).waitFor()

  const source = readFileSync(join(ROOT, 'runbooks/switch-down.md'), 'utf8').replace(OLD_STEP, NEW_STEP)
  const editor = issueToken(world.server.dataDir, 'Editor')
  const published = await publish(editor, 'switch-down', source)
  assert.equal(published, 2)

  // The open page follows the new published version, with no reload.
  await version.filter({ hasText: /^Version 2$/ }).waitFor()
  await page.getByText(NEW_STEP).waitFor()
  assert.equal(await page.getByText(OLD_STEP).count(), 0)

  await context.setOffline(true)
  await page.reload()
  await page.getByRole('heading', { name: 'Switch down in a closet', level: 1 }).waitFor()
  await version.filter({ hasText: /^Version 2$/ }).waitFor()
  await page.getByText(NEW_STEP).waitFor()

  const list = new RunbooksPage(page)
  await list.open()
  await page.locator('.runbook-item', { hasText: 'Switch down in a closet' }).getByText('Version 2').waitFor()
  await list.search.focus()
  assert.deepEqual(await list.searchFor('zorblax'), ['Switch down in a closet'])
  assert.ok(
    !(await list.searchFor('overloaded')).includes('Switch down in a closet'),
    'the removed text no longer matches',
  )
  assert.equal((await list.searchFor('dhcp'))[0], 'DHCP scope exhausted', 'the rest of the index is as built')
  assert.equal(await page.evaluate(() => navigator.onLine), false)
  await context.close()
})
