/**
 * The directory and email in real Chromium against the real server: a contact
 * and an audience made on one phone reach another, which reads them offline at
 * 320 px with tel: and mailto: links; an update posted offline to the audience
 * says it will be emailed, and once back online the real server emails it
 * through an SMTP server in this process and the card says so.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { axeScreens } from '../../bench/suites/a11y'
import { issueToken, newPhone, registerE2eWorld, waitForServiceWorker } from './harness'
import { IncidentsPage } from './pages'
import { openJoinLink, SyncIndicator } from './sync-pages'

const received: { to: string[]; raw: string }[] = []
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const to = session.envelope.rcptTo.map((r) => r.address)
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => {
      received.push({ to, raw: Buffer.concat(chunks).toString('utf8') })
      callback(null, 'Queued')
    })
  },
})
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()))
after(() => new Promise<void>((resolve) => smtp.close(() => resolve())))

const world = registerE2eWorld({
  env: {
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    MAIL_FROM: 'Lincoln USD Incidents <incidents@lincoln.example>',
  },
})

async function joinedPhone(name: string) {
  const token = issueToken(world.server.dataDir, name)
  const phone = await newPhone(world.browser, world.server.url, name)
  await openJoinLink(phone.page, world.server.url, token)
  const indicator = new SyncIndicator(phone.page)
  await indicator.waitFor(/^Synced$/)
  await new IncidentsPage(phone.page).open()
  return { ...phone, indicator }
}

test('the directory reaches every phone, works offline at 320 px, and an update posted offline is emailed once online', async () => {
  const dana = await joinedPhone('Dana')
  const { page } = dana
  await page.getByRole('link', { name: 'Directory' }).click()
  await page.getByRole('heading', { name: 'Directory' }).waitFor()
  await page.getByRole('button', { name: 'Add contact' }).click()
  await page.getByLabel('Name').fill('Metro Fiber NOC')
  await page.getByLabel('Vendor').check()
  await page.getByLabel('Phone numbers').fill('24/7: +1 (555) 010-3000')
  await page.getByLabel('Email').fill('noc@metrofiber.example')
  await page.getByLabel('Notes').fill('circuit ID MF-1234')
  await page.getByRole('button', { name: 'Save contact' }).click()
  await page.getByRole('link', { name: 'Call 24/7 +1 (555) 010-3000' }).waitFor()

  await page.getByRole('link', { name: 'Audiences' }).click()
  await page.getByRole('button', { name: 'Add audience' }).click()
  await page.getByLabel('Audience name').fill('Principals')
  await page.getByLabel('Addresses').fill('Kim Lee <kim@lincoln.example>\nprincipal')
  await page.getByRole('button', { name: 'Save audience' }).click()
  await page.getByText('Line 2: “principal” is not an email address').waitFor()
  await page.getByLabel('Addresses').fill('Kim Lee <kim@lincoln.example>')
  await page.getByRole('button', { name: 'Save audience' }).click()
  await page.getByRole('list', { name: 'Audiences' }).getByText('1 address').waitFor()
  await dana.indicator.waitFor(/^Synced$/)

  // Both screens, with what was just added, in light and dark mode.
  const findings = await axeScreens(page, world.server.url, [
    { name: 'contacts', path: '/directory' },
    { name: 'audiences', path: '/directory/audiences' },
  ])
  assert.deepEqual(
    findings.filter((f) => f.impact === 'serious' || f.impact === 'critical'),
    [],
    'axe finds no serious or critical problem',
  )

  // Another phone, at 320 px: it pulls the directory, then keeps it offline.
  const sam = await joinedPhone('Sam')
  await sam.page.setViewportSize({ width: 320, height: 640 })
  await waitForServiceWorker(sam.page)
  const incident = await new IncidentsPage(sam.page).declare('Phones down at Lincoln High', 2)
  const incidentId = incident.id()
  await sam.indicator.waitFor(/^Synced$/)
  await sam.context.setOffline(true)
  await sam.page.reload()
  await sam.page.getByRole('link', { name: 'Directory' }).click()
  const call = sam.page.getByRole('link', { name: 'Call 24/7 +1 (555) 010-3000' })
  await call.waitFor()
  assert.equal(await call.getAttribute('href'), 'tel:+15550103000')
  assert.equal(
    await sam.page.getByRole('link', { name: 'Email noc@metrofiber.example' }).getAttribute('href'),
    'mailto:noc@metrofiber.example',
  )
  const overflow = await sam.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `the directory is ${overflow} px wider than 320 px`)

  // Offline: the update is posted and waits to be emailed.
  await sam.page.goto(`${world.server.url}/incidents/${incidentId}/updates`).catch(() => {})
  await sam.page.getByLabel('Audience').fill('Principals')
  await sam.page.getByText('Will be emailed to 1 address in Principals.').waitFor()
  await sam.page.getByRole('button', { name: 'Post update' }).click()
  const posted = sam.page.getByRole('list', { name: 'Posted updates' })
  await posted.getByText('Will be emailed when this phone is back online.').waitFor()
  assert.equal(received.length, 0)

  await sam.context.setOffline(false)
  await posted
    .getByText('Sent to 1 of 1 in Principals')
    .waitFor({ timeout: 60_000 })
    .catch(async (e: unknown) => {
      console.log('the card says', await posted.textContent(), 'received', received.length, await sam.indicator.text())
      throw e
    })
  assert.deepEqual(
    received.map((m) => m.to),
    [['kim@lincoln.example']],
  )
  assert.match(received[0]!.raw, /Subject: Update: Phones down at Lincoln High \(SEV2, active\)/)
  // The report reaches the phone that did not post it too.
  await page.goto(`${world.server.url}/incidents/${incidentId}/updates`)
  await page.getByRole('list', { name: 'Posted updates' }).getByText('Sent to 1 of 1 in Principals').waitFor()
  await sam.context.close()
  await dana.context.close()
})
