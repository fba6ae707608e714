import { describe, expect, it } from 'vitest'
import { formatRunbookDate, runbookFreshness } from './freshness'
import type { RunbookMeta } from './types'

const meta = (id: string, updated: string | null): RunbookMeta => ({
  id,
  title: id,
  summary: '',
  tags: [],
  updated,
  reviewed: updated,
  reviewBy: null,
  version: 'v1',
  stepCount: 0,
})

describe('runbookFreshness', () => {
  it('is the newest updated date of any runbook', () => {
    const manifest = {
      generatedAt: '2026-12-01T10:00:00.000Z',
      runbooks: [meta('a', '2026-10-02'), meta('b', null), meta('c', '2026-11-24'), meta('d', '2025-12-31')],
    }
    expect(runbookFreshness(manifest)).toEqual({ date: '2026-11-24', source: 'runbooks' })
  })

  it('falls back to the build time when no runbook is dated, and to nothing without either', () => {
    expect(runbookFreshness({ generatedAt: '2026-12-01T10:00:00.000Z', runbooks: [meta('a', null)] })).toEqual({
      date: '2026-12-01T10:00:00.000Z',
      source: 'build',
    })
    expect(runbookFreshness({ generatedAt: 'not a time', runbooks: [] })).toBeNull()
  })
})

describe('formatRunbookDate', () => {
  it('shows a calendar day as that day in every time zone', () => {
    expect(formatRunbookDate('2026-11-24', 'en-GB')).toBe('24 Nov 2026')
    expect(formatRunbookDate('2026-01-01', 'en-US')).toBe('Jan 1, 2026')
  })

  it('formats a build time, and leaves what it cannot read as it is', () => {
    expect(formatRunbookDate('2026-06-15T12:00:00.000Z', 'en-GB')).toBe('15 Jun 2026')
    expect(formatRunbookDate('someday')).toBe('someday')
  })
})
