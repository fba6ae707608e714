/**
 * The event vocabulary of CONTRACT.md §1, as runtime schemas (valibot) and the
 * TypeScript types inferred from them. The app and the server both validate
 * with these: there is no second copy of the rules.
 */
import * as v from 'valibot'
import { HLC_PATTERN } from './hlc'
import { ID_PATTERN } from './ids'
import { DIRECTORY_ID, DIRECTORY_LIMITS, isDirectoryType, isServerOnlyType } from './directory-vocabulary'
import {
  DEFAULT_UPDATE_CADENCE_MINUTES,
  LIMITS,
  LOG_KINDS,
  ROLES,
  SEVERITIES,
  STATUSES,
  TASK_KINDS,
  hasVisibleText,
} from './vocabulary'
import { CONTACT_KINDS, EMAIL_OUTCOMES } from './directory-vocabulary'

// The vocabulary's constants live apart from the schemas so the first screen can use them without valibot.
export { DEFAULT_UPDATE_CADENCE_MINUTES, LIMITS, LOG_KINDS, ROLES, SEVERITIES, STATUSES, TASK_KINDS, hasVisibleText }

/**
 * An object schema (valibot's `object`: unknown keys dropped) whose entries are
 * declared in sorted order, whatever order the source lists them in. Its output
 * keeps that order, so a valid event comes out of validation with its keys as
 * canonical JSON sorts them (server/events/canonical.ts), and the server stores
 * it without a sorted copy. The first bad field a reason names is the first in
 * that order.
 */
function fields<const E extends v.ObjectEntries>(entries: E): v.ObjectSchema<E, undefined> {
  return v.object(inKeyOrder(entries))
}

/** The same members, with the keys in sorted order (code units, as canonical JSON sorts them). */
function inKeyOrder<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) as T
}

const id = v.pipe(v.string(), v.regex(ID_PATTERN, 'must be 8–64 of A-Z a-z 0-9 _ -'))
/**
 * A required text: NFC-normalised first, so limits count the stored form and
 * the same words typed on two keyboards are stored the same; refused when empty,
 * when nothing in it is visible, or when longer than `max` UTF-16 code units.
 */
const text = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.normalize('NFC'),
    v.minLength(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`),
    v.check(hasVisibleText, 'must contain visible text'),
    v.maxLength(max, `must be at most ${max} characters`),
  )
/** An optional text: NFC-normalised like `text`, and may be blank. */
const optionalText = (max: number) =>
  v.optional(v.pipe(v.string(), v.normalize('NFC'), v.maxLength(max, `must be at most ${max} characters`)))
const int = (min: number, max: number) =>
  v.pipe(
    v.number(),
    v.integer('must be a whole number'),
    v.minValue(min, `must be ${min} or more`),
    v.maxValue(max, `must be ${max} or less`),
  )
const isoTime = v.pipe(
  v.string(),
  v.maxLength(40),
  v.check((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time'),
)

export const ActorSchema = fields({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 of A-Z a-z 0-9 _ -')),
  name: text(1, LIMITS.personName),
})
export const PersonSchema = fields({
  id: v.optional(v.pipe(v.string(), v.maxLength(64))),
  name: text(1, LIMITS.personName),
})
const severity = int(1, 4)
/**
 * Extension: the write this one replaced on its author's phone (an event id;
 * for a first write, the declaration, task or log entry it starts from). Shows
 * concurrent writes that last-writer-wins discards (src/domain/conflicts.ts).
 */
const seen = v.optional(id)
const cadence = int(1, 1440)
/**
 * Extension: runbook parameter values by name (`{ switch_ip: "10.20.12.5" }`), 1–20 of them;
 * names as a runbook declares them, values 1–200 characters of text.
 */
const runbookParameters = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/, 'must be parameter names (letters, digits, _)')),
    text(1, 200),
  ),
  v.check((values) => {
    const count = Object.keys(values).length
    return count >= 1 && count <= 20
  }, 'must hold 1 to 20 values'),
  // In sorted order, as `fields` gives every object of an event (see there).
  v.transform(inKeyOrder),
)

/**
 * An email address as a person types it: trimmed, then `local@domain.tld`
 * (valibot's check, which refuses spaces, commas, angle brackets and a missing
 * dot in the domain). Header injection needs a newline or a comma: both refused.
 */
const email = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(DIRECTORY_LIMITS.email, `must be at most ${DIRECTORY_LIMITS.email} characters`),
  v.email('must be an email address'),
)
/** A phone number: digits with the usual punctuation (`+1 (555) 010-2030 ext. 4`), at least one digit. */
const phoneNumber = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(DIRECTORY_LIMITS.phone, `must be at most ${DIRECTORY_LIMITS.phone} characters`),
  v.regex(/^\+?[0-9 ().\-/]*[0-9][0-9 ().\-/]*((x|ext\.?)\s*[0-9]{1,6})?$/i, 'must be a phone number'),
)
/** One member of an audience: an address, and the name to greet (optional). */
export const AudienceMemberSchema = fields({
  email,
  name: optionalText(LIMITS.personName),
})
/** One phone number of a contact, with what it is (`mobile`, `NOC 24/7`). */
export const ContactPhoneSchema = fields({
  label: optionalText(DIRECTORY_LIMITS.phoneLabel),
  number: phoneNumber,
})

export const payloadSchemas = {
  'incident.declared': fields({
    title: text(1, LIMITS.title),
    severity,
    summary: optionalText(LIMITS.summary),
    location: optionalText(LIMITS.location),
    parentId: v.optional(id),
    /** Extension: minutes between Comms updates (default 30). */
    updateCadenceMinutes: v.optional(cadence),
  }),
  'incident.edited': v.pipe(
    fields({
      title: v.optional(text(1, LIMITS.title)),
      severity: v.optional(severity),
      summary: optionalText(LIMITS.summary),
      location: optionalText(LIMITS.location),
      updateCadenceMinutes: v.optional(cadence),
      /** Extension: per field set, the write it replaced (see `seen`). */
      seen: v.optional(
        fields({
          title: seen,
          severity: seen,
          summary: seen,
          location: seen,
          updateCadenceMinutes: seen,
        }),
      ),
    }),
    v.check(
      (p) => Object.entries(p).some(([k, x]) => k !== 'seen' && x !== undefined),
      'must change at least one field',
    ),
  ),
  'incident.status': fields({ status: v.picklist(STATUSES), note: optionalText(LIMITS.logText) }),
  'role.assigned': fields({
    role: v.picklist(ROLES),
    person: v.nullable(PersonSchema),
    briefing: optionalText(LIMITS.updateBody),
    seen,
  }),
  'log.entry': fields({
    text: text(1, LIMITS.logText),
    kind: v.picklist(LOG_KINDS),
    runbook: v.optional(
      fields({
        id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_/.-]{1,200}$/, 'must be a runbook id')),
        step: v.optional(int(0, 10000)),
        /** Extension: the runbook's published version the step was ticked in (see docs/CONTRACT-EXTENSIONS.md). */
        version: v.optional(int(1, 1_000_000_000)),
        /** Extension: the step's stable id in that version (src/runbooks/compile.ts `stepId`). */
        stepId: v.optional(v.pipe(v.string(), v.regex(/^[\p{L}\p{N}/-]{1,200}$/u, 'must be a step id'))),
        /** Extension: the runbook's parameter values the step was done with (see docs/CONTRACT-EXTENSIONS.md). */
        parameters: v.optional(runbookParameters),
      }),
    ),
    /** Extension: this decision keeps a `change.made` of the incident in place on purpose (see docs/CONTRACT-EXTENSIONS.md). */
    keptChangeId: v.optional(id),
  }),
  'log.amended': v.pipe(
    fields({
      entryId: id,
      text: v.optional(text(1, LIMITS.logText)),
      struck: v.optional(v.boolean()),
      pinned: v.optional(v.boolean()),
      reason: optionalText(LIMITS.logText),
      /** Extension: per part set, the write it replaced (see `seen`). */
      seen: v.optional(fields({ text: seen, struck: seen, pinned: seen })),
    }),
    v.check(
      (p) => p.text !== undefined || p.struck !== undefined || p.pinned !== undefined,
      'must change text, struck or pinned',
    ),
  ),
  'change.made': fields({
    changeId: id,
    system: text(1, LIMITS.system),
    what: text(1, LIMITS.changeText),
    revert: text(1, LIMITS.changeText),
  }),
  'change.reverted': fields({ changeId: id, note: optionalText(LIMITS.changeText) }),
  'update.posted': fields({
    body: text(1, LIMITS.updateBody),
    audience: optionalText(LIMITS.audience),
    nextDueMinutes: v.optional(cadence),
    /** Extension: the directory audience (`audience.saved`) the server emails this update to. */
    audienceId: v.optional(id),
  }),
  'task.added': fields({
    taskId: id,
    text: text(1, LIMITS.taskText),
    kind: v.picklist(TASK_KINDS),
    owner: optionalText(LIMITS.personName),
  }),
  'task.done': fields({ taskId: id, seen }),
  /** Extension: a task marked done by mistake is opened again. */
  'task.reopened': fields({ taskId: id, seen }),
  /**
   * Extension: someone confirmed a conflict, a write (`replacedId`) that
   * last-writer-wins replaced by another (`keptId`) made at the same time offline.
   */
  'conflict.acknowledged': fields({ keptId: id, replacedId: id }),
  /**
   * Extension: a task's text, kind or owner corrected (only the fields that
   * changed; an empty owner means nobody). Last writer by `hlc` wins per field.
   */
  'task.edited': v.pipe(
    fields({
      taskId: id,
      text: v.optional(text(1, LIMITS.taskText)),
      kind: v.optional(v.picklist(TASK_KINDS)),
      owner: optionalText(LIMITS.personName),
    }),
    v.check(
      (p) => p.text !== undefined || p.kind !== undefined || p.owner !== undefined,
      'must change text, kind or owner',
    ),
  ),
  /**
   * Extension: an audience of the directory (incidentId `directory`) created or
   * edited; only the fields set change, last writer by `hlc` wins per field.
   * `members` is one field: the whole list as its writer saw it.
   */
  'audience.saved': v.pipe(
    fields({
      audienceId: id,
      name: v.optional(text(1, LIMITS.audience)),
      members: v.optional(
        v.pipe(
          v.array(AudienceMemberSchema),
          v.maxLength(DIRECTORY_LIMITS.members, `must hold at most ${DIRECTORY_LIMITS.members} addresses`),
        ),
      ),
      note: optionalText(DIRECTORY_LIMITS.note),
      removed: v.optional(v.boolean()),
    }),
    v.check(
      (p) => p.name !== undefined || p.members !== undefined || p.note !== undefined || p.removed !== undefined,
      'must change name, members, note or removed',
    ),
  ),
  /**
   * Extension: a contact of the directory (ICS 205A: a person or a vendor)
   * created or edited; per field, last writer by `hlc` wins. An empty `email`
   * clears it.
   */
  'contact.saved': v.pipe(
    fields({
      contactId: id,
      name: v.optional(text(1, LIMITS.personName)),
      kind: v.optional(v.picklist(CONTACT_KINDS)),
      role: optionalText(DIRECTORY_LIMITS.role),
      organization: optionalText(DIRECTORY_LIMITS.role),
      phones: v.optional(
        v.pipe(
          v.array(ContactPhoneSchema),
          v.maxLength(DIRECTORY_LIMITS.phones, `must hold at most ${DIRECTORY_LIMITS.phones} numbers`),
        ),
      ),
      email: v.optional(v.union([v.literal(''), email], 'must be an email address')),
      notes: optionalText(DIRECTORY_LIMITS.note),
      removed: v.optional(v.boolean()),
    }),
    v.check((p) => Object.entries(p).some(([k, x]) => k !== 'contactId' && x !== undefined), 'must change a field'),
  ),
  /**
   * Extension, written by the server only (a phone's push of it is refused):
   * what became of emailing an update to its audience.
   */
  'update.emailed': fields({
    updateId: id,
    audienceId: id,
    audience: v.pipe(v.string(), v.maxLength(LIMITS.audience)),
    outcome: v.picklist(EMAIL_OUTCOMES),
    total: int(0, DIRECTORY_LIMITS.members),
    sent: int(0, DIRECTORY_LIMITS.members),
    failed: v.pipe(
      v.array(
        fields({
          email: v.pipe(v.string(), v.maxLength(DIRECTORY_LIMITS.email)),
          answer: v.pipe(v.string(), v.maxLength(DIRECTORY_LIMITS.smtpAnswer)),
        }),
      ),
      v.maxLength(DIRECTORY_LIMITS.reportedFailures),
    ),
    /** Addresses whose sending was cut by a crash: maybe delivered, never sent again. */
    unknown: v.pipe(
      v.array(v.pipe(v.string(), v.maxLength(DIRECTORY_LIMITS.email))),
      v.maxLength(DIRECTORY_LIMITS.reportedFailures),
    ),
    /** Failures beyond the ones listed. */
    moreFailed: v.optional(int(0, DIRECTORY_LIMITS.members)),
  }),
} as const

export type EventType = keyof typeof payloadSchemas
/** Every event type, in the order of `payloadSchemas`: the one list, derived from the schemas. */
export const EVENT_TYPES = Object.keys(payloadSchemas) as EventType[]

/**
 * Who the server received an event from: the access token (its id and the
 * person's name it was issued for). Server-only like `seq`: the server sets it
 * when it stores the event and ignores any a client sends; it is not part of
 * the event's content (duplicate/conflict checks leave it out). The name is
 * shown as given by the server, so it is not held to the visible-text rule.
 */
export const ReceivedFromSchema = fields({
  tokenId: v.pipe(v.number(), v.integer(), v.minValue(1)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.personName)),
})
export type ReceivedFrom = v.InferOutput<typeof ReceivedFromSchema>

const envelope = {
  id,
  incidentId: id,
  at: isoTime,
  hlc: v.pipe(v.string(), v.regex(HLC_PATTERN, 'must be <ms:15>:<counter:5>:<node>')),
  actor: ActorSchema,
  seq: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  receivedFrom: v.optional(ReceivedFromSchema),
}

function variant<T extends EventType>(type: T) {
  return fields({ ...envelope, type: v.literal(type), payload: payloadSchemas[type] })
}

/** One variant schema per event type, each keeping its own payload type. */
type EventVariants = { [T in EventType]: ReturnType<typeof variant<T>> }

// Derived from payloadSchemas, so a new type cannot be left out of the union.
const eventVariants = EVENT_TYPES.map((type) => variant(type)) as EventVariants[EventType][]

/** The directory's events, and only they, belong to the reserved incident id. */
function inItsPlace(e: { type: EventType; incidentId: string }): boolean {
  return isDirectoryType(e.type) === (e.incidentId === DIRECTORY_ID)
}

function misplaced(type: EventType): string {
  return isDirectoryType(type)
    ? `incidentId: must be "${DIRECTORY_ID}" for audience and contact events`
    : `incidentId: "${DIRECTORY_ID}" is reserved for audience and contact events`
}

/** Each type's own schema, by type: validateEvent goes straight to it instead of trying each in turn. */
const variantOf = new Map<unknown, EventVariants[EventType]>(eventVariants.map((s) => [s.entries.type.literal, s]))

const AnyVariant = v.variant('type', eventVariants)
type AnyVariantOutput = v.InferOutput<typeof AnyVariant>

/**
 * Any event of the vocabulary, discriminated by `type`. The incident id
 * `directory` is reserved for the directory's events (audiences, contacts) and
 * holds nothing else, so nobody can declare it an incident.
 */
export const EventSchema = v.pipe(
  AnyVariant,
  v.check<AnyVariantOutput, v.ErrorMessage<v.CheckIssue<AnyVariantOutput>>>(inItsPlace, (issue) =>
    misplaced(issue.input.type),
  ),
)
export { DIRECTORY_ID, isDirectoryType, isServerOnlyType }

export type IncidentEvent = v.InferOutput<typeof EventSchema>
export type EventOf<T extends EventType> = Extract<IncidentEvent, { type: T }>
export type PayloadOf<T extends EventType> = EventOf<T>['payload']
export type Actor = v.InferOutput<typeof ActorSchema>
export type Person = v.InferOutput<typeof PersonSchema>
export type Severity = (typeof SEVERITIES)[number]
export type Status = (typeof STATUSES)[number]
export type Role = (typeof ROLES)[number]
export type LogKind = (typeof LOG_KINDS)[number]
export type TaskKind = (typeof TASK_KINDS)[number]
export type AudienceMember = v.InferOutput<typeof AudienceMemberSchema>
export type ContactPhone = v.InferOutput<typeof ContactPhoneSchema>

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string }

/** Validate an untrusted event; the reason names the first bad field, for people. */
export function validateEvent(input: unknown): Validation<IncidentEvent> {
  // valibot's variant tries the types one by one: a third of the time of validating a log entry.
  const known =
    typeof input === 'object' && input !== null ? variantOf.get((input as { type?: unknown }).type) : undefined
  if (known) {
    const direct = v.safeParse(known, input)
    if (!direct.success) return { ok: false, reason: describeIssue(direct.issues[0]) }
    const event = direct.output
    return inItsPlace(event) ? { ok: true, value: event } : { ok: false, reason: misplaced(event.type) }
  }
  // An unknown or missing type: the union's own message.
  const result = v.safeParse(EventSchema, input)
  if (result.success) return { ok: true, value: result.output }
  return { ok: false, reason: describeIssue(result.issues[0]) }
}

/** Validate one payload alone: forms use it to show the message beside the field. */
export function validatePayload<T extends EventType>(type: T, payload: unknown): Validation<PayloadOf<T>> {
  const result = v.safeParse(payloadSchemas[type], payload)
  if (result.success) return { ok: true, value: result.output as PayloadOf<T> }
  return { ok: false, reason: describeIssue(result.issues[0]) }
}

/** Field-by-field errors of a payload, keyed by the payload field name. */
export function payloadErrors(type: EventType, payload: unknown): Record<string, string> {
  const result = v.safeParse(payloadSchemas[type], payload)
  const errors: Record<string, string> = {}
  if (result.success) return errors
  for (const issue of result.issues) {
    const key = issue.path?.map((p) => String(p.key)).join('.') || '_'
    errors[key] ??= issue.message
  }
  return errors
}

/** A valibot issue for people: `path: message`, or the message alone at the top level. */
export function describeIssue(issue: v.BaseIssue<unknown> | undefined): string {
  if (!issue) return 'invalid'
  const path = issue.path?.map((p) => String(p.key)).join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}
