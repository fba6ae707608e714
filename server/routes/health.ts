/** GET /api/health: open to all, for load balancers and the app's server check. */
import type { FastifyInstance } from 'fastify'
import type { StreamHub } from '../events/hub'
import { HealthAnswerSchema } from '../../src/domain/wire'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'

/** `hub`: its subscriber count is the answer's `streams` (operators and the many-windows browser test read it). */
export async function healthRoutes(
  app: FastifyInstance,
  { version, hub }: { version: string; hub: StreamHub },
): Promise<void> {
  app
    .withTypeProvider<ValibotTypeProvider>()
    .get('/api/health', { schema: { response: { 200: HealthAnswerSchema, ...ERROR_RESPONSES } } }, async () => ({
      ok: true as const,
      version,
      streams: hub.size,
    }))
}
