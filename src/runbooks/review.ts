/**
 * When a runbook was last checked by a person, and when it must be checked
 * again. A runbook nobody has looked at in two years reads exactly like one
 * checked yesterday, so the list marks the ones past their review date
 * ("Not reviewed since March 2025").
 *
 * Front matter: `reviewed: YYYY-MM-DD` (the last review) and, optionally,
 * `review-by: YYYY-MM-DD`. Without `review-by` the review is due
 * REVIEW_INTERVAL_MONTHS after `reviewed`, or after `updated` when the runbook
 * has no `reviewed` date (whoever last edited it read it). A runbook with none
 * of the three has no review date, and is not marked.
 *
 * Dates are calendar days (`YYYY-MM-DD`), compared as days, never as instants.
 */

/** Default time between reviews. */
export const REVIEW_INTERVAL_MONTHS = 12

/** The review dates a runbook carries in the catalog. */
export interface RunbookReviewDates {
  /** The last review (`reviewed`, else `updated`), or null. */
  reviewed: string | null
  /** When it must be reviewed again, or null when it has no dates at all. */
  reviewBy: string | null
}

export type ReviewState =
  /** Reviewed, and not due yet. */
  | { kind: 'current'; reviewBy: string }
  /** Past its review date: `since` is the last review, when known. */
  | { kind: 'overdue'; reviewBy: string; since: string | null }
  /** No dates at all. */
  | { kind: 'unknown' }

/** `YYYY-MM-DD` plus whole months; the 31st becomes the last day of a shorter month (29 Feb → 28 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const target = new Date(Date.UTC(y, m - 1 + months, 1))
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(d, lastDay))
  return target.toISOString().slice(0, 10)
}

/** The catalog's review dates from the front matter's dates (each a valid `YYYY-MM-DD` or null). */
export function reviewDates(dates: {
  reviewed: string | null
  reviewBy: string | null
  updated: string | null
}): RunbookReviewDates {
  const reviewed = dates.reviewed ?? dates.updated
  const reviewBy = dates.reviewBy ?? (reviewed ? addMonths(reviewed, REVIEW_INTERVAL_MONTHS) : null)
  return { reviewed, reviewBy }
}

/** Whether the runbook is due for review on `today` (`YYYY-MM-DD`, the phone's calendar day). Due on the day itself. */
export function reviewState(dates: RunbookReviewDates, today: string): ReviewState {
  if (!dates.reviewBy) return { kind: 'unknown' }
  if (today >= dates.reviewBy) return { kind: 'overdue', reviewBy: dates.reviewBy, since: dates.reviewed }
  return { kind: 'current', reviewBy: dates.reviewBy }
}

/** A calendar day as `YYYY-MM-DD` in the phone's own time zone (the day the responder is living). */
export function localDay(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** "March 2025", in `locale`. */
export function monthYear(date: string, locale?: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' })
}

/** The mark for the list and the page: "Not reviewed since March 2025", "Review was due March 2026"; '' when not due. */
export function overdueLabel(state: ReviewState, locale?: string): string {
  if (state.kind !== 'overdue') return ''
  return state.since
    ? `Not reviewed since ${monthYear(state.since, locale)}`
    : `Review was due ${monthYear(state.reviewBy, locale)}`
}
