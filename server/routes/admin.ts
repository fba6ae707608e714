/**
 * GET /api/me (any token) and the admin routes under /api/admin (admin tokens
 * only, else 403 forbidden). Every change an admin makes is recorded in the
 * audit table: who (the admin's token), what, when.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  AdminAuditAnswerSchema,
  AdminChangedAnswerSchema,
  AdminIssueAnswerSchema,
  AdminIssueBodySchema,
  AdminReadOnlyBodySchema,
  AdminRevokeBodySchema,
  AdminTokensAnswerSchema,
  MeAnswerSchema,
} from '../../src/domain/wire'
import { joinLink } from '../auth/join-link'
import type { TokenService } from '../auth/tokens'
import { ApiError } from '../http/errors'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import type { AdminAction, TokenStore } from '../store/types'

export interface AdminRoutesOptions {
  store: TokenStore
  tokens: TokenService
  /** The origin join links point at (PUBLIC_URL); without it, the origin the admin's request came to. */
  publicUrl?: string
  now?: () => number
}

/** How many audit entries GET /api/admin/audit returns. */
const AUDIT_PAGE = 200

async function adminOnly(request: FastifyRequest): Promise<void> {
  if (!request.token?.admin) throw new ApiError(403, 'forbidden', 'this needs an admin’s access token')
}

export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { store, tokens } = options
  const now = options.now ?? Date.now
  const api = app.withTypeProvider<ValibotTypeProvider>()

  const record = (request: FastifyRequest, action: AdminAction['action'], target: string, detail?: string) =>
    store.recordAdminAction({
      at: new Date(now()).toISOString(),
      actorTokenId: request.token!.id,
      actorName: request.token!.name,
      action,
      target,
      ...(detail !== undefined && { detail }),
    })

  api.get('/api/me', { schema: { response: { 200: MeAnswerSchema, ...ERROR_RESPONSES } } }, async (request) => {
    const { name, readOnly, admin } = request.token!
    return { name, readOnly, admin }
  })

  const admin = { onRequest: adminOnly }

  api.get(
    '/api/admin/tokens',
    { ...admin, schema: { response: { 200: AdminTokensAnswerSchema, ...ERROR_RESPONSES } } },
    async () => ({ tokens: await store.listTokensWithDevices() }),
  )

  api.post(
    '/api/admin/tokens',
    { ...admin, schema: { body: AdminIssueBodySchema, response: { 200: AdminIssueAnswerSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const { name, readOnly, admin: asAdmin } = request.body
      const { token, record: issued } = await tokens.issue(name, { readOnly, admin: asAdmin })
      const origin = options.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`
      const grants = [issued.readOnly && 'read-only', issued.admin && 'admin'].filter(Boolean).join(', ')
      await record(request, 'issue', issued.name, grants || undefined)
      return { name: issued.name, token, link: joinLink(origin, token, issued.name) }
    },
  )

  api.post(
    '/api/admin/tokens/read-only',
    {
      ...admin,
      schema: { body: AdminReadOnlyBodySchema, response: { 200: AdminChangedAnswerSchema, ...ERROR_RESPONSES } },
    },
    async (request) => {
      const { name, readOnly } = request.body
      const changed = await tokens.setReadOnly(name, readOnly)
      if (changed === 0) throw new ApiError(404, 'not_found', `no active token named "${name}"`)
      await record(request, readOnly ? 'read_only' : 'writable', name)
      return { changed }
    },
  )

  api.post(
    '/api/admin/tokens/revoke',
    {
      ...admin,
      schema: { body: AdminRevokeBodySchema, response: { 200: AdminChangedAnswerSchema, ...ERROR_RESPONSES } },
    },
    async (request) => {
      const { name, wipe } = request.body
      const changed = await tokens.revoke(name, { wipe })
      if (changed === 0) throw new ApiError(404, 'not_found', `no active token named "${name}"`)
      await record(request, wipe ? 'revoke_wipe' : 'revoke', name)
      return { changed }
    },
  )

  api.get(
    '/api/admin/audit',
    { ...admin, schema: { response: { 200: AdminAuditAnswerSchema, ...ERROR_RESPONSES } } },
    async () => ({ actions: await store.listAdminActions(AUDIT_PAGE) }),
  )
}
