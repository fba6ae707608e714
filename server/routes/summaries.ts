/**
 * Scoped sync (issue #17 item 4, docs/CONTRACT-EXTENSIONS.md): a phone that
 * joins reads every incident's overview, folded here with the phones' own fold
 * (src/domain), and the events of only the incidents it keeps in full; an
 * archived incident's events are fetched when it is opened.
 *
 * `GET /api/summaries?after=SEQ&limit=N`: overviews of the incidents whose
 *   latest event came after SEQ, ascending by that seq (a delta from a cursor).
 * `GET /api/incidents/:id/events`: every event of one incident, with seq.
 */
import type { FastifyInstance } from 'fastify'
import {
  IncidentEventsSchema,
  IncidentParamsSchema,
  SummariesQuerySchema,
  SummaryPageSchema,
} from '../../src/domain/wire'
import type { IncidentProjection } from '../incidents/projection'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import type { IncidentReader } from '../store/types'

export interface SummaryRoutesOptions {
  store: IncidentReader
  /** The server's folded view of every incident; without it `/api/summaries` is not served (404: phones pull everything). */
  projection?: IncidentProjection
  serverId: string
}

export async function summaryRoutes(
  app: FastifyInstance,
  { store, projection, serverId }: SummaryRoutesOptions,
): Promise<void> {
  const api = app.withTypeProvider<ValibotTypeProvider>()

  if (projection)
    api.get(
      '/api/summaries',
      { schema: { querystring: SummariesQuerySchema, response: { 200: SummaryPageSchema, ...ERROR_RESPONSES } } },
      async (request) => {
        // What any node stored up to now: a phone's cursor taken from this answer must not skip it.
        await projection.refresh()
        return { ...projection.summariesAfter(request.query.after, request.query.limit), serverId }
      },
    )

  api.get(
    '/api/incidents/:id/events',
    { schema: { params: IncidentParamsSchema, response: { 200: IncidentEventsSchema, ...ERROR_RESPONSES } } },
    async (request) => ({ events: await store.readIncidentEvents(request.params.id), serverId }),
  )
}
