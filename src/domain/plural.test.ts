import { describe, expect, it } from 'vitest'
import { counted, pluralForm } from './plural'

describe('counted words', () => {
  it('uses the plural rules: 0 and 2 are plural, 1 singular', () => {
    expect(counted(0, 'runbook', 'runbooks')).toBe('0 runbooks')
    expect(counted(1, 'runbook', 'runbooks')).toBe('1 runbook')
    expect(counted(2, 'open task', 'open tasks')).toBe('2 open tasks')
  })

  it('chooses a verb by count too', () => {
    expect(pluralForm(1, { one: 'matches', other: 'match' })).toBe('matches')
    expect(pluralForm(5, { one: 'matches', other: 'match' })).toBe('match')
  })

  it('follows the locale: forms a language has beyond one and other, falling back to other', () => {
    const forms = { one: 'plik', few: 'pliki', many: 'plików', other: 'pliku' }
    expect(pluralForm(2, forms, 'pl')).toBe('pliki')
    expect(pluralForm(5, forms, 'pl')).toBe('plików')
    expect(pluralForm(2, { other: 'x' }, 'pl')).toBe('x')
  })
})
