/** GET /api/health: open to all, for load balancers and the app's server check. */
import type { FastifyInstance } from 'fastify'

export async function healthRoutes(app: FastifyInstance, { version }: { version: string }): Promise<void> {
  app.get('/api/health', async () => ({ ok: true, version }))
}
