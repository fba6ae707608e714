/**
 * An app update never pulls a half-typed form from under the person: build B
 * is deployed while two tabs of one phone hold unsaved forms, someone accepts
 * the update in a third tab, and the two forms stay as they are, saying
 * "Update ready", until the person reloads; the text survives that reload.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, cpSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { DIST_DIR, newPhone, removeDir, registerE2eWorld, startServer, waitForServiceWorker } from './harness'
import { IncidentCommandPage } from './command-pages'
import { AppShell, IncidentsPage } from './pages'

const world = registerE2eWorld()

/** Marks the page's JavaScript realm: the mark is gone once the page has reloaded. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => {
    ;(window as unknown as { unreloaded?: boolean }).unreloaded = true
  })
}
async function reloadedSinceMark(page: Page): Promise<boolean> {
  return page.evaluate(() => !(window as unknown as { unreloaded?: boolean }).unreloaded)
}

const CHANGE = { system: 'core-sw-1', what: 'shut port 24 (looping)', revert: 'no shut port 24' }
const BRIEFING_ADDITION = 'Watch port 24: it was looping; vendor ticket 4411.'

test('an update accepted in a third tab leaves two half-typed forms intact until the person reloads', async () => {
  // This test changes the served build, so it gets a server of its own over a copy of it.
  const dist = world.tempDir('cp-e2e-dist-')
  cpSync(DIST_DIR, dist, { recursive: true })
  const own = await startServer({ env: { DIST_DIR: dist } })
  try {
    const { context, page: first } = await newPhone(world.browser, own.url, 'Sam')
    await waitForServiceWorker(first)
    await new IncidentsPage(first).declare('Wi-Fi down in B block', 2)
    const url = first.url()

    // Tab 1: a change, half typed.
    const changeTab = new IncidentCommandPage(first)
    await changeTab.tab('Changes')
    const form = first.locator('form.change-form')
    await form.getByLabel('System').fill(CHANGE.system)
    await form.getByLabel('What changed').fill(CHANGE.what)
    await form.getByLabel('How to revert').fill(CHANGE.revert)

    // Tab 2: a handoff briefing, half typed.
    const second = await context.newPage()
    await second.goto(url)
    const handoffTab = new IncidentCommandPage(second)
    await handoffTab.tab('Roles')
    const seat = handoffTab.seat('Ops')
    await seat.getByRole('button', { name: 'Hand off Ops' }).click()
    const briefingField = seat.getByLabel('Handoff briefing')
    const briefing = `${await briefingField.inputValue()}\n${BRIEFING_ADDITION}`
    await briefingField.fill(briefing)
    await seat.getByLabel('Person').fill('Lee')

    // Tab 3: nothing typed; this is where someone accepts the update.
    const third = await context.newPage()
    await third.goto(url)
    await new IncidentCommandPage(third).tab('Log')
    for (const page of [first, second, third]) await mark(page)

    // Deploy build B: any byte of sw.js that differs makes the browser install it.
    appendFileSync(join(dist, 'sw.js'), '\n// e2e: build B\n')
    await third.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())!.update()
    })
    await new AppShell(third).reloadForUpdate()
    assert.equal(await reloadedSinceMark(third), true, 'the tab that accepted reloads')

    // The two tabs with unsaved input hold, and say so.
    for (const page of [first, second]) await new AppShell(page).updateReadyBanner.waitFor()
    assert.equal(await reloadedSinceMark(first), false, 'the change form was not reloaded')
    assert.equal(await reloadedSinceMark(second), false, 'the handoff form was not reloaded')
    assert.equal(await form.getByLabel('System').inputValue(), CHANGE.system)
    assert.equal(await form.getByLabel('What changed').inputValue(), CHANGE.what)
    assert.equal(await form.getByLabel('How to revert').inputValue(), CHANGE.revert)
    assert.equal(await briefingField.inputValue(), briefing)
    assert.equal(await seat.getByLabel('Person').inputValue(), 'Lee')

    // The person is done: Reload in the change tab. The draft is back after the reload, on build B.
    await new AppShell(first).reloadWhenDone()
    await first.locator('form.change-form').waitFor()
    const reloaded = first.locator('form.change-form')
    assert.equal(await reloaded.getByLabel('System').inputValue(), CHANGE.system)
    assert.equal(await reloaded.getByLabel('What changed').inputValue(), CHANGE.what)
    assert.equal(await reloaded.getByLabel('How to revert').inputValue(), CHANGE.revert)
    assert.equal(
      await first.getByRole('list', { name: 'Open changes' }).getByText(CHANGE.what).count(),
      0,
      'the draft was kept, not recorded',
    )
    // And the handoff tab, reloaded too, opens its form again with the briefing as typed.
    await new AppShell(second).reloadWhenDone()
    const seatAgain = new IncidentCommandPage(second).seat('Ops')
    assert.equal(await seatAgain.getByLabel('Handoff briefing').inputValue(), briefing)
    assert.equal(await seatAgain.getByLabel('Person').inputValue(), 'Lee')
    await context.close()
  } finally {
    await own.stop()
    removeDir(own.dataDir)
  }
})
