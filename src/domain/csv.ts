/**
 * A small RFC 4180 CSV reader (no CSV library is installed, and this is all
 * the import needs): fields separated by commas (or the separator given),
 * records by CRLF or LF, fields in double quotes may hold separators, line
 * breaks and doubled quotes (`""`). A byte-order mark at the start is skipped;
 * blank records are dropped. Spreadsheet exports (Excel, Google Sheets, a
 * student information system, a workspace directory) write this form.
 */

/** One record and the line it starts on (from 1), so a preview can name it. */
export interface CsvRecord {
  line: number
  fields: string[]
}

export interface CsvResult {
  records: CsvRecord[]
  /** Set when the text ends inside a quoted field: the records before it are kept. */
  error?: string
}

/** Reads `text` as CSV. Never throws; an unterminated quote is reported in `error`. */
export function parseCsv(text: string, separator = ','): CsvResult {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let recordLine = 1
  let quoteLine = 0

  const endRecord = () => {
    fields.push(field)
    if (fields.length > 1 || fields[0]!.trim() !== '') records.push({ line: recordLine, fields })
    fields = []
    field = ''
  }

  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else {
        if (c === '\n') line++
        field += c
      }
      continue
    }
    if (c === '"' && field.trim() === '') {
      // A quote opens a quoted field only at its start (spaces before it are dropped, as spreadsheets do).
      field = ''
      quoted = true
      quoteLine = line
    } else if (c === separator) {
      fields.push(field)
      field = ''
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && s[i + 1] === '\n') i++
      endRecord()
      line++
      recordLine = line
    } else field += c
  }
  if (quoted) return { records, error: `Line ${quoteLine}: a quoted field is not closed (a " is missing).` }
  if (field !== '' || fields.length) endRecord()
  return { records }
}

/** The separator a file most likely uses: comma, semicolon (European spreadsheets) or tab, from its first line. */
export function guessSeparator(text: string): string {
  const first = text.split(/\r?\n/, 1)[0] ?? ''
  const counts = [',', ';', '\t'].map((sep) => [sep, first.split(sep).length - 1] as const)
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0]
}
