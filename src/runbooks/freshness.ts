/**
 * How fresh the runbooks on this phone are, for the line above the list.
 * The newest `updated` date an author wrote is what responders care about
 * ("is the DHCP runbook the new one?"); the build time is only a fallback when
 * no runbook has an `updated` date, since it changes on every deploy.
 */
import type { RunbookManifest, RunbookMeta } from './types'

export interface RunbookFreshness {
  /** `YYYY-MM-DD` (from a runbook) or an ISO time (the build). */
  date: string
  source: 'runbooks' | 'build'
}

export function runbookFreshness(manifest: Pick<RunbookManifest, 'generatedAt' | 'runbooks'>): RunbookFreshness | null {
  let newest: string | null = null
  for (const runbook of manifest.runbooks)
    if (runbook.updated && (!newest || runbook.updated > newest)) newest = runbook.updated
  if (newest) return { date: newest, source: 'runbooks' }
  return Number.isNaN(Date.parse(manifest.generatedAt)) ? null : { date: manifest.generatedAt, source: 'build' }
}

/**
 * The version a runbook is shown with: the server's number for one synced
 * from the server (`Version 3`), else the build's own (front matter
 * `version`, or the source's fingerprint).
 */
export function versionLabel(meta: Pick<RunbookMeta, 'published' | 'version'>): string {
  return `Version ${meta.published ?? meta.version}`
}

/**
 * A runbook date for people: `2026-11-24` → "24 Nov 2026" (in the device's
 * locale). A plain date is a calendar day, not an instant: formatted in UTC so
 * it never shifts to the day before west of Greenwich.
 */
export function formatRunbookDate(date: string, locale?: string): string {
  const plain = /^\d{4}-\d{2}-\d{2}$/.test(date)
  const parsed = new Date(plain ? `${date}T00:00:00Z` : date)
  if (Number.isNaN(parsed.getTime())) return date
  return parsed.toLocaleDateString(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    ...(plain ? { timeZone: 'UTC' } : {}),
  })
}
