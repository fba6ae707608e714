/**
 * GET /api/health: open to all, for load balancers and the app's server check.
 * 503 with `ok: false` and a reason while the storage does not take writes
 * (store/health.ts), so a load balancer or monitor sees it; 200 again once it does.
 */
import type { FastifyInstance } from 'fastify'
import type { StreamHub } from '../events/hub'
import { HealthDownSchema, HealthUpSchema } from '../../src/domain/wire'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import type { StorageHealth } from '../store/health'

export interface HealthRoutesOptions {
  version: string
  /** Without it, health reports only that the process answers. */
  storage?: StorageHealth
  /** Its subscriber count is the answer's `streams` (operators and the many-windows browser test read it). */
  hub: StreamHub
  /** The database's identity (phones notice a restore by it). */
  serverId: string
  /** The server's clock, ms (tests inject one). */
  now?: () => number
}

export async function healthRoutes(
  app: FastifyInstance,
  { version, storage, hub, serverId, now = Date.now }: HealthRoutesOptions,
): Promise<void> {
  app
    .withTypeProvider<ValibotTypeProvider>()
    .get(
      '/api/health',
      { schema: { response: { 200: HealthUpSchema, 503: HealthDownSchema, ...ERROR_RESPONSES } } },
      async (_request, reply) => {
        const state = storage?.state ?? { ok: true }
        if (!state.ok) return reply.status(503).send({ ok: false as const, reason: state.reason, version, now: now() })
        return { ok: true as const, version, streams: hub.size, serverId, now: now() }
      },
    )
}
