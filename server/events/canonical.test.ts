import { describe, expect, it } from 'vitest'
import { canonicalCopy, canonicalForm, canonicalJson } from './canonical'

describe('canonical form', () => {
  it('is the value itself when every object in it already has its keys sorted', () => {
    const value = { a: 1, b: [{ x: null, y: 'z' }, 2], c: { d: { e: true } } }
    expect(canonicalForm(value)).toBe(value)
  })

  it('is a sorted copy, leaving the value as it was, when a key is out of order at any depth', () => {
    const value = { a: 1, b: [{ y: 'z', x: null }] }
    const form = canonicalForm(value)
    expect(form).not.toBe(value)
    expect(JSON.stringify(form)).toBe('{"a":1,"b":[{"x":null,"y":"z"}]}')
    expect(Object.keys(value.b[0]!)).toEqual(['y', 'x'])
  })

  it('drops undefined members, as canonical JSON does', () => {
    const value = { a: 1, b: undefined }
    expect(canonicalForm(value)).toEqual({ a: 1 })
    expect(Object.keys(canonicalForm(value))).toEqual(['a'])
  })

  it('gives what canonicalJson writes, for objects with integer-like keys too', () => {
    for (const value of [
      { b: 1, a: { d: 2, c: 3 } },
      { '10': 'x', '2': 'y', a: 'z' },
      [{ b: 1, a: 2 }],
      'text',
      3,
      null,
    ]) {
      expect(JSON.stringify(canonicalForm(value))).toBe(canonicalJson(value))
      expect(canonicalForm(value)).toEqual(canonicalCopy(value))
    }
  })
})
