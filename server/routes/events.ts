/** POST /api/events (push) and GET /api/events (pull), CONTRACT.md §2. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PullPageSchema, PullQuerySchema, PushAnswerSchema, PushBodySchema } from '../../src/domain/wire'
import { ingest } from '../events/ingest'
import type { StreamHub } from '../events/hub'
import { ApiError, RetryLaterError } from '../http/errors'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import {
  NO_QUOTA,
  QuotaExceededError,
  secondsUntilNextUtcDay,
  StorageFaultError,
  StorageUnavailableError,
  UNAVAILABLE_RETRY_AFTER_S,
  utcDay,
  type DailyQuota,
} from '../store/faults'
import type { StorageHealth } from '../store/health'
import type { EventStore } from '../store/types'

/** Retry-After (s) of a push the storage refused: the probe runs more often than this. */
export const STORAGE_RETRY_AFTER_S = 30

export interface EventRoutesOptions {
  store: EventStore
  hub: StreamHub
  /** The database's identity, sent with every page. */
  serverId: string
  quota?: DailyQuota
  /** Told at once when a push finds the storage refusing writes. */
  storage?: StorageHealth
  /**
   * The server's clock, ms: it decides the quota's UTC day, and events stamped over 2 minutes after it are
   * refused `clock_ahead`.
   */
  now?: () => number
}

/**
 * A refusal of the storage as the contract's answer: 429 quota_exceeded until
 * the next UTC day, 507 storage_full, or 503 storage_unavailable while the
 * database cannot be reached. Nothing of the push is acknowledged: for the
 * first two nothing was stored; after a 503 whatever did commit is answered
 * `duplicate` when the phone sends it again.
 */
function storageRefusal(e: unknown, now: number, storage: StorageHealth | undefined): unknown {
  if (e instanceof QuotaExceededError)
    return new RetryLaterError(
      429,
      'quota_exceeded',
      `${e.message}; nothing of this push was stored, send it again after midnight UTC`,
      secondsUntilNextUtcDay(now),
    )
  if (e instanceof StorageUnavailableError) {
    storage?.writeFailed(e.reason)
    return new RetryLaterError(
      503,
      'storage_unavailable',
      `${e.message}; nothing of this push was acknowledged, send it again`,
      UNAVAILABLE_RETRY_AFTER_S,
    )
  }
  if (e instanceof StorageFaultError) {
    storage?.writeFailed(e.reason)
    return new RetryLaterError(
      507,
      'storage_full',
      `${e.message}; nothing of this push was stored, send it again later`,
      STORAGE_RETRY_AFTER_S,
    )
  }
  return e
}

/**
 * 409 `cursor_unknown` unless this history holds event `afterId` at seq `after`:
 * a phone's cursor from another history (a backup restored by copying the file,
 * so the identity did not change) must not be trusted, or the phone would skip
 * whatever this server stores under the seq numbers it already passed.
 * Without `afterId` (older phones) or at 0 there is nothing to check.
 */
export async function checkCursor(store: EventStore, after: number, afterId: string | undefined): Promise<void> {
  if (afterId === undefined || after === 0) return
  const held = await store.eventIdAt(after)
  if (held !== afterId)
    throw new ApiError(
      409,
      'cursor_unknown',
      `this server holds ${held === null ? 'no event' : 'another event'} at seq ${after}; pull from 0`,
    )
}

/** 403 read_only for a token that may only pull and stream. */
async function refuseReadOnly(request: FastifyRequest): Promise<void> {
  if (request.token?.readOnly)
    throw new ApiError(403, 'read_only', 'this access token is read-only: it can pull and stream but not push')
}

export async function eventRoutes(
  app: FastifyInstance,
  { store, hub, serverId, quota = NO_QUOTA, storage, now = Date.now }: EventRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<ValibotTypeProvider>()

  // A body that is not { events: [1–500 entries] } never reaches the handler (400, or 413 past 500).
  api.post(
    '/api/events',
    {
      schema: { body: PushBodySchema, response: { 200: PushAnswerSchema, ...ERROR_RESPONSES } },
      // Runs after the auth guard and before the body is read: a read-only token's push costs no parsing.
      onRequest: refuseReadOnly,
      // The ids the phone just sent, random and barely compressible: ingest stays free of compression work.
      compress: false,
    },
    async (request) => {
      const at = now()
      // The auth guard always sets a token here; without one (a test app) nothing is counted.
      const options = request.token ? { tokenId: request.token.id, day: utcDay(at), quota } : undefined
      let result
      try {
        result = await ingest(
          store,
          request.body.events,
          request.token ? { tokenId: request.token.id, name: request.token.name } : undefined,
          options,
          at,
        )
      } catch (e) {
        throw storageRefusal(e, at, storage)
      }
      const { answer, lastSeq, stored } = result
      // The answer is sent after the commit: accepted means on disk.
      if (answer.accepted.length) hub.publish(lastSeq, stored)
      return answer
    },
  )

  api.get(
    '/api/events',
    { schema: { querystring: PullQuerySchema, response: { 200: PullPageSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const { after, afterId, limit } = request.query
      await checkCursor(store, after, afterId)
      const { events, more } = await store.readEventsAfter(after, limit)
      return { events, last: events.at(-1)?.seq ?? after, more, serverId }
    },
  )
}
