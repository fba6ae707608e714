import { describe, expect, it } from 'vitest'
import { guessSeparator, parseCsv } from './csv'

const fields = (text: string, sep?: string) => parseCsv(text, sep).records.map((r) => r.fields)

describe('parseCsv (RFC 4180)', () => {
  it('reads plain records with CRLF or LF, and a last record without a line break', () => {
    expect(fields('a,b\r\nc,d\ne,f')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ])
  })

  it('reads quoted fields with separators, line breaks and doubled quotes', () => {
    expect(fields('name,notes\r\n"Lee, Kim","said ""call me""\r\nafter 5"\r\n')).toEqual([
      ['name', 'notes'],
      ['Lee, Kim', 'said "call me"\r\nafter 5'],
    ])
  })

  it('keeps empty fields, drops blank lines, skips a byte-order mark', () => {
    expect(fields('\uFEFFa,,c\n\n,\n')).toEqual([
      ['a', '', 'c'],
      ['', ''],
    ])
  })

  it('numbers each record by the line it starts on', () => {
    expect(parseCsv('h\n"two\nlines"\nthree').records.map((r) => r.line)).toEqual([1, 2, 4])
  })

  it('reports a quote that is never closed, keeping the records before it', () => {
    const r = parseCsv('a,b\n"open,c\nd')
    expect(r.records.map((x) => x.fields)).toEqual([['a', 'b']])
    expect(r.error).toBe('Line 2: a quoted field is not closed (a " is missing).')
  })

  it('takes a quote inside an unquoted field as text', () => {
    expect(fields('5" pipe,x')).toEqual([['5" pipe', 'x']])
  })

  it('guesses semicolons and tabs', () => {
    expect(guessSeparator('name;email\nx;y')).toBe(';')
    expect(guessSeparator('name\temail')).toBe('\t')
    expect(guessSeparator('name,email')).toBe(',')
    expect(fields('a;b', ';')).toEqual([['a', 'b']])
  })
})
