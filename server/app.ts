/**
 * Builds the HTTP server from its parts. Reads no environment and opens no
 * files of its own, so tests construct it with a memory store and `inject`.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import Fastify from 'fastify'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { LIMITS } from '../src/domain/events'
import { authGuard } from './auth/guard'
import type { TokenService } from './auth/tokens'
import { StreamHub } from './events/hub'
import { ApiError, errorBody, errorHandler } from './http/errors'
import { isApiPath, registerHeaders } from './http/headers'
import { registerRateLimit } from './http/rate-limit'
import type { RateLimitOptions } from './http/rate-limit'
import { installValibot } from './http/valibot'
import { eventRoutes } from './routes/events'
import { healthRoutes } from './routes/health'
import { staticRoutes } from './routes/static'
import { streamRoutes } from './routes/stream'
import type { Store } from './store/types'

export interface AppOptions {
  store: Store
  tokens: TokenService
  version: string
  /** The built app; without it only /api is served. */
  distDir?: string
  rateLimit?: RateLimitOptions
  heartbeatMs?: number
  tokenRecheckMs?: number
  logger?: FastifyServerOptions['logger']
  trustProxy?: boolean
  /** Check every answer against its wire schema (src/domain/wire.ts); a mismatch is a 500. For tests. */
  checkResponses?: boolean
  /** The server's clock in ms, the authority on time for every phone (tests inject one). Default Date.now. */
  now?: () => number
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perMinute: 600, burst: 600 }

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: LIMITS.bodyBytes,
    trustProxy: options.trustProxy ?? false,
    // Streams are closed in preClose; idle keep-alive sockets must not hold shutdown.
    forceCloseConnections: 'idle',
  })
  app.decorateRequest('token', null)
  app.setErrorHandler(errorHandler)
  installValibot(app, { checkResponses: options.checkResponses })
  await registerHeaders(app)

  const hub = new StreamHub()

  await app.register(healthRoutes, { version: options.version, now: options.now })
  await app.register(async (api) => {
    api.addHook('onRequest', authGuard(options.tokens))
    await registerRateLimit(api, options.rateLimit ?? DEFAULT_RATE_LIMIT)
    await api.register(eventRoutes, { store: options.store, hub, now: options.now })
    await api.register(streamRoutes, {
      store: options.store,
      hub,
      tokens: options.tokens,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      tokenRecheckMs: options.tokenRecheckMs ?? 5_000,
    })
  })

  const distDir = options.distDir ? resolve(options.distDir) : undefined
  const servesApp = distDir !== undefined && existsSync(distDir)
  if (servesApp) await app.register(staticRoutes, { distDir })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!
    const isRead = request.method === 'GET' || request.method === 'HEAD'
    // A missing hashed asset must stay a 404: answering HTML would poison caches as "immutable JS".
    if (
      isRead &&
      servesApp &&
      !isApiPath(path) &&
      !path.startsWith('/assets/') &&
      existsSync(join(distDir, 'index.html'))
    ) {
      return reply.sendFile('index.html', distDir)
    }
    const err = new ApiError(404, 'not_found', `no ${request.method} ${path}`)
    return reply.status(404).send(errorBody(err.code, err.message))
  })

  return app
}
