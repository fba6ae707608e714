/**
 * axe-core over every screen a responder reaches, in light and dark mode, on a
 * phone-sized context. The server's CSP forbids injected inline scripts, so
 * the axe source is evaluated through the DevTools protocol (page.evaluate),
 * which CSP does not govern.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export interface AxeFinding {
  screen: string
  scheme: 'light' | 'dark'
  rule: string
  impact: string
  nodes: number
  help: string
  /** CSS selectors of up to three offending elements. */
  targets: string[]
}

export interface Screen {
  name: string
  path: string
}

async function runAxe(page: Page): Promise<Omit<AxeFinding, 'screen' | 'scheme'>[]> {
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; nodes: { target: unknown[] }[]; help: string }[] }
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<Result> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      nodes: v.nodes.length,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')),
    }))
  })
}

/** Each screen is loaded once and checked in light, then dark (the colour scheme switches live). */
export async function axeScreens(page: Page, url: string, screens: readonly Screen[]): Promise<AxeFinding[]> {
  const findings: AxeFinding[] = []
  for (const screen of screens) {
    await page.emulateMedia({ colorScheme: 'light' })
    await page.goto(`${url}${screen.path}`)
    await page.locator('h1').first().waitFor({ timeout: 15_000 })
    // Lazy parts (a runbook's body, live queries) settle within a few frames.
    await page.waitForTimeout(300)
    await page.evaluate(axeSource)
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      for (const v of await runAxe(page)) findings.push({ screen: screen.name, scheme, ...v })
    }
  }
  await page.emulateMedia({ colorScheme: null })
  return findings
}
