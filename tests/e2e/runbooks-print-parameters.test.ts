/**
 * Runbooks on paper and with parameters, in real Chromium against the real
 * server: a parameter typed once for an incident fills a command (shown, copied,
 * logged with the ticked step, kept after a reload), and "Print all runbooks"
 * renders one binder that prints on A4 and on Letter.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newPhone, registerE2eWorld, waitForServiceWorker } from './harness'
import { IncidentsPage } from './pages'
import { RunbookBinderPage, RunbooksPage } from './runbook-pages'

const world = registerE2eWorld()

/** Pages in a PDF, and the first page's width in points, rounded (A4 596, Letter 612). */
function pdfFacts(pdf: Buffer): { pages: number; width: number } {
  const text = pdf.toString('latin1')
  const pages = text.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0
  const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text)
  return { pages, width: Math.round(Number(box?.[1] ?? 0)) }
}

test('a parameter filled once for an incident fills the command, is copied as shown, logged with the step and kept', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Dana')
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.server.url })
  const title = 'IDF-2 switch dark at Jefferson Middle'
  const incident = await new IncidentsPage(page).declare(title, 2)
  await page.getByRole('button', { name: 'Use a runbook' }).click()
  const list = new RunbooksPage(page)
  await list.searchFor('switch')
  const runbook = await list.openRunbook('Switch down in a closet')

  const ssh = runbook.codeBlock('ssh admin@')
  assert.equal((await ssh.locator('pre').innerText()).trim(), 'ssh admin@{{switch_ip}}')
  await runbook.fillParameter('switch_ip', '10.20.12.5')
  await ssh.locator('pre', { hasText: 'ssh admin@10.20.12.5' }).waitFor()
  assert.match(await runbook.stepText(2), /ping 10\.20\.12\.5$/)

  await ssh.getByRole('button', { name: 'Copy code' }).click()
  await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'ssh admin@10.20.12.5')

  await runbook.tick(2)
  await runbook.backToIncident(title)
  const logged =
    '✓ Ping it from the district office: ping 10.20.12.5 — Switch down in a closet, step 2 (switch_ip: 10.20.12.5)'
  await incident.timeline.getByText(logged, { exact: true }).waitFor()

  // Kept on this phone for the incident: after a reload the runbook opens filled in.
  await page.reload()
  await page.getByRole('link', { name: /Switch down in a closet.*1 of \d+ steps done/ }).click()
  await page.getByRole('heading', { name: 'Switch down in a closet', level: 1 }).waitFor()
  assert.equal(await page.getByLabel('switch_ip', { exact: true }).inputValue(), '10.20.12.5')
  await ssh.locator('pre', { hasText: 'ssh admin@10.20.12.5' }).waitFor()

  // On paper the steps are checkboxes (the done one ticked) and the Copy buttons are gone.
  await page.emulateMedia({ media: 'print' })
  const printed = await page.evaluate(() => {
    // No named helper functions in here: tsx would wrap them in a __name() the page does not have.
    const [open, done] = [0, 1].map(
      (step) =>
        getComputedStyle(document.querySelector(`button.step-toggle[data-step="${step}"]`)!, '::before').content,
    )
    return {
      done,
      open,
      copy: getComputedStyle(document.querySelector('button.copy-code')!).display,
      params: getComputedStyle(document.querySelector('.runbook-params')!).display,
    }
  })
  assert.deepEqual(printed, { done: '"☑"', open: '"☐"', copy: 'none', params: 'none' })
  await context.close()
})

test('Print all runbooks renders one binder with a contents list that prints on A4 and Letter', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Sam')
  await waitForServiceWorker(page)
  // The binder is what people print when the network is down: it must come from this phone.
  await context.setOffline(true)
  await new RunbooksPage(page).open()
  const count = await page.locator('.runbook-item').count()
  const binder = new RunbookBinderPage(page)
  await binder.open()

  const contents = await binder.contents.getByRole('listitem').allInnerTexts()
  assert.equal(contents.length, count)
  for (const entry of contents) assert.match(entry, /Version [\w.-]+ · Reviewed .+ · Review by /)
  const sections = await binder.sectionTitles()
  assert.equal(sections.length, count)
  assert.deepEqual(
    sections.map((s) => Number(s.split('.')[0])),
    sections.map((_, i) => i + 1),
  )
  assert.ok(sections.some((s) => s.endsWith('. Switch down in a closet')))
  await binder.contents.getByRole('link', { name: 'Switch down in a closet' }).click()
  assert.match(new URL(page.url()).hash, /^#binder-\d+$/)

  await page.emulateMedia({ media: 'print' })
  const layout = await page.evaluate(() => {
    const pres = [...document.querySelectorAll('.binder pre')]
    const internal = document.querySelector<HTMLAnchorElement>('.binder .runbook-content a[href^="/runbooks/"]')
    return {
      appChrome: getComputedStyle(document.querySelector('.app-nav')!).display,
      controls: getComputedStyle(document.querySelector('.binder__controls')!).display,
      breakBefore: getComputedStyle(document.querySelector('.binder__runbook')!).breakBefore,
      stepBoxes: document.querySelectorAll('.binder .step-box').length,
      cutOffCode: pres.filter((pre) => pre.scrollWidth > pre.clientWidth + 1).length,
      codeWraps: pres.every((pre) => getComputedStyle(pre).whiteSpace === 'pre-wrap'),
      linkAddress: internal ? getComputedStyle(internal, '::after').content : 'no link',
      duplicateIds: (() => {
        const ids = [...document.querySelectorAll('[id]')].map((el) => el.id)
        return ids.length - new Set(ids).size
      })(),
    }
  })
  assert.equal(layout.appChrome, 'none')
  assert.equal(layout.controls, 'none')
  assert.equal(layout.breakBefore, 'page')
  assert.ok(layout.stepBoxes > count, `${layout.stepBoxes} step boxes`)
  assert.equal(layout.cutOffCode, 0)
  assert.equal(layout.codeWraps, true)
  assert.match(layout.linkAddress, /^" <\/runbooks\/[\w/.-]+>"$/) // the address, printed after the link
  assert.equal(layout.duplicateIds, 0)

  // Cover, contents, then each runbook from a new page: at least count + 2 pages, on either paper.
  for (const [format, width] of [
    ['A4', 596],
    ['Letter', 612],
  ] as const) {
    const facts = pdfFacts(await page.pdf({ format, printBackground: false }))
    assert.equal(facts.width, width, `${format} page width`)
    assert.ok(facts.pages >= count + 2, `${format}: ${facts.pages} pages for ${count} runbooks`)
  }
  await context.close()
})
