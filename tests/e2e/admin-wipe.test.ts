/**
 * Issue #11 item 2 in real Chromium against the real server: an admin revokes a
 * lost phone with a wipe from Settings → Team (at 320 px), and the lost phone, at
 * its next contact, deletes its data, reloads to a clean screen and says its data
 * was removed by an administrator, and when.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { issueToken, newPhone, registerE2eWorld } from './harness'
import { IncidentsPage } from './pages'
import { openJoinLink, SyncIndicator } from './sync-pages'

const world = registerE2eWorld()

/** A phone with a name that has opened its join link and finished its first sync. */
async function joinedPhone(name: string, flags: string[] = []) {
  const token = issueToken(world.server.dataDir, name, flags)
  const phone = await newPhone(world.browser, world.server.url, name)
  await openJoinLink(phone.page, world.server.url, token)
  const indicator = new SyncIndicator(phone.page)
  await indicator.waitFor(/^Synced$/)
  await new IncidentsPage(phone.page).open()
  return { ...phone, token, indicator }
}

/** How many events the phone keeps in IndexedDB. */
async function storedEvents(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const open = indexedDB.open('command-post')
    const db = await new Promise<IDBDatabase>((resolve) => {
      open.onsuccess = () => resolve(open.result)
    })
    const count = db.transaction('events').objectStore('events').count()
    return new Promise<number>((resolve) => {
      count.onsuccess = () => resolve(count.result)
    })
  })
}

test('an admin wipes a lost phone: it deletes its data, reloads clean and says who and when', async () => {
  const lee = await joinedPhone('Lee')
  await new IncidentsPage(lee.page).declare('Laptop stolen from the van', 2)
  await lee.indicator.waitFor(/^Synced$/)
  await new IncidentsPage(lee.page).open()
  assert.ok((await storedEvents(lee.page)) > 0)
  // Count the page loads: the wipe must load the start page afresh.
  let loads = 0
  lee.page.on('load', () => loads++)

  const ada = await joinedPhone('Ada', ['--admin'])
  await ada.page.setViewportSize({ width: 320, height: 740 })
  await ada.page.getByRole('link', { name: 'Settings' }).click()
  const team = ada.page.getByRole('region', { name: 'Team' })
  await team.getByRole('heading', { name: 'Lee' }).waitFor()
  await team.getByRole('button', { name: 'Revoke and wipe… Lee’s phone' }).click()
  const confirm = team.getByRole('group', { name: 'Revoke Lee’s access and wipe their phone?' })
  await confirm.getByRole('button', { name: 'Revoke and wipe Lee’s phone' }).click()
  await team
    .getByRole('status')
    .filter({ hasText: 'Lee’s access was revoked; their phone deletes its data at its next contact.' })
    .waitFor()
  await team.getByText('Ada revoked and wiped the phone of Lee').waitFor()
  // 320 px: nothing wider than the screen.
  assert.ok(
    await ada.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'the Team section is wider than 320 px',
  )

  // Lee's open stream is closed by the revoke; its next contact is answered 401 wiped.
  const notice = lee.page.getByRole('alert').filter({ hasText: 'This phone’s data was removed' })
  await notice.waitFor({ timeout: 60_000 })
  assert.ok(loads >= 1, 'the wiped phone did not reload')
  const text = await notice.innerText()
  assert.match(text, /This phone’s data was removed by an administrator on .*\d{4}/)
  // A clean screen: the name is gone too, so the phone asks for it; no incident is left.
  await lee.page.getByRole('heading', { name: 'Welcome to Command Post' }).waitFor()
  assert.equal(await storedEvents(lee.page), 0)
  assert.equal(await lee.page.getByText('Laptop stolen from the van').count(), 0)
  assert.equal(await new SyncIndicator(lee.page).text(), 'Local only')

  // The notice stays until dismissed.
  await lee.page.reload()
  await notice.waitFor()
  await notice.getByRole('button', { name: 'Dismiss' }).click()
  assert.equal(await notice.count(), 0)

  await lee.context.close()
  await ada.context.close()
})
