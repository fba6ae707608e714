import { describe, expect, it } from 'vitest'
import { compileRunbook, fingerprint } from './compile'
import { addMonths, localDay, overdueLabel, reviewDates, reviewState } from './review'

const front = (lines: string[]) => compileRunbook(['---', 'title: T', ...lines, '---', '', 'Body'].join('\n'), 't.md')

describe('review dates from the front matter', () => {
  it('defaults review-by to 12 months after reviewed, else after updated', () => {
    expect(front(['reviewed: 2025-03-10', 'updated: 2026-01-05'])).toMatchObject({
      reviewed: '2025-03-10',
      reviewBy: '2026-03-10',
    })
    expect(front(['updated: 2026-01-05'])).toMatchObject({ reviewed: '2026-01-05', reviewBy: '2027-01-05' })
    expect(front([])).toMatchObject({ reviewed: null, reviewBy: null })
  })

  it('takes an explicit review-by, with or without a review date', () => {
    expect(front(['reviewed: 2025-03-10', 'review-by: 2025-09-01'])).toMatchObject({
      reviewed: '2025-03-10',
      reviewBy: '2025-09-01',
    })
    expect(front(['review-by: 2026-06-30'])).toMatchObject({ reviewed: null, reviewBy: '2026-06-30' })
  })

  it('warns about dates that do not exist and near-miss keys', () => {
    const bad = front(['reviewed: 2025-02-30', 'review_by: 2026-01-01'])
    expect(bad).toMatchObject({ reviewed: null, reviewBy: null })
    expect(bad.warnings).toEqual([
      '"reviewed: 2025-02-30" is not a date (YYYY-MM-DD); ignored',
      '"review_by" is not read; did you mean "review-by"?',
    ])
  })

  it('clamps to the end of a shorter month', () => {
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28')
    expect(addMonths('2025-08-31', 6)).toBe('2026-02-28')
    expect(addMonths('2025-12-15', 1)).toBe('2026-01-15')
    expect(reviewDates({ reviewed: null, reviewBy: null, updated: '2024-02-29' }).reviewBy).toBe('2025-02-28')
  })
})

describe('review state on the phone', () => {
  it('is overdue from the review-by day on, and says since when', () => {
    const dates = { reviewed: '2025-03-10', reviewBy: '2026-03-10' }
    expect(reviewState(dates, '2026-03-09')).toEqual({ kind: 'current', reviewBy: '2026-03-10' })
    const due = reviewState(dates, '2026-03-10')
    expect(due).toEqual({ kind: 'overdue', reviewBy: '2026-03-10', since: '2025-03-10' })
    expect(overdueLabel(due, 'en-GB')).toBe('Not reviewed since March 2025')
    expect(overdueLabel(reviewState({ reviewed: null, reviewBy: '2026-01-31' }, '2026-02-01'), 'en-US')).toBe(
      'Review was due January 2026',
    )
    expect(overdueLabel(reviewState(dates, '2026-01-01'))).toBe('')
    expect(reviewState({ reviewed: null, reviewBy: null }, '2030-01-01')).toEqual({ kind: 'unknown' })
  })

  it('uses the local calendar day', () => {
    expect(localDay(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05')
  })
})

describe('runbook version', () => {
  it('is the front matter version, else a fingerprint of the source that ignores line endings', () => {
    expect(front(['version: "3.1"']).version).toBe('3.1')
    const a = compileRunbook('# A\n\nText\n', 'a.md')
    expect(a.version).toMatch(/^[0-9a-f]{8}$/)
    expect(compileRunbook('# A\r\n\r\nText\r\n', 'a.md').version).toBe(a.version)
    expect(compileRunbook('# A\n\nText!\n', 'a.md').version).not.toBe(a.version)
    expect(fingerprint('')).toMatch(/^[0-9a-f]{8}$/)
  })
})
