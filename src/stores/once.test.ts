import { describe, expect, it, vi } from 'vitest'
import { onceUntilFailure } from './once'

describe('onceUntilFailure', () => {
  it('runs the task once for every caller, at the same time or later', async () => {
    const task = vi.fn(async () => {})
    const run = onceUntilFailure(task)
    await Promise.all([run(), run(), run()])
    await run()
    expect(task).toHaveBeenCalledTimes(1)
  })

  it('hands the failure to every waiting caller, then runs again on the next call', async () => {
    let fail = true
    const task = vi.fn(async () => {
      if (fail) throw new Error('IndexedDB unavailable')
    })
    const run = onceUntilFailure(task)
    await expect(Promise.all([run(), run()])).rejects.toThrow('IndexedDB unavailable')
    expect(task).toHaveBeenCalledTimes(1)
    fail = false
    await run()
    await run()
    expect(task).toHaveBeenCalledTimes(2)
  })
})
