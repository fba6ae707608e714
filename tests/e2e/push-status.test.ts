/**
 * Notifications with the app closed and the stakeholder status page, in
 * Chromium against the real server.
 *
 * Push: Dana turns notifications on in Settings; Sam declares a SEV1 on his
 * phone; the server encrypts and sends a push to a local HTTPS receiver
 * standing in for the push service (this network reaches none, and headless
 * Chromium has no push service: its `subscribe` is stood in for, see
 * fakePushService); the test decrypts it with the subscription's keys and
 * hands it to Dana's service worker over the DevTools protocol
 * (`ServiceWorker.deliverPushMessage`), which shows the notification.
 * Not covered here: a real browser push service, and tapping the
 * notification (headless Chromium cannot; src/sw/push.test.ts does it with fake clients).
 *
 * Status page: at 320 px, without the app or a join, every field escaped,
 * refreshing by itself, and "This link was withdrawn" once withdrawn.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, after, test } from 'node:test'
import type { Page } from 'playwright-core'
import { XSS_PAYLOADS } from '../fixtures/xss-payloads'
import { browserKeys, decryptPush, startPushReceiver, type PushReceiver } from '../fixtures/push-receiver'
import { ROOT, issueToken, registerE2eWorld, waitForServiceWorker } from './harness'
import { IncidentCommandPage } from './command-pages'
import { IncidentsPage } from './pages'
import {
  fakePushService,
  NotificationSettingsPage,
  ServiceWorkerDevTools,
  shownNotifications,
  StatusLinksPanel,
} from './push-status-pages'
import { openJoinLink, SyncIndicator } from './sync-pages'

let receiver: PushReceiver
before(async () => {
  receiver = await startPushReceiver()
})
after(() => receiver?.close())

const world = registerE2eWorld({
  env: {
    // The receiver stands in for the browsers' push services; the server trusts its certificate.
    PUSH_ENDPOINT_HOSTS: '127.0.0.1',
    NODE_EXTRA_CA_CERTS: join(ROOT, 'tests/fixtures/push-receiver/cert.pem'),
    STATUS_REFRESH_SECONDS: '1',
  },
})

/** A responder's phone, joined to the server, optionally with a stand-in push service. */
async function phone(name: string, push?: { endpoint: string; keys: ReturnType<typeof browserKeys> }) {
  const token = issueToken(world.server.dataDir, name)
  const context = await world.browser.newContext({
    viewport: { width: 360, height: 740 },
    hasTouch: true,
    isMobile: true,
  })
  if (push) {
    await fakePushService(context, push.endpoint, push.keys)
    await context.grantPermissions(['notifications'], { origin: world.server.url })
  }
  const page = await context.newPage()
  await page.goto(world.server.url)
  await page.getByLabel('Your name').fill(name)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('heading', { name: 'Incidents' }).waitFor()
  await openJoinLink(page, world.server.url, token)
  await new SyncIndicator(page).waitFor(/^Synced$/)
  await new IncidentsPage(page).open()
  return { context, page }
}

test('a SEV1 declared on one phone reaches another’s service worker as a notification, with the app’s page closed', async () => {
  const keys = browserKeys()
  const dana = await phone('Dana', { endpoint: `${receiver.origin}/push/dana`, keys })
  await waitForServiceWorker(dana.page)
  const settings = new NotificationSettingsPage(dana.page)
  await settings.open()
  await settings.turnOn()
  const devtools = await ServiceWorkerDevTools.attach(dana.context, dana.page)
  // The app's page goes: only the service worker is left to show it.
  await dana.page.goto('about:blank')

  const sam = await phone('Sam')
  const before = receiver.received.length
  const incident = await new IncidentsPage(sam.page).declare('Ransomware on the file server', 1)
  const id = incident.id()
  const [push] = (await receiver.waitFor(before + 1)).slice(before)
  assert.equal(push!.path, '/push/dana')
  const payload = decryptPush(push!.body, keys).toString('utf8')
  assert.deepEqual(JSON.parse(payload), {
    topic: 'major-declared',
    incidentId: id,
    title: 'SEV1 declared: Ransomware on the file server',
    url: `/incidents/${id}`,
  })

  await devtools.deliverPush(payload)
  const page = await dana.context.newPage()
  await page.goto(`${world.server.url}/settings`)
  await page.waitForFunction(
    async () => ((await (await navigator.serviceWorker.getRegistration())?.getNotifications()) ?? []).length > 0,
    undefined,
    { polling: 100 },
  )
  assert.deepEqual(await shownNotifications(page), [
    {
      title: 'SEV1 declared: Ransomware on the file server',
      body: 'Tap to open the incident.',
      tag: `major-declared:${id}`,
      data: { url: `/incidents/${id}` },
    },
  ])
  await dana.context.close()
  await sam.context.close()
})

/** What a stakeholder's phone reads at 320 px. */
async function statusReader(link: string): Promise<{ page: Page; dialogs: string[]; violations: string[] }> {
  const context = await world.browser.newContext({
    viewport: { width: 320, height: 640 },
    hasTouch: true,
    isMobile: true,
  })
  const page = await context.newPage()
  const dialogs: string[] = []
  const violations: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text())
  })
  await page.goto(link)
  return { page, dialogs, violations }
}

test('a status link shows stakeholders the public part at 320 px, escaped, live, until it is withdrawn', async () => {
  const dana = await phone('Dana')
  const title = `${XSS_PAYLOADS[1]} Gym Wi-Fi down`
  const incident = new IncidentCommandPage((await new IncidentsPage(dana.page).declare(title, 2)).page)
  await incident.log('SECRET: reset the controller admin password')
  await incident.assign('Ops', 'Sam')
  const hostile = XSS_PAYLOADS.join('\n')
  await incident.postUpdate(hostile)
  const links = new StatusLinksPanel(dana.page)
  const link = await links.make()
  assert.match(link, new RegExp(`^${world.server.url}/status#[A-Za-z0-9_-]{43}$`))

  const reader = await statusReader(link)
  const { page } = reader
  await page.getByRole('heading', { level: 1, name: title }).waitFor()
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), title)
  const updates = page.getByRole('list', { name: /^Updates on/ })
  assert.equal(await updates.locator('.status-update__body').first().textContent(), hostile)
  assert.deepEqual(await page.locator('.status-badge').allTextContents(), ['SEV2 · major', 'Active: being worked on'])
  const text = await page.locator('main').innerText()
  for (const secret of ['SECRET', 'Sam', 'Ops', 'Dana']) assert.ok(!text.includes(secret), `the page shows "${secret}"`)
  // Nothing of the payloads became markup: only the renderer's own elements.
  assert.equal(await page.locator('main img, main script, main svg, main iframe, main a, main style').count(), 0)
  // Readable at 320 px: nothing wider than the screen.
  assert.ok(
    await page.evaluate(() => document.documentElement.scrollWidth <= 320),
    'the page scrolls sideways at 320 px',
  )

  // Live: the next update appears without a reload.
  await incident.postUpdate('Access points back up in the gym')
  await updates
    .locator('.status-update__body')
    .first()
    .filter({ hasText: 'Access points back up in the gym' })
    .waitFor()

  await links.withdrawFirst()
  await page.getByRole('heading', { name: 'This link was withdrawn' }).waitFor()
  assert.deepEqual(reader.dialogs, [])
  assert.deepEqual(reader.violations, [])
  await page.context().close()
  await dana.context.close()
})
