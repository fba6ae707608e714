/**
 * publish_to_phone_ms: a joined phone has a runbook open; another token
 * proposes and publishes a new version through the API; the time from the
 * publish POST to the phone showing "Version N" on that page (the stream's
 * runbook notice, the catalogue and version fetches, the compile in the
 * browser, the IndexedDB write and the page's re-render). Median of 5, after 1 warm-up.
 * event_to_phone_ms, its baseline in the same run and over the same stream:
 * POST /api/events of one event → the phone's IndexedDB holds it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { ROOT } from '../../tests/e2e/harness'
import type { IncidentEvent } from '../../src/domain/events'
import { openPhone } from '../lib/phone'
import { median } from '../lib/stats'

export interface PublishResult {
  publishMedianMs: number
  eventMedianMs: number
  publishSamples: number[]
  eventSamples: number[]
}

const RUNBOOK = 'switch-down'

async function api(url: string, token: string, path: string, body: unknown): Promise<{ version: number }> {
  const res = await fetch(`${url}/api/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as { version: number }
}

/** Polls the page (every animation frame) until `version` is shown on the runbook page; the time it became so. */
async function versionShown(page: Page, version: number): Promise<number> {
  await page.waitForFunction(
    (label) => document.querySelector('.runbook-review__version')?.textContent === label,
    `Version ${version}`,
    { timeout: 60_000 },
  )
  return performance.now()
}

async function eventStored(page: Page, id: string): Promise<number> {
  await page.waitForFunction(
    async (eventId) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('command-post')
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error)
      })
      const row = await new Promise<unknown>((resolve) => {
        const req = db.transaction('events').objectStore('events').get(eventId)
        req.onsuccess = () => resolve(req.result)
      })
      db.close()
      return row !== undefined
    },
    id,
    { timeout: 60_000, polling: 10 },
  )
  return performance.now()
}

export async function publishToPhone(
  browser: Browser,
  url: string,
  phoneToken: string,
  editorToken: string,
  events: readonly IncidentEvent[],
  runs = 5,
  warmup = 1,
): Promise<PublishResult> {
  const phone = await openPhone(browser, url, 'Bench Reader')
  try {
    const { page } = phone
    await page.goto(`${url}/#/join?token=${encodeURIComponent(phoneToken)}`)
    await page.getByRole('heading', { name: 'You joined the sync server' }).waitFor({ timeout: 60_000 })
    await page.goto(`${url}/runbooks/${RUNBOOK}`)
    // The seeded version 1 synced: the phone is following the server's catalogue.
    await page.locator('.runbook-review__version', { hasText: /^Version \d+$/ }).waitFor({ timeout: 60_000 })
    const source = readFileSync(join(ROOT, 'runbooks', `${RUNBOOK}.md`), 'utf8')
    const publishSamples: number[] = []
    const eventSamples: number[] = []
    for (let i = 0; i < warmup + runs; i++) {
      // Baseline: an ordinary event over the same stream.
      const event = events[i]!
      const t0 = performance.now()
      const stored = eventStored(page, event.id)
      await api(url, editorToken, 'events', { events: [event] })
      const eventMs = (await stored) - t0
      // The figure: a new version published.
      const proposed = await api(url, editorToken, `runbooks/${RUNBOOK}/versions`, {
        source: `${source}\n\nBench edit ${i}.\n`,
        note: `bench ${i}`,
      })
      const t1 = performance.now()
      const shown = versionShown(page, proposed.version)
      await api(url, editorToken, `runbooks/${RUNBOOK}/versions/${proposed.version}/publish`, {})
      const publishMs = (await shown) - t1
      if (i >= warmup) {
        eventSamples.push(eventMs)
        publishSamples.push(publishMs)
      }
    }
    return {
      publishMedianMs: median(publishSamples),
      eventMedianMs: median(eventSamples),
      publishSamples,
      eventSamples,
    }
  } finally {
    await phone.close()
  }
}
