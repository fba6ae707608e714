/**
 * Turning a CSV export (a student information system, a workspace directory,
 * a spreadsheet) into contacts or audience members, with a preview: each row
 * either becomes a record or is refused with the reason, naming its line. The
 * columns are found by their headers; nothing is stored here.
 */
import * as v from 'valibot'
import { guessSeparator, parseCsv } from './csv'
import type { Contact } from './directory'
import { payloadSchemas, type AudienceMember } from './events'

/** One row of the preview: what it becomes, or why it cannot be imported. */
export type PreviewRow<T> = { line: number; ok: true; value: T } | { line: number; ok: false; reason: string }

export interface ImportPreview<T> {
  rows: PreviewRow<T>[]
  /** The columns recognised, by header as written in the file (shown above the preview). */
  columns: Record<string, string>
  /** A problem with the whole file (no email column, an unclosed quote); rows may still be listed. */
  error?: string
}

/** A contact as imported: the `contact.saved` fields of a new contact. */
export type ImportedContact = Omit<Contact, 'id' | 'removed' | 'updatedAt'>

/** A member as imported, and the audience it is for when the file has an audience (group) column. */
export interface ImportedMember extends AudienceMember {
  audience?: string
}

const HEADERS = {
  email: /e-?mail|^mail$|mail address/i,
  first: /first|given/i,
  last: /last|surname|family name/i,
  name: /name/i,
  role: /role|title|position|job/i,
  organization: /organi[sz]ation|company|vendor|department|school|org unit|agency/i,
  phone: /phone|mobile|cell|tel|fax/i,
  notes: /note|comment|circuit|account|contract/i,
  kind: /^(type|kind|category)$/i,
  audience: /audience|group|list/i,
} as const

type Column = keyof typeof HEADERS

/** Which column index holds what: the first header matching each pattern; every phone-like column. */
function mapColumns(header: readonly string[]): { at: Partial<Record<Column, number>>; phones: number[] } {
  const at: Partial<Record<Column, number>> = {}
  const phones: number[] = []
  const taken = new Set<number>()
  // Most specific first: "Email Address" is not a name, "Last Name" is not "Name".
  const order: Column[] = [
    'email',
    'phone',
    'first',
    'last',
    'audience',
    'organization',
    'role',
    'notes',
    'kind',
    'name',
  ]
  for (const key of order) {
    header.forEach((h, i) => {
      if (taken.has(i) || !HEADERS[key].test(h.trim())) return
      if (key === 'phone') {
        phones.push(i)
        taken.add(i)
      } else if (at[key] === undefined) {
        at[key] = i
        taken.add(i)
      }
    })
  }
  return { at, phones }
}

function describeColumns(header: readonly string[], at: Partial<Record<Column, number>>, phones: number[]) {
  const columns: Record<string, string> = {}
  for (const [key, i] of Object.entries(at)) columns[header[i]!.trim()] = key
  for (const i of phones) columns[header[i]!.trim()] = 'phone'
  return columns
}

function read(text: string) {
  const { records, error } = parseCsv(text, guessSeparator(text))
  const [head, ...rest] = records
  // A row of empty cells (`,,,`) is a blank line of a spreadsheet, not a record.
  const body = rest.filter((r) => r.fields.some((f) => f.trim() !== ''))
  return { header: head?.fields ?? [], body, error }
}

const cell = (fields: readonly string[], i: number | undefined) => (i === undefined ? '' : (fields[i] ?? '').trim())

/** The name of a row: its name column, else first and last name together. */
function nameOf(fields: readonly string[], at: Partial<Record<Column, number>>): string {
  return cell(fields, at.name) || [cell(fields, at.first), cell(fields, at.last)].filter(Boolean).join(' ')
}

/** A valibot issue as the preview says it: `email: must be an email address`. */
function reasonOf(issue: v.BaseIssue<unknown> | undefined): string {
  const path = issue?.path?.map((p) => String(p.key)).join('.') ?? ''
  const field = path.replace(/^phones\.\d+\.number$/, 'phone').replace(/^members\.\d+\./, '')
  return field ? `${field}: ${issue!.message}` : (issue?.message ?? 'invalid')
}

/** Contacts from a CSV with a header row; a row needs a name, and its email and phones must be valid. */
export function previewContacts(text: string): ImportPreview<ImportedContact> {
  const { header, body, error } = read(text)
  const { at, phones } = mapColumns(header)
  const columns = describeColumns(header, at, phones)
  if (at.name === undefined && at.first === undefined && at.last === undefined)
    return {
      rows: [],
      columns,
      error: error ?? 'No name column: the first row must name the columns (Name, Email, Phone…).',
    }
  const rows = body.map(({ line, fields }): PreviewRow<ImportedContact> => {
    const kindText = cell(fields, at.kind)
    const contact: ImportedContact = {
      name: nameOf(fields, at),
      kind: /vendor|company|supplier|provider/i.test(kindText) ? 'vendor' : 'person',
      role: cell(fields, at.role),
      organization: cell(fields, at.organization),
      phones: phones.map((i) => ({ label: header[i]!.trim(), number: cell(fields, i) })).filter((p) => p.number !== ''),
      email: cell(fields, at.email),
      notes: cell(fields, at.notes),
    }
    if (!contact.name) return { line, ok: false, reason: 'name: missing' }
    const checked = v.safeParse(payloadSchemas['contact.saved'], { contactId: 'IMPORT-CHECK', ...contact })
    if (!checked.success) return { line, ok: false, reason: reasonOf(checked.issues[0]) }
    const { contactId: _check, ...clean } = checked.output
    return { line, ok: true, value: { ...contact, ...clean } }
  })
  return { rows, columns, ...(error && { error }) }
}

/** Audience members from a CSV with a header row: an email column is required; an audience column groups them. */
export function previewMembers(text: string): ImportPreview<ImportedMember> {
  const { header, body, error } = read(text)
  const { at, phones } = mapColumns(header)
  const columns = describeColumns(header, at, phones)
  if (at.email === undefined)
    return { rows: [], columns, error: error ?? 'No email column: the first row must name the columns (Name, Email…).' }
  const rows = body.map(({ line, fields }): PreviewRow<ImportedMember> => {
    const email = cell(fields, at.email)
    if (!email) return { line, ok: false, reason: 'email: missing' }
    const name = nameOf(fields, at)
    const checked = v.safeParse(payloadSchemas['audience.saved'], {
      audienceId: 'IMPORT-CHECK',
      members: [name ? { email, name } : { email }],
    })
    if (!checked.success) return { line, ok: false, reason: reasonOf(checked.issues[0]) }
    const member = checked.output.members![0]!
    const audience = cell(fields, at.audience)
    return { line, ok: true, value: audience ? { ...member, audience } : member }
  })
  return { rows, columns, ...(error && { error }) }
}
