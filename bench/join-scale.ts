/**
 * `npm run bench -- --scale --only join` (issue #17, "beyond one server and
 * one year"): a server holding 5,000 incidents of 200 events each (1,000,000
 * events; all but 20 resolved, 5 of those within the last 30 days) and a new
 * phone that joins it at 4× CPU slowdown, as a responder does (join link).
 *
 * Measured from opening the join link:
 * - the incidents list holding all 5,000: the Open and Resolved lists' sizes
 *   (aria-setsize of their rows, the list scrolled to its end) add up to 5,000;
 * - every active incident complete: all its events in the phone's IndexedDB;
 * - bytes the server sent before both (at a counting TCP proxy between the
 *   phone and the server: headers and bodies as sent, so compressed bytes count
 *   compressed), budget ≤ 10 s and ≤ 5 MB;
 * then an archived incident opened from the list, online: tap (the
 * pointerdown's time) → its first timeline item in the DOM, timed in the page
 * (budget ≤ 1 s), at 4× and at 1× CPU.
 * Same-run baselines: the same downloads made by Node (no app, no IndexedDB)
 * and a blank precached page opened at 4×. Seeded straight through the
 * server's store and ingest (validation included), before the server starts.
 * Needs the built app (npm run build). JOIN_EVENTS_EACH=n seeds fewer events.
 */
import { mkdtempSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { TokenService } from '../server/auth/tokens'
import { ingest } from '../server/events/ingest'
import { openSqliteStore } from '../server/store/sqlite'
import type { IncidentEvent } from '../src/domain/events'
import { formatHlc, parseHlc } from '../src/domain/hlc'
import { SUMMARY_LIMITS } from '../src/domain/wire'
import { launchBrowser, removeDir, startServer } from '../tests/e2e/harness'
import { generateIncident, SEED_START_MS } from './lib/events'
import { ensureServiceWorker, openPhone } from './lib/phone'
import { median, round, sleep } from './lib/stats'
import { coldOpen, interactiveObserver } from './suites/cold-start'

export const INCIDENTS = 5000
const EVENTS_EACH = Number(process.env.JOIN_EVENTS_EACH ?? 200)
const ACTIVE = 20
/** Resolved within the phone's window (30 days): held in full at join, like the active ones. */
const RECENT = 5
const SEED = 23_000
const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
/** Incidents generated, then ingested, at a time: 20,000 events in memory, not a million. */
const CHUNK = 100
const BATCH = 5000
const LIMITS = { joinMs: 10_000, bytes: 5_000_000, openMs: 1000 }

type Kind = 'archived' | 'recent' | 'active'

function kindOf(i: number): Kind {
  if (i >= INCIDENTS - ACTIVE) return 'active'
  return i >= INCIDENTS - ACTIVE - RECENT ? 'recent' : 'archived'
}

/**
 * Incident `i`: archived ones declared 2 h apart from January 2025 (over a
 * year of history, all resolved long before the 30-day window), recent ones
 * resolved 3–27 days ago, active ones declared within the last day.
 */
function incident(i: number, now: number): IncidentEvent[] {
  const kind = kindOf(i)
  const k = i - (INCIDENTS - ACTIVE - RECENT)
  const startMs =
    kind === 'archived'
      ? SEED_START_MS + i * 2 * HOUR
      : kind === 'recent'
        ? now - (27 - k * 6) * DAY
        : now - DAY + (k - RECENT) * HOUR
  const events = generateIncident({
    seed: SEED + i,
    events: kind === 'active' ? EVENTS_EACH : EVENTS_EACH - 1,
    startMs,
  })
  if (kind === 'active') return events
  const last = events[events.length - 1]!
  const ms = parseHlc(last.hlc)!.ms + 1000
  events.push({
    ...last,
    id: `${last.id.slice(0, 20)}R${String(i).padStart(5, '0')}`.slice(0, 26),
    type: 'incident.status',
    hlc: formatHlc({ ms, counter: 0, node: parseHlc(last.hlc)!.node }),
    at: new Date(ms).toISOString(),
    payload: { status: 'resolved' },
  } as IncidentEvent)
  return events
}

interface Seeded {
  token: string
  /** Incident ids held in full by a joining phone: active, then recent. */
  active: string[]
  recent: string[]
  /** One incident resolved long ago (remote on a joining phone). */
  archived: string
  events: number
}

/** Writes every incident into a new SQLite store in `dataDir`, through ingest (validated as a push is). */
async function seed(dataDir: string, now: number, log: (line: string) => void): Promise<Seeded> {
  const store = openSqliteStore(dataDir)
  const active: string[] = []
  const recent: string[] = []
  let archived = ''
  let stored = 0
  const t = performance.now()
  try {
    for (let from = 0; from < INCIDENTS; from += CHUNK) {
      const events: IncidentEvent[] = []
      for (let i = from; i < Math.min(INCIDENTS, from + CHUNK); i++) {
        const one = incident(i, now)
        if (kindOf(i) === 'active') active.push(one[0]!.incidentId)
        if (kindOf(i) === 'recent') recent.push(one[0]!.incidentId)
        if (i === 0) archived = one[0]!.incidentId
        events.push(...one)
      }
      for (let k = 0; k < events.length; k += BATCH) {
        const batch = events.slice(k, k + BATCH)
        const { answer } = await ingest(store, batch, undefined, undefined, now)
        if (answer.accepted.length !== batch.length)
          throw new Error(
            `seeding: ${batch.length - answer.accepted.length} refused, ${JSON.stringify(answer.rejected[0])}`,
          )
      }
      stored += events.length
      if ((from + CHUNK) % 1000 === 0)
        log(`  seeding: ${from + CHUNK} incidents, ${stored} events, ${round((performance.now() - t) / 1000, 1)} s`)
    }
    const { token } = await new TokenService(store).issue('Bench Join')
    return { token, active, recent, archived, events: stored }
  } finally {
    await store.close()
  }
}

/** A TCP proxy in front of the server counting what the server sends back (every byte on the wire to the phone). */
class CountingProxy {
  down = 0
  private readonly sockets = new Set<Socket>()
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(targetPort: number): Promise<CountingProxy> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const proxy = new CountingProxy(server, `http://127.0.0.1:${port}`)
    server.on('connection', (client) => {
      const upstream = connect(targetPort, '127.0.0.1')
      for (const s of [client, upstream]) {
        proxy.sockets.add(s)
        s.on('close', () => proxy.sockets.delete(s))
        s.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      upstream.on('data', (chunk: Buffer) => {
        proxy.down += chunk.length
      })
      client.pipe(upstream)
      upstream.pipe(client)
    })
    return proxy
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

/** What the phone holds so far, read from another tab (not throttled, no app code) straight from IndexedDB. */
function holdings(monitor: Page, active: readonly string[]): Promise<{ scope: boolean; activeEvents: number }> {
  return monitor.evaluate(async (ids) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('command-post')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    const names = [...db.objectStoreNames]
    if (!names.includes('events') || !names.includes('kv')) {
      db.close()
      return { scope: false, activeEvents: 0 }
    }
    const tx = db.transaction(['events', 'kv'])
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve) => {
        r.onsuccess = () => resolve(r.result)
      })
    const index = tx.objectStore('events').index('[incidentId+hlc]')
    const [scope, ...counts] = await Promise.all([
      request(tx.objectStore('kv').get('setting:scope')),
      ...ids.map((id) => request(index.count(IDBKeyRange.bound([id, ''], [id, '\uffff'])))),
    ])
    db.close()
    const row = scope as { value?: unknown } | undefined
    return { scope: !!row?.value, activeEvents: (counts as number[]).reduce((a, b) => a + b, 0) }
  }, active)
}

/**
 * Scrolls to the list's end until rows of the Resolved list are in the page
 * (at most `tries` times): the windowed list's height is an estimate until its
 * rows are measured, so one jump can land past the end, where no row is drawn.
 */
function scrollToEnd(page: Page, tries: number): Promise<void> {
  return page.evaluate(async (tries) => {
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
    for (let i = 0; i < tries; i++) {
      window.scrollTo(0, document.documentElement.scrollHeight)
      await frames()
      if (document.querySelector('ul[aria-label="Resolved incidents"] [aria-setsize]')) return
    }
  }, tries)
}

/** Incidents the list holds: its Open list's size plus its Resolved list's (read at the top, then at the end). */
async function listedIncidents(page: Page): Promise<number> {
  const size = (label: string) =>
    page.evaluate(
      (label) =>
        Number(document.querySelector(`ul[aria-label="${label}"] [aria-setsize]`)?.getAttribute('aria-setsize') ?? 0),
      label,
    )
  await page.evaluate(async () => {
    window.scrollTo(0, 0)
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  })
  const open = await size('Open incidents')
  await scrollToEnd(page, 3)
  return open + (await size('Resolved incidents'))
}

/** The downloads of a join made by Node alone: every summaries page, then the held incidents' events, 4 at a time. */
async function nodeJoin(url: string, token: string, held: readonly string[], encoding: string): Promise<number> {
  const headers = { authorization: `Bearer ${token}`, 'accept-encoding': encoding }
  const t = performance.now()
  let after = 0
  for (;;) {
    const res = await fetch(`${url}/api/summaries?after=${after}&limit=${SUMMARY_LIMITS.max}`, { headers })
    const page = (await res.json()) as { more: boolean; last: number }
    if (!page.more) break
    after = page.last
  }
  let next = 0
  const worker = async () => {
    while (next < held.length) await (await fetch(`${url}/api/incidents/${held[next++]}/events`, { headers })).json()
  }
  await Promise.all(Array.from({ length: 4 }, worker))
  return performance.now() - t
}

/** Taps the last incident of the Resolved list (an archived one) and times until its first timeline item shows. */
async function openArchived(page: Page, skip: ReadonlySet<string>): Promise<{ ms: number; id: string }> {
  await scrollToEnd(page, 50)
  const links = page.locator('ul[aria-label="Resolved incidents"] a[href]')
  await links
    .first()
    .waitFor({ timeout: 60_000 })
    .catch(async (e: unknown) => {
      await page.screenshot({ path: join(tmpdir(), 'join-scale-no-list.png') }).catch(() => {})
      throw new Error(`no incident in the Resolved list at ${page.url()}: ${String(e)}`)
    })
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))
  const href = hrefs.reverse().find((h) => !skip.has(h))
  if (!href) throw new Error('no archived incident in the list to open')
  // Timed in the page, from the tap (the pointerdown's own time) to the first timeline item in the DOM, as
  // the cold start is: Playwright's checks before it taps (the link is stable for two frames) are not the app's.
  await page.evaluate(() => {
    const w = window as unknown as { __tapAt?: number; __shownAt?: number }
    w.__tapAt = w.__shownAt = undefined
    document.addEventListener('pointerdown', (e) => (w.__tapAt = e.timeStamp), { capture: true, once: true })
    const observer = new MutationObserver(() => {
      if (w.__tapAt === undefined || !document.querySelector('[aria-label="Timeline"] > li')) return
      w.__shownAt = performance.now()
      observer.disconnect()
    })
    observer.observe(document, { childList: true, subtree: true })
  })
  await page.locator(`ul[aria-label="Resolved incidents"] a[href="${href}"]`).click()
  const ms = await page.waitForFunction(
    () => {
      const w = window as unknown as { __tapAt?: number; __shownAt?: number }
      return w.__shownAt !== undefined && w.__tapAt !== undefined ? w.__shownAt - w.__tapAt : false
    },
    null,
    { timeout: 120_000, polling: 50 },
  )
  return { ms: (await ms.jsonValue()) as number, id: href }
}

/** Runs the join scale suite; prints each figure beside its limit and the machine's load. Returns failures. */
export async function joinScale(log: (line: string) => void): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-join-scale-'))
  const now = Date.now()
  const t0 = performance.now()
  const seeded = await seed(dataDir, now, log)
  log(
    `join scale: seeded ${INCIDENTS} incidents, ${seeded.events} events (${EVENTS_EACH} each; ${ACTIVE} active, ${RECENT} resolved in the last 30 days) in ${round((performance.now() - t0) / 1000, 1)} s`,
  )
  const t1 = performance.now()
  // Before listening the server folds the whole log (its projection): minutes for a million events here.
  const srv = await startServer({ dataDir, startTimeoutMs: 1_800_000 })
  log(`  server started (folds the whole log first) in ${round((performance.now() - t1) / 1000, 1)} s`)
  const proxy = await CountingProxy.start(srv.port)
  const browser = await launchBrowser()
  const held = [...seeded.active, ...seeded.recent]
  let failures = 0
  try {
    // Baseline: the same downloads by Node, compressed and not, after one that warms the server's caches (for both).
    await nodeJoin(proxy.url, seeded.token, held, 'identity')
    let before = proxy.down
    const nodeMs = await nodeJoin(proxy.url, seeded.token, held, 'br, gzip')
    const nodeBytes = proxy.down - before
    before = proxy.down
    const plainMs = await nodeJoin(proxy.url, seeded.token, held, 'identity')
    const plainBytes = proxy.down - before
    const t = performance.now()
    const one = await fetch(`${proxy.url}/api/incidents/${seeded.archived}/events`, {
      headers: { authorization: `Bearer ${seeded.token}`, 'accept-encoding': 'br, gzip' },
    })
    await one.json()
    const oneMs = performance.now() - t

    const phone = await openPhone(browser, proxy.url, 'Bench Join')
    const page = phone.page
    // An installed app: the service worker holds the app's files, so the join downloads data only.
    await ensureServiceWorker(page)
    const monitor = await phone.context.newPage()
    await monitor.goto(`${proxy.url}/blank.html`)
    // The newest tab is the front one: Chromium drew the phone's page at one frame a second behind it
    // (10 animation frames took 10 s), so every wait on a frame, Playwright's tap included, took seconds.
    await page.bringToFront()
    const cdp = await phone.context.newCDPSession(page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })

    proxy.down = 0
    const start = performance.now()
    await page.goto(`${proxy.url}/#/join?token=${seeded.token}`)
    await page.getByRole('heading', { name: 'You joined the sync server' }).waitFor({ timeout: 600_000 })
    await page.getByRole('link', { name: 'Incidents' }).click()
    let completeMs: number | undefined
    let listMs: number | undefined
    let joinedMs: number | undefined
    let bytesComplete = 0
    let bytesList = 0
    const deadline = start + 900_000
    while ((completeMs === undefined || listMs === undefined) && performance.now() < deadline) {
      const held = await holdings(monitor, seeded.active)
      if (completeMs === undefined && held.activeEvents >= ACTIVE * EVENTS_EACH) {
        completeMs = performance.now() - start
        bytesComplete = proxy.down
      }
      // Remote overviews are written with the join's end (setting `scope`): the list cannot be whole before.
      if (joinedMs === undefined && held.scope) joinedMs = performance.now() - start
      if (listMs === undefined && held.scope && (await listedIncidents(page)) >= INCIDENTS) {
        listMs = performance.now() - start
        bytesList = proxy.down
      }
      await sleep(250)
    }
    if (completeMs === undefined || listMs === undefined || joinedMs === undefined)
      throw new Error('the join did not finish within 15 min')
    const bytes = Math.max(bytesComplete, bytesList)
    const okList = listMs <= LIMITS.joinMs
    const okComplete = completeMs <= LIMITS.joinMs
    const okBytes = bytes <= LIMITS.bytes
    log(
      `  join at 4× CPU → list holds all ${INCIDENTS}: ${round(listMs / 1000, 1)} s (budget ≤ 10 s) ${okList ? 'ok' : 'OVER'}`,
    )
    log(
      `  join at 4× CPU → the ${ACTIVE} active incidents complete (${ACTIVE * EVENTS_EACH} events stored): ${round(completeMs / 1000, 1)} s (budget ≤ 10 s) ${okComplete ? 'ok' : 'OVER'}`,
    )
    log(
      `  (the join's end — held events, every overview and the cursor stored — ${round(joinedMs / 1000, 1)} s; polled every 0.25 s from an unthrottled tab)`,
    )
    log(
      `  bytes from the server before both (at a proxy: headers and bodies as sent): ${round(bytes / 1e6, 2)} MB (budget ≤ 5 MB) ${okBytes ? 'ok' : 'OVER'}`,
    )
    log(
      `  baseline, the same downloads by Node (summaries in pages of ${SUMMARY_LIMITS.max}, ${held.length} held incidents 4 at a time): ${round(nodeMs / 1000, 2)} s, ${round(nodeBytes / 1e6, 2)} MB compressed; ${round(plainMs / 1000, 2)} s, ${round(plainBytes / 1e6, 2)} MB uncompressed`,
    )

    // An archived incident, opened from the list online: fetched from the server when tapped.
    const opened = new Set<string>()
    const x4 = await openArchived(page, opened)
    opened.add(x4.id)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
    await page.goBack()
    const x1 = await openArchived(page, opened)
    const okOpen = x4.ms <= LIMITS.openMs
    log(
      `  archived incident opened online (tap → first timeline item): ${round(x4.ms)} ms at 4× CPU (budget ≤ 1,000 ms) ${okOpen ? 'ok' : 'OVER'}; ${round(x1.ms)} ms at 1×; baseline, Node fetching one archived incident's events: ${round(oneMs)} ms`,
    )

    // Baseline: a blank precached page (no script), opened cold at 4×, three times.
    await phone.context.addInitScript(interactiveObserver)
    const blank: number[] = []
    for (let i = 0; i < 3; i++) blank.push((await coldOpen(phone.context, proxy.url, '/blank.html', 4)).ms)
    log(`  baseline, a blank precached page opened at 4× CPU: ${round(median(blank))} ms (median of 3)`)
    log(
      `  load average (1, 5, 15 min): ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
    failures = [okList, okComplete, okBytes, okOpen].filter((ok) => !ok).length
    await phone.close()
  } finally {
    await browser.close()
    await proxy.close()
    await srv.stop()
    removeDir(dataDir)
  }
  return failures
}
