import { invalidFields, type CommandResult, type FieldErrors } from '../domain/command-result'
import { DIRECTORY_ID, type Audience, type Contact } from '../domain/directory'
import type { ContactKind } from '../domain/directory-vocabulary'
import { describeLineErrors, formatMember, formatPhone, parseMembers, parsePhones } from '../domain/directory-forms'
import type { ImportedContact, ImportedMember } from '../domain/directory-import'
import { payloadErrors, type AudienceMember, type IncidentEvent, type PayloadOf } from '../domain/events'
import { newId } from '../domain/ids'
import { useDirectoryStore } from '../stores/directory'
import { useIncidentsStore } from '../stores/incidents'

/** The audience form as typed: members one per line (`Name <email>` or `email`). */
export interface AudienceForm {
  name: string
  members: string
  note: string
}

/** The contact form as typed: phone numbers one per line (`label: number`). */
export interface ContactForm {
  name: string
  kind: ContactKind
  role: string
  organization: string
  phones: string
  email: string
  notes: string
}

/** A contact as the form shows it. */
export function contactForm(c?: Contact): ContactForm {
  return {
    name: c?.name ?? '',
    kind: c?.kind ?? 'person',
    role: c?.role ?? '',
    organization: c?.organization ?? '',
    phones: c ? c.phones.map(formatPhone).join('\n') : '',
    email: c?.email ?? '',
    notes: c?.notes ?? '',
  }
}

/** An audience as the form shows it. */
export function audienceForm(a?: Audience): AudienceForm {
  return { name: a?.name ?? '', members: a ? a.members.map(formatMember).join('\n') : '', note: a?.note ?? '' }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Payload field errors as form field errors: `members.3.email` is the `members` field. */
function formErrors(type: 'audience.saved' | 'contact.saved', payload: unknown): FieldErrors {
  const out: FieldErrors = {}
  for (const [key, message] of Object.entries(payloadErrors(type, payload))) {
    const field = key.split('.')[0]!
    out[field === '_' ? 'name' : field] ??= message
  }
  return out
}

export interface DirectoryCommands {
  /**
   * Create (`id` undefined) or edit an audience: only the fields that changed
   * are sent, so a concurrent edit of another field is kept. Field errors keyed
   * `name`, `members` (naming the line), `note`. Resolves with the audience id.
   */
  saveAudience: (id: string | undefined, form: AudienceForm) => Promise<CommandResult<string>>
  /** Add members to an audience (CSV import): addresses already in it are skipped. */
  addMembers: (id: string, members: readonly AudienceMember[]) => Promise<CommandResult<IncidentEvent | null>>
  /** Create or edit a contact, as saveAudience. Field errors keyed by the form's fields (`phones` naming the line). */
  saveContact: (id: string | undefined, form: ContactForm) => Promise<CommandResult<string>>
  /** Add each imported contact as a new one (one event each); resolves with how many were saved. */
  importContacts: (contacts: readonly ImportedContact[]) => Promise<CommandResult<number>>
  /**
   * Add imported members to audiences: each to its row's audience when the file
   * named one, else to `into` (an audience name). An audience of that name is
   * extended, or made. Resolves with how many audiences changed.
   */
  importMembers: (members: readonly ImportedMember[], into: string) => Promise<CommandResult<number>>
  /** Remove (or bring back) an audience or a contact: it stays in the history. */
  setRemoved: (what: 'audience' | 'contact', id: string, removed: boolean) => Promise<CommandResult<IncidentEvent>>
}

/** Commands of the directory (audiences and contacts). All work offline, like every event. */
export function useDirectoryCommands(): DirectoryCommands {
  const store = useIncidentsStore()
  const directory = useDirectoryStore()

  async function saveAudience(id: string | undefined, form: AudienceForm): Promise<CommandResult<string>> {
    const parsed = parseMembers(form.members)
    if (parsed.errors.length) return invalidFields({ members: describeLineErrors(parsed.errors) })!
    const current = id ? directory.audience(id) : undefined
    const next = { name: form.name.trim(), members: parsed.items, note: form.note.trim() }
    const payload: PayloadOf<'audience.saved'> = { audienceId: id ?? newId() }
    if (!current || current.name !== next.name) payload.name = next.name
    if (!current || !same(current.members, next.members)) payload.members = next.members
    if ((current?.note ?? '') !== next.note) payload.note = next.note
    if (!next.name) return invalidFields({ name: 'Name the audience.' })!
    const fields = formErrors('audience.saved', payload)
    if (Object.keys(fields).length) return invalidFields(fields)!
    if (current && Object.keys(payload).length === 1) return { ok: true, value: current.id }
    const made = await store.record(DIRECTORY_ID, 'audience.saved', payload)
    return made.ok ? { ok: true, value: payload.audienceId } : made
  }

  async function addMembers(
    id: string,
    members: readonly AudienceMember[],
  ): Promise<CommandResult<IncidentEvent | null>> {
    const current = directory.audience(id)
    if (!current) return { ok: false, reason: 'That audience is not on this phone.' }
    const have = new Set(current.members.map((m) => m.email.toLowerCase()))
    const added = members.filter((m) => {
      const key = m.email.toLowerCase()
      if (have.has(key)) return false
      have.add(key)
      return true
    })
    if (!added.length) return { ok: true, value: null }
    return store.record(DIRECTORY_ID, 'audience.saved', { audienceId: id, members: [...current.members, ...added] })
  }

  async function saveContact(id: string | undefined, form: ContactForm): Promise<CommandResult<string>> {
    const phones = parsePhones(form.phones)
    if (phones.errors.length) return invalidFields({ phones: describeLineErrors(phones.errors) })!
    const current = id ? directory.contact(id) : undefined
    const before = contactForm(current)
    const payload: PayloadOf<'contact.saved'> = { contactId: id ?? newId() }
    const text = (k: 'name' | 'role' | 'organization' | 'email' | 'notes') => {
      const value = form[k].trim()
      if (!current ? value !== '' || k === 'name' : value !== before[k]) payload[k] = value
    }
    for (const k of ['name', 'role', 'organization', 'email', 'notes'] as const) text(k)
    if (!current || current.kind !== form.kind) payload.kind = form.kind
    if (!current ? phones.items.length > 0 : !same(current.phones, phones.items)) payload.phones = phones.items
    if (!form.name.trim()) return invalidFields({ name: 'Write the name.' })!
    const fields = formErrors('contact.saved', payload)
    if (Object.keys(fields).length) return invalidFields(fields)!
    if (current && Object.keys(payload).length === 1) return { ok: true, value: current.id }
    const made = await store.record(DIRECTORY_ID, 'contact.saved', payload)
    return made.ok ? { ok: true, value: payload.contactId } : made
  }

  async function setRemoved(
    what: 'audience' | 'contact',
    id: string,
    removed: boolean,
  ): Promise<CommandResult<IncidentEvent>> {
    return what === 'audience'
      ? store.record(DIRECTORY_ID, 'audience.saved', { audienceId: id, removed })
      : store.record(DIRECTORY_ID, 'contact.saved', { contactId: id, removed })
  }

  async function importContacts(contacts: readonly ImportedContact[]): Promise<CommandResult<number>> {
    let saved = 0
    for (const c of contacts) {
      const payload: PayloadOf<'contact.saved'> = { contactId: newId(), name: c.name, kind: c.kind }
      if (c.role) payload.role = c.role
      if (c.organization) payload.organization = c.organization
      if (c.phones.length) payload.phones = c.phones
      if (c.email) payload.email = c.email
      if (c.notes) payload.notes = c.notes
      const made = await store.record(DIRECTORY_ID, 'contact.saved', payload)
      if (!made.ok) return { ok: false, reason: `Stopped after ${saved} contacts: ${made.reason}` }
      saved++
    }
    return { ok: true, value: saved }
  }

  async function importMembers(members: readonly ImportedMember[], into: string): Promise<CommandResult<number>> {
    const groups = new Map<string, AudienceMember[]>()
    for (const { audience, ...member } of members) {
      const name = (audience || into).trim()
      if (!name) return invalidFields({ into: 'Name the audience to import into.' })!
      groups.set(name, [...(groups.get(name) ?? []), member])
    }
    let changed = 0
    for (const [name, list] of groups) {
      const existing = directory.audienceNamed(name)
      const made = existing
        ? await addMembers(existing.id, list)
        : await saveAudience(undefined, { name, members: list.map(formatMember).join('\n'), note: '' })
      if (!made.ok) return { ok: false, reason: `${name}: ${made.reason}` }
      changed++
    }
    return { ok: true, value: changed }
  }

  return { saveAudience, addMembers, saveContact, importContacts, importMembers, setRemoved }
}
