/**
 * Phones for the browser benchmarks: a Chromium context per phone, set up the
 * way a responder's would be (name saved through the welcome screen), with
 * events written into its IndexedDB in the exact rows the app stores
 * (storedRows, checked against src/db by shape-check.ts).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { StoredEvent } from '../../src/db/database'
import { SyncState } from '../../src/db/database'
import type { IncidentEvent } from '../../src/domain/events'
import { newPhone, waitForServiceWorker } from '../../tests/e2e/harness'
import { sleep } from './stats'

export interface Phone {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

/**
 * tsx compiles with esbuild's keepNames, which wraps named inner functions in
 * `__name(fn, "name")`. Functions handed to the page (evaluate, init scripts)
 * carry those calls with them, so the page needs a `__name` of its own.
 */
export const NAME_SHIM = 'globalThis.__name ??= (fn) => fn'

export async function withNameShim(context: BrowserContext, page?: Page): Promise<void> {
  await context.addInitScript({ content: NAME_SHIM })
  if (page) await page.evaluate(NAME_SHIM)
}

export async function openPhone(browser: Browser, url: string, name: string): Promise<Phone> {
  const { context, page } = await newPhone(browser, url, name)
  await withNameShim(context, page)
  return { context, page, close: () => context.close() }
}

/** The IndexedDB rows the app writes for these events (src/db/events.ts), numbered from `firstLseq`. */
export function storedRows(
  events: readonly IncidentEvent[],
  firstLseq: number,
  sync: StoredEvent['sync'],
): StoredEvent[] {
  return events.map((event, i) => ({
    id: event.id,
    incidentId: event.incidentId,
    hlc: event.hlc,
    lseq: firstLseq + i,
    sync,
    event,
  }))
}

/**
 * Seed data reaches the page over plain HTTP from the benchmark process: handing
 * megabytes to page.evaluate goes through the DevTools protocol and takes
 * seconds per thousand rows. The app's CSP allows http: connections (a sync
 * server may live elsewhere), and this server answers with CORS for any origin.
 */
class SeedServer {
  private readonly bodies = new Map<string, string>()
  private next = 0
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {
    server.on('request', (req, res) => {
      const body = this.bodies.get(req.url ?? '')
      res.writeHead(body === undefined ? 404 : 200, {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
      })
      res.end(body ?? '{}')
      // Each body is read once.
      if (body !== undefined) this.bodies.delete(req.url ?? '')
    })
  }

  static async start(): Promise<SeedServer> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return new SeedServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  }

  offer(value: unknown): string {
    const path = `/seed/${this.next++}`
    this.bodies.set(path, JSON.stringify(value))
    return `${this.origin}${path}`
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

let seeds: Promise<SeedServer> | null = null

/** A URL the page can fetch `value` from once, as JSON (see SeedServer). */
export async function offerToPage(value: unknown): Promise<string> {
  seeds ??= SeedServer.start()
  return (await seeds).offer(value)
}

export async function stopSeedServer(): Promise<void> {
  if (seeds) await (await seeds).close()
  seeds = null
}

/**
 * Write events into the phone's database as if it had stored them itself
 * (`pending`: made here, not yet sent) or pulled them (`acknowledged`), then
 * reload so the app reads them (`reload: false`: not; seeding in chunks, only
 * the last needs it). The kv rows `lseq` and `clock` move on as
 * appendLocalEvents/storeRemoteEvents move them.
 */
export async function seedEvents(
  page: Page,
  events: readonly IncidentEvent[],
  sync: 'pending' | 'acknowledged',
  { reload = true }: { reload?: boolean } = {},
): Promise<void> {
  seeds ??= SeedServer.start()
  const server = await seeds
  const lastLseq = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('command-post')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    const row = await new Promise<{ value?: unknown } | undefined>((resolve) => {
      const get = db.transaction('kv').objectStore('kv').get('lseq')
      get.onsuccess = () => resolve(get.result as { value?: unknown } | undefined)
    })
    db.close()
    return typeof row?.value === 'number' ? row.value : 0
  })
  const rows = storedRows(events, lastLseq + 1, sync === 'pending' ? SyncState.pending : SyncState.acknowledged)
  const written = await page.evaluate(async (url) => {
    const response = await fetch(url)
    const rows = (await response.json()) as StoredEvent[]
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('command-post')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(['events', 'kv'], 'readwrite')
      const store = tx.objectStore('events')
      for (const row of rows) store.add(row)
      const kv = tx.objectStore('kv')
      kv.put({ key: 'lseq', value: rows[rows.length - 1]!.lseq })
      const clock = kv.get('clock')
      clock.onsuccess = () => {
        const current = (clock.result as { value?: string } | undefined)?.value ?? ''
        const newest = rows.reduce((max, r) => (r.hlc > max ? r.hlc : max), current)
        kv.put({ key: 'clock', value: newest })
      }
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    db.close()
    return rows.length
  }, server.offer(rows))
  if (written !== rows.length) throw new Error(`seeded ${written} of ${rows.length} rows`)
  if (!reload) return
  await page.reload()
  await page.getByRole('heading', { name: 'Incidents' }).waitFor({ timeout: 60_000 })
}

/** Rows in the phone's database, by sync state (raw IndexedDB: no app code in the way). */
export async function countRows(page: Page): Promise<{ total: number; pending: number }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('command-post')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    const store = db.transaction('events').objectStore('events')
    const count = (req: IDBRequest<number>) =>
      new Promise<number>((resolve) => {
        req.onsuccess = () => resolve(req.result)
      })
    const [total, pending] = await Promise.all([count(store.count()), count(store.index('sync').count(0))])
    db.close()
    return { total, pending }
  })
}

/**
 * A service worker in control, as on an installed phone. The app registers
 * sw.js itself once it does; until then the benchmark registers the same
 * file (and says so in the report).
 */
export async function ensureServiceWorker(page: Page): Promise<'app' | 'bench'> {
  let registeredBy: 'app' | 'bench' = 'app'
  const deadline = Date.now() + 3000
  while (!(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())))) {
    if (Date.now() > deadline) {
      registeredBy = 'bench'
      await page.evaluate(async () => {
        await navigator.serviceWorker.register('/sw.js', { scope: '/' })
      })
      break
    }
    await sleep(100)
  }
  await waitForServiceWorker(page)
  return registeredBy
}

/**
 * Resolves once the phone's summaries are written up to its last stored
 * event (kv `summaries-lseq` a number equal to `lseq`), polled each second
 * from Node: page.waitForFunction does not await an async predicate (its
 * promise counts as true at once). Throws after `timeoutMs`.
 */
export async function summariesWritten(page: Page, timeoutMs: number): Promise<void> {
  if (!(await kvUntil(page, timeoutMs, 'summaries')))
    throw new Error(`the summaries were not written within ${timeoutMs / 1000} s`)
}

/** Resolves true once the incident search index is saved on the phone (kv row), false after `timeoutMs`. */
export function searchIndexSaved(page: Page, timeoutMs: number): Promise<boolean> {
  return kvUntil(page, timeoutMs, 'index')
}

async function kvUntil(page: Page, timeoutMs: number, what: 'summaries' | 'index'): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const done = await page.evaluate(async (what) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('command-post')
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error)
      })
      const [mark, lseq, index] = await Promise.all(
        ['summaries-lseq', 'lseq', 'incident-search-index'].map(
          (key) =>
            new Promise<unknown>((resolve) => {
              const get = db.transaction('kv').objectStore('kv').get(key)
              get.onsuccess = () => resolve((get.result as { value?: unknown } | undefined)?.value)
            }),
        ),
      )
      db.close()
      return what === 'index' ? index !== undefined : typeof mark === 'number' && mark === lseq
    }, what)
    if (done) return true
    if (Date.now() > deadline) return false
    await sleep(1000)
  }
}
