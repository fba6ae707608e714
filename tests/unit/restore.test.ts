/**
 * A server restored from a backup, end to end: the real server (SQLite on
 * disk, default rate limits) and two phones running the real sync engine on
 * fake-indexeddb, over HTTP. 10,000 events accepted after the backup are lost
 * by the restore and must come back from the phones, under the default limits.
 */
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeEvents } from '../fixtures/events'
import { joinedPhone } from '../fixtures/sync-phone'
import { CommandPostDatabase } from '../../src/db/database'
import { appendLocalEvents, pendingCount } from '../../src/db/events'
import type { SyncEngine } from '../../src/sync/engine'
import { buildApp } from '../../server/app'
import { TokenService } from '../../server/auth/tokens'
import { backupDatabase, restoreDatabase } from '../../server/db-cli'
import { DATABASE_FILE, openSqliteStore } from '../../server/store/sqlite'
import type { Store } from '../../server/store/types'
import { tempDir } from '../../server/test-support'

// Waits are on state (engine.idle()); this bounds a hang on a busy machine only.
const TIMEOUT = 600_000
const ORIGIN = 'http://cp.test'

const dirs: { remove(): void }[] = []
afterAll(() => dirs.forEach((d) => d.remove()))

/** The server process, restartable on the same data directory; phones reach whichever one runs. */
class Server {
  url = ''
  requests = { push: 0, pull: 0, rateLimited: 0 }
  private store: Store | null = null
  private app: Awaited<ReturnType<typeof buildApp>> | null = null
  constructor(readonly dataDir: string) {}

  async start(): Promise<void> {
    this.store = openSqliteStore(this.dataDir)
    // Default rate limits: nothing here relaxes them for the recovery.
    this.app = await buildApp({ store: this.store, tokens: new TokenService(this.store), version: 'test' })
    this.app.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode === 429) this.requests.rateLimited++
      else if (request.method === 'POST') this.requests.push++
      else if (request.url.startsWith('/api/events?')) this.requests.pull++
    })
    this.url = await this.app.listen({ port: 0, host: '127.0.0.1' })
  }

  async stop(): Promise<void> {
    await this.app?.close()
    await this.store?.close()
  }

  async issue(name: string): Promise<string> {
    return (await new TokenService(this.store!).issue(name)).token
  }

  lastSeq(): Promise<number> {
    return this.store!.lastSeq()
  }

  readonly fetch = (input: string, init?: RequestInit) => fetch(input.replace(ORIGIN, this.url), init)
}

const engines: SyncEngine[] = []
afterAll(() => engines.forEach((e) => e.stop()))

async function phone(server: Server, token: string) {
  const { db, engine } = await joinedPhone({ name: 'restore', fetch: server.fetch, serverUrl: ORIGIN, token, engines })
  const sync = async () => {
    const status = await engine.syncNow()
    await engine.idle()
    return status
  }
  return { db, engine, sync }
}

const sortedIds = async (db: CommandPostDatabase) => (await db.events.toCollection().primaryKeys()).sort()

describe('restoring the server from a backup', { timeout: TIMEOUT }, () => {
  for (const way of ['npm run db:restore', 'the file copied back by hand'] as const) {
    it(`recovers 10,000 lost events from the phones under the default limits (${way})`, async () => {
      const data = tempDir('cp-restore-')
      const backups = tempDir('cp-restore-backup-')
      dirs.push(data, backups)
      const server = new Server(data.path)
      await server.start()
      const a = await phone(server, await server.issue('A'))
      const b = await phone(server, await server.issue('B'))

      await appendLocalEvents(a.db, makeEvents(200, 5))
      await a.sync()
      const backup = join(backups.path, 'cp.sqlite')
      await backupDatabase(data.path, backup)
      // After the backup: 10,000 more, from both phones; both hold everything.
      await appendLocalEvents(a.db, makeEvents(6000, 10))
      await appendLocalEvents(b.db, makeEvents(4000, 10))
      await a.sync()
      await b.sync()
      await a.sync()
      expect(await server.lastSeq()).toBe(10_200)
      expect(await a.db.events.count()).toBe(10_200)
      expect(await b.db.events.count()).toBe(10_200)

      await server.stop()
      if (way === 'npm run db:restore') restoreDatabase(data.path, backup)
      else {
        const live = join(data.path, DATABASE_FILE)
        for (const suffix of ['-wal', '-shm']) rmSync(live + suffix, { force: true })
        copyFileSync(backup, live)
      }
      await server.start()
      expect(await server.lastSeq()).toBe(200)
      server.requests = { push: 0, pull: 0, rateLimited: 0 }

      const started = performance.now()
      expect((await a.sync()).kind).toBe('synced')
      expect((await b.sync()).kind).toBe('synced')
      expect((await a.sync()).kind).toBe('synced')
      const ms = Math.round(performance.now() - started)
      console.info(`recovery (${way}): ${ms} ms, ${JSON.stringify(server.requests)}`)

      expect(server.requests.rateLimited).toBe(0)
      expect(await server.lastSeq()).toBeGreaterThanOrEqual(10_200)
      expect(await pendingCount(a.db)).toBe(0)
      expect(await pendingCount(b.db)).toBe(0)
      const [idsA, idsB] = [await sortedIds(a.db), await sortedIds(b.db)]
      expect(idsA).toHaveLength(10_200)
      expect(idsB).toEqual(idsA)
      const c = await phone(server, await server.issue('C'))
      expect(await sortedIds(c.db)).toEqual(idsA)
      await server.stop()
    })
  }
})
