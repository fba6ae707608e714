/**
 * Which store a server or command opens: PostgreSQL when DATABASE_URL is set
 * (several servers share it), else the SQLite file in DATA_DIR, as always.
 */
import type { ServerConfig } from '../config'
import { openSqliteStore } from './sqlite'
import type { Store } from './types'

/** What openStore needs of the settings. */
export type StoreConfig = Pick<ServerConfig, 'dataDir' | 'databaseUrl' | 'databasePoolSize'>

/**
 * The store of `config`, migrated and ready. With DATABASE_URL it rejects when
 * PostgreSQL cannot be reached (the server does not start without it), and
 * nothing is written to DATA_DIR.
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) {
    // Loaded only when used: a SQLite server or command never loads the PostgreSQL driver.
    const { openPostgresStore } = await import('./postgres')
    return openPostgresStore(config.databaseUrl, { poolSize: config.databasePoolSize })
  }
  return openSqliteStore(config.dataDir)
}

/** The engine `config` selects, as said to people. */
export function storeName(config: Pick<ServerConfig, 'databaseUrl'>): string {
  if (!config.databaseUrl) return 'SQLite'
  const u = new URL(config.databaseUrl)
  // Never the password.
  return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`
}
