/**
 * Sync in real Chromium against the real server: phones converge after
 * working offline, nothing typed is lost while the server is down, and a
 * phone that joins late gets the whole history.
 */
import { test } from 'node:test'
import type { BrowserContextOptions } from 'playwright-core'
import assert from 'node:assert/strict'
import { makeIncident } from '../fixtures/events'
import { issueToken, newPhone, registerE2eWorld, waitForServiceWorker } from './harness'
import { IncidentPage, IncidentsPage } from './pages'
import { openJoinLink, SyncIndicator, SyncSettingsPage } from './sync-pages'

const world = registerE2eWorld()

/** A phone with a name that has opened its join link and finished its first sync. */
async function joinedPhone(name: string, options: BrowserContextOptions = {}) {
  const token = issueToken(world.server.dataDir, name)
  const phone = await newPhone(world.browser, world.server.url, name, undefined, options)
  await openJoinLink(phone.page, world.server.url, token)
  const indicator = new SyncIndicator(phone.page)
  await indicator.waitFor(/^Synced$/)
  await new IncidentsPage(phone.page).open()
  return { ...phone, token, indicator }
}

/** Everything the server holds, read through the API like any client. */
async function serverEvents(
  token: string,
): Promise<{ id: string; type: string; payload: { text?: string; title?: string } }[]> {
  const all = []
  let after = 0
  for (;;) {
    const response = await fetch(`${world.server.url}/api/events?after=${after}&limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(response.status, 200)
    const page = (await response.json()) as {
      events: { id: string; type: string; payload: object; seq: number }[]
      last: number
      more: boolean
    }
    all.push(...page.events)
    after = page.last
    if (!page.more) return all
  }
}

/** Timeline entry texts, newest first, without the layout's whitespace. */
async function entries(incident: IncidentPage): Promise<string[]> {
  return (await incident.entries()).map((text) => text.trim())
}

/** IndexedDB event ids on a phone. */
async function phoneEventIds(page: import('playwright-core').Page): Promise<string[]> {
  return page.evaluate(async () => {
    const open = indexedDB.open('command-post')
    const db = await new Promise<IDBDatabase>((resolve) => {
      open.onsuccess = () => resolve(open.result)
    })
    const keys = db.transaction('events').objectStore('events').getAllKeys()
    return new Promise<string[]>((resolve) => {
      keys.onsuccess = () => resolve(keys.result as string[])
    })
  })
}

test('two phones log offline to the same incident and, back online, show the same timeline', async () => {
  const a = await joinedPhone('Dana')
  const b = await joinedPhone('Sam')
  assert.ok(
    !a.page.url().includes(a.token) && !a.page.url().includes('#'),
    `the token left the address bar: ${a.page.url()}`,
  )

  const incidentA = await new IncidentsPage(a.page).declare('Gym Wi-Fi down', 2)
  await a.indicator.waitFor(/^Synced$/)
  // The second phone needs the incident before the network goes: it arrives by itself.
  await b.page.getByRole('link', { name: /Gym Wi-Fi down/ }).click()
  await b.page.getByRole('heading', { name: 'Gym Wi-Fi down' }).waitFor()
  const incidentB = new IncidentPage(b.page)

  await a.context.setOffline(true)
  await b.context.setOffline(true)
  await a.indicator.waitFor(/^Offline$/)
  await b.indicator.waitFor(/^Offline$/)
  await incidentA.log('Dana: AP in the gym office has no power')
  await incidentB.log('Sam: students report no Wi-Fi in the bleachers')
  await incidentA.log('Dana: PoE switch port 7 is off')
  await incidentB.log('Sam: moved the scoreboard laptop to wired')
  await a.indicator.waitFor(/^Offline · 2 pending$/)
  await b.indicator.waitFor(/^Offline · 2 pending$/)

  await a.context.setOffline(false)
  await b.context.setOffline(false)
  await a.indicator.waitFor(/^Synced$/)
  await b.indicator.waitFor(/^Synced$/)
  await incidentA.timeline.getByText('Sam: moved the scoreboard laptop to wired').waitFor()
  await incidentB.timeline.getByText('Dana: PoE switch port 7 is off').waitFor()

  const entriesA = await entries(incidentA)
  assert.equal(entriesA.length, 4)
  assert.deepEqual(await entries(incidentB), entriesA, 'both phones show the same entries in the same order')
  assert.deepEqual([...entriesA].sort(), [
    'Dana: AP in the gym office has no power',
    'Dana: PoE switch port 7 is off',
    'Sam: moved the scoreboard laptop to wired',
    'Sam: students report no Wi-Fi in the bleachers',
  ])

  const held = await serverEvents(a.token)
  assert.equal(new Set(held.map((e) => e.id)).size, held.length, 'the server holds each event once')
  for (const text of entriesA)
    assert.equal(held.filter((e) => e.payload.text === text).length, 1, `"${text}" is held once`)
  assert.equal(held.filter((e) => e.payload.title === 'Gym Wi-Fi down').length, 1)
  await a.context.close()
  await b.context.close()
})

test('a phone that has only read an incident logs to it after the network goes, before a service worker holds the app', async () => {
  const a = await joinedPhone('Dana')
  // A first visit whose service worker has not installed yet: nothing of the app is cached for offline.
  const b = await joinedPhone('Sam', { serviceWorkers: 'block' })
  await new IncidentsPage(a.page).declare('Cafeteria tills offline', 2)
  await a.indicator.waitFor(/^Synced$/)
  // Sam has written nothing yet: the write path (validators) loads when the incident opens, not at the first write.
  const writePath = b.page.waitForResponse((r) => /\/assets\/factory-[^/]*\.js$/.test(r.url()))
  await b.page.getByRole('link', { name: /Cafeteria tills offline/ }).click()
  await b.page.getByRole('heading', { name: 'Cafeteria tills offline' }).waitFor()
  await writePath

  await b.context.setOffline(true)
  await b.indicator.waitFor(/^Offline$/)
  const incident = new IncidentPage(b.page)
  await incident.log('Sam: till 3 shows no network')
  await b.indicator.waitFor(/^Offline · 1 pending$/)

  await b.context.setOffline(false)
  await b.indicator.waitFor(/^Synced$/)
  const held = await serverEvents(a.token)
  assert.equal(held.filter((e) => e.payload.text === 'Sam: till 3 shows no network').length, 1)
  await a.context.close()
  await b.context.close()
})

test('entries logged while the server is down wait with a pending count and arrive when it is back', async () => {
  const phone = await joinedPhone('Lee')
  // An installed app: Settings' code comes from the service worker's precache while the server is down.
  await waitForServiceWorker(phone.page)
  const incident = await new IncidentsPage(phone.page).declare('Library printers offline', 3)
  await phone.indicator.waitFor(/^Synced$/)

  const settings = new SyncSettingsPage(phone.page)
  await world.restartServer(async () => {
    await incident.log('Restarted the print spooler')
    await incident.log('Floor 1 printers back')
    // Stored at once ("2 pending"); the push that follows finds the server gone.
    await phone.indicator.waitFor(/^Offline · server unreachable · 2 pending$/)
    await settings.open()
    assert.equal(await settings.fact('Waiting to send'), '2')
  })
  // No tap anywhere: the engine's retry (or its stream reconnecting) sends them.
  await phone.indicator.waitFor(/^Synced$/, 90_000)
  assert.equal(await settings.fact('Waiting to send'), '0')
  const held = await serverEvents(phone.token)
  for (const text of ['Restarted the print spooler', 'Floor 1 printers back']) {
    assert.equal(held.filter((e) => e.payload.text === text).length, 1, `"${text}" reached the server once`)
  }
  await phone.context.close()
})

test('a phone that joins later pulls the whole history', async () => {
  const token = issueToken(world.server.dataDir, 'seeder')
  // A long incident from elsewhere: more than one page of 1000 to pull.
  const history = makeIncident(1200)
  for (let i = 0; i < history.length; i += 500) {
    const response = await fetch(`${world.server.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: history.slice(i, i + 500) }),
    })
    assert.equal(response.status, 200)
  }
  const held = await serverEvents(token)

  const late = await joinedPhone('Riley')
  const ids = await phoneEventIds(late.page)
  assert.deepEqual([...ids].sort(), held.map((e) => e.id).sort(), 'the phone holds exactly what the server holds')

  for (const title of ['Gym Wi-Fi down', 'Library printers offline', 'Core switch down in building B']) {
    await late.page.getByRole('link', { name: new RegExp(title) }).waitFor()
  }
  await late.page.getByRole('link', { name: /Core switch down in building B/ }).click()
  const incident = new IncidentPage(late.page)
  await incident.timeline.getByText('entry 1199', { exact: true }).waitFor()
  // The Timeline shows the newest page first; every event is on the phone (checked above).
  assert.equal((await entries(incident))[0], 'entry 1199')
  await late.context.close()
})

test('with the page closed, the service worker sends what was logged offline (Background Sync)', async () => {
  const phone = await joinedPhone('Kim')
  await waitForServiceWorker(phone.page)
  const incident = await new IncidentsPage(phone.page).declare('Projector hub dead in room 12', 3)
  await phone.indicator.waitFor(/^Synced$/)

  await phone.context.setOffline(true)
  await phone.indicator.waitFor(/^Offline$/)
  await incident.log('Swapped the HDMI hub; waiting on a spare')
  await phone.indicator.waitFor(/^Offline · 1 pending$/)
  const tags = await phone.page.evaluate(async () => {
    const registration = (await navigator.serviceWorker.getRegistration()) as
      (ServiceWorkerRegistration & { sync?: { getTags(): Promise<string[]> } }) | undefined
    return registration?.sync ? registration.sync.getTags() : null
  })
  assert.deepEqual(tags, ['push-outbox'])

  // The responder pockets the phone: no page runs the engine now.
  await phone.page.close()
  await phone.context.setOffline(false)
  const deadline = Date.now() + 30_000
  let arrived = 0
  while (Date.now() < deadline && arrived === 0) {
    arrived = (await serverEvents(phone.token)).filter(
      (e) => e.payload.text === 'Swapped the HDMI hub; waiting on a spare',
    ).length
    if (arrived === 0) await new Promise((resolve) => setTimeout(resolve, 250))
  }
  assert.equal(arrived, 1, 'the service worker pushed the outbox')
  await phone.context.close()
})

test('Settings: Local only until a server is saved by hand; a refused token says so; leaving goes back to Local only', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Ari')
  const indicator = new SyncIndicator(page)
  await indicator.waitFor(/^Local only$/)
  const settings = new SyncSettingsPage(page)
  await settings.open()
  assert.equal(await settings.fact('Server'), 'None: this phone is Local only')

  await settings.save('', 'not-a-real-token-000000000000000000000000000')
  await page.getByRole('alert').filter({ hasText: 'Access token refused — ask for a new join link.' }).waitFor()
  await indicator.waitFor(/^Offline · access token refused$/)

  await settings.save(world.server.url, issueToken(world.server.dataDir, 'Ari'))
  await indicator.waitFor(/^Synced$/)
  assert.equal(await settings.fact('Server'), world.server.url, 'the app’s own address is shown as the server')
  assert.notEqual(await settings.fact('Last sync'), 'never')
  await settings.syncNow()
  await indicator.waitFor(/^Synced$/)

  await settings.leave()
  await indicator.waitFor(/^Local only$/)
  assert.equal(await page.getByLabel('Access token').inputValue(), '')
  await context.close()
})

test('a join link opened on a brand-new phone survives the name prompt, and the token never stays in the address bar', async () => {
  const token = issueToken(world.server.dataDir, 'Noor')
  const context = await world.browser.newContext({
    viewport: { width: 320, height: 640 },
    hasTouch: true,
    isMobile: true,
  })
  const page = await context.newPage()
  await page.goto(`${world.server.url}/#/join?token=${token}`)
  await page.getByLabel('Your name').waitFor()
  assert.ok(!page.url().includes(token), `no token in ${page.url()}`)
  await page.getByLabel('Your name').fill('Noor')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('heading', { name: 'You joined the sync server' }).waitFor()
  await new SyncIndicator(page).waitFor(/^Synced$/)
  assert.ok(!page.url().includes(token), `no token in ${page.url()}`)
  // Back through every entry of this tab's history: none holds the token. The first entry is
  // the tab's initial about:blank; going back onto it made Chromium hang on closing the context.
  const entries = await page.evaluate(() => window.history.length)
  for (let i = 1; i < entries - 1; i++) {
    await page.goBack({ waitUntil: 'commit' })
    assert.ok(!page.url().includes(token), `no token in the history entry ${page.url()}`)
  }
  await context.close()
})
