/** POST /api/events (push) and GET /api/events (pull), CONTRACT.md §2. */
import type { FastifyInstance } from 'fastify'
import { PullPageSchema, PullQuerySchema, PushAnswerSchema, PushBodySchema } from '../../src/domain/wire'
import { ingest } from '../events/ingest'
import type { StreamHub } from '../events/hub'
import { ApiError } from '../http/errors'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import type { EventStore } from '../store/types'

export interface EventRoutesOptions {
  store: EventStore
  hub: StreamHub
  /** The database's identity, sent with every page. */
  serverId: string
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

export async function eventRoutes(app: FastifyInstance, { store, hub, serverId }: EventRoutesOptions): Promise<void> {
  const api = app.withTypeProvider<ValibotTypeProvider>()

  // A body that is not { events: [1–500 entries] } never reaches the handler (400, or 413 past 500).
  api.post(
    '/api/events',
    { schema: { body: PushBodySchema, response: { 200: PushAnswerSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const { answer, lastSeq } = await ingest(store, request.body.events)
      // The answer is sent after the commit: accepted means on disk.
      if (answer.accepted.length) hub.publish(lastSeq)
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
