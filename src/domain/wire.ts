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
  'internal_error',
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

/** `GET /api/events` query: `after` defaults to 0, `limit` to 500 (1–1000). */
export const PullQuerySchema = v.object({
  after: v.optional(countParam('after'), '0'),
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
})

/** `GET /api/events/stream` query; a `Last-Event-ID` header (StreamResumeSchema) wins over it. */
export const StreamQuerySchema = v.object({ after: v.optional(countParam('after'), '0') })

/** `Last-Event-ID` of a reconnecting EventSource: the seq of the last message it received. */
export const StreamResumeSchema = countParam('Last-Event-ID')

/** `GET /api/health` answer (200), open to all; `now` is the server's clock in ms. */
export const HealthAnswerSchema = v.object({ ok: v.literal(true), version: v.string(), now: ServerNowSchema })

const ErrorDetailSchema = v.object({ code: v.picklist(ERROR_CODES), message: v.string() })

/** Every error answer (4xx, 5xx): `{ error: { code, message } }`. */
export const ErrorBodySchema = v.object({ error: ErrorDetailSchema })

/**
 * What the app reads of an error answer: the message alone. A newer server may
 * add codes; its message is still worth showing, so the code is not checked.
 */
export const ErrorMessageSchema = v.object({ error: v.pick(ErrorDetailSchema, ['message']) })

export type PushBody = v.InferOutput<typeof PushBodySchema>
export type Rejection = v.InferOutput<typeof RejectionSchema>
export type PushAnswer = v.InferOutput<typeof PushAnswerSchema>
export type PullQuery = v.InferOutput<typeof PullQuerySchema>
export type PullPage = v.InferOutput<typeof PullPageSchema>
export type StreamQuery = v.InferOutput<typeof StreamQuerySchema>
export type HealthAnswer = v.InferOutput<typeof HealthAnswerSchema>
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>
