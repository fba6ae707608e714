/**
 * The stakeholder status page's API (docs/CONTRACT-EXTENSIONS.md, "Status
 * page"). A status link is a read-only capability: `<origin>/status#<token>`;
 * the page sends the token as `Authorization: Bearer` to `GET /api/status`,
 * which needs no access token and answers only the public part of one
 * incident (or, for a team-wide link when the server allows it, of every open
 * incident). The server keeps only the token's SHA-256, like access tokens.
 *
 * Making, listing and withdrawing links needs an access token (a writable
 * one to make or withdraw; an admin's for team-wide links).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { openIncidents, statusLink } from '../../src/domain/status-page'
import {
  StatusAnswerSchema,
  StatusLinkCreateBodySchema,
  StatusLinkCreatedSchema,
  StatusLinkListSchema,
  StatusLinkQuerySchema,
  StatusLinkRevokeBodySchema,
  StatusLinkRevokedSchema,
  type StatusAnswer,
  type StatusLinkInfo,
} from '../../src/domain/status-wire'
import type { AuthFailureLimiter } from '../auth/failures'
import { bearerToken } from '../auth/guard'
import { generateToken, hashToken, TOKEN_PATTERN } from '../auth/tokens'
import { ApiError, RateLimitedError } from '../http/errors'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import type { IncidentProjection } from '../incidents/projection'
import type { EventStore, StatusLinkRecord, StatusLinkStore } from '../store/types'

/** What the status routes need: links, the incidents' public parts, and the server's settings for them. */
export interface StatusOptions {
  store: StatusLinkStore & Pick<EventStore, 'declarationOf'>
  projection: IncidentProjection
  /** TEAM_STATUS_PAGE: whether team-wide links may be made and answered (off by default). */
  teamPage: boolean
  /** How often the page asks again (s). */
  refreshSeconds: number
  /** The origin links point at (PUBLIC_URL); without it, the origin the request came to. */
  publicUrl?: string
  now?: () => number
}

const info = (r: StatusLinkRecord): StatusLinkInfo => ({
  id: r.id,
  incidentId: r.incidentId,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  revokedAt: r.revokedAt,
})

const TEAM_OFF = 'the team-wide status page is off on this server (TEAM_STATUS_PAGE)'

function refuseReadOnly(request: FastifyRequest): void {
  if (request.token?.readOnly)
    throw new ApiError(403, 'read_only', 'this access token is read-only: it cannot make or withdraw status links')
}

function adminOnly(request: FastifyRequest): void {
  if (!request.token?.admin) throw new ApiError(403, 'forbidden', 'team-wide status links need an admin’s access token')
}

/** Link management, behind the auth guard. */
export async function statusLinkRoutes(app: FastifyInstance, options: StatusOptions): Promise<void> {
  const { store, teamPage } = options
  const now = options.now ?? Date.now
  const api = app.withTypeProvider<ValibotTypeProvider>()

  api.post(
    '/api/status-links',
    { schema: { body: StatusLinkCreateBodySchema, response: { 200: StatusLinkCreatedSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      refuseReadOnly(request)
      const incidentId = request.body.incidentId ?? null
      if (incidentId === null) {
        adminOnly(request)
        if (!teamPage) throw new ApiError(404, 'not_found', TEAM_OFF)
      } else {
        if (!(await store.declarationOf(incidentId)))
          throw new ApiError(404, 'not_found', 'this server does not hold that incident yet: sync, then try again')
      }
      const token = generateToken()
      const record = await store.insertStatusLink({
        incidentId,
        hash: hashToken(token),
        createdAt: new Date(now()).toISOString(),
        createdBy: request.token!.name,
        tokenId: request.token!.id,
      })
      const origin = options.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`
      return { link: statusLink(origin, token), info: info(record) }
    },
  )

  api.get(
    '/api/status-links',
    { schema: { querystring: StatusLinkQuerySchema, response: { 200: StatusLinkListSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const { incidentId, team } = request.query
      if (team) {
        adminOnly(request)
        return { links: (await store.listStatusLinks(null)).map(info) }
      }
      if (!incidentId) throw new ApiError(400, 'bad_request', 'incidentId is required (or team=1)')
      return { links: (await store.listStatusLinks(incidentId)).map(info) }
    },
  )

  api.post(
    '/api/status-links/revoke',
    { schema: { body: StatusLinkRevokeBodySchema, response: { 200: StatusLinkRevokedSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      refuseReadOnly(request)
      const link = await store.statusLinkById(request.body.id)
      if (!link) throw new ApiError(404, 'not_found', `no status link ${request.body.id}`)
      if (link.incidentId === null) adminOnly(request)
      return { revoked: await store.revokeStatusLink(link.id, new Date(now()).toISOString()) }
    },
  )
}

/** The public page's options: the link routes' and the failed-authentication limiter. */
export interface StatusPageOptions extends StatusOptions {
  /** Unknown links count as failed authentications of the asking address. */
  failures?: AuthFailureLimiter
}

/** `GET /api/status`: no access token, only the link's. */
export async function statusPageRoutes(app: FastifyInstance, options: StatusPageOptions): Promise<void> {
  const { store, projection, teamPage, refreshSeconds, failures } = options
  const now = options.now ?? Date.now
  const api = app.withTypeProvider<ValibotTypeProvider>()

  api.get(
    '/api/status',
    { schema: { response: { 200: StatusAnswerSchema, ...ERROR_RESPONSES } } },
    async (request, reply): Promise<StatusAnswer> => {
      // Shown to stakeholders as it is now: never kept by a cache (the link may be withdrawn).
      reply.header('cache-control', 'no-store')
      const token = bearerToken(request.headers.authorization)
      const link = token && TOKEN_PATTERN.test(token) ? await store.findStatusLink(hashToken(token)) : null
      if (!link) {
        const wait = failures?.fail(request.ip) ?? null
        if (wait !== null) throw new RateLimitedError(wait)
        throw new ApiError(404, 'not_found', 'this status link is not valid')
      }
      if (link.revokedAt !== null || (link.incidentId === null && !teamPage))
        throw new ApiError(410, 'withdrawn', 'this link was withdrawn')
      // Another node may have stored what this one has not read yet.
      await projection.refresh()
      const at = now()
      if (link.incidentId === null)
        return { kind: 'team', incidents: openIncidents(projection.publicViews()), refreshSeconds, now: at }
      const incident = projection.publicView(link.incidentId)
      if (!incident) throw new ApiError(404, 'not_found', 'this incident is not on the server')
      return { kind: 'incident', incident, refreshSeconds, now: at }
    },
  )
}
