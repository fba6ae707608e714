import { describe, expect, it } from 'vitest'
import { runExclusive } from './exclusive'
import { openSqliteStore } from './sqlite'

describe('runExclusive on SQLite (one process serves the file)', () => {
  it('runs the job, but not twice at once in this process', async () => {
    const store = openSqliteStore(':memory:')
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const first = runExclusive(store, 'reminders', () => held)
    expect(await runExclusive(store, 'reminders', async () => {})).toBe(false)
    expect(await runExclusive(store, 'email', async () => {})).toBe(true)
    release()
    expect(await first).toBe(true)
    expect(await runExclusive(store, 'reminders', async () => {})).toBe(true)
    await store.close()
  })
})
