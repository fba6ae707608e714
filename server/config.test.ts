import { utimesSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { joinLink, publicOrigin } from './auth/join-link'
import { buildIsStale } from './build-check'
import { loadConfig } from './config'
import { tempDir } from './test-support'

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, '/srv/cp')
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/cp/data',
      distDir: '/srv/cp/dist',
      publicUrl: undefined,
      rateLimit: { perMinute: 600, burst: 600 },
      heartbeatMs: 15_000,
      quota: { tokenEvents: 50_000, tokenBytes: 50 * 1024 * 1024, serverEvents: 2_000_000, serverBytes: 2 * 1024 ** 3 },
      storageProbeMs: 10_000,
    })
  })

  it('reads the quotas (MiB for bytes, 0 for no limit) and refuses a bad one naming it', () => {
    const c = loadConfig({ QUOTA_TOKEN_EVENTS_PER_DAY: '0', QUOTA_TOKEN_MIB_PER_DAY: '1', STORAGE_PROBE_MS: '500' })
    expect(c.quota).toMatchObject({ tokenEvents: 0, tokenBytes: 1024 * 1024 })
    expect(c.storageProbeMs).toBe(500)
    expect(() => loadConfig({ QUOTA_SERVER_MIB_PER_DAY: '-1' })).toThrow(/QUOTA_SERVER_MIB_PER_DAY/)
    expect(() => loadConfig({ STORAGE_PROBE_MS: '5' })).toThrow(/STORAGE_PROBE_MS/)
  })

  it('reads the runbook settings: folder to seed from, and whether review is required', () => {
    expect(loadConfig({}, '/srv/cp')).toMatchObject({ runbooksDir: '/srv/cp/runbooks', runbookReview: 'self' })
    expect(loadConfig({ RUNBOOK_REVIEW: 'required', RUNBOOKS_DIR: 'docs/rb' }, '/srv/cp')).toMatchObject({
      runbooksDir: '/srv/cp/docs/rb',
      runbookReview: 'required',
    })
    expect(() => loadConfig({ RUNBOOK_REVIEW: 'yes' })).toThrow(/RUNBOOK_REVIEW must be "required" or "self"/)
  })

  it('reads the environment and refuses nonsense', () => {
    const c = loadConfig(
      {
        PORT: '0',
        HOST: '0.0.0.0',
        DATA_DIR: '/var/lib/cp',
        PUBLIC_URL: 'https://cp.example/',
        RATE_LIMIT_PER_MINUTE: '120',
        RATE_LIMIT_BURST: '10',
      },
      '/x',
    )
    expect(c).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/var/lib/cp',
      publicUrl: 'https://cp.example',
      rateLimit: { perMinute: 120, burst: 10 },
    })
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/)
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/)
  })
})

describe('join links', () => {
  it('use PUBLIC_URL, else host and port', () => {
    expect(joinLink(publicOrigin('https://cp.example/', '127.0.0.1', 8080), 'T')).toBe(
      'https://cp.example/#/join?token=T',
    )
    expect(publicOrigin(undefined, '127.0.0.1', 8080)).toBe('http://127.0.0.1:8080')
    expect(publicOrigin(undefined, '::1', 8080)).toBe('http://[::1]:8080')
    expect(publicOrigin(undefined, '0.0.0.0', 8080)).toMatch(/^http:\/\/[^/]+:8080$/)
  })
})

describe('npm start build check', () => {
  const root = tempDir('cp-build-')
  afterAll(() => root.remove())

  it('builds when dist is missing or older than any source', () => {
    const dist = join(root.path, 'dist')
    mkdirSync(join(root.path, 'src', 'views'), { recursive: true })
    writeFileSync(join(root.path, 'src', 'views', 'A.vue'), '<template/>')
    writeFileSync(join(root.path, 'index.html'), '')
    expect(buildIsStale(root.path, dist)).toBe(true)

    mkdirSync(dist)
    writeFileSync(join(dist, 'index.html'), '')
    const past = new Date(Date.now() - 60_000)
    for (const p of ['src/views/A.vue', 'src/views', 'src', 'index.html']) utimesSync(join(root.path, p), past, past)
    expect(buildIsStale(root.path, dist)).toBe(false)

    const future = new Date(Date.now() + 60_000)
    utimesSync(join(root.path, 'src', 'views', 'A.vue'), future, future)
    expect(buildIsStale(root.path, dist)).toBe(true)
  })
})

describe('DATABASE_URL', () => {
  it('selects PostgreSQL for a postgres:// URL, SQLite when unset or empty, and refuses anything else', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined()
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined()
    const url = 'postgres://cp:secret@db:5432/cp'
    expect(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '4' })).toMatchObject({
      databaseUrl: url,
      databasePoolSize: 4,
    })
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/cp' }).databaseUrl).toBe('postgresql://db/cp')
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/cp' })).toThrow(/must be a PostgreSQL URL/)
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/)
  })
})
