/** Page objects for layout checks: a busy incident seeded through the app's own screens, and the page's measurements. */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { newPhone } from './harness'
import { IncidentsPage } from './pages'
import { IncidentCommandPage } from './command-pages'

/** Hostile texts a layout must survive (NFC already, as the app stores them). */
export const HOSTILE = {
  /** 200 characters, no break opportunity: the longest title allowed. */
  title: 'W'.repeat(200),
  /** 4,000 characters, no break opportunity: the longest change text allowed. */
  change: 'C'.repeat(4000),
  /** One letter under 300 stacked combining marks ("Zalgo" text), which draw far outside their line. */
  marks: `Zalgo x${'\u0301\u0316\u0353'.repeat(100)}`.normalize('NFC'),
  /** As many marks as a title holds (200 characters). */
  marksTitle: `Zalgo x${'\u0301\u0316\u0353'.repeat(64)}`.normalize('NFC'),
  /** What sits in front of the marks: what a locator can look for. */
  marksPrefix: 'Zalgo x',
}

/** The app's routes, walked at every width. `ready` is a selector the screen shows once drawn. */
export interface LayoutRoute {
  name: string
  path: string
  ready: string
}

export function routesFor(incidentId: string): LayoutRoute[] {
  const tab = (t: string) => ({
    name: `incident ${t}`,
    path: t === 'log' ? `/incidents/${incidentId}` : `/incidents/${incidentId}/${t}`,
    // A section other than the Log loads its code when first shown: busy until then.
    ready: `[data-tab="${t}"] .incident__panel:not([aria-busy])`,
  })
  return [
    { name: 'incidents', path: '/incidents', ready: '.incident-card' },
    { name: 'declare', path: '/incidents/new', ready: 'form' },
    { name: 'declare sub-incident', path: `/incidents/new?parent=${incidentId}`, ready: 'form' },
    ...['log', 'roles', 'changes', 'updates', 'tasks', 'document'].map(tab),
    { name: 'runbooks', path: '/runbooks', ready: 'main h1' },
    { name: 'runbook', path: '/runbooks/switch-down', ready: 'main h1' },
    { name: 'settings', path: '/settings', ready: 'main h1' },
    { name: 'join', path: '/join', ready: 'main h1' },
  ]
}

/** What one screen measured: its page width and where the bottom navigation is. */
export interface Measurement {
  scrollWidth: number
  nav: { left: number; right: number; top: number; bottom: number }
  /** Texts with stacked marks whose ink is not clipped to a text-sized box. */
  unclippedMarks: number
  /** Labels of the incident's section bar cut short by their cell (what is seen must be the whole name). */
  cutLabels: string[]
}

/** Measure the page as drawn now: document width, the Main navigation's box, unclipped mark stacks. */
export async function measure(page: Page, marksPrefix: string): Promise<Measurement> {
  // Two frames: the virtual timeline and the tab row settle after the first paint.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  return page.evaluate((prefix) => {
    const nav = document.querySelector('nav[aria-label="Main"]')!.getBoundingClientRect()
    let unclippedMarks = 0
    const walker = document.createTreeWalker(document.querySelector('main')!, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent?.includes(prefix) || !node.parentElement?.checkVisibility()) continue
      // The ink of stacked marks must be clipped by a box about the size of the text, not the page.
      let el: Element | null = node.parentElement
      let clipped = false
      for (let depth = 0; el && depth < 4 && !clipped; depth++, el = el.parentElement) {
        const style = getComputedStyle(el)
        const clips = style.overflowY !== 'visible' || style.contain.includes('paint')
        clipped = clips && el.getBoundingClientRect().height < 400
      }
      if (!clipped) unclippedMarks++
    }
    const cutLabels = [...document.querySelectorAll('.incident-tabs__label')]
      .filter((label) => label.scrollWidth > label.clientWidth)
      .map((label) => label.textContent ?? '')
    return {
      cutLabels,
      scrollWidth: document.documentElement.scrollWidth,
      nav: { left: nav.left, right: nav.right, top: nav.top, bottom: nav.bottom },
      unclippedMarks,
    }
  }, marksPrefix)
}

/** A phone whose clock the test can move forward (for an overdue update), with the responder's name set. */
export function clockedPhone(
  browser: Browser,
  baseUrl: string,
  name: string,
): Promise<{ context: BrowserContext; page: Page }> {
  return newPhone(browser, baseUrl, name, (context) => context.clock.install())
}

/**
 * Declare a busy incident with the hostile texts: 10 open tasks, 3 open changes
 * (one 4,000 characters unbroken), 3 sub-incidents (one under stacked marks),
 * log entries with both; then move the clock past the first update's due time.
 * Returns the incident's id.
 */
export async function seedBusyIncident(page: Page): Promise<string> {
  await new IncidentsPage(page).declare(HOSTILE.title, 1)
  const incident = new IncidentCommandPage(page)
  const id = incident.id()
  const parentUrl = page.url()
  await incident.log(HOSTILE.marks)
  await incident.log('L'.repeat(4000))
  await incident.recordChange('core-sw-1', HOSTILE.change, 'R'.repeat(4000))
  await incident.recordChange('S'.repeat(200), 'lease time cut to 1 hour', 'set lease time back to 8 days')
  await incident.recordChange('dhcp-hs', HOSTILE.marks, 'undo it')
  for (let i = 1; i <= 10; i++)
    await incident.addTask(i === 1 ? 'T'.repeat(1000) : i === 2 ? HOSTILE.marks : `Task number ${i}`, 'followup')
  for (const title of ['Gym Wi-Fi down', 'X'.repeat(200), HOSTILE.marksTitle]) {
    await incident.tab('Log')
    await page.getByRole('link', { name: 'Declare sub-incident' }).click()
    await page.getByLabel('Title').fill(title)
    await page.getByLabel('Severity').selectOption('3')
    await page.getByRole('button', { name: 'Declare', exact: true }).click()
    // Chromium names a heading under stacked marks differently from its text: wait for the parent's link instead.
    await page.getByText('Sub-incident of').waitFor()
    await page.goto(parentUrl)
    await page.locator('[data-tab="log"]').waitFor()
  }
  // No update posted: the first is due 30 minutes after the declaration.
  await page.clock.fastForward('40:00')
  await page
    .getByText(/Update overdue/)
    .first()
    .waitFor()
  return id
}
