/**
 * The server process: settings from the environment, the store (SQLite in
 * DATA_DIR, or PostgreSQL with DATABASE_URL), one port for the app and /api.
 * `tsx server/main.ts` runs it alone.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app'
import { joinLink, qrCode } from './auth/join-link'
import { TokenService } from './auth/tokens'
import { loadConfig } from './config'
import { IncidentProjection } from './incidents/projection'
import { SharedReads } from './events/shared-reads'
import { loadVapidKeys } from './push/keys'
import { PushNotifier } from './push/notifier'
import { PushSender } from './push/sender'
import { isEntry } from './is-entry'
import { serverLinkOrigin, writeServerAddress } from './server-address'
import { StorageHealth } from './store/health'
import { seedRunbooks } from './runbooks/seed'
import { runExclusive } from './store/exclusive'
import { openStore } from './store/open'
import { packageVersion } from './version'

export const FIRST_TOKEN_NAME = 'first responder'

/** Where the first token goes when stdout is not a terminal (a log file, systemd, journald keep stdout). */
export const FIRST_TOKEN_FILE = 'first-token.txt'

/**
 * Log paths that could carry a secret. Fastify's request serializer logs no
 * headers today; this keeps a token out even if a serializer or a log call adds them.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'req.headers.cookie',
]

/**
 * Writes the first token, its join link and QR code to `DATA_DIR/first-token.txt`,
 * readable by this user only (0600; a file left from an earlier start is replaced,
 * never reused with its old mode). Resolves to the file's path.
 */
async function writeFirstToken(dataDir: string, token: string, link: string): Promise<string> {
  const file = join(dataDir, FIRST_TOKEN_FILE)
  rmSync(file, { force: true })
  writeFileSync(
    file,
    `${token}\n${link}\n${await qrCode(link)}\nAccess token "${FIRST_TOKEN_NAME}", made on the server's first start: the token, its join link (open it on a phone) and a QR code of the link. Delete this file once used.\n`,
    { mode: 0o600, flag: 'wx' },
  )
  return file
}

export interface RunningServer {
  app: FastifyInstance
  url: string
  /** Closes the streams, stops listening, then closes the database. */
  close(): Promise<void>
}

export async function main(
  env: NodeJS.ProcessEnv = process.env,
  out: NodeJS.WritableStream = process.stdout,
): Promise<RunningServer> {
  const config = loadConfig(env)
  const store = await openStore(config)
  const tokens = new TokenService(store)
  const noToken = await tokens.noneIssued()
  // Issued before listening so there is no moment with a server nobody can use. Not with PostgreSQL:
  // several nodes start at once there, and DATA_DIR (where the token would be written) is not used.
  const first = noToken && !config.databaseUrl ? await tokens.issue(FIRST_TOKEN_NAME) : null

  const storageHealth = new StorageHealth(store, { intervalMs: config.storageProbeMs })
  storageHealth.start()
  // Made on the first start and kept in the store, so every node and every restart signs with them.
  const vapid = await loadVapidKeys(store, { ...config.push.vapid, publicUrl: config.publicUrl })
  // One read of what each push added, for the projection, the mailer and the streams alike.
  const reads = new SharedReads(store)
  const incidents = new IncidentProjection({ store, log: reads })

  const app = await buildApp({
    store,
    tokens,
    version: packageVersion(),
    distDir: config.distDir,
    rateLimit: config.rateLimit,
    heartbeatMs: config.heartbeatMs,
    tokenRecheckMs: config.tokenRecheckMs,
    // Logs go to stderr: stdout carries only what a person or a script reads (link, QR, the listening line).
    logger: { level: config.logLevel, stream: process.stderr, redact: REDACTED_LOG_PATHS },
    trustProxy: config.trustProxy,
    quota: config.quota,
    storageHealth,
    limits: config.limits,
    authFailuresPerMinute: config.authFailuresPerMinute,
    publicUrl: config.publicUrl,
    runbookReview: config.runbookReview,

    incidents,
    reads,
    push: { publicKey: vapid.publicKey, endpointHosts: config.push.endpointHosts },
    statusPage: config.statusPage,

    mail: { settings: config.mail },
  })
  const notifier = new PushNotifier({
    store,
    projection: incidents,
    transport: new PushSender(vapid),
    log: app.log.child({ module: 'push' }),
  })
  const stopComms = () => {
    notifier.stop()
    incidents.stop()
  }
  // A token revoked here takes its phones' subscriptions with it at once (the CLI's, at the next housekeeping).
  tokens.events.on('revoked', () => void notifier.tidy())
  try {
    // Before listening: phones asking for the catalogue see the repository's runbooks from the first answer.
    // One server at a time (several start together on PostgreSQL): the others find it done, or being done.
    await runExclusive(store, 'seed-runbooks', async () => {
      const seeded = await seedRunbooks(store, config.runbooksDir)
      for (const warning of seeded.warnings) app.log.warn(`runbooks/${warning}`)
      if (seeded.proposed.length > 0)
        app.log.info(
          { runbooks: seeded.proposed },
          'repository changes to runbooks edited in the app are waiting as proposals',
        )
    })

    notifier.start()
    // The whole log once (no notices for history), then the first due timer.
    await incidents.start()
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    stopComms()
    storageHealth.stop()
    await store.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`

  const { origin, source } = serverLinkOrigin(config, port)
  // For the token CLI: its links then use this address without repeating PORT or PUBLIC_URL.
  // Not with PostgreSQL: nothing goes to DATA_DIR, and the nodes sit behind a proxy (PUBLIC_URL).
  if (!config.databaseUrl)
    writeServerAddress(config.dataDir, { origin, source, pid: process.pid, at: new Date().toISOString() })
  if (noToken && config.databaseUrl)
    out.write(
      'No access token exists in this database yet. Issue the first with the same DATABASE_URL and PUBLIC_URL: npm run token -- --name "<person>" --admin\n',
    )

  if (first) {
    const link = joinLink(origin, first.token)
    const made = `No access token existed, so one was made for "${FIRST_TOKEN_NAME}".`
    // A terminal is read by a person; anything else (a file, systemd, journald) may be kept for years.
    if ((out as Partial<NodeJS.WriteStream>).isTTY === true) {
      out.write(`${made} Open this link on a phone to join:\n${link}\n${await qrCode(link)}\n`)
    } else {
      try {
        const file = await writeFirstToken(config.dataDir, first.token, link)
        out.write(
          `${made} Output is not a terminal, so its join link is not printed: it is in ${file} (readable only by this user). Show it with: cat ${file}\n`,
        )
      } catch (e) {
        out.write(
          `${made} Output is not a terminal and ${join(config.dataDir, FIRST_TOKEN_FILE)} could not be written (${e instanceof Error ? e.message : String(e)}): revoke it with npm run token -- --revoke "${FIRST_TOKEN_NAME}" and issue another.\n`,
        )
      }
    }
  }
  out.write(`Command Post listening on ${url}\n`)

  let closing: Promise<void> | undefined
  return {
    app,
    url,
    close: () =>
      (closing ??= (async () => {
        stopComms()
        await app.close()
        await notifier.idle()
        await store.close()
      })()),
  }
}

/** Runs main() and shuts down cleanly on SIGTERM/SIGINT; a second signal exits at once. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let server: RunningServer | null = null
  let stopping = false
  const closeAndExit = (running: RunningServer) => {
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`)
        process.exit(1)
      },
    )
  }
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1)
    stopping = true
    process.stderr.write(`${signal}: closing streams and the database\n`)
    setTimeout(() => process.exit(1), 10_000).unref()
    // Still starting: it closes as soon as it is up (below).
    if (server) closeAndExit(server)
  }
  // Before starting: a signal sent the moment the listening line appears must find these
  // handlers, not Node's default (instant exit, no clean close of the database).
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  try {
    server = await main(env)
  } catch (err) {
    process.stderr.write(`Command Post could not start: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
  if (stopping) closeAndExit(server)
}

if (isEntry(import.meta.url)) void run()
