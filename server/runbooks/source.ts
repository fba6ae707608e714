/**
 * What the server reads from a runbook's Markdown source: its title and its
 * review date. Only these two: rendering belongs to the sanitising pipeline,
 * which runs on the phone and in the build, never on the server. Front matter
 * is read by the build's own reader (src/runbooks/front-matter.ts, YAML 1.2),
 * and review dates are counted as the phone counts them (src/runbooks/review.ts).
 */
import { parseFrontMatter, type FrontMatterValue } from '../../src/runbooks/front-matter'
import { addMonths, REVIEW_INTERVAL_MONTHS } from '../../src/runbooks/review'

export interface RunbookSourceMeta {
  title: string
  /** `YYYY-MM-DD`, or null when the source says nothing and no fallback time is given. */
  reviewBy: string | null
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})/

/** `YYYY-MM-DD` of a date-like value (the first item of a list), or null. */
function day(value: FrontMatterValue | undefined): string | null {
  const m = DAY.exec((Array.isArray(value) ? value[0] : value) ?? '')
  if (!m) return null
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10)
}

/**
 * Title: front matter `title`, else the first `# ` heading, else `fallbackTitle`.
 * Review date: front matter `review-by` (or `review_by`, `reviewBy`); else
 * REVIEW_INTERVAL_MONTHS after `reviewed` or `updated`; else after `at` (the
 * version's ISO time), when given.
 */
export function readRunbookSource(source: string, fallbackTitle: string, at?: string): RunbookSourceMeta {
  const { data, body } = parseFrontMatter(source)
  const heading = /^ {0,3}# +(.+?)\s*#*\s*$/m.exec(body)?.[1]
  const title = ((typeof data.title === 'string' ? data.title : '') || heading || fallbackTitle).slice(0, 300)
  const explicit = day(data['review-by'] ?? data.review_by ?? data.reviewBy ?? data.reviewby)
  const last = day(data.reviewed ?? data.updated) ?? day(at)
  return { title, reviewBy: explicit ?? (last ? addMonths(last, REVIEW_INTERVAL_MONTHS) : null) }
}
