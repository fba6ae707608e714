/** Server settings from the environment, with the documented defaults. */
import { resolve } from 'node:path'
import { DEFAULT_LIMITS, defaultMaxConnections } from './http/limits'
import type { ServerLimits } from './http/limits'
import type { RateLimitOptions } from './http/rate-limit'
import type { RunbookReview } from './runbooks/service'

import { DEFAULT_PUSH_HOSTS } from './push/endpoints'
import type { DailyQuota } from './store/faults'
import { DEFAULT_MAIL_SETTINGS, type MailSettings } from './mail/mailer'

const MIB = 1024 * 1024

export interface ServerConfig {
  port: number
  host: string
  dataDir: string
  /**
   * DATABASE_URL (`postgres://…` or `postgresql://…`): the PostgreSQL database
   * several servers share; undefined: the SQLite file in dataDir.
   */
  databaseUrl: string | undefined
  /** Connections each server keeps to PostgreSQL (DATABASE_POOL_SIZE). */
  databasePoolSize: number
  distDir: string
  /** Origin used in join links; undefined: derived from host and port. */
  publicUrl: string | undefined
  rateLimit: RateLimitOptions
  heartbeatMs: number
  tokenRecheckMs: number
  logLevel: string
  trustProxy: boolean
  /** Storage per UTC day, per token and for the whole server (events, bytes); 0 = no limit. */
  quota: DailyQuota
  /** Milliseconds between checks that the storage takes writes (GET /api/health). */
  storageProbeMs: number
  /** Timeouts, connection and stream caps (http/limits.ts). */
  limits: ServerLimits
  /** Failed authentications per client address per minute before 429; 0: no limit. */
  authFailuresPerMinute: number
  /** RUNBOOKS_DIR: the repository's runbooks, seeded into the server's versions at start (default ./runbooks). */
  runbooksDir: string
  /** RUNBOOK_REVIEW: 'required' — proposals are published by a second person; 'self' (default) — anyone, authors too. */
  runbookReview: RunbookReview

  /** Web Push: VAPID keys and contact from the environment (else kept in the store), and the push services allowed. */
  push: {
    vapid: { publicKey?: string; privateKey?: string; subject?: string }
    endpointHosts: readonly string[]
  }
  /** Status pages: team-wide links allowed (off by default), and how often pages ask again (s). */
  statusPage: { teamPage: boolean; refreshSeconds: number }

  /** Emailing updates to audiences (SMTP_URL, MAIL_FROM, MAIL_…): server/mail/mailer.ts. */
  mail: MailSettings
}

/** AUTH_FAILURES_PER_MINUTE's default: a whole school's phones behind one address, all with a revoked token, retry once. */
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 600

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ServerConfig {
  const perMinute = int(env, 'RATE_LIMIT_PER_MINUTE', 600)
  return {
    port: int(env, 'PORT', 8080, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(cwd, env.DATA_DIR || './data'),
    databaseUrl: databaseUrl(env.DATABASE_URL),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1000, 1),
    distDir: resolve(cwd, env.DIST_DIR || './dist'),
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
    rateLimit: { perMinute, burst: int(env, 'RATE_LIMIT_BURST', Math.max(perMinute, 1)) },
    heartbeatMs: int(env, 'SSE_HEARTBEAT_MS', 15_000, undefined, 10),
    tokenRecheckMs: int(env, 'TOKEN_RECHECK_MS', 5_000, undefined, 10),
    logLevel: env.LOG_LEVEL || 'info',
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    quota: {
      tokenEvents: int(env, 'QUOTA_TOKEN_EVENTS_PER_DAY', 50_000),
      tokenBytes: int(env, 'QUOTA_TOKEN_MIB_PER_DAY', 50, 1024 * 1024) * MIB,
      serverEvents: int(env, 'QUOTA_SERVER_EVENTS_PER_DAY', 2_000_000),
      serverBytes: int(env, 'QUOTA_SERVER_MIB_PER_DAY', 2048, 1024 * 1024) * MIB,
    },
    storageProbeMs: int(env, 'STORAGE_PROBE_MS', 10_000, undefined, 100),
    limits: {
      requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', DEFAULT_LIMITS.requestTimeoutMs, undefined, 100),
      headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', DEFAULT_LIMITS.headersTimeoutMs, undefined, 100),
      bodyTimeoutMs: int(env, 'BODY_TIMEOUT_MS', DEFAULT_LIMITS.bodyTimeoutMs, undefined, 100),
      keepAliveTimeoutMs: int(env, 'KEEP_ALIVE_TIMEOUT_MS', DEFAULT_LIMITS.keepAliveTimeoutMs, undefined, 100),
      maxConnections: int(env, 'MAX_CONNECTIONS', defaultMaxConnections()),
      streamsPerToken: int(env, 'STREAMS_PER_TOKEN', DEFAULT_LIMITS.streamsPerToken),
      streamsPerAddress: int(env, 'STREAMS_PER_ADDRESS', DEFAULT_LIMITS.streamsPerAddress),
    },
    authFailuresPerMinute: int(env, 'AUTH_FAILURES_PER_MINUTE', DEFAULT_AUTH_FAILURES_PER_MINUTE),
    runbooksDir: resolve(cwd, env.RUNBOOKS_DIR || './runbooks'),
    runbookReview: runbookReview(env.RUNBOOK_REVIEW),

    push: {
      vapid: {
        publicKey: env.VAPID_PUBLIC_KEY || undefined,
        privateKey: env.VAPID_PRIVATE_KEY || undefined,
        subject: env.VAPID_SUBJECT || undefined,
      },
      endpointHosts: env.PUSH_ENDPOINT_HOSTS
        ? env.PUSH_ENDPOINT_HOSTS.split(',')
            .map((h) => h.trim())
            .filter(Boolean)
        : DEFAULT_PUSH_HOSTS,
    },
    statusPage: {
      teamPage: env.TEAM_STATUS_PAGE === '1' || env.TEAM_STATUS_PAGE === 'true',
      refreshSeconds: int(env, 'STATUS_REFRESH_SECONDS', 15, 3600, 1),
    },

    mail: mailSettings(env),
  }
}

/** An address in `Name <local@domain>` or `local@domain` form, as MAIL_FROM must be. */
const MAIL_FROM_FORM = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/

/** SMTP_URL, MAIL_FROM and the MAIL_… settings; MAIL_FROM is required once SMTP_URL is set. */
function mailSettings(env: NodeJS.ProcessEnv): MailSettings {
  const d = DEFAULT_MAIL_SETTINGS
  const smtpUrl = env.SMTP_URL || undefined
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl))
    throw new Error('SMTP_URL must start with smtp:// or smtps://, like smtp://user:password@relay.example:587')
  const from = (env.MAIL_FROM ?? '').trim()
  if (smtpUrl && !from)
    throw new Error('MAIL_FROM must be set with SMTP_URL, like "Incidents <incidents@district.example>"')
  if (from && !MAIL_FROM_FORM.test(from))
    throw new Error(`MAIL_FROM must be an address like "Incidents <incidents@district.example>", not "${from}"`)
  const timeZone = env.MAIL_TIME_ZONE || d.timeZone
  try {
    new Intl.DateTimeFormat('en', { timeZone })
  } catch {
    throw new Error(`MAIL_TIME_ZONE must be an IANA time zone like America/Chicago, not "${timeZone}"`)
  }
  const statusUrl = env.MAIL_STATUS_URL || undefined
  if (statusUrl && !/^https?:\/\//.test(statusUrl))
    throw new Error('MAIL_STATUS_URL must start with https:// or http://')
  return {
    smtpUrl,
    from: from || d.from,
    perMinute: int(env, 'MAIL_RATE_PER_MINUTE', d.perMinute, 100_000, 1),
    batchSize: int(env, 'MAIL_BATCH_SIZE', d.batchSize, 1000, 1),
    timeoutMs: int(env, 'MAIL_TIMEOUT_MS', d.timeoutMs, 600_000, 100),
    maxAttempts: int(env, 'MAIL_MAX_ATTEMPTS', d.maxAttempts, 100, 1),
    leaseMs: int(env, 'MAIL_LEASE_MS', d.leaseMs, undefined, 1000),
    pollMs: int(env, 'MAIL_POLL_MS', d.pollMs, undefined, 100),
    timeZone,
    statusUrl,
  }
}

/** DATABASE_URL when set: it must be a PostgreSQL URL (throws otherwise); undefined when empty or unset. */
function databaseUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined
  if (!/^postgres(ql)?:\/\//.test(raw))
    throw new Error('DATABASE_URL must be a PostgreSQL URL, postgres://user:password@host:5432/database')
  return raw
}

function runbookReview(raw: string | undefined): RunbookReview {
  if (raw === undefined || raw === '' || raw === 'self') return 'self'
  if (raw === 'required') return 'required'
  throw new Error(`RUNBOOK_REVIEW must be "required" or "self", not "${raw}"`)
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be a whole number between ${min} and ${max}, not "${raw}"`)
  return n
}
