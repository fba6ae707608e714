import { test } from 'node:test'
import assert from 'node:assert/strict'
import { registerE2eWorld } from './harness'
import { HOSTILE, clockedPhone, measure, routesFor, seedBusyIncident, type Measurement } from './layout-pages'

const world = registerE2eWorld()
const WIDTHS = [320, 360, 390] as const
const HEIGHT = 740

test('no screen scrolls sideways at 320, 360 and 390 px and the navigation stays on screen, with a busy incident and hostile texts', async (t) => {
  const { context, page } = await clockedPhone(world.browser, world.server.url, 'Dana')
  const id = await seedBusyIncident(page)

  // Measure everything first, then assert: the table of widths is the figure the issue asks for.
  const rows: { width: number; route: string; m: Measurement }[] = []
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT })
    for (const route of routesFor(id)) {
      await page.goto(`${world.server.url}${route.path}`)
      await page.locator(route.ready).first().waitFor()
      rows.push({ width, route: route.name, m: await measure(page, HOSTILE.marksPrefix) })
    }
  }
  t.diagnostic(
    'page widths (scrollWidth): ' +
      rows.map((r) => `${r.width}/${r.route}=${r.m.scrollWidth}${r.m.unclippedMarks ? ' marks!' : ''}`).join(', '),
  )

  const wide = rows.filter((r) => r.m.scrollWidth > r.width).map((r) => `${r.route} at ${r.width}: ${r.m.scrollWidth}`)
  assert.deepEqual(wide, [], 'pages wider than the screen')
  const navOff = rows
    .filter((r) => r.m.nav.left < 0 || r.m.nav.right > r.width || r.m.nav.top < 0 || r.m.nav.bottom > HEIGHT)
    .map((r) => `${r.route} at ${r.width}: ${JSON.stringify(r.m.nav)}`)
  assert.deepEqual(navOff, [], 'navigation outside the screen')
  const marks = rows.filter((r) => r.m.unclippedMarks > 0).map((r) => `${r.route} at ${r.width}`)
  assert.deepEqual(marks, [], 'stacked combining marks drawn over the page')
  await context.close()
})
