/**
 * Builds the HTTP server from its parts. Reads no environment and opens no
 * files of its own, so tests construct it with a memory store and `inject`.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify'
import { LIMITS } from '../src/domain/events'
import { AuthFailureLimiter } from './auth/failures'
import { authGuard } from './auth/guard'
import type { TokenService } from './auth/tokens'
import { followUp } from './events/follow-ups'
import { StreamHub } from './events/hub'
import { ApiError, errorBody, errorHandler } from './http/errors'
import { isApiPath, registerHeaders } from './http/headers'
import { installBoundedJson } from './http/json'
import { registerCompression } from './http/compress'
import { clientErrorHandler, DEFAULT_LIMITS, registerRequestLimits, serverOptions, StreamLimits } from './http/limits'
import type { ServerLimits } from './http/limits'
import { registerRateLimit } from './http/rate-limit'
import type { RateLimitOptions } from './http/rate-limit'
import { RunbookService } from './runbooks/service'
import type { RunbookReview } from './runbooks/service'
import { installValibot } from './http/valibot'
import { adminRoutes } from './routes/admin'
import { eventRoutes } from './routes/events'
import { healthRoutes } from './routes/health'
import { runbookRoutes } from './routes/runbooks'

import { pushRoutes } from './routes/push'
import { statusLinkRoutes, statusPageRoutes } from './routes/status'
import { summaryRoutes } from './routes/summaries'
import type { IncidentProjection } from './incidents/projection'
import { staticRoutes } from './routes/static'
import { streamRoutes } from './routes/stream'
import { SharedReads } from './events/shared-reads'
import type { DailyQuota } from './store/faults'
import type { StorageHealth } from './store/health'
import type { Store } from './store/types'
import { Mailer, type MailSettings } from './mail/mailer'
import type { RateClock } from './mail/rate'
import { smtpTransport, type MailTransport } from './mail/transport'

/** Emailing updates to audiences; without it (tests of other things) nothing is emailed or reported. */
export interface AppMailOptions {
  settings: MailSettings
  /** Default: nodemailer on `settings.smtpUrl`, or none (reported "not set up") without one. */
  transport?: MailTransport | null
  clock?: RateClock
  node?: string
  /** Default true: scan at once and every `pollMs`; tests drive `mailerOf(app)` themselves. */
  autoStart?: boolean
}

const mailers = new WeakMap<FastifyInstance, Mailer>()

/** The app's mailer, when it was built with `mail` (tests and the bench drive it). */
export function mailerOf(app: FastifyInstance): Mailer | undefined {
  return mailers.get(app)
}

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
  /** The origin join links issued from the admin routes point at (PUBLIC_URL). */
  publicUrl?: string
  /** Check every answer against its wire schema (src/domain/wire.ts); a mismatch is a 500. For tests. */
  checkResponses?: boolean
  /** Daily storage quotas per token and for the server (store/faults.ts); default: none. */
  quota?: DailyQuota
  /** Whether the storage takes writes, for /api/health; stopped when the app closes. */
  storageHealth?: StorageHealth
  /** Clock of the quota's UTC day (ms since the epoch); default Date.now. */
  now?: () => number
  /** Timeouts and caps; DEFAULT_LIMITS (no connection cap) for what is not given. */
  limits?: Partial<ServerLimits>
  /** Failed authentications per address per minute before 429 (auth/failures.ts); 0 or absent: no limit. */
  authFailuresPerMinute?: number
  /** RUNBOOK_REVIEW: 'required' — a runbook proposal is published by someone other than its author; default 'self'. */
  runbookReview?: RunbookReview

  /**
   * The server's view of the incidents (issue #15): with it, the status page
   * API is served, and a push refreshes it at once. Started by the caller.
   */
  incidents?: IncidentProjection
  /**
   * The reads of the log this node's followers share (the projection, the mailer, live streams): give
   * the projection the same one. Default: one of its own (the projection then reads alone).
   */
  reads?: SharedReads
  /** Web Push: the VAPID public key and the push services allowed; without it /api/push is not served. */
  push?: { publicKey: string; endpointHosts: readonly string[] }
  /** Status pages: team-wide links allowed (TEAM_STATUS_PAGE), and how often pages refresh (s). */
  statusPage?: { teamPage: boolean; refreshSeconds: number }

  /** Emailing updates posted to an audience (server/mail/mailer.ts). */
  mail?: AppMailOptions
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perMinute: 600, burst: 600 }

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits }
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: LIMITS.bodyBytes,
    trustProxy: options.trustProxy ?? false,
    // Streams are closed in preClose; idle keep-alive sockets must not hold shutdown.
    forceCloseConnections: 'idle',
    ...serverOptions(limits),
    // Below Fastify (unparseable requests, timeouts) and in its router (bad URLs): the contract's shape too.
    clientErrorHandler,
    frameworkErrors: (err, _request, reply) => {
      ;(reply as FastifyReply).status(400).send(errorBody('bad_request', err.message))
    },
  })
  if (limits.maxConnections > 0) app.server.maxConnections = limits.maxConnections
  app.decorateRequest('token', null)
  app.setErrorHandler(errorHandler)
  installValibot(app, { checkResponses: options.checkResponses })
  installBoundedJson(app)
  registerRequestLimits(app, limits)
  await registerHeaders(app)

  const hub = new StreamHub()
  /** Runs `work` after the log grows, once for the growths of a moment (events/follow-ups.ts). */
  const afterGrowth = (work: () => void) => {
    const next = followUp(work)
    hub.onGrow(() => next.ask())
    app.addHook('onClose', async () => next.cancel())
  }
  // First of the hub's listeners: a read begun before this growth is shared with none of those after it.
  const reads = options.reads ?? new SharedReads(options.store)
  hub.onGrow((lastSeq, stored) => reads.grew(lastSeq, stored))
  const incidents = options.incidents
  // The status page and push notices see a push right after its answer; other nodes' through the store's watch (PostgreSQL) or the projection's poll.
  if (incidents) afterGrowth(() => void incidents.refresh().catch(() => {}))
  const status = incidents && {
    store: options.store,
    projection: incidents,
    teamPage: options.statusPage?.teamPage ?? false,
    refreshSeconds: options.statusPage?.refreshSeconds ?? 15,
    publicUrl: options.publicUrl,
    now: options.now,
  }

  // Several servers on one database (PostgreSQL): what any of them stores reaches this one's streams.
  const unwatch = options.store.watch?.((change) => {
    if (change.kind === 'grew') hub.publish(change.lastSeq)
    else for (const id of change.tokenIds) hub.closeToken(id)
  })
  if (unwatch)
    app.addHook('preClose', async () => {
      unwatch()
    })
  // Read once: it changes only by npm run db:restore, which needs the server stopped.
  const serverId = await options.store.serverId()

  if (options.storageHealth) app.addHook('onClose', async () => options.storageHealth!.stop())
  if (options.mail) {
    const { settings } = options.mail
    const transport =
      options.mail.transport !== undefined
        ? options.mail.transport
        : settings.smtpUrl
          ? smtpTransport(settings.smtpUrl, settings)
          : null
    const mailer = new Mailer({
      store: options.store,
      settings,
      transport,
      publish: (lastSeq) => hub.publish(lastSeq),
      log: reads,
      clock: options.mail.clock,
      node: options.mail.node,
      onError: (err) => app.log.error({ err }, 'emailing updates failed; retried at the next scan'),
    })
    mailers.set(app, mailer)
    // After the push is answered and its listeners told: the request never waits for SMTP.
    afterGrowth(() => mailer.wake())
    if (options.mail.autoStart !== false) app.addHook('onReady', async () => mailer.start())
    app.addHook('preClose', async () => mailer.close())
  }
  await app.register(healthRoutes, {
    version: options.version,
    storage: options.storageHealth,
    hub,
    serverId,
    now: options.now,
  })
  // The status page needs no access token: the link's own token is checked there.
  if (status) {
    const failures = options.authFailuresPerMinute ? new AuthFailureLimiter(options.authFailuresPerMinute) : undefined
    await app.register(statusPageRoutes, { ...status, failures })
  }
  await app.register(async (api) => {
    const failures = options.authFailuresPerMinute ? new AuthFailureLimiter(options.authFailuresPerMinute) : undefined
    api.addHook('onRequest', authGuard(options.tokens, failures))
    await registerRateLimit(api, options.rateLimit ?? DEFAULT_RATE_LIMIT)
    // Only around /api: the built app is served precompressed by @fastify/static.
    await registerCompression(api)
    await api.register(eventRoutes, {
      store: options.store,
      hub,
      quota: options.quota,
      storage: options.storageHealth,
      now: options.now,
      serverId,
    })
    await api.register(summaryRoutes, { store: options.store, projection: incidents, serverId })
    await api.register(adminRoutes, { store: options.store, tokens: options.tokens, publicUrl: options.publicUrl })
    await api.register(runbookRoutes, {
      runbooks: new RunbookService(options.store, { review: options.runbookReview, now: options.now }),
      // Streams of this process only: phones on another node learn it at their next round (30 s).
      onPublished: (id, version) => hub.announce('runbooks', `published ${encodeURIComponent(id)} ${version}`),
    })

    if (options.push) await api.register(pushRoutes, { store: options.store, ...options.push, now: options.now })
    if (status) await api.register(statusLinkRoutes, status)
    await api.register(streamRoutes, {
      store: options.store,
      hub,
      tokens: options.tokens,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      tokenRecheckMs: options.tokenRecheckMs ?? 5_000,
      limits: new StreamLimits(limits),
      log: reads,
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
