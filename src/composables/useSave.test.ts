import { describe, expect, it, vi } from 'vitest'
import type { Validation } from '../domain/events'
import { useSave } from './useSave'

/** A save whose outcome the test decides, so `saving` can be seen mid-flight. */
function pending<T>() {
  let settle!: (v: Validation<T>) => void
  let fail!: (e: Error) => void
  const promise = new Promise<Validation<T>>((res, rej) => {
    settle = res
    fail = rej
  })
  return { save: () => promise, settle, fail }
}

describe('useSave', () => {
  it('is saving while the save runs, then hands the value to onSaved and resolves true', async () => {
    const { saving, error, run } = useSave()
    const p = pending<string>()
    const onSaved = vi.fn()
    const done = run(p.save, onSaved)
    expect(saving.value).toBe(true)
    expect(onSaved).not.toHaveBeenCalled()
    p.settle({ ok: true, value: 'inc-1' })
    await expect(done).resolves.toBe(true)
    expect(saving.value).toBe(false)
    expect(error.value).toBe('')
    expect(onSaved).toHaveBeenCalledWith('inc-1')
  })

  it('shows a rejected event’s reason as is and skips onSaved', async () => {
    const { saving, error, run } = useSave({ failure: 'Not posted', hint: 'Try again.' })
    const onSaved = vi.fn()
    await expect(run(async () => ({ ok: false, reason: 'body: too long' }), onSaved)).resolves.toBe(false)
    expect(error.value).toBe('body: too long')
    expect(onSaved).not.toHaveBeenCalled()
    expect(saving.value).toBe(false)
  })

  it('says "Not saved: <message>" when the save throws, with no hint by default', async () => {
    const { error, run } = useSave()
    await expect(
      run(async () => {
        throw new Error('QuotaExceededError')
      }),
    ).resolves.toBe(false)
    expect(error.value).toBe('Not saved: QuotaExceededError')
  })

  it('uses the failure words and hint it was given', async () => {
    const { error, saving, run } = useSave({ failure: 'Not posted', hint: 'Your text is still here; try again.' })
    const p = pending<void>()
    const done = run(p.save)
    p.fail(new Error('disk full'))
    await expect(done).resolves.toBe(false)
    expect(error.value).toBe('Not posted: disk full. Your text is still here; try again.')
    expect(saving.value).toBe(false)
  })

  it('reports a failing follow-up the same way, and clears the old error on the next run', async () => {
    const { error, run } = useSave()
    await run(
      async () => ({ ok: true, value: 1 }),
      async () => {
        throw new Error('navigation aborted')
      },
    )
    expect(error.value).toBe('Not saved: navigation aborted')
    const p = pending<number>()
    const done = run(p.save)
    expect(error.value).toBe('')
    p.settle({ ok: true, value: 2 })
    await expect(done).resolves.toBe(true)
  })

  it('puts field errors beside their fields, not in the form message, and clears them on the next run', async () => {
    const { error, fields, run } = useSave()
    const onSaved = vi.fn()
    const refused = run(
      async () => ({ ok: false, reason: 'Write the update first.', fields: { body: 'Write the update first.' } }),
      onSaved,
    )
    await expect(refused).resolves.toBe(false)
    expect(fields.value).toEqual({ body: 'Write the update first.' })
    expect(error.value).toBe('')
    expect(onSaved).not.toHaveBeenCalled()
    await run(async () => ({ ok: true, value: 1 }))
    expect(fields.value).toEqual({})
  })
})
