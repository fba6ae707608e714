/**
 * What the server reads from a runbook's Markdown source: its title and its
 * review date. Only these two: rendering belongs to the sanitising pipeline
 * (build/runbooks/compile.ts), which the server does not import (layers: the
 * server shares only src/domain with the app). Front matter is read line by
 * line (`key: value`), enough for these flat fields.
 */

export interface RunbookSourceMeta {
  title: string
  /** `YYYY-MM-DD`, or null when the source says nothing and no fallback time is given. */
  reviewBy: string | null
}

/** Months after the last review when a runbook counts as not reviewed, unless `review-by` says otherwise. */
export const REVIEW_MONTHS = 12

const DAY = /^(\d{4})-(\d{2})-(\d{2})/

function frontMatter(source: string): { data: Map<string, string>; body: string } {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const data = new Map<string, string>()
  const lines = text.split('\n')
  if (lines[0]?.trimEnd() !== '---') return { data, body: text }
  const end = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'))
  if (end < 0) return { data, body: text }
  for (const line of lines.slice(1, end)) {
    const m = /^([A-Za-z_][\w.-]*)\s*:\s*(.*)$/.exec(line)
    if (m) data.set(m[1]!.toLowerCase(), m[2]!.trim().replace(/^(["'])(.*)\1$/, '$2'))
  }
  return { data, body: lines.slice(end + 1).join('\n') }
}

/** `YYYY-MM-DD` of a date-like value, or null. */
function day(value: string | undefined): string | null {
  const m = value ? DAY.exec(value) : null
  if (!m) return null
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10)
}

function addMonths(isoDay: string, months: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.toISOString().slice(0, 10)
}

/**
 * Title: front matter `title`, else the first `# ` heading, else `fallbackTitle`.
 * Review date: front matter `review-by` (or `review_by`, `reviewBy`); else
 * REVIEW_MONTHS after `reviewed` or `updated`; else after `at` (the version's
 * ISO time), when given.
 */
export function readRunbookSource(source: string, fallbackTitle: string, at?: string): RunbookSourceMeta {
  const { data, body } = frontMatter(source)
  const heading = /^ {0,3}# +(.+?)\s*#*\s*$/m.exec(body)?.[1]
  const title = (data.get('title') || heading || fallbackTitle).slice(0, 300)
  const explicit = day(data.get('review-by') ?? data.get('review_by') ?? data.get('reviewby'))
  const last = day(data.get('reviewed') ?? data.get('updated')) ?? day(at)
  return { title, reviewBy: explicit ?? (last ? addMonths(last, REVIEW_MONTHS) : null) }
}
