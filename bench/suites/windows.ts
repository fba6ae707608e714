/**
 * Many windows of one browser profile against the real server over HTTP/1.1:
 *  - single_window_to_server_ms (limit): one window, click "Add to log" → the
 *    entry readable from the server's API;
 *  - eight_windows_to_server_ms: the same from the eighth of eight windows
 *    (each would hold its own stream without the leader election);
 *  - leader_takeover_ms: close the leader window → another window's engine
 *    has its stream open (its `sync-stream-open` performance mark).
 * Medians; the server is polled every 20 ms, so figures carry that much slack.
 */
import type { Browser, Page } from 'playwright-core'
import { IncidentPage, IncidentsPage } from '../../tests/e2e/pages'
import { openJoinLink, SyncIndicator } from '../../tests/e2e/sync-pages'
import { openPhone } from '../lib/phone'
import { median, sleep } from '../lib/stats'

export interface WindowsResult {
  singleMs: number
  eightMs: number
  takeoverMs: number
  /** Event streams open on the server with eight windows shown. */
  streams: number
  samples: { single: number[]; eight: number[]; takeover: number[] }
}

async function until<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== null && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

async function serverHasText(url: string, token: string, text: string, after: number): Promise<number | null> {
  const res = await fetch(`${url}/api/events?after=${after}&limit=1000`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const page = (await res.json()) as { events: { seq: number; payload: { text?: string } }[] }
  return page.events.find((e) => e.payload.text === text)?.seq ?? null
}

async function streamsOpen(url: string): Promise<number> {
  return ((await (await fetch(`${url}/api/health`)).json()) as { streams: number }).streams
}

/** Click "Add to log" in `page` and time until the server holds the entry. */
async function toServer(page: Page, url: string, token: string, text: string, seen: { seq: number }): Promise<number> {
  await page.getByLabel('Log entry').fill(text)
  const t0 = Date.now()
  await page.getByRole('button', { name: 'Add to log' }).click()
  const seq = await until(`"${text}" on the server`, () => serverHasText(url, token, text, seen.seq))
  const ms = Date.now() - t0
  seen.seq = seq
  return ms
}

/** Epoch ms of the page's `sync-stream-open` mark after its `sync-leader` mark, or null. */
function leaderStreamAt(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const led = performance.getEntriesByName('sync-leader').at(-1)
    const open = performance.getEntriesByName('sync-stream-open').at(-1)
    return led && open && open.startTime >= led.startTime ? performance.timeOrigin + open.startTime : null
  })
}

const isLeader = (page: Page) => page.evaluate(() => performance.getEntriesByName('sync-leader').length > 0)

/** One profile of up to eight windows, joined with `token`; `samples` entries timed per figure. */
export async function manyWindows(browser: Browser, url: string, token: string, samples = 5): Promise<WindowsResult> {
  const phone = await openPhone(browser, url, 'Bench Windows')
  try {
    await openJoinLink(phone.page, url, token)
    await new SyncIndicator(phone.page).waitFor(/^Synced$/)
    await new IncidentsPage(phone.page).open()
    await new IncidentsPage(phone.page).declare('Bench: many windows', 3)
    const seen = { seq: 0 }
    const single: number[] = []
    for (let i = 0; i < samples; i++) single.push(await toServer(phone.page, url, token, `one window ${i}`, seen))

    const pages = [phone.page]
    while (pages.length < 8) {
      const page = await phone.context.newPage()
      await page.goto(phone.page.url())
      await page.getByRole('heading', { name: 'Bench: many windows' }).waitFor()
      pages.push(page)
    }
    for (const page of pages) await new SyncIndicator(page).waitFor(/^Synced$/)
    const eighth = pages[7]!
    await new IncidentPage(eighth).timeline.waitFor()
    const eight: number[] = []
    for (let i = 0; i < samples; i++) eight.push(await toServer(eighth, url, token, `eighth window ${i}`, seen))
    const streams = await streamsOpen(url)

    // Close the leader three times over: 8 → 5 windows.
    const takeover: number[] = []
    for (let i = 0; i < 3; i++) {
      const leaders = await Promise.all(pages.map(isLeader))
      const at = leaders.indexOf(true)
      if (at === -1) throw new Error('no window leads sync')
      const [closing] = pages.splice(at, 1)
      const t0 = Date.now()
      await closing!.close()
      const openedAt = await until('a new leader with its stream open', async () => {
        for (const page of pages) {
          const at = await leaderStreamAt(page)
          if (at !== null && at >= t0) return at
        }
        return null
      })
      takeover.push(openedAt - t0)
    }
    return {
      singleMs: median(single),
      eightMs: median(eight),
      takeoverMs: median(takeover),
      streams,
      samples: { single, eight, takeover },
    }
  } finally {
    await phone.close()
  }
}
