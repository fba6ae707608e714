import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { makeIncident } from '../tests/fixtures/events'
import { backupDatabase, dbCli, DbCliError, restoreDatabase } from './db-cli'
import { ingest } from './events/ingest'
import { DATABASE_FILE, openSqliteStore } from './store/sqlite'
import type { Store } from './store/types'
import { tempDir } from './test-support'

const dirs: { path: string; remove(): void }[] = []
const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  for (const d of dirs.splice(0)) d.remove()
})

function dir() {
  const d = tempDir('cp-db-cli-')
  dirs.push(d)
  return d.path
}

function open(dataDir: string): Store {
  const store = openSqliteStore(dataDir)
  stores.push(store)
  return store
}

function capture() {
  let text = ''
  const stream = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream
  return { stream, text: () => text }
}

describe('npm run db:backup', () => {
  it('copies the database while the server holds it and writes, -wal included', async () => {
    const data = dir()
    const store = open(data)
    await ingest(store, makeIncident(5))
    const file = join(dir(), 'nested', 'cp.sqlite')
    const result = await backupDatabase(data, file)
    expect(result).toEqual({ file, events: 5 })
    // One self-contained file to copy off the machine: no -wal or -shm beside it, now or once it is read.
    const copy = new Database(file, { readonly: true })
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete')
    copy.close()
    expect([existsSync(`${file}-wal`), existsSync(`${file}-shm`)]).toEqual([false, false])
    await expect(backupDatabase(data, file)).rejects.toThrow(/exists already/)
  })
})

describe('npm run db:restore', () => {
  it('refuses while the server holds the database, and changes nothing', async () => {
    const data = dir()
    const store = open(data)
    await ingest(store, makeIncident(3))
    const backup = join(dir(), 'b.sqlite')
    await backupDatabase(data, backup)
    await ingest(store, makeIncident(2))
    const id = await store.serverId()

    expect(() => restoreDatabase(data, backup)).toThrow(DbCliError)
    expect(() => restoreDatabase(data, backup)).toThrow(/stop the server first/)
    expect(await store.lastSeq()).toBe(5)
    expect(await store.serverId()).toBe(id)
  })

  it('puts the backup in place with a new serverId, keeps the replaced database, and leaves no -wal behind', async () => {
    const data = dir()
    const store = open(data)
    await ingest(store, makeIncident(3))
    const backup = join(dir(), 'b.sqlite')
    await backupDatabase(data, backup)
    await ingest(store, makeIncident(4))
    const before = await store.serverId()
    await stores.pop()!.close()

    const result = restoreDatabase(data, backup, new Date('2025-01-02T03:04:05Z'))
    expect(result).toMatchObject({ events: 3, lastSeq: 3 })
    expect(result.serverId).not.toBe(before)
    expect(result.previous).toBe(join(data, `${DATABASE_FILE}.before-restore-2025-01-02T03-04-05-000Z`))
    expect(existsSync(join(data, `${DATABASE_FILE}-wal`))).toBe(false)

    const restored = open(data)
    expect(await restored.serverId()).toBe(result.serverId)
    expect(await restored.lastSeq()).toBe(3)
    // The replaced history is still there, whole, for whoever needs it.
    const old = new Database(result.previous!, { readonly: true })
    expect((old.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n).toBe(7)
    old.close()
  })

  it('refuses a file that is not a Command Post database, naming it', async () => {
    const data = dir()
    const bogus = join(dir(), 'notes.txt')
    writeFileSync(bogus, 'not a database at all, just some text that is long enough to be a header'.repeat(10))
    expect(() => restoreDatabase(data, bogus)).toThrow(/notes\.txt is not a Command Post database/)
    expect(() => restoreDatabase(data, join(data, 'missing.sqlite'))).toThrow(/does not exist/)
    expect(existsSync(join(data, DATABASE_FILE))).toBe(false)
  })

  it('runs from the command line with the data directory from the environment', async () => {
    const data = dir()
    const store = open(data)
    await ingest(store, makeIncident(2))
    const backup = join(dir(), 'b.sqlite')
    const out = capture()
    const err = capture()
    expect(await dbCli('backup', [backup], { DATA_DIR: data }, out.stream, err.stream)).toBe(0)
    expect(out.text()).toMatch(/backed up 2 events/)
    expect(await dbCli('restore', [backup], { DATA_DIR: data }, out.stream, err.stream)).toBe(1)
    expect(err.text()).toMatch(/stop the server first/)
    await stores.pop()!.close()
    expect(await dbCli('restore', [backup], { DATA_DIR: data }, out.stream, err.stream)).toBe(0)
    expect(out.text()).toMatch(/restored 2 events \(last seq 2\)/)
    expect(await dbCli('restore', [], { DATA_DIR: data }, out.stream, err.stream)).toBe(2)
  })
})

describe('with DATABASE_URL', () => {
  it('refuses to back up or restore the SQLite file and points to pg_dump', async () => {
    const err = capture()
    const env = { DATABASE_URL: 'postgres://cp@db/cp', DATA_DIR: dir() }
    expect(await dbCli('backup', ['x.sqlite'], env, capture().stream, err.stream)).toBe(1)
    expect(err.text()).toMatch(/pg_dump/)
  })
})
