/**
 * Lighthouse (default config: mobile, simulated slow 4G and 4× CPU) on the
 * built app as the server serves it, in its own Chromium from chrome-launcher
 * (Lighthouse's launcher) with the quiet flags of STACK.md. A first visit:
 * no name yet, so the app shows its welcome screen, as a new responder sees it.
 */
import { launch } from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { CHROME_FLAGS, chromePath } from '../../tests/e2e/harness'

export interface LighthouseScores {
  performance: number
  accessibility: number
  bestPractices: number
  /** Audits that cost points, for the report. */
  failing: { id: string; title: string; score: number | null; category: string }[]
  /** What Lighthouse estimates each fix would save (load-time opportunities). */
  opportunities: { id: string; title: string; savingsMs: number; display: string }[]
}

export async function runLighthouse(url: string): Promise<LighthouseScores> {
  const chrome = await launch({ chromePath: chromePath(), chromeFlags: ['--headless=new', ...CHROME_FLAGS], logLevel: 'silent' })
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'] })
    if (!result) throw new Error('Lighthouse returned nothing')
    const { categories, audits } = result.lhr
    const score = (id: string) => Math.round((categories[id]?.score ?? 0) * 100)
    const failing: LighthouseScores['failing'] = []
    for (const [category, cat] of Object.entries(categories)) {
      for (const ref of cat.auditRefs) {
        const audit = audits[ref.id]
        if (!audit || ref.weight === 0 || audit.score === null || audit.score >= 0.9) continue
        failing.push({ id: ref.id, title: audit.title, score: audit.score, category })
      }
    }
    const opportunities: LighthouseScores['opportunities'] = []
    for (const audit of Object.values(audits)) {
      const d = audit.details as { type?: string; overallSavingsMs?: number } | undefined
      if (d?.type === 'opportunity' && (d.overallSavingsMs ?? 0) > 0) {
        opportunities.push({ id: audit.id, title: audit.title, savingsMs: Math.round(d.overallSavingsMs!), display: audit.displayValue ?? '' })
      }
    }
    opportunities.sort((a, b) => b.savingsMs - a.savingsMs)
    if (result.lhr.runtimeError) throw new Error(`Lighthouse: ${result.lhr.runtimeError.message}`)
    return { performance: score('performance'), accessibility: score('accessibility'), bestPractices: score('best-practices'), failing, opportunities }
  } finally {
    chrome.kill()
  }
}
