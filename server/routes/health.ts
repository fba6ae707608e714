/** GET /api/health: open to all, for load balancers and the app's server check. */
import type { FastifyInstance } from 'fastify'
import { HealthAnswerSchema } from '../../src/domain/wire'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'

export interface HealthRoutesOptions {
  version: string
  /** The server's clock, ms (tests inject one). */
  now?: () => number
}

export async function healthRoutes(
  app: FastifyInstance,
  { version, now = Date.now }: HealthRoutesOptions,
): Promise<void> {
  app
    .withTypeProvider<ValibotTypeProvider>()
    .get('/api/health', { schema: { response: { 200: HealthAnswerSchema, ...ERROR_RESPONSES } } }, async () => ({
      ok: true as const,
      version,
      now: now(),
    }))
}
