/** POST /api/events (push) and GET /api/events (pull), CONTRACT.md §2. */
import type { FastifyInstance } from 'fastify'
import { PullPageSchema, PullQuerySchema, PushAnswerSchema, PushBodySchema } from '../../src/domain/wire'
import { ingest } from '../events/ingest'
import type { StreamHub } from '../events/hub'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import type { EventStore } from '../store/types'

export interface EventRoutesOptions {
  store: EventStore
  hub: StreamHub
  /** The server's clock, ms: events stamped over 2 minutes after it are refused `clock_ahead`. */
  now?: () => number
}

export async function eventRoutes(
  app: FastifyInstance,
  { store, hub, now = Date.now }: EventRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<ValibotTypeProvider>()

  // A body that is not { events: [1–500 entries] } never reaches the handler (400, or 413 past 500).
  api.post(
    '/api/events',
    { schema: { body: PushBodySchema, response: { 200: PushAnswerSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const { answer, lastSeq } = await ingest(store, request.body.events, now())
      // The answer is sent after the commit: accepted means on disk.
      if (answer.accepted.length) hub.publish(lastSeq)
      return answer
    },
  )

  api.get(
    '/api/events',
    { schema: { querystring: PullQuerySchema, response: { 200: PullPageSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const { after, limit } = request.query
      const { events, more } = await store.readEventsAfter(after, limit)
      return { events, last: events.at(-1)?.seq ?? after, more }
    },
  )
}
