/**
 * The runbook API (docs/CONTRACT-EXTENSIONS.md, "Runbooks on the server"):
 * catalogue, versions, history, diff, propose, restore, publish. Any token
 * reads; writes need a writable token. There are no routes that change or
 * delete a version: history cannot be rewritten through the API.
 *
 * Ids hold `/` (`network/switch-down`): clients send them URL-encoded in the
 * path (`network%2Fswitch-down`).
 */
import type { FastifyInstance } from 'fastify'
import {
  RUNBOOK_SOURCE_MAX_BYTES,
  RunbookCatalogueSchema,
  RunbookCreateBodySchema,
  RunbookDiffQuerySchema,
  RunbookDiffSchema,
  RunbookHistorySchema,
  RunbookParamsSchema,
  RunbookProposeBodySchema,
  RunbookRestoreBodySchema,
  RunbookVersionParamsSchema,
  RunbookVersionSchema,
} from '../../src/domain/runbook-wire'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import type { RunbookService } from '../runbooks/service'

export interface RunbookRoutesOptions {
  runbooks: RunbookService
  /** A version was published: app.ts tells open streams, so online phones fetch it at once. */
  onPublished?(id: string, version: number): void
}

/**
 * Bodies that carry a source may be bigger than the API's 1 MiB, so that a
 * source just over 1 MiB is refused naming `source` (413) rather than as a
 * body; JSON escaping can grow a source, hence the room.
 */
export const RUNBOOK_BODY_LIMIT = 4 * RUNBOOK_SOURCE_MAX_BYTES

/** True when an If-None-Match header (a list, weak or strong) names `etag`, or is `*`. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*')
}

export async function runbookRoutes(app: FastifyInstance, options: RunbookRoutesOptions): Promise<void> {
  const { runbooks } = options
  const api = app.withTypeProvider<ValibotTypeProvider>()

  api.get(
    '/api/runbooks',
    { schema: { response: { 200: RunbookCatalogueSchema, ...ERROR_RESPONSES } } },
    async (request, reply) => {
      const { catalogue, etag } = await runbooks.catalogue()
      reply.header('etag', etag)
      // Phones poll with If-None-Match: an unchanged catalogue costs a 304 and no body.
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send(undefined as never)
      return catalogue
    },
  )

  api.post(
    '/api/runbooks',
    {
      bodyLimit: RUNBOOK_BODY_LIMIT,
      schema: { body: RunbookCreateBodySchema, response: { 201: RunbookVersionSchema, ...ERROR_RESPONSES } },
    },
    async (request, reply) => {
      const { id, source, note, proposalId } = request.body
      const created = await runbooks.create(id, source, note, request.token!, proposalId)
      return reply.code(201).send(created)
    },
  )

  api.get(
    '/api/runbooks/:id/versions',
    { schema: { params: RunbookParamsSchema, response: { 200: RunbookHistorySchema, ...ERROR_RESPONSES } } },
    async (request) => runbooks.history(request.params.id),
  )

  api.post(
    '/api/runbooks/:id/versions',
    {
      bodyLimit: RUNBOOK_BODY_LIMIT,
      schema: {
        params: RunbookParamsSchema,
        body: RunbookProposeBodySchema,
        response: { 201: RunbookVersionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { source, note, baseVersion, proposalId } = request.body
      const proposed = await runbooks.propose(request.params.id, source, note, baseVersion, request.token!, proposalId)
      return reply.code(201).send(proposed)
    },
  )

  api.get(
    '/api/runbooks/:id/versions/:version',
    { schema: { params: RunbookVersionParamsSchema, response: { 200: RunbookVersionSchema, ...ERROR_RESPONSES } } },
    async (request) => runbooks.version(request.params.id, request.params.version),
  )

  api.post(
    '/api/runbooks/:id/versions/:version/publish',
    { schema: { params: RunbookVersionParamsSchema, response: { 200: RunbookVersionSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const published = await runbooks.publish(request.params.id, request.params.version, request.token!)
      options.onPublished?.(published.id, published.version)
      return published
    },
  )

  api.post(
    '/api/runbooks/:id/restore',
    {
      schema: {
        params: RunbookParamsSchema,
        body: RunbookRestoreBodySchema,
        response: { 201: RunbookVersionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const restored = await runbooks.restore(
        request.params.id,
        request.body.version,
        request.body.note,
        request.token!,
      )
      return reply.code(201).send(restored)
    },
  )

  api.get(
    '/api/runbooks/:id/diff',
    {
      schema: {
        params: RunbookParamsSchema,
        querystring: RunbookDiffQuerySchema,
        response: { 200: RunbookDiffSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => runbooks.diff(request.params.id, request.query.from, request.query.to),
  )
}
