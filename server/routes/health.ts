/** GET /api/health: open to all, for load balancers and the app's server check. */
import type { FastifyInstance } from 'fastify'
import { HealthAnswerSchema } from '../../src/domain/wire'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'

export async function healthRoutes(
  app: FastifyInstance,
  { version, serverId }: { version: string; serverId: string },
): Promise<void> {
  app
    .withTypeProvider<ValibotTypeProvider>()
    .get('/api/health', { schema: { response: { 200: HealthAnswerSchema, ...ERROR_RESPONSES } } }, async () => ({
      ok: true as const,
      version,
      serverId,
    }))
}
