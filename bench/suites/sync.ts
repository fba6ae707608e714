/**
 * The app's own sync engine against the real server:
 *  - sync_pull_eps: a fresh phone joins (join link) and pulls the whole log
 *    (the 100,000 ingested events and the fan-out test's few) until its
 *    IndexedDB holds them all;
 *  - sync_push_eps: a phone holding 20,000 pending events joins and pushes
 *    until every one is acknowledged in its IndexedDB.
 * Timed from opening the join link, so app start with the data is included.
 */
import type { Browser, Page } from 'playwright-core'
import type { IncidentEvent } from '../../src/domain/events'
import { countRows, openPhone, seedEvents } from '../lib/phone'
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
