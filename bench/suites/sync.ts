/**
 * The app's own sync engine against the real server:
 *  - sync_pull_eps: a fresh phone joins (join link) and pulls the whole log
 *    (the 100,000 ingested events and the fan-out test's few) until its
 *    IndexedDB holds them all;
 *  - sync_push_eps: a phone holding 20,000 pending events joins and pushes
 *    until every one is acknowledged in its IndexedDB;
 *  - raw_idb_add_eps, the pull's limit: the rows a pull stores for the same
 *    events, added by plain IndexedDB in the same browser, one transaction per
 *    pull page, into a store with the app's key and indexes.
 * Timed from opening the join link, so app start with the data is included.
 */
import type { Browser, Page } from 'playwright-core'
import type { IncidentEvent } from '../../src/domain/events'
import { PULL_LIMITS } from '../../src/domain/wire'
import { SyncState } from '../../src/db/database'
import { countRows, offerToPage, openPhone, seedEvents, storedRows } from '../lib/phone'
import { sleep } from '../lib/stats'

export class NoSyncEngine extends Error {}

/** Opens the join link; falls back to writing the setting the join flow writes when the app has no join route. */
async function join(page: Page, url: string, token: string): Promise<'link' | 'setting'> {
  await page.goto(`${url}/#/join?token=${encodeURIComponent(token)}`)
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    if (await syncSettingSaved(page)) return 'link'
    await sleep(100)
  }
  await page.evaluate(async (token) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('command-post')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('kv', 'readwrite')
      tx.objectStore('kv').put({ key: 'setting:sync', value: { serverUrl: '', token } })
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    db.close()
  }, token)
  await page.goto(`${url}/incidents`)
  return 'setting'
}

async function syncSettingSaved(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('command-post')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    const row = await new Promise<{ value?: { token?: string } } | undefined>((resolve) => {
      const req = db.transaction('kv').objectStore('kv').get('setting:sync')
      req.onsuccess = () => resolve(req.result as { value?: { token?: string } } | undefined)
    })
    db.close()
    return !!row?.value?.token
  })
}

interface Progress {
  counts: { total: number; pending: number }
  /** The time cap ran out first: the rate is over what was done by then. */
  capped: boolean
}

/**
 * Waits until `done` holds, polling raw IndexedDB counts. Throws NoSyncEngine if
 * nothing moved in `stallMs`; stops at `capMs` (the run must stay under five
 * minutes) and says so.
 */
async function until(
  page: Page,
  done: (c: Progress['counts']) => boolean,
  progress: (c: Progress['counts']) => number,
  stallMs: number,
  capMs: number,
): Promise<Progress> {
  const start = Date.now()
  let last = progress(await countRows(page))
  let movedAt = Date.now()
  for (;;) {
    const c = await countRows(page)
    if (done(c)) return { counts: c, capped: false }
    const p = progress(c)
    if (p !== last) {
      last = p
      movedAt = Date.now()
    }
    if (Date.now() - movedAt > stallMs)
      throw new NoSyncEngine(`no sync progress in ${stallMs / 1000} s (at ${JSON.stringify(c)})`)
    if (Date.now() - start > capMs) return { counts: c, capped: true }
    await sleep(250)
  }
}

async function serverHas(url: string, token: string, seq: number): Promise<boolean> {
  const res = await fetch(`${url}/api/events?after=${seq - 1}&limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const page = (await res.json()) as { events: { seq: number }[] }
  return page.events[0]?.seq === seq
}

export interface SyncResult {
  pullEps: number
  pulled: number
  pullCapped: boolean
  pushEps: number
  pushed: number
  pushCapped: boolean
  joinedBy: 'link' | 'setting'
}

/**
 * Pull first (a fresh phone takes the server's whole log: `head` events), then
 * push (`pending` events from another phone).
 */
export async function phoneSync(
  browser: Browser,
  url: string,
  token: string,
  pending: readonly IncidentEvent[],
  head: number,
  say: (m: string) => void,
  capMs = 25_000,
): Promise<SyncResult> {
  let t = performance.now()
  const lap = (what: string) => {
    say(`${what}: ${((performance.now() - t) / 1000).toFixed(1)} s`)
    t = performance.now()
  }
  const puller = await openPhone(browser, url, 'Bench Puller')
  lap('fresh phone ready')
  let pull: Progress
  let pullEps: number
  let joinedBy: 'link' | 'setting'
  try {
    const before = (await countRows(puller.page)).total
    const t0 = performance.now()
    joinedBy = await join(puller.page, url, token)
    pull = await until(
      puller.page,
      (c) => c.total - before >= head,
      (c) => c.total,
      15_000,
      capMs,
    )
    pullEps = (pull.counts.total - before) / ((performance.now() - t0) / 1000)
    lap(`pulled ${pull.counts.total - before} events`)
  } finally {
    await puller.close()
  }

  const pusher = await openPhone(browser, url, 'Bench Pusher')
  try {
    await seedEvents(pusher.page, pending, 'pending')
    lap(`phone with ${pending.length} pending events ready (app started with them)`)
    const before = await countRows(pusher.page)
    if (before.pending !== pending.length)
      throw new Error(`seeded ${before.pending} pending events, wanted ${pending.length}`)
    const t0 = performance.now()
    await join(pusher.page, url, token)
    const push = await until(
      pusher.page,
      (c) => c.pending === 0,
      (c) => c.pending,
      15_000,
      capMs,
    )
    const pushed = pending.length - push.counts.pending
    const pushEps = pushed / ((performance.now() - t0) / 1000)
    lap(`pushed ${pushed} events`)
    if (!push.capped && !(await serverHas(url, token, head + pending.length)))
      throw new Error('the phone says all acknowledged, but the server does not hold them all')
    return {
      pullEps,
      pulled: pull.counts.total,
      pullCapped: pull.capped,
      pushEps,
      pushed,
      pushCapped: push.capped,
      joinedBy,
    }
  } finally {
    await pusher.close()
  }
}

/**
 * Raw IndexedDB: the rows the app stores for `events` (bench/lib/phone.ts storedRows), added with
 * IDBObjectStore.add in one transaction per pull page (PULL_LIMITS.max rows) into a new database whose
 * events store has the app's key and indexes (src/db/database.ts), in a page of the app's origin.
 * The rows are in the page before the clock starts. Best of `runs`, events/s.
 */
export async function rawIdbAddEps(browser: Browser, url: string, events: readonly IncidentEvent[], runs = 2) {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(`${url}/blank.html`)
    let best = 0
    for (let run = 0; run < runs; run++) {
      const source = await offerToPage(storedRows(events, 1, SyncState.acknowledged))
      const ms = await page.evaluate(
        async ({ source, page: pageSize }) => {
          const rows = (await (await fetch(source)).json()) as unknown[]
          const name = 'bench-raw-idb'
          await new Promise((resolve) => {
            const del = indexedDB.deleteDatabase(name)
            del.onsuccess = del.onerror = del.onblocked = resolve
          })
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const open = indexedDB.open(name, 1)
            open.onupgradeneeded = () => {
              const store = open.result.createObjectStore('events', { keyPath: 'id' })
              store.createIndex('[incidentId+hlc]', ['incidentId', 'hlc'])
              store.createIndex('lseq', 'lseq')
              store.createIndex('sync', 'sync')
              store.createIndex('[sync+lseq]', ['sync', 'lseq'])
            }
            open.onsuccess = () => resolve(open.result)
            open.onerror = () => reject(open.error)
          })
          const t = performance.now()
          for (let i = 0; i < rows.length; i += pageSize) {
            await new Promise<void>((resolve, reject) => {
              const tx = db.transaction('events', 'readwrite')
              const store = tx.objectStore('events')
              for (const row of rows.slice(i, i + pageSize)) store.add(row)
              tx.oncomplete = () => resolve()
              tx.onerror = () => reject(tx.error)
            })
          }
          const ms = performance.now() - t
          db.close()
          indexedDB.deleteDatabase(name)
          return ms
        },
        { source, page: PULL_LIMITS.max },
      )
      best = Math.max(best, events.length / (ms / 1000))
    }
    return best
  } finally {
    await context.close()
  }
}
