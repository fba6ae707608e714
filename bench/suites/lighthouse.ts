/**
 * Lighthouse (default config: mobile, simulated slow 4G and 4× CPU) on the
 * built app as the server serves it, in its own Chromium from chrome-launcher
 * (Lighthouse's launcher) with the quiet flags of STACK.md. A first visit:
 * no name yet, so the app shows its welcome screen, as a new responder sees it.
 *
 * One Lighthouse run swings by several points on a shared machine, so it runs
 * `runs` times, each in a fresh browser, and reports the median run as
 * Lighthouse's own `computeMedianRun` picks it (closest to the median FCP and
 * TTI: docs/variability.md), with every run's scores beside it.
 */
import { launch } from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js'
import { CHROME_FLAGS, chromePath } from '../../tests/e2e/harness'

type Result = NonNullable<Awaited<ReturnType<typeof lighthouse>>>['lhr']

export interface LighthouseScores {
  performance: number
  accessibility: number
  bestPractices: number
  /** Every run's scores, in run order; the figures above are the median run's. */
  runs: { performance: number; accessibility: number; bestPractices: number }[]
  /** The median run's metrics, in ms (CLS unitless). */
  metrics: Record<string, number>
  /** Audits that cost points, for the report. */
  failing: { id: string; title: string; score: number | null; category: string }[]
  /** What Lighthouse estimates each fix would save (load-time opportunities). */
  opportunities: { id: string; title: string; savingsMs: number; display: string }[]
}

async function runOnce(url: string): Promise<Result> {
  const chrome = await launch({
    chromePath: chromePath(),
    chromeFlags: ['--headless=new', ...CHROME_FLAGS],
    logLevel: 'silent',
  })
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    })
    if (!result) throw new Error('Lighthouse returned nothing')
    if (result.lhr.runtimeError) throw new Error(`Lighthouse: ${result.lhr.runtimeError.message}`)
    return result.lhr
  } finally {
    chrome.kill()
  }
}

const scoresOf = (lhr: Result) => {
  const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100)
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
  }
}

export async function runLighthouse(url: string, runs: number): Promise<LighthouseScores> {
  const results: Result[] = []
  for (let i = 0; i < runs; i++) results.push(await runOnce(url))
  const median = computeMedianRun(results) as Result
  const { audits, categories } = median
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
      opportunities.push({
        id: audit.id,
        title: audit.title,
        savingsMs: Math.round(d.overallSavingsMs!),
        display: audit.displayValue ?? '',
      })
    }
  }
  opportunities.sort((a, b) => b.savingsMs - a.savingsMs)
  const metrics: Record<string, number> = {}
  for (const id of [
    'first-contentful-paint',
    'largest-contentful-paint',
    'speed-index',
    'total-blocking-time',
    'cumulative-layout-shift',
  ]) {
    metrics[id] = Math.round((audits[id]?.numericValue ?? NaN) * 1000) / 1000
  }
  return { ...scoresOf(median), runs: results.map(scoresOf), metrics, failing, opportunities }
}
