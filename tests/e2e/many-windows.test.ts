/**
 * Many windows of one browser profile over plain HTTP/1.1, as `npm start`
 * serves the app: the tabs elect one leader, so the profile holds one event
 * stream (not one per window, which used up Chromium's six connections per
 * host and left the seventh window's entries unsent), and when the leader
 * closes another window takes over.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { BrowserContext, Page } from 'playwright-core'
import { issueToken, newPhone, registerE2eWorld } from './harness'
import { IncidentPage, IncidentsPage } from './pages'
import { openJoinLink, SyncIndicator } from './sync-pages'

const world = registerE2eWorld()

/** Event streams open on the server now (`/api/health`). */
async function openStreams(): Promise<number> {
  const health = (await (await fetch(`${world.server.url}/api/health`)).json()) as { streams: number }
  return health.streams
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
async function eventually(page: Page, what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await page.waitForTimeout(100)
  }
}

async function serverTexts(token: string): Promise<string[]> {
  const res = await fetch(`${world.server.url}/api/events?after=0&limit=1000`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const page = (await res.json()) as { events: { payload: { text?: string } }[] }
  return page.events.map((e) => e.payload.text ?? '')
}

const isLeader = (page: Page) => page.evaluate(() => performance.getEntriesByName('sync-leader').length > 0)

/** One profile, joined, with an incident open in `count` windows; every window says Synced. */
async function windows(name: string, count: number) {
  const token = issueToken(world.server.dataDir, name)
  const phone = await newPhone(world.browser, world.server.url, name)
  await openJoinLink(phone.page, world.server.url, token)
  await new SyncIndicator(phone.page).waitFor(/^Synced$/)
  await new IncidentsPage(phone.page).open()
  const incident = await new IncidentsPage(phone.page).declare(`${name}: core switch down`, 2)
  const pages = [phone.page]
  for (let i = 1; i < count; i++) {
    const page = await phone.context.newPage()
    await page.goto(phone.page.url())
    await page.getByRole('heading', { name: `${name}: core switch down` }).waitFor()
    pages.push(page)
  }
  for (const page of pages) await new SyncIndicator(page).waitFor(/^Synced$/)
  return { token, context: phone.context as BrowserContext, pages, incidentId: incident.id() }
}

test('eight windows of one profile hold one stream, and an entry logged in the eighth reaches the server', async () => {
  const { token, context, pages } = await windows('Dana', 8)
  try {
    // All eight are shown (each would stream, as before, if it ran its own engine).
    for (const page of pages) assert.equal(await page.evaluate(() => document.visibilityState), 'visible')
    await eventually(
      pages[0]!,
      'one leader',
      async () => (await Promise.all(pages.map(isLeader))).filter(Boolean).length === 1,
    )
    await eventually(pages[0]!, 'the leader’s stream', async () => (await openStreams()) === 1)

    const eighth = new IncidentPage(pages[7]!)
    await eighth.log('From the eighth window: port 7 is off')
    await eventually(pages[7]!, 'the entry on the server', async () =>
      (await serverTexts(token)).includes('From the eighth window: port 7 is off'),
    )
    await new SyncIndicator(pages[7]!).waitFor(/^Synced$/, 10_000)
    assert.equal(await openStreams(), 1, 'one event stream for the whole profile')
  } finally {
    await context.close()
  }
})

test('when the leader window closes another takes over, and entries still reach the server', async () => {
  const { token, context, pages } = await windows('Sam', 3)
  try {
    await eventually(
      pages[0]!,
      'one leader',
      async () => (await Promise.all(pages.map(isLeader))).filter(Boolean).length === 1,
    )
    const leaderAt = (await Promise.all(pages.map(isLeader))).indexOf(true)
    const rest = pages.filter((_, i) => i !== leaderAt)
    await pages[leaderAt]!.close()

    await eventually(rest[0]!, 'a new leader', async () => (await Promise.all(rest.map(isLeader))).some(Boolean))
    const follower = rest[(await isLeader(rest[0]!)) ? 1 : 0]!
    await new IncidentPage(follower).log('After the leader closed: still sent')
    await eventually(follower, 'the entry on the server', async () =>
      (await serverTexts(token)).includes('After the leader closed: still sent'),
    )
    await new SyncIndicator(follower).waitFor(/^Synced$/, 10_000)
    await eventually(follower, 'one stream again', async () => (await openStreams()) === 1)
  } finally {
    await context.close()
  }
})
