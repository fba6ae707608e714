/**
 * The directory's forms as text: an audience's members one per line, a
 * contact's phone numbers one per line. Pure: parsed and checked here with the
 * event schemas' own rules, so a line the server would refuse is named before
 * anything is stored.
 */
import * as v from 'valibot'
import { AudienceMemberSchema, ContactPhoneSchema, type AudienceMember, type ContactPhone } from './events'

/** A problem with one line of a text field, numbered from 1 as a person counts. */
export interface LineError {
  line: number
  message: string
}

export interface Parsed<T> {
  items: T[]
  errors: LineError[]
}

/** `Kim Lee <kim@lincoln.example>`, `kim@lincoln.example`, `kim@lincoln.example, Kim Lee` or `Kim Lee, kim@…`. */
export function parseMemberLine(line: string): { email: string; name?: string } {
  const angle = /^(.*)<([^<>]*)>\s*$/.exec(line)
  if (angle) return clean(angle[2]!, angle[1]!)
  const parts = line.split(/[,;\t]/)
  const at = parts.findIndex((p) => p.includes('@'))
  if (at < 0) return clean(line, '')
  return clean(
    parts[at]!,
    parts
      .filter((_, i) => i !== at)
      .join(' ')
      .trim(),
  )
}

function clean(email: string, name: string): { email: string; name?: string } {
  const n = name.trim().replace(/^"(.*)"$/, '$1')
  return n ? { email: email.trim(), name: n } : { email: email.trim() }
}

/** Members, one per line (blank lines skipped); each line checked as the event schema checks it. */
export function parseMembers(text: string): Parsed<AudienceMember> {
  const items: AudienceMember[] = []
  const errors: LineError[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return
    const candidate = parseMemberLine(raw)
    const result = v.safeParse(AudienceMemberSchema, candidate)
    if (result.success) items.push(result.output)
    else errors.push({ line: i + 1, message: memberMessage(candidate.email, result.issues[0]) })
  })
  return { items, errors }
}

function memberMessage(email: string, issue: v.BaseIssue<unknown> | undefined): string {
  const field = issue?.path?.[0]?.key
  if (field === 'name') return `the name ${issue!.message}`
  return email ? `“${email}” is not an email address` : 'no email address'
}

/** One member as a line of the form. */
export function formatMember(m: AudienceMember): string {
  return m.name ? `${m.name} <${m.email}>` : m.email
}

/** Phone numbers, one per line: `mobile: +1 555 010 2030` or the number alone. */
export function parsePhones(text: string): Parsed<ContactPhone> {
  const items: ContactPhone[] = []
  const errors: LineError[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return
    const colon = raw.lastIndexOf(':')
    const candidate =
      colon > 0 ? { label: raw.slice(0, colon).trim(), number: raw.slice(colon + 1).trim() } : { number: raw.trim() }
    const result = v.safeParse(ContactPhoneSchema, candidate)
    if (result.success) items.push(result.output.label ? result.output : { number: result.output.number })
    else errors.push({ line: i + 1, message: `“${candidate.number}” ${result.issues[0]?.message ?? 'is not valid'}` })
  })
  return { items, errors }
}

/** One phone number as a line of the form. */
export function formatPhone(p: ContactPhone): string {
  return p.label ? `${p.label}: ${p.number}` : p.number
}

/** Line errors as one message for the field: `Line 3: “principal” is not an email address`. */
export function describeLineErrors(errors: readonly LineError[], max = 5): string {
  const shown = errors.slice(0, max).map((e) => `Line ${e.line}: ${e.message}`)
  if (errors.length > max) shown.push(`and ${errors.length - max} more`)
  return shown.join('; ')
}
