/**
 * Runbooks with no network, in real Chromium against the real server: once the
 * service worker controls the page, the list, search, a deep-linked runbook and
 * a runbook checklist ticked into an incident's log all work offline.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newPhone, registerE2eWorld, waitForServiceWorker } from './harness'
import { IncidentPage, IncidentsPage } from './pages'
import { RunbookPage, RunbooksPage } from './runbook-pages'

const world = registerE2eWorld()

test('offline: search runbooks, open one by deep link, tick a step from an incident and find it in the Timeline', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Dana')
  await waitForServiceWorker(page)
  await context.setOffline(true)
  await page.reload()
  await page.getByRole('heading', { name: 'Incidents' }).waitFor()

  // The list says it is available offline only because the service worker controls the page.
  const list = new RunbooksPage(page)
  await list.open()
  await list.offlineNote.filter({ hasText: /^✓ Runbooks available offline · updated .+/ }).waitFor()
  await list.search.focus()
  const results = await list.searchFor('swich') // a typo on a phone keyboard
  assert.equal(results[0], 'Switch down in a closet')
  assert.equal((await list.searchFor('dhcp'))[0], 'DHCP scope exhausted')

  // A deep link opens offline from the shell and the precache; without an incident the ticks are not logged.
  await page.goto(`${world.server.url}/runbooks/switch-down`)
  await page.getByRole('heading', { name: 'Switch down in a closet', level: 1 }).waitFor()
  const standalone = new RunbookPage(page)
  await standalone.tick(2)
  await page.getByText('To log steps to an incident, open this runbook from the incident').waitFor()

  const title = 'IDF-2 switch dark at Jefferson Middle'
  await page.getByRole('link', { name: 'Incidents' }).click()
  const incident = await new IncidentsPage(page).declare(title, 2)
  const incidentId = incident.id()

  await page.getByRole('button', { name: 'Use a runbook' }).click()
  await list.banner.filter({ hasText: `Pick a runbook for: ${title}` }).waitFor()
  await list.searchFor('switch')
  const runbook = await list.openRunbook('Switch down in a closet')
  await runbook.banner.filter({ hasText: `Logging steps to: ${title}` }).waitFor()
  assert.equal(await runbook.isDone(2), false, 'the standalone tick was not stored')
  const stepText = await runbook.stepText(6)
  await runbook.tick(6)
  assert.equal(await runbook.isDone(5), false)

  // An in-app link to another runbook keeps the incident, offline.
  await page.getByRole('link', { name: 'Campus network outage' }).first().click()
  await page.getByRole('heading', { name: 'Campus network outage', level: 1 }).waitFor()
  assert.equal(new URL(page.url()).search, `?incident=${incidentId}`)
  await page.goBack()
  await page.getByRole('heading', { name: 'Switch down in a closet', level: 1 }).waitFor()
  await runbook.backToIncident(title)

  const logged = `✓ ${stepText} — Switch down in a closet, step 6`
  const timeline = new IncidentPage(page).timeline
  await timeline.getByText(logged, { exact: true }).waitFor()
  await page.getByRole('link', { name: /Switch down in a closet.*1 of \d+ steps done/ }).waitFor()

  // After a reload (still offline) the step shows as done, from the incident's events.
  await page.reload()
  await page.getByRole('link', { name: /Switch down in a closet.*1 of \d+ steps done/ }).click()
  await page.getByRole('heading', { name: 'Switch down in a closet', level: 1 }).waitFor()
  await runbook.step(6).waitFor()
  assert.equal(await runbook.isDone(6), true)
  assert.equal(await page.evaluate(() => navigator.onLine), false, 'the whole scenario ran offline')
  await context.close()
})
