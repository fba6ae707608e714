import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../store/sqlite'
import type { Store } from '../store/types'
import { tempDir } from '../test-support'
import { seedRunbooks } from './seed'
import { RunbookService } from './service'

const A = '---\ntitle: Switch down\nupdated: 2026-03-01\n---\n\n# Switch down\n\n- [ ] Ping it\n'

describe('seedRunbooks', () => {
  let dir: ReturnType<typeof tempDir>
  let store: Store
  let clock = Date.parse('2026-12-01T05:00:00Z')
  const now = () => clock
  const write = (name: string, text: string) => {
    mkdirSync(join(dir.path, name, '..'), { recursive: true })
    writeFileSync(join(dir.path, name), text)
  }
  const editor = { id: 7, name: 'Tech in a closet', readOnly: false }

  beforeEach(() => {
    dir = tempDir('cp-seed-')
    store = openSqliteStore(':memory:')
  })
  afterEach(async () => {
    await store.close()
    dir.remove()
  })

  it('publishes new files as version 1 by "repository", with title and a review date a year after updated', async () => {
    write('switch-down.md', A)
    write('network/Core.md', '# Core outage\n')
    const report = await seedRunbooks(store, dir.path, now)
    expect(report.created.sort()).toEqual(['network/core', 'switch-down'])
    const head = await store.runbookHead('switch-down')
    expect(head).toMatchObject({ publishedVersion: 1, title: 'Switch down', reviewBy: '2027-03-01' })
    const [v1] = await store.runbookHistory('switch-down')
    expect(v1).toMatchObject({ author: 'repository', authorTokenId: null })
  })

  it('does nothing for an unchanged file, however often the server starts', async () => {
    write('switch-down.md', A)
    await seedRunbooks(store, dir.path, now)
    const again = await seedRunbooks(store, dir.path, now)
    expect(again).toEqual({ created: [], updated: [], proposed: [], warnings: [] })
    expect(await store.runbookHistory('switch-down')).toHaveLength(1)
  })

  it('publishes a repository change when nobody edited the runbook in the app', async () => {
    write('switch-down.md', A)
    await seedRunbooks(store, dir.path, now)
    write('switch-down.md', `${A}- [ ] Check the uplink\n`)
    clock += 60_000
    const report = await seedRunbooks(store, dir.path, now)
    expect(report.updated).toEqual(['switch-down'])
    expect((await store.runbookHead('switch-down'))?.publishedVersion).toBe(2)
  })

  it('makes a repository change a proposal beside an app edit, never an overwrite', async () => {
    write('switch-down.md', A)
    await seedRunbooks(store, dir.path, now)
    const service = new RunbookService(store, { now })
    const edit = await service.propose('switch-down', `${A}- [ ] Found in the closet\n`, 'closet fix', 1, editor)
    await service.publish('switch-down', edit.version, editor)

    write('switch-down.md', `${A}- [ ] Repository idea\n`)
    const report = await seedRunbooks(store, dir.path, now)
    expect(report.proposed).toEqual(['switch-down'])
    const head = await store.runbookHead('switch-down')
    expect(head?.publishedVersion).toBe(2) // the app's edit stays published
    const v3 = await store.runbookVersion('switch-down', 3)
    expect(v3).toMatchObject({ author: 'repository', publishedAt: null, baseVersion: 2 })
    expect(v3?.source).toContain('Repository idea')
    // Restarting with the same file does not pile up proposals.
    expect((await seedRunbooks(store, dir.path, now)).proposed).toEqual([])
  })

  it('skips files it cannot use, naming them', async () => {
    write('bin.md', 'a\u0000b')
    write('ok.md', '# Ok\n')
    const report = await seedRunbooks(store, dir.path, now)
    expect(report.created).toEqual(['ok'])
    expect(report.warnings).toEqual(['bin.md: skipped, it is not a text file'])
  })

  it('seeds the repository’s own runbooks/ without a warning', async () => {
    const report = await seedRunbooks(store, join(import.meta.dirname, '../../runbooks'), now)
    expect(report.warnings).toEqual([])
    expect(report.created).toContain('switch-down')
    const heads = await store.listRunbooks()
    expect(heads.every((h) => h.publishedVersion === 1 && h.title !== h.id)).toBe(true)
  })
})
