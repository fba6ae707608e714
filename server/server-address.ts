/**
 * Which address a join link should carry, for the server and the token CLI
 * alike. The server records the address it really serves at in
 * `DATA_DIR/server-address.json` when it starts listening; the CLI, given the
 * same DATA_DIR, uses it, so its links are right without repeating the
 * server's PORT or PUBLIC_URL. Not a secret: an origin, a source, a pid.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import { publicOrigin } from './auth/join-link'
import type { ServerConfig } from './config'

export const ADDRESS_FILE = 'server-address.json'

const ServerAddressSchema = v.object({
  /** The origin join links use, e.g. `http://10.0.0.5:8080` or the PUBLIC_URL. */
  origin: v.string(),
  /** What the origin came from, as said to people: `PUBLIC_URL` or `HOST and PORT`. */
  source: v.string(),
  pid: v.number(),
  /** When the server started listening (ISO 8601). */
  at: v.string(),
})

export type ServerAddress = v.InferOutput<typeof ServerAddressSchema>

/** The origin of join links and a sentence saying where it came from. */
export interface LinkOrigin {
  origin: string
  explanation: string
}

/** The address a server with `config` listening on `port` puts in its links. */
export function serverLinkOrigin(config: ServerConfig, port: number): { origin: string; source: string } {
  return {
    origin: publicOrigin(config.publicUrl, config.host, port),
    source: config.publicUrl ? 'PUBLIC_URL' : 'HOST and PORT',
  }
}

/** Records the running server's link address; a failure (full or read-only disk) only loses the hint. */
export function writeServerAddress(dataDir: string, address: ServerAddress): boolean {
  try {
    writeFileSync(join(dataDir, ADDRESS_FILE), `${JSON.stringify(address, null, 2)}\n`)
    return true
  } catch {
    return false
  }
}

/** The address the last server started on `dataDir` recorded, or null (none, or unreadable). */
export function readServerAddress(dataDir: string): ServerAddress | null {
  let text: string
  try {
    text = readFileSync(join(dataDir, ADDRESS_FILE), 'utf8')
  } catch {
    return null
  }
  try {
    const parsed = v.safeParse(ServerAddressSchema, JSON.parse(text))
    return parsed.success ? parsed.output : null
  } catch {
    return null
  }
}

/**
 * The origin the token CLI puts in a link, in this order: PUBLIC_URL of its
 * environment; HOST or PORT when set there; the address the server last
 * started on this DATA_DIR recorded (not with DATABASE_URL: servers on
 * PostgreSQL record none); the defaults (127.0.0.1:8080).
 */
export function cliLinkOrigin(config: ServerConfig, env: NodeJS.ProcessEnv): LinkOrigin {
  const change = 'set PUBLIC_URL to change it'
  if (config.publicUrl)
    return { origin: config.publicUrl, explanation: `Link uses ${config.publicUrl} from PUBLIC_URL.` }
  const own = publicOrigin(undefined, config.host, config.port)
  if (env.HOST || env.PORT) {
    const from = [env.HOST ? 'HOST' : '', env.PORT ? 'PORT' : ''].filter(Boolean).join(' and ')
    return { origin: own, explanation: `Link uses ${own} from ${from}; ${change}.` }
  }
  // Servers on PostgreSQL record nothing in DATA_DIR: several of them sit behind a proxy whose address is PUBLIC_URL.
  if (config.databaseUrl)
    return {
      origin: own,
      explanation: `Link uses ${own} from the default HOST and PORT; with DATABASE_URL set PUBLIC_URL to the address phones use (the proxy's).`,
    }
  const recorded = readServerAddress(config.dataDir)
  if (recorded)
    return {
      origin: recorded.origin,
      explanation: `Link uses ${recorded.origin}, from ${recorded.source} of the server last started with this DATA_DIR (${join(config.dataDir, ADDRESS_FILE)}); ${change}.`,
    }
  return {
    origin: own,
    explanation: `Link uses ${own} from the default HOST and PORT (no server has run with this DATA_DIR yet); ${change}.`,
  }
}
