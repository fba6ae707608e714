import { describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import type { EventPage, EventStore, SequencedEvent } from '../store/types'
import { SharedPages } from './pages'

function fakeStore(events: SequencedEvent[]) {
  const reads: number[] = []
  const store: EventStore = {
    async appendEvents() {
      throw new Error('not used')
    },
    async readEventsAfter(after: number, limit: number): Promise<EventPage> {
      reads.push(after)
      const rest = events.filter((e) => e.seq > after)
      return { events: rest.slice(0, limit), more: rest.length > limit }
    },
    async lastSeq() {
      return events.at(-1)?.seq ?? 0
    },
    async declarationOf() {
      throw new Error('not used')
    },
    async eventIdAt() {
      throw new Error('not used')
    },
    async serverId() {
      return 'test-server'
    },
  }
  return { store, reads }
}

const sequenced = (n: number) => makeEvents(n).map((e, i) => ({ ...e, seq: i + 1 }))

describe('SharedPages', () => {
  it('reads and serialises a page once for every stream at the same cursor', async () => {
    const { store, reads } = fakeStore(sequenced(3))
    const pages = new SharedPages(store, 2)
    const [a, b] = await Promise.all([pages.read(0), pages.read(0)])
    expect(reads).toEqual([0])
    expect(a).toBe(b)
    expect(a.lastSeq).toBe(2)
    expect(a.more).toBe(true)
    const messages = a.chunk.split('\n\n').filter(Boolean)
    expect(messages).toHaveLength(2)
    expect(messages[0]).toMatch(/^id: 1\ndata: /)
    expect(JSON.parse(messages[1]!.split('data: ')[1]!).seq).toBe(2)
  })

  it('forgets pages when the log grows, so a short page is read again', async () => {
    const events = sequenced(3)
    const { store, reads } = fakeStore(events.slice(0, 1))
    const pages = new SharedPages(store, 10)
    expect((await pages.read(0)).lastSeq).toBe(1)
    const grown = fakeStore(events)
    Object.assign(store, { readEventsAfter: grown.store.readEventsAfter })
    expect((await pages.read(0)).lastSeq).toBe(1)
    pages.grew()
    expect((await pages.read(0)).lastSeq).toBe(3)
    expect(reads).toEqual([0])
    expect(grown.reads).toEqual([0])
  })

  it('answers an empty page with no last seq', async () => {
    const { store } = fakeStore([])
    const page = await new SharedPages(store, 10).read(0)
    expect(page).toEqual({ chunk: '', lastSeq: undefined, more: false })
  })

  it('keeps a bounded number of pages', async () => {
    const { store, reads } = fakeStore(sequenced(5))
    const pages = new SharedPages(store, 1, 2)
    for (const after of [0, 1, 2, 0]) await pages.read(after)
    expect(reads).toEqual([0, 1, 2, 0])
  })
})
