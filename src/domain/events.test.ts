import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import {
  EVENT_TYPES,
  EventSchema,
  LIMITS,
  describeIssue,
  hasVisibleText,
  payloadErrors,
  validateEvent,
  validatePayload,
} from './events'
import type { EventType } from './events'
import { DIRECTORY_ID, isDirectoryType } from './directory-vocabulary'
import { createEvent } from './factory'
import { HybridClock, formatHlc } from './hlc'
import { isId, newId } from './ids'

const envelope = (type: string, payload: unknown) => ({
  id: 'EVT00000001',
  incidentId: isDirectoryType(type) ? DIRECTORY_ID : 'INC00000001',
  type,
  at: '2026-11-24T08:30:00.000Z',
  hlc: formatHlc({ ms: 1_763_973_000_000, counter: 0, node: 'phone-1' }),
  actor: { id: 'phone-1', name: 'Dana' },
  payload,
})

/** One valid payload of every type: the vocabulary of CONTRACT.md §1. */
const valid: Record<EventType, unknown> = {
  'incident.declared': {
    title: 'Core switch down',
    severity: 1,
    summary: 's',
    location: 'HS',
    parentId: 'INC00000000',
    updateCadenceMinutes: 15,
  },
  'incident.edited': { severity: 2, seen: { severity: 'EVT00000001' } },
  'incident.status': { status: 'mitigated', note: 'on backup' },
  'role.assigned': { role: 'ops', person: { id: 'phone-2', name: 'Sam' }, briefing: 'b' },
  'log.entry': { text: 'Rebooted', kind: 'action', runbook: { id: 'switch-down', step: 3 } },
  'log.amended': { entryId: 'EVT00000000', struck: true, reason: 'wrong incident', seen: { struck: 'EVT00000000' } },
  'change.made': { changeId: 'CHG00000001', system: 'core-sw-1', what: 'shut port 24', revert: 'no shut' },
  'change.reverted': { changeId: 'CHG00000001' },
  'update.posted': { body: 'Investigating', audience: 'Principals', nextDueMinutes: 30 },
  'task.added': { taskId: 'TSK00000001', text: 'Call vendor', kind: 'followup', owner: 'Lee' },
  'task.done': { taskId: 'TSK00000001' },
  'task.reopened': { taskId: 'TSK00000001', seen: 'EVT00000002' },
  'conflict.acknowledged': { keptId: 'EVT00000002', replacedId: 'EVT00000001' },
  'task.edited': { taskId: 'TSK00000001', text: 'Replace PSU in B-3', kind: 'bug', owner: '' },
  'audience.saved': {
    audienceId: 'AUD00000001',
    name: 'Principals',
    members: [{ email: 'pat@lincoln.example', name: 'Pat' }, { email: ' lee@lincoln.example ' }],
    note: 'every principal',
  },
  'contact.saved': {
    contactId: 'CON00000001',
    name: 'ISP NOC',
    kind: 'vendor',
    role: 'Circuit support',
    organization: 'Metro Fiber',
    phones: [{ label: '24/7', number: '+1 (555) 010-2030 ext. 4' }],
    email: 'noc@metrofiber.example',
    notes: 'circuit ID MF-1234',
  },
  'update.emailed': {
    updateId: 'EVT00000000',
    audienceId: 'AUD00000001',
    audience: 'Principals',
    outcome: 'sent',
    total: 14,
    sent: 13,
    failed: [{ email: 'x@y.example', answer: '550 5.1.1 No such user' }],
    unknown: [],
  },
}

/** Payloads each type must refuse, with the field the reason names. */
const invalid: [EventType, unknown, string][] = [
  ['incident.declared', { title: '', severity: 1 }, 'payload.title: must not be empty'],
  [
    'incident.declared',
    { title: 'x'.repeat(LIMITS.title + 1), severity: 1 },
    'payload.title: must be at most 200 characters',
  ],
  ['incident.declared', { title: 'x', severity: 5 }, 'payload.severity: must be 4 or less'],
  ['incident.declared', { title: 'x', severity: 0 }, 'payload.severity: must be 1 or more'],
  ['incident.declared', { title: 'x', severity: 1.5 }, 'payload.severity: must be a whole number'],
  ['incident.declared', { title: 'x', severity: '1' }, 'payload.severity'],
  ['incident.declared', { title: 'x', severity: 1, summary: 'y'.repeat(4001) }, 'payload.summary'],
  ['incident.declared', { title: 'x', severity: 1, location: 'y'.repeat(201) }, 'payload.location'],
  ['incident.declared', { title: 'x', severity: 1, parentId: 'short' }, 'payload.parentId'],
  ['incident.edited', {}, 'must change at least one field'],
  ['incident.status', { status: 'closed' }, 'payload.status'],
  ['role.assigned', { role: 'scribe', person: null }, 'payload.role'],
  ['role.assigned', { role: 'ops', person: { name: '' } }, 'payload.person.name'],
  ['role.assigned', { role: 'ops' }, 'payload.person'],
  ['log.entry', { text: '', kind: 'action' }, 'payload.text: must not be empty'],
  ['log.entry', { text: 'y'.repeat(4001), kind: 'action' }, 'payload.text: must be at most 4000 characters'],
  ['log.entry', { text: 'x', kind: 'rumour' }, 'payload.kind'],
  ['log.entry', { text: 'x', kind: 'note', runbook: { id: 'javascript:alert(1)' } }, 'payload.runbook.id'],
  [
    'log.entry',
    { text: 'x', kind: 'action', runbook: { id: 'a', step: 0, parameters: {} } },
    'payload.runbook.parameters',
  ],
  [
    'log.entry',
    { text: 'x', kind: 'action', runbook: { id: 'a', parameters: { 'bad name': 'v' } } },
    'payload.runbook.parameters',
  ],
  [
    'log.entry',
    { text: 'x', kind: 'action', runbook: { id: 'a', parameters: { ip: '' } } },
    'payload.runbook.parameters',
  ],
  [
    'log.entry',
    { text: 'x', kind: 'action', runbook: { id: 'a', parameters: { ip: 'x'.repeat(201) } } },
    'payload.runbook.parameters',
  ],
  ['log.amended', { entryId: 'EVT00000000' }, 'must change text, struck or pinned'],
  ['log.amended', { entryId: 'EVT00000000', text: '' }, 'payload.text'],
  ['change.made', { changeId: 'CHG00000001', system: 'x', what: 'y' }, 'payload.revert'],
  ['change.made', { changeId: 'bad id!', system: 'x', what: 'y', revert: 'z' }, 'payload.changeId'],
  ['change.reverted', {}, 'payload.changeId'],
  ['update.posted', { body: 'x', nextDueMinutes: 0 }, 'payload.nextDueMinutes'],
  ['update.posted', { body: 'x', nextDueMinutes: 1441 }, 'payload.nextDueMinutes'],
  ['update.posted', { body: 'x'.repeat(8001) }, 'payload.body'],
  ['update.posted', { body: 'x', audience: 'a'.repeat(81) }, 'payload.audience'],
  ['task.added', { taskId: 'TSK00000001', text: 'x', kind: 'chore' }, 'payload.kind'],
  ['task.added', { taskId: 'TSK00000001', text: 'x'.repeat(1001), kind: 'bug' }, 'payload.text'],
  ['task.done', { taskId: 1 }, 'payload.taskId'],
  ['task.done', { taskId: 'TSK00000001', seen: 'x' }, 'payload.seen'],
  ['role.assigned', { role: 'ops', person: null, seen: 7 }, 'payload.seen'],
  ['incident.edited', { seen: { title: 'EVT00000001' } }, 'must change at least one field'],
  ['incident.edited', { title: 'x', seen: { title: 'bad id!' } }, 'payload.seen.title'],
  ['log.amended', { entryId: 'EVT00000000', pinned: true, seen: { pinned: '' } }, 'payload.seen.pinned'],
  ['conflict.acknowledged', { keptId: 'EVT00000002' }, 'payload.replacedId'],
  ['conflict.acknowledged', { keptId: 'no', replacedId: 'EVT00000001' }, 'payload.keptId'],
  ['task.edited', { taskId: 'TSK00000001' }, 'must change text, kind or owner'],
  ['task.edited', { taskId: 'TSK00000001', text: ' ' }, 'payload.text'],
  ['task.edited', { taskId: 'TSK00000001', kind: 'chore' }, 'payload.kind'],
  ['task.edited', { taskId: 'TSK00000001', owner: 'o'.repeat(81) }, 'payload.owner'],
  ['audience.saved', { audienceId: 'AUD00000001' }, 'must change name, members, note or removed'],
  ['audience.saved', { audienceId: 'AUD00000001', members: [{ email: 'not an email' }] }, 'payload.members.0.email'],
  [
    'audience.saved',
    { audienceId: 'AUD00000001', members: [{ email: 'a@b.example' }, { email: 'a@b.example,\nBcc: x@evil.example' }] },
    'payload.members.1.email: must be an email address',
  ],
  ['audience.saved', { audienceId: 'AUD00000001', name: ' ' }, 'payload.name'],
  ['contact.saved', { contactId: 'CON00000001' }, 'must change a field'],
  ['contact.saved', { contactId: 'CON00000001', email: 'superintendent' }, 'payload.email'],
  ['contact.saved', { contactId: 'CON00000001', phones: [{ number: 'call me' }] }, 'payload.phones.0.number'],
  ['contact.saved', { contactId: 'CON00000001', kind: 'robot' }, 'payload.kind'],
  ['update.emailed', { updateId: 'EVT00000000', audienceId: 'AUD00000001', outcome: 'sent' }, 'payload.audience'],
]

describe('event vocabulary', () => {
  it('covers every type of the contract', () => {
    expect(EVENT_TYPES.sort()).toEqual(Object.keys(valid).sort())
  })

  it.each(Object.entries(valid))('accepts a valid %s', (type, payload) => {
    const result = validateEvent(envelope(type, payload))
    expect(result.ok ? result.value.type : result.reason).toBe(type)
  })

  it.each(Object.entries(valid))(
    'gives a valid %s with its keys in sorted order at every depth, whatever order they came in',
    (type, payload) => {
      // Canonical JSON's order (server/events/canonical.ts): the server then stores the event as validated.
      const reversed = (value: unknown): unknown =>
        Array.isArray(value)
          ? value.map(reversed)
          : value !== null && typeof value === 'object'
            ? Object.fromEntries(
                Object.entries(value)
                  .reverse()
                  .map(([k, x]) => [k, reversed(x)]),
              )
            : value
      const keyOrders = (value: unknown): string[][] =>
        Array.isArray(value)
          ? value.flatMap(keyOrders)
          : value !== null && typeof value === 'object'
            ? [Object.keys(value), ...Object.values(value).flatMap(keyOrders)]
            : []
      const result = validateEvent(reversed(envelope(type, payload)))
      expect(result.ok).toBe(true)
      for (const keys of keyOrders(result.ok && result.value)) expect(keys).toEqual([...keys].sort())
    },
  )

  it('gives runbook parameter values (a record, in the order typed) in sorted order too', () => {
    const parameters = { switch_ip: '10.20.12.5', campus: 'Nord', building: 'B' }
    const result = validateEvent(
      envelope('log.entry', { text: 'Ping', kind: 'action', runbook: { id: 'a', parameters } }),
    )
    expect(
      result.ok && result.value.type === 'log.entry' && Object.keys(result.value.payload.runbook!.parameters!),
    ).toEqual(['building', 'campus', 'switch_ip'])
  })

  it.each(invalid)('refuses %s %j naming %s', (type, payload, reason) => {
    const result = validateEvent(envelope(type, payload))
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toContain(reason)
    expect(validatePayload(type, payload).ok).toBe(false)
  })

  it('keeps the parameter values of a ticked runbook step (an extension), NFC-normalised, at most 20', () => {
    const parameters = { switch_ip: '10.20.12.5', campus: 'E\u0301cole Nord' }
    const result = validatePayload('log.entry', {
      text: '✓ Ping',
      kind: 'action',
      runbook: { id: 'switch-down', step: 1, parameters },
    })
    expect(result.ok && result.value).toEqual({
      text: '✓ Ping',
      kind: 'action',
      runbook: { id: 'switch-down', step: 1, parameters: { switch_ip: '10.20.12.5', campus: 'École Nord' } },
    })
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, 'v']))
    const tooMany = validatePayload('log.entry', { text: 'x', kind: 'action', runbook: { id: 'a', parameters: many } })
    expect(tooMany.ok ? '' : tooMany.reason).toBe('runbook.parameters: must hold 1 to 20 values')
  })

  it('keeps the incident id "directory" for the directory, and the directory in it', () => {
    const declared = validateEvent({
      ...envelope('incident.declared', valid['incident.declared']),
      incidentId: DIRECTORY_ID,
    })
    expect(declared.ok ? 'accepted' : declared.reason).toBe(
      'incidentId: "directory" is reserved for audience and contact events',
    )
    const contact = validateEvent({ ...envelope('contact.saved', valid['contact.saved']), incidentId: 'INC00000001' })
    expect(contact.ok ? 'accepted' : contact.reason).toBe(
      'incidentId: must be "directory" for audience and contact events',
    )
  })

  it('stores addresses trimmed', () => {
    const result = validateEvent(envelope('audience.saved', valid['audience.saved']))
    expect(result.ok && result.value.payload).toMatchObject({ members: [{}, { email: 'lee@lincoln.example' }] })
  })

  it('refuses malformed envelopes with a reason naming the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ id: 'short' }, 'id'],
      [{ id: 'has space in it' }, 'id'],
      [{ id: 'x'.repeat(65) }, 'id'],
      [{ incidentId: undefined }, 'incidentId'],
      [{ type: 'incident.deleted' }, 'type'],
      [{ at: 'yesterday' }, 'at: must be an ISO-8601 time'],
      [{ hlc: '12:0:phone' }, 'hlc'],
      [{ actor: { id: 'phone-1', name: '' } }, 'actor.name'],
      [{ actor: { id: 'phone 1', name: 'x' } }, 'actor.id'],
      [{ actor: { id: 'phone-1', name: 'x'.repeat(81) } }, 'actor.name'],
      [{ seq: -1 }, 'seq'],
    ]
    for (const [patch, field] of cases) {
      const result = validateEvent({ ...envelope('task.done', { taskId: 'TSK00000001' }), ...patch })
      expect(result.ok, JSON.stringify(patch)).toBe(false)
      if (!result.ok) expect(result.reason).toContain(field)
    }
    for (const junk of [null, 42, 'event', [], {}]) expect(validateEvent(junk).ok).toBe(false)
  })

  it('judges every event as the whole union does, with the same reason, going straight to its type', () => {
    const slow = (input: unknown) => {
      const r = v.safeParse(EventSchema, input)
      return r.success ? { ok: true, value: r.output } : { ok: false, reason: describeIssue(r.issues[0]) }
    }
    const cases: unknown[] = []
    for (const [type, payload] of Object.entries(valid)) {
      const event = envelope(type, payload)
      cases.push(
        event,
        { ...event, incidentId: isDirectoryType(type) ? 'INC00000001' : DIRECTORY_ID },
        { ...event, payload: {} },
        { ...event, payload: null },
        { ...event, hlc: 'late' },
        { ...event, actor: undefined },
        { ...event, junk: 1 },
      )
    }
    for (const [type, payload, ,] of invalid) cases.push(envelope(type, payload))
    cases.push(
      { ...envelope('task.done', {}), type: 'incident.deleted' },
      { ...envelope('task.done', {}), type: 7 },
      {},
    )
    for (const input of cases) expect(validateEvent(input), JSON.stringify(input)).toEqual(slow(input))
  })

  it('strips fields it does not know instead of storing them', () => {
    const result = validateEvent({ ...envelope('task.done', { taskId: 'TSK00000001', extra: '<script>' }), junk: 1 })
    expect(result.ok && result.value).toEqual(envelope('task.done', { taskId: 'TSK00000001' }))
  })

  it('gives field-by-field errors for forms', () => {
    expect(payloadErrors('incident.declared', { title: '', severity: 9 })).toEqual({
      title: 'must not be empty',
      severity: 'must be 4 or less',
    })
    expect(payloadErrors('log.entry', { text: 'ok', kind: 'note' })).toEqual({})
  })
})

describe('visible text or nothing', () => {
  /** Texts with nothing a reader can see. */
  const blanks: [string, string][] = [
    ['two zero-width spaces', '\u200B\u200B'],
    ['spaces only', '     '],
    ['a lone zero-width space', '\u200B'],
    ['a byte-order mark', '\uFEFF'],
    ['no-break spaces only', '\u00A0\u00A0\u202F'],
    ['combining marks only (300)', '\u0301'.repeat(300)],
    ['tabs, newlines, bidi marks and a word joiner', '\t\r\n\u200E\u200F\u2060'],
    ['a Hangul filler and a braille blank', '\u3164\u2800'],
  ]
  /** Every required text field, as (type, payload with the text in it, the field the reason must name). */
  const fields: [EventType, (t: string) => unknown, string][] = [
    ['incident.declared', (t) => ({ title: t, severity: 1 }), 'payload.title'],
    ['incident.edited', (t) => ({ title: t }), 'payload.title'],
    ['role.assigned', (t) => ({ role: 'ops', person: { name: t } }), 'payload.person.name'],
    ['log.entry', (t) => ({ text: t, kind: 'note' }), 'payload.text'],
    ['log.amended', (t) => ({ entryId: 'EVT00000000', text: t }), 'payload.text'],
    ['change.made', (t) => ({ changeId: 'CHG00000001', system: t, what: 'w', revert: 'r' }), 'payload.system'],
    ['change.made', (t) => ({ changeId: 'CHG00000001', system: 's', what: t, revert: 'r' }), 'payload.what'],
    ['change.made', (t) => ({ changeId: 'CHG00000001', system: 's', what: 'w', revert: t }), 'payload.revert'],
    ['update.posted', (t) => ({ body: t }), 'payload.body'],
    ['task.added', (t) => ({ taskId: 'TSK00000001', text: t, kind: 'other' }), 'payload.text'],
  ]

  it.each(blanks)('refuses %s in every required text field, naming the field', (_, blank) => {
    expect(hasVisibleText(blank)).toBe(false)
    for (const [type, payload, field] of fields) {
      const result = validateEvent(envelope(type, payload(blank)))
      expect(result.ok ? 'accepted' : result.reason, `${type} ${field}`).toBe(`${field}: must contain visible text`)
      const key = field.replace(/^payload\./, '')
      expect(payloadErrors(type, payload(blank))[key]).toBe('must contain visible text')
    }
    const actor = validateEvent({
      ...envelope('task.done', { taskId: 'TSK00000001' }),
      actor: { id: 'p1', name: blank },
    })
    expect(actor.ok ? 'accepted' : actor.reason).toBe('actor.name: must contain visible text')
  })

  it('says "must not be empty" for an empty text, before anything else', () => {
    expect(payloadErrors('log.entry', { text: '', kind: 'note' })).toEqual({ text: 'must not be empty' })
  })

  it.each([
    ['a family emoji joined by zero-width joiners', '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}'],
    ['a flag (regional indicators)', '\u{1F1FA}\u{1F1E6}'],
    ['a letter with a combining accent', 'e\u0301'],
    ['a word padded with zero-width spaces', '\u200BDNS\u200B'],
    ['one CJK character', '\u706B'],
  ])('accepts %s', (_, good) => {
    expect(hasVisibleText(good)).toBe(true)
    for (const [type, payload] of fields) expect(validateEvent(envelope(type, payload(good))).ok, type).toBe(true)
  })

  it('stores texts NFC-normalised, and counts limits after normalising', () => {
    const decomposed = 'Cafe\u0301 '.repeat(40) // 240 UTF-16 units, 200 once composed
    expect(decomposed.length).toBeGreaterThan(LIMITS.title)
    const result = validateEvent(
      envelope('incident.declared', { title: decomposed, severity: 1, summary: 'Re\u0301sume\u0301' }),
    )
    if (!result.ok) throw new Error(result.reason)
    const payload = result.value.payload as { title: string; summary: string }
    expect(payload.title).toBe('Café '.repeat(40))
    expect(payload.title.length).toBe(LIMITS.title)
    expect(payload.summary).toBe('R\u00E9sum\u00E9')
    const person = validateEvent(envelope('role.assigned', { role: 'ops', person: { name: 'Zoe\u0308' } }))
    expect(person.ok && person.value.payload).toMatchObject({ person: { name: 'Zo\u00EB' } })
  })

  it('makes the phone store the normalised event, so a re-sent copy is the same content', () => {
    const clock = new HybridClock('phone-1', () => 1_763_973_000_000)
    const made = createEvent({ clock, actor: { id: 'phone-1', name: 'Jose\u0301' } }, 'log.entry', 'INC00000001', {
      text: 'Reboote\u0301',
      kind: 'note',
    })
    if (!made.ok) throw new Error(made.reason)
    expect(made.value.actor.name).toBe('Jos\u00E9')
    expect(made.value.payload).toEqual({ text: 'Reboot\u00E9', kind: 'note' })
    // Validating the stored copy again (as the server does) changes nothing.
    expect(validateEvent(made.value)).toEqual({ ok: true, value: made.value })
  })
})

describe('ids', () => {
  it('makes unique, valid, time-ordered ULIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId()))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(isId(id) && id.length === 26).toBe(true)
    expect(newId(1_000) < newId(2_000)).toBe(true)
    expect(newId(0, () => new Uint8Array(16))).toBe('00000000000000000000000000')
  })
})
