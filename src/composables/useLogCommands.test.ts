import { afterEach, describe, expect, it } from 'vitest'
import { commandWorld } from '../../tests/fixtures/command-world'
import { LIMITS } from '../domain/events'
import { useIncidentsStore } from '../stores/incidents'
import { useLogCommands } from './useLogCommands'

afterEach(() => useIncidentsStore().stop())

async function withEntry() {
  const w = await commandWorld()
  const log = useLogCommands()
  const made = await log.logEntry(w.id, { text: '  Rebooted core-sw-1 ', kind: 'action' })
  if (!made.ok) throw new Error(made.reason)
  return { ...w, log, entry: () => w.incident().entries.get(made.value.id)! }
}

describe('log commands', () => {
  it('logEntry stores the trimmed text with its kind', async () => {
    const w = await withEntry()
    expect(w.entry()).toMatchObject({ text: 'Rebooted core-sw-1', kind: 'action' })
  })

  it('logEntry refuses empty and over-long text under the field text', async () => {
    const w = await commandWorld()
    const log = useLogCommands()
    const empty = await log.logEntry(w.id, { text: '   ', kind: 'note' })
    const long = await log.logEntry(w.id, { text: 'y'.repeat(LIMITS.logText + 1), kind: 'note' })
    expect(!empty.ok && empty.fields).toEqual({ text: 'Type what you did or saw first.' })
    expect(!long.ok && long.fields?.text).toBe(
      `A log entry can be at most ${LIMITS.logText} characters (this one is ${LIMITS.logText + 1}). Split it in two.`,
    )
    expect(w.incident().entries.size).toBe(0)
  })

  it('amendEntry corrects the text with a reason, keeping the original', async () => {
    const w = await withEntry()
    const fixed = await w.log.amendEntry(w.id, w.entry(), { text: ' Rebooted core-sw-2 ', reason: ' typo ' })
    expect(fixed.ok).toBe(true)
    expect(w.entry()).toMatchObject({ text: 'Rebooted core-sw-2', originalText: 'Rebooted core-sw-1' })
    expect(w.entry().history.at(-1)).toMatchObject({ text: 'Rebooted core-sw-2', reason: 'typo' })
  })

  it('amendEntry refuses an empty, over-long or unchanged correction under the field text', async () => {
    const w = await withEntry()
    const answers = await Promise.all(
      [' ', 'z'.repeat(LIMITS.logText + 1), ' Rebooted core-sw-1'].map((text) =>
        w.log.amendEntry(w.id, w.entry(), { text }),
      ),
    )
    expect(answers.map((a) => (a.ok ? 'ok' : a.fields?.text))).toEqual([
      'Type the corrected text, or strike the entry instead.',
      `At most ${LIMITS.logText} characters.`,
      'The text is unchanged.',
    ])
    expect(w.entry().history).toEqual([])
  })

  it('pinEntry and strikeEntry pin, strike and restore an entry', async () => {
    const w = await withEntry()
    expect((await w.log.pinEntry(w.id, w.entry().id, true)).ok).toBe(true)
    expect(w.entry().pinned).toBe(true)
    expect((await w.log.strikeEntry(w.id, w.entry().id, true, ' wrong switch ')).ok).toBe(true)
    expect(w.entry()).toMatchObject({ struck: true, pinned: true })
    expect(w.entry().history.at(-1)?.reason).toBe('wrong switch')
    expect((await w.log.strikeEntry(w.id, w.entry().id, false)).ok).toBe(true)
    expect(w.entry().struck).toBe(false)
    expect(w.entry().history.at(-1)?.reason).toBeUndefined()
  })
})
