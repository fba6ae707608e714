/**
 * The push routes' bodies and answers (docs/CONTRACT-EXTENSIONS.md, "Push
 * notifications"), as valibot schemas shared by the server and the app.
 * Messages name the field: they are the 400's message.
 */
import * as v from 'valibot'
import { PUSH_TOPICS } from './push'
import { hasVisibleText, LIMITS } from './vocabulary'

/** `GET /api/push/key` answer (200): the server's VAPID public key (base64url), for `pushManager.subscribe`. */
export const PushKeyAnswerSchema = v.object({ publicKey: v.string() })

/** The longest endpoint URL kept; push services' are about 200–500 characters. */
export const MAX_ENDPOINT_LENGTH = 2048

function isUrl(s: string): boolean {
  try {
    new URL(s)
    return true
  } catch {
    return false
  }
}

/** base64url of `bytes` bytes, unpadded as browsers give it (a trailing `=` padding is tolerated and dropped). */
function base64url(field: string, bytes: number, first = '') {
  const chars = Math.ceil((bytes * 4) / 3)
  const pattern = new RegExp(`^${first ? `[${first}]` : '[A-Za-z0-9_-]'}[A-Za-z0-9_-]{${chars - 1}}$`)
  const message = `${field} must be ${bytes} bytes in base64url`
  return v.pipe(
    v.string(message),
    v.transform((s) => s.replace(/=+$/, '')),
    v.regex(pattern, message),
  )
}

/**
 * `POST /api/push/subscriptions` body: this phone's subscription
 * (`PushSubscription.toJSON()`'s `endpoint` and `keys`), who the phone is
 * (its actor: device id and name, matched against role holders and task
 * owners by the people rule) and what to be told. Sending it again replaces
 * the choices; an endpoint is kept once, under the token that sent it last.
 */
export const PushSubscribeBodySchema = v.object(
  {
    endpoint: v.pipe(
      v.string('endpoint must be a string'),
      v.maxLength(MAX_ENDPOINT_LENGTH, `endpoint must be at most ${MAX_ENDPOINT_LENGTH} characters`),
      // Not v.url: each valibot function the app uses anywhere lands in its first screen's chunk.
      v.check(isUrl, 'endpoint must be a URL'),
    ),
    keys: v.object(
      // p256dh: an uncompressed P-256 point (0x04 first, so "B" in base64url); auth: 16 bytes.
      { p256dh: base64url('keys.p256dh', 65, 'B'), auth: base64url('keys.auth', 16) },
      'keys must be { "p256dh": "...", "auth": "..." }',
    ),
    person: v.object(
      {
        id: v.optional(
          v.pipe(
            v.string('person.id must be a string'),
            v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'person.id must be a device id'),
          ),
        ),
        name: v.pipe(
          v.string('person.name must be a string'),
          v.trim(),
          v.maxLength(LIMITS.personName, `person.name must be at most ${LIMITS.personName} characters`),
          v.check(hasVisibleText, 'person.name must contain visible text'),
        ),
      },
      'person must be { "id": "...", "name": "..." }',
    ),
    topics: v.pipe(
      v.array(v.picklist(PUSH_TOPICS, `topics may only name ${PUSH_TOPICS.join(', ')}`), 'topics must be a list'),
      v.maxLength(PUSH_TOPICS.length * 2, 'topics names too many'),
      v.transform((list) => PUSH_TOPICS.filter((t) => list.includes(t))),
    ),
  },
  'the body must be { "endpoint", "keys", "person", "topics" }',
)
export type PushSubscribeBody = v.InferOutput<typeof PushSubscribeBodySchema>

/** Its answer (200): the choices as kept. */
export const PushSubscribedSchema = v.object({ topics: v.array(v.picklist(PUSH_TOPICS)) })

/** `POST /api/push/subscriptions/remove` body: the endpoint to forget (only the asking token's). */
export const PushUnsubscribeBodySchema = v.object(
  { endpoint: v.pipe(v.string('endpoint must be a string'), v.maxLength(MAX_ENDPOINT_LENGTH, 'endpoint is too long')) },
  'the body must be { "endpoint": "..." }',
)
/** Its answer (200): whether there was one to forget. */
export const PushUnsubscribedSchema = v.object({ removed: v.boolean() })
