/**
 * A full phone, in real Chromium: the origin's storage quota is made small
 * (CDP Storage.overrideQuotaForOrigin) and then filled, so IndexedDB itself
 * refuses the write with QuotaExceededError — nothing in the app is faked.
 * The responder is told in words, the sync indicator names the phone's
 * storage, the typed text stays in the form (and across a reload), and once
 * space is freed the same text is logged and reaches the server.
 *
 * The override only takes effect in a persistent profile and for an origin
 * whose storage has not been opened yet: it is set from a blank page before
 * the first navigation to the app.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chromium, type Page } from 'playwright-core'
import { CHROME_FLAGS, chromePath, issueToken, registerE2eWorld, waitForServiceWorker } from './harness'
import { IncidentPage, IncidentsPage } from './pages'
import { openJoinLink, SyncIndicator } from './sync-pages'

const world = registerE2eWorld()

/** The origin's whole quota: room for the precached app and a few incidents, small enough to fill in a second. */
const QUOTA_BYTES = 12 * 1024 * 1024
/** The database the test fills the phone with, as other apps' data would on a real phone. */
const FILLER_DB = 'e2e-filler'
const FULL_MESSAGE = 'Phone storage is full: free space on the phone. Your text is still here.'

/**
 * Writes incompressible blobs into FILLER_DB, large ones first and then ever
 * smaller, each size until IndexedDB refuses it; resolves with the bytes
 * written and the names of the errors that stopped each size.
 */
async function fillStorage(page: Page): Promise<{ bytes: number; refusals: string[] }> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name, 1)
      open.onupgradeneeded = () => open.result.createObjectStore('blobs', { autoIncrement: true })
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error ?? new Error('filler database did not open'))
    })
    // No named functions in here: the test's compiler would wrap them in a helper the page does not have.
    let bytes = 0
    const refusals: string[] = []
    for (const size of [1_048_576, 65_536, 4_096, 256, 16]) {
      // Bounded: 12 MiB of the largest size is 12 writes; each smaller size fills at most the last gap.
      for (let i = 0; i < 400; i++) {
        const blob = new Uint8Array(size)
        for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(blob.subarray(at, Math.min(size, at + 65_536)))
        const refused = await new Promise<string | null>((resolve) => {
          const tx = db.transaction('blobs', 'readwrite')
          tx.objectStore('blobs').add(blob)
          tx.oncomplete = () => resolve(null)
          tx.onabort = () => resolve(tx.error?.name ?? 'AbortError')
        })
        if (refused) {
          refusals.push(refused)
          break
        }
        bytes += size
      }
    }
    db.close()
    return { bytes, refusals }
  }, FILLER_DB)
}

/** Deletes FILLER_DB: the responder freed space on the phone. */
async function freeStorage(page: Page): Promise<void> {
  await page.evaluate(
    (name) =>
      new Promise<void>((resolve, reject) => {
        const del = indexedDB.deleteDatabase(name)
        del.onsuccess = () => resolve()
        del.onerror = () => reject(del.error ?? new Error('filler database not deleted'))
      }),
    FILLER_DB,
  )
}

async function serverTexts(token: string): Promise<string[]> {
  const res = await fetch(`${world.server.url}/api/events?after=0&limit=1000`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const page = (await res.json()) as { events: { payload: { text?: string } }[] }
  return page.events.map((e) => e.payload.text ?? '')
}

test('a full phone says so in words, keeps the typed entry, and logs it once there is room', async () => {
  const token = issueToken(world.server.dataDir, 'Rosa')
  const context = await chromium.launchPersistentContext(world.tempDir('cp-e2e-full-'), {
    executablePath: chromePath(),
    headless: true,
    args: CHROME_FLAGS,
    viewport: { width: 360, height: 740 },
    hasTouch: true,
    isMobile: true,
  })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    const cdp = await context.newCDPSession(page)
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: new URL(world.server.url).origin,
      quotaSize: QUOTA_BYTES,
    })

    await page.goto(world.server.url)
    await page.getByLabel('Your name').fill('Rosa')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('heading', { name: 'Incidents' }).waitFor()
    await waitForServiceWorker(page)
    await openJoinLink(page, world.server.url, token)
    await new IncidentsPage(page).open()
    const incident = await new IncidentsPage(page).declare('Core switch in building B rebooting', 2)
    await incident.log('Console shows a power supply fault on PSU 2')
    const indicator = new SyncIndicator(page)
    await indicator.waitFor(/^Synced$/)

    const filled = await fillStorage(page)
    assert.ok(filled.bytes > 0, 'the filler wrote something before the quota ran out')
    assert.ok(
      filled.refusals.length > 0 && filled.refusals.every((name) => name === 'QuotaExceededError'),
      `IndexedDB refused the filler for want of quota (${filled.refusals.join(', ')})`,
    )

    const text = 'Swapped PSU 2 with the spare from the closet; switch stays up'
    await incident.type(text)
    await page.getByRole('button', { name: 'Add to log' }).click()
    const alert = page.locator('.log-composer').getByRole('alert')
    await alert.filter({ hasText: FULL_MESSAGE }).waitFor()
    assert.equal((await alert.innerText()).trim(), FULL_MESSAGE, 'said in words, not as the database error')
    assert.equal(await incident.draft(), text, 'the typed text is still in the field')
    await indicator.waitFor(/phone storage problem/)
    assert.deepEqual(await incident.entries(), ['Console shows a power supply fault on PSU 2'], 'nothing half-logged')

    // Trying again while still full fails the same way, and loses nothing.
    await page.getByRole('button', { name: 'Add to log' }).click()
    await alert.filter({ hasText: FULL_MESSAGE }).waitFor()
    assert.equal(await incident.draft(), text)

    // The draft lives outside IndexedDB: it survives a reload of the full phone.
    await page.reload()
    const reloaded = new IncidentPage(page)
    await reloaded.timeline.getByText('Console shows a power supply fault on PSU 2').waitFor()
    assert.equal(await reloaded.draft(), text)

    await freeStorage(page)
    await page.getByRole('button', { name: 'Add to log' }).click()
    await reloaded.timeline.getByText(text, { exact: true }).waitFor()
    assert.equal(await reloaded.draft(), '', 'the draft is cleared once the entry is saved')
    await indicator.waitFor(/^Synced$/)
    assert.ok((await serverTexts(token)).includes(text), 'the entry reached the server')
  } finally {
    await context.close()
  }
})
