import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PHONE, enterName, newPhone, registerE2eWorld } from './harness'
import { IncidentPage, IncidentsPage } from './pages'

const world = registerE2eWorld()

test('declare an incident, log three entries, reload, and find them in order', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Dana')
  const incident = await new IncidentsPage(page).declare('Core switch down at the high school', 2)
  for (const text of ['Checked the closet: switch is dark', 'Power cycled the UPS', 'Switch back up, links green'])
    await incident.log(text)
  await page.reload()
  const reloaded = new IncidentPage(page)
  await reloaded.timeline.getByText('Switch back up, links green').waitFor()
  assert.deepEqual(await reloaded.entries(), [
    'Switch back up, links green',
    'Power cycled the UPS',
    'Checked the closet: switch is dark',
  ])
  await page.getByRole('link', { name: 'Incidents' }).click()
  await page.getByRole('link', { name: /Core switch down at the high school/ }).waitFor()
  await context.close()
})

test('refuses bad input beside the field, keeps what was typed, and stores nothing', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Sam')
  await page.getByRole('button', { name: 'Declare incident' }).click()
  const longTitle = 'x'.repeat(201)
  await page.getByLabel('Title').fill(longTitle)
  await page.getByRole('button', { name: 'Declare', exact: true }).click()
  await page.getByText('must be at most 200 characters').waitFor()
  await page.getByText('Choose a severity from 1 (worst) to 4.').waitFor()
  assert.equal(await page.getByLabel('Title').inputValue(), longTitle)

  await page.getByLabel('Title').fill('Wi-Fi down in the gym')
  await page.getByLabel('Severity').selectOption('3')
  await page.getByRole('button', { name: 'Declare', exact: true }).click()
  const incident = new IncidentPage(page)
  await page.getByRole('button', { name: 'Add to log' }).click()
  await page.getByText('Type what you did or saw first.').waitFor()
  const tooLong = 'y'.repeat(4001)
  await page.getByLabel('Log entry').fill(tooLong)
  await page.getByRole('button', { name: 'Add to log' }).click()
  await page.getByText(/at most 4000 characters/).waitFor()
  assert.equal(await page.getByLabel('Log entry').inputValue(), tooLong)
  assert.deepEqual(await incident.entries(), [])
  const stored = await page.evaluate(async () => {
    const open = indexedDB.open('command-post')
    const db = await new Promise<IDBDatabase>((resolve) => {
      open.onsuccess = () => resolve(open.result)
    })
    const count = db.transaction('events').objectStore('events').count()
    return new Promise<number>((resolve) => {
      count.onsuccess = () => resolve(count.result)
    })
  })
  assert.equal(stored, 1, 'only the declaration is stored')
  await context.close()
})

test('a first visit creates no database until the name is saved; a phone whose data is gone asks for the name again', async () => {
  const context = await world.browser.newContext(PHONE)
  const page = await context.newPage()
  const databases = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))
  await page.goto(world.server.url)
  await page.getByRole('heading', { name: 'Welcome to Command Post' }).waitFor()
  // Give the page time to do anything it would do once idle (it should not open the database).
  await page.waitForTimeout(1500)
  assert.deepEqual(await databases(), [], 'the welcome screen opened no database')

  await enterName(page, 'Kim')
  assert.deepEqual(await databases(), ['command-post'])

  // The data is wiped behind the app's back (the copy of the name in localStorage stays).
  // Asked, not awaited in the page: the app's versionchange reload can destroy this page's context before
  // the request's success event (seen in CI); the welcome screen below is what shows the deletion took.
  await page.evaluate(() => {
    indexedDB.deleteDatabase('command-post')
  })
  // The deletion reaches the open connection as a versionchange: the app closes it and, with nothing typed, reloads
  // by itself. Our reload may meet that one (ERR_ABORTED); either way the page loads again.
  // Either reload may win; whichever does, the page loads again (the heading below waits for it).
  await page.reload().catch(() => {})
  // The list opens from the copy, then the database, which has no name, sends the phone to the welcome screen.
  await page.getByRole('heading', { name: 'Welcome to Command Post' }).waitFor()
  assert.match(page.url(), /\/welcome\?next=(%2F|\/)incidents$/)
  await enterName(page, 'Kim')
  await context.close()
})
