/**
 * The sync endpoint of CONTRACT.md §2 as valibot schemas: what goes over the
 * wire in each direction. The server validates requests (and, in its tests,
 * its own answers) with these; the app parses the server's answers with the
 * same ones. There is no second copy of the shapes.
 *
 * Events inside a push body or a pull page are `unknown` here on purpose: each
 * one is judged alone (EventSchema), so one unreadable event never throws away
 * the rest of its batch or page.
 */
import * as v from 'valibot'
import { LIMITS } from './events'
import type { IncidentOverview } from './summary'

/** Pull page sizes (`?limit`): the server's default and the most it hands out at once. */
export const PULL_LIMITS = { default: 500, max: 1000 } as const

/** The error `code`s of CONTRACT.md §2 and docs/CONTRACT-EXTENSIONS.md. */
export const ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'unsupported_media_type',
  'unauthorized',
  'not_found',
  'too_large',
  'rate_limited',
  'quota_exceeded',
  'storage_full',
  /** 503 with Retry-After: the server cannot reach its database (PostgreSQL down); nothing was acknowledged. */
  'storage_unavailable',
  'timeout',
  'too_many_streams',
  'internal_error',
  'cursor_unknown',
  /** 403: a read-only token tried to push. */
  'read_only',
  /** 403: a token that is not an admin's asked for an admin route. */
  'forbidden',
  /** 401: the token was revoked with a wipe; the phone deletes its incident data. */
  'wiped',
  /** 409: the request clashes with what is stored (a runbook id taken, a stale or already published runbook proposal). */
  'conflict',

  /** 410: a status link that was withdrawn (the page says "This link was withdrawn"). */
  'withdrawn',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

const BAD_PUSH_BODY = 'the body must be { "events": [...] }'

/**
 * A sequence number in a query string or header: decimal digits only, at most
 * 16 (so never a float, a sign or an exponent), as a number between `min` and `max`.
 * Messages name the parameter, since they are shown as the 400's message.
 */
function countParam(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  const notWhole = `${name} must be a whole number`
  const outOfRange = `${name} must be between ${min} and ${max}`
  return v.pipe(
    v.string(notWhole),
    v.regex(/^\d{1,16}$/, notWhole),
    v.transform(Number),
    v.minValue(min, outOfRange),
    v.maxValue(max, outOfRange),
  )
}

/** A server sequence number in an answer: a whole number, 0 for "nothing yet". */
const SeqSchema = v.pipe(v.number(), v.integer(), v.minValue(0))

/**
 * `POST /api/events` body: 1–500 entries. Too many entries is a `max_length`
 * issue, which the server answers 413 too_large (anything else here is 400).
 */
export const PushBodySchema = v.object(
  {
    events: v.pipe(
      v.array(v.unknown(), BAD_PUSH_BODY),
      v.minLength(1, 'events must hold at least one event'),
      v.maxLength(LIMITS.batchEvents, `at most ${LIMITS.batchEvents} events per request; split the batch`),
      v.readonly(),
    ),
  },
  BAD_PUSH_BODY,
)

/** A refused entry: `id` is "" when the entry had no string id to name it by. */
export const RejectionSchema = v.object({ id: v.string(), reason: v.string() })

/**
 * The server's clock (ms since the epoch) when it answered: phones measure
 * their offset from it. Optional, so an older server's answers still parse.
 */
const ServerNowSchema = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)))

/**
 * `POST /api/events` answer (200): every entry sent is in exactly one list;
 * `now` is the server's clock, the one `clock_ahead` was judged by.
 */
export const PushAnswerSchema = v.object({
  accepted: v.array(v.string()),
  duplicate: v.array(v.string()),
  rejected: v.array(RejectionSchema),
  now: ServerNowSchema,
})

/**
 * A database's identity (docs/CONTRACT-EXTENSIONS.md): opaque, new when the
 * server's database is created or restored. Optional in answers: older servers send none.
 */
const ServerIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(100))

/**
 * `afterId`: the id of the event the phone holds at seq `after`. A server
 * holding another event there, or none, answers 409 `cursor_unknown`: its
 * history is not the one the phone's cursor points into (a restored backup).
 */
const AfterIdSchema = v.optional(
  v.pipe(
    v.string('afterId must be an event id'),
    v.minLength(1, 'afterId must not be empty'),
    v.maxLength(200, 'afterId is too long'),
  ),
)

/** `GET /api/events` query: `after` defaults to 0, `limit` to 500 (1–1000); `afterId` optional. */
export const PullQuerySchema = v.object({
  after: v.optional(countParam('after'), '0'),
  afterId: AfterIdSchema,
  limit: v.optional(countParam('limit', 1, PULL_LIMITS.max), String(PULL_LIMITS.default)),
})

/**
 * `GET /api/events` answer (200): events with `seq`, ascending; `last` is the
 * seq to ask after next (the `after` asked for when the page is empty).
 * Events stay `unknown`: the reader validates each one and skips what it cannot read.
 */
export const PullPageSchema = v.object({
  events: v.array(v.unknown()),
  last: SeqSchema,
  more: v.boolean(),
  /** The database's identity; a phone seeing it change pulls everything again (absent from older servers). */
  serverId: v.optional(ServerIdSchema),
})

/** `GET /api/summaries` page sizes (`?limit`): overviews are about 400 bytes each. */
export const SUMMARY_LIMITS = { default: 1000, max: 2000 } as const

/** `GET /api/summaries` query (docs/CONTRACT-EXTENSIONS.md, scoped sync): incidents whose last event's seq is above `after`. */
export const SummariesQuerySchema = v.object({
  after: v.optional(countParam('after'), '0'),
  limit: v.optional(countParam('limit', 1, SUMMARY_LIMITS.max), String(SUMMARY_LIMITS.default)),
})

const text = v.string()
const count = v.pipe(v.number(), v.integer(), v.minValue(0))

/** An incident's overview as the server folds it (src/domain/summary.ts IncidentOverview, the same fold as a phone's). */
export const IncidentOverviewSchema = v.object({
  id: text,
  title: text,
  severity: v.picklist([1, 2, 3, 4]),
  status: v.picklist(['active', 'mitigated', 'resolved']),
  summary: text,
  location: text,
  parentId: v.optional(text),
  declaredAt: text,
  declaredBy: v.object({ id: text, name: text }),
  lastHlc: text,
  lastActivityAt: text,
  openTasks: count,
  openChanges: count,
  nextUpdateDueMs: v.nullable(v.number()),
  eventCount: count,
})

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
/** Compile-time: the schema describes exactly IncidentOverview (a new overview field fails the type check here). */
export const OVERVIEW_SCHEMA_MATCHES: Same<v.InferOutput<typeof IncidentOverviewSchema>, IncidentOverview> = true

/**
 * One incident id the server holds events of: `lastSeq` is the seq of its
 * latest event; `overview` is null while its events fold to no incident (no
 * declaration yet, or the directory), which a phone then holds in full.
 */
export const SummaryEntrySchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an incident id')),
  lastSeq: SeqSchema,
  overview: v.nullable(IncidentOverviewSchema),
})

/**
 * `GET /api/summaries` answer (200), ascending by `lastSeq`. With `more`, ask
 * again after `last` (the last entry's `lastSeq`); without, `last` is the seq
 * every overview of the whole answer reflects the log up to, and `lastId` the
 * id of the event there (a phone's pull cursor may start at it).
 */
export const SummaryPageSchema = v.object({
  summaries: v.array(SummaryEntrySchema),
  last: SeqSchema,
  lastId: v.optional(v.string()),
  more: v.boolean(),
  serverId: v.optional(ServerIdSchema),
})

/** `GET /api/incidents/:id/events` params. */
export const IncidentParamsSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'id must be an incident id (1–64 of A-Z a-z 0-9 _ -)')),
})

/** `GET /api/incidents/:id/events` answer (200): every event the server holds of that incident, ascending by seq (none: `[]`). */
export const IncidentEventsSchema = v.object({
  events: v.array(v.unknown()),
  serverId: v.optional(ServerIdSchema),
})

/**
 * `GET /api/events/stream` query; a `Last-Event-ID` header (StreamResumeSchema)
 * wins over `after` and turns the `afterId` check off (an EventSource cannot send one).
 */
export const StreamQuerySchema = v.object({ after: v.optional(countParam('after'), '0'), afterId: AfterIdSchema })

/** `Last-Event-ID` of a reconnecting EventSource: the seq of the last message it received. */
export const StreamResumeSchema = countParam('Last-Event-ID')

/**
 * Why the server's storage does not take writes: the disk (or the database's
 * size limit) is full, the database is read-only, or another write failure.
 */
export const STORAGE_FAULT_REASONS = ['disk_full', 'read_only', 'write_failed'] as const

/**
 * `GET /api/health` answer while all is well (200). `streams`: event streams
 * open on this server now (one per browser profile that has the app open and
 * visible); optional so the app still reads an older server's answer.
 */
export const HealthUpSchema = v.object({
  ok: v.literal(true),
  version: v.string(),
  streams: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** The database's identity (absent from older servers). */
  serverId: v.optional(ServerIdSchema),
  /** The server's clock in ms: the authority on time for every phone. */
  now: ServerNowSchema,
})

/** `GET /api/health` answer (503) while the storage does not take writes; reads may still work. */
export const HealthDownSchema = v.object({
  ok: v.literal(false),
  reason: v.picklist(STORAGE_FAULT_REASONS),
  version: v.string(),
  now: ServerNowSchema,
})

/** `GET /api/health` answer, open to all: 200 with `ok: true`, or 503 with `ok: false` and a reason. */
export const HealthAnswerSchema = v.variant('ok', [HealthUpSchema, HealthDownSchema])

/** `GET /api/me` answer (200): what the server knows of the token asking. */
export const MeAnswerSchema = v.object({ name: v.string(), readOnly: v.boolean(), admin: v.boolean() })

const tokenName = v.pipe(
  v.string('name must be a string'),
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  // PostgreSQL's text cannot hold NUL, and no name needs a control character.
  v.check(
    (s) => [...s].every((c) => c.charCodeAt(0) > 0x1f && c !== '\u007f'),
    'name must not contain control characters',
  ),
  v.maxLength(LIMITS.personName, `name must be at most ${LIMITS.personName} characters`),
)

/** `POST /api/admin/tokens` body: issue a token for a person. */
export const AdminIssueBodySchema = v.object(
  { name: tokenName, readOnly: v.optional(v.boolean()), admin: v.optional(v.boolean()) },
  'the body must be { "name": "..." }',
)
/** Its answer (200): the token, shown once, and the join link carrying it. */
export const AdminIssueAnswerSchema = v.object({ name: v.string(), token: v.string(), link: v.string() })

/** `POST /api/admin/tokens/read-only` body: every active token of `name` read-only (or writable again). */
export const AdminReadOnlyBodySchema = v.object(
  { name: tokenName, readOnly: v.boolean('readOnly must be true or false') },
  'the body must be { "name": "...", "readOnly": true }',
)
/** `POST /api/admin/tokens/revoke` body; `wipe` makes the phone delete its data at its next contact. */
export const AdminRevokeBodySchema = v.object(
  { name: tokenName, wipe: v.optional(v.boolean()) },
  'the body must be { "name": "..." }',
)
/** Answer of read-only and revoke (200): how many tokens changed. */
export const AdminChangedAnswerSchema = v.object({ changed: v.number() })

const DeviceSchema = v.object({ actorId: v.string(), actorName: v.string(), events: v.number(), lastAt: v.string() })

/** `GET /api/admin/tokens` answer (200): every token (never its value) with the devices seen through it. */
export const AdminTokensAnswerSchema = v.object({
  tokens: v.array(
    v.object({
      id: v.number(),
      name: v.string(),
      createdAt: v.string(),
      lastUsedAt: v.nullable(v.string()),
      revokedAt: v.nullable(v.string()),
      readOnly: v.boolean(),
      admin: v.boolean(),
      wipe: v.boolean(),
      devices: v.array(DeviceSchema),
    }),
  ),
})

/** `GET /api/admin/audit` answer (200): admin actions, newest first. */
export const AdminAuditAnswerSchema = v.object({
  actions: v.array(
    v.object({
      at: v.string(),
      actorTokenId: v.nullable(v.number()),
      actorName: v.string(),
      action: v.string(),
      target: v.string(),
      detail: v.optional(v.string()),
    }),
  ),
})

export type MeAnswer = v.InferOutput<typeof MeAnswerSchema>
export type AdminTokensAnswer = v.InferOutput<typeof AdminTokensAnswerSchema>
export type AdminIssueAnswer = v.InferOutput<typeof AdminIssueAnswerSchema>

const ErrorDetailSchema = v.object({ code: v.picklist(ERROR_CODES), message: v.string() })

/** Every error answer (4xx, 5xx): `{ error: { code, message } }`. */
export const ErrorBodySchema = v.object({ error: ErrorDetailSchema })

/**
 * What the app reads of an error answer: the message, and the code as any
 * string. A newer server may add codes; its message is still worth showing,
 * so the code is not checked against ERROR_CODES.
 */
export const ErrorMessageSchema = v.object({
  error: v.object({ message: v.string(), code: v.optional(v.string()) }),
})

export type PushBody = v.InferOutput<typeof PushBodySchema>
export type Rejection = v.InferOutput<typeof RejectionSchema>
export type PushAnswer = v.InferOutput<typeof PushAnswerSchema>
export type PullQuery = v.InferOutput<typeof PullQuerySchema>
export type PullPage = v.InferOutput<typeof PullPageSchema>
export type SummaryPage = v.InferOutput<typeof SummaryPageSchema>
export type SummaryEntry = v.InferOutput<typeof SummaryEntrySchema>
export type IncidentEventsAnswer = v.InferOutput<typeof IncidentEventsSchema>
export type StreamQuery = v.InferOutput<typeof StreamQuerySchema>
export type HealthAnswer = v.InferOutput<typeof HealthAnswerSchema>
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>
