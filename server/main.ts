/**
 * The server process: settings from the environment, the SQLite store, one
 * port for the app and /api. `tsx server/main.ts` runs it alone.
 */
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app'
import { joinLink, publicOrigin, qrCode } from './auth/join-link'
import { TokenService } from './auth/tokens'
import { loadConfig } from './config'
import { isEntry } from './is-entry'
import { openSqliteStore } from './store/sqlite'
import { packageVersion } from './version'

export const FIRST_TOKEN_NAME = 'first responder'

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
  const store = openSqliteStore(config.dataDir)
  const tokens = new TokenService(store)
  // Issued before listening so there is no moment with a server nobody can use.
  const first = (await tokens.noneIssued()) ? await tokens.issue(FIRST_TOKEN_NAME) : null

  const app = await buildApp({
    store,
    tokens,
    version: packageVersion(),
    distDir: config.distDir,
    rateLimit: config.rateLimit,
    heartbeatMs: config.heartbeatMs,
    tokenRecheckMs: config.tokenRecheckMs,
    // Logs go to stderr: stdout carries only what a person or a script reads (link, QR, the listening line).
    logger: { level: config.logLevel, stream: process.stderr },
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
  })
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await store.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`

  if (first) {
    const link = joinLink(publicOrigin(config.publicUrl, config.host, port), first.token)
    out.write(
      `No access token existed, so one was made for "${FIRST_TOKEN_NAME}". Open this link on a phone to join:\n${link}\n${await qrCode(link)}\n`,
    )
  }
  out.write(`Command Post listening on ${url}\n`)

  let closing: Promise<void> | undefined
  return {
    app,
    url,
    close: () => (closing ??= app.close().then(() => store.close())),
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
