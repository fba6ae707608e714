/** POST /api/events (push) and GET /api/events (pull), CONTRACT.md §2. */
import type { FastifyInstance } from 'fastify'
import { LIMITS } from '../../src/domain/events'
import { ingest } from '../events/ingest'
import type { StreamHub } from '../events/hub'
import { ApiError } from '../http/errors'
import type { EventStore } from '../store/types'
import { parseCount } from './query'

export const PULL_DEFAULT_LIMIT = 500
export const PULL_MAX_LIMIT = 1000

export interface EventRoutesOptions {
  store: EventStore
  hub: StreamHub
}

export async function eventRoutes(app: FastifyInstance, { store, hub }: EventRoutesOptions): Promise<void> {
  app.post('/api/events', async (request) => {
    const body = request.body as { events?: unknown } | null | undefined
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body.events)) {
      throw new ApiError(400, 'bad_request', 'the body must be { "events": [...] }')
    }
    const entries: unknown[] = body.events
    if (entries.length === 0) throw new ApiError(400, 'bad_request', 'events must hold at least one event')
    if (entries.length > LIMITS.batchEvents) {
      throw new ApiError(413, 'too_large', `at most ${LIMITS.batchEvents} events per request; split the batch`)
    }
    const { answer, lastSeq } = await ingest(store, entries)
    // The answer is sent after the commit: accepted means on disk.
    if (answer.accepted.length) hub.publish(lastSeq)
    return answer
  })

  app.get('/api/events', async (request) => {
    const query = request.query as Record<string, unknown>
    const after = parseCount(query.after, 'after', 0)
    const limit = parseCount(query.limit, 'limit', PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT, 1)
    const { events, more } = await store.readEventsAfter(after, limit)
    return { events, last: events.at(-1)?.seq ?? after, more }
  })
}
