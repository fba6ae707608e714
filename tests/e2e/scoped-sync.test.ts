/**
 * Scoped sync (issue #17 item 4) in real Chromium against the real server: a
 * phone that joins holds the recent incident in full and the archived one as
 * the server's overview; opening the archived one shows it loading, then its
 * log, which stays readable offline after a reload.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Actor, IncidentEvent } from '../../src/domain/events'
import { pastIncident } from '../fixtures/events'
import { issueToken, newPhone, registerE2eWorld, waitForServiceWorker } from './harness'
import { IncidentPage, IncidentsPage } from './pages'
import { openJoinLink, SyncIndicator } from './sync-pages'

const world = registerE2eWorld()
const DAY = 24 * 60 * 60 * 1000
const OTHER: Actor = { id: 'other-phone', name: 'Riley Other' }

/** One incident stamped from `startMs`, a minute apart: declared, one log entry, resolved. */
function resolvedIncident(title: string, entry: string, startMs: number): IncidentEvent[] {
  return pastIncident({ title, entry, startMs, stepMs: 60_000, resolved: true, actor: OTHER })
}

/** Incident ids of the events stored on the phone (IndexedDB). */
async function storedIncidentIds(page: import('playwright-core').Page): Promise<string[]> {
  return page.evaluate(async () => {
    const open = indexedDB.open('command-post')
    const db = await new Promise<IDBDatabase>((resolve) => {
      open.onsuccess = () => resolve(open.result)
    })
    const all = db.transaction('events').objectStore('events').getAll()
    return new Promise<string[]>((resolve) => {
      all.onsuccess = () => resolve([...new Set((all.result as { incidentId: string }[]).map((r) => r.incidentId))])
    })
  })
}

test('a joining phone holds the recent incident, lists the archived one, and fetches it once when opened', async () => {
  const seeder = issueToken(world.server.dataDir, 'seeder')
  const archived = resolvedIncident('Old projector outage', 'Lamp replaced in room 12', Date.now() - 90 * DAY)
  const recent = resolvedIncident('Badge readers offline', 'Controller rebooted', Date.now() - 3 * DAY)
  const pushed = await fetch(`${world.server.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seeder}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [...archived, ...recent] }),
  })
  assert.equal(pushed.status, 200)

  const token = issueToken(world.server.dataDir, 'Riley')
  const { context, page } = await newPhone(world.browser, world.server.url, 'Riley')
  await waitForServiceWorker(page)
  await openJoinLink(page, world.server.url, token)
  await new SyncIndicator(page).waitFor(/^Synced$/)
  const list = new IncidentsPage(page)
  await list.open()
  await page.getByRole('link', { name: /Old projector outage/ }).waitFor()
  await page.getByRole('link', { name: /Badge readers offline/ }).waitFor()
  assert.deepEqual(await storedIncidentIds(page), [recent[0]!.incidentId], 'only the recent incident’s events')

  // Opening the archived one: its log is fetched from the server, held back here until the page shows it loading.
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  await context.route('**/api/incidents/*/events', async (route) => {
    await released
    await route.continue()
  })
  await page.getByRole('link', { name: /Old projector outage/ }).click()
  await page.getByRole('status').filter({ hasText: 'Opening the incident’s log…' }).waitFor()
  release()
  const incident = new IncidentPage(page)
  await incident.timeline.getByText('Lamp replaced in room 12').waitFor()
  await context.unroute('**/api/incidents/*/events')
  assert.deepEqual(
    [...(await storedIncidentIds(page))].sort(),
    [archived[0]!.incidentId, recent[0]!.incidentId].sort(),
    'the archived incident’s events are kept on the phone',
  )

  // Offline, after a reload: it opens from what the phone kept.
  await context.setOffline(true)
  await page.reload()
  await new IncidentPage(page).timeline.getByText('Lamp replaced in room 12').waitFor()
  await context.close()
})
