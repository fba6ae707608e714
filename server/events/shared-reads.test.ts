/** SharedReads: one read for the followers of the log, never one begun before a growth they were told of. */
import { afterEach, describe, expect, it } from 'vitest'
import type { IncidentEvent } from '../../src/domain/events'
import { makeEvent, makeIncident } from '../../tests/fixtures/events'
import { mailerOf } from '../app'
import { IncidentProjection } from '../incidents/projection'
import { DEFAULT_MAIL_SETTINGS } from '../mail/mailer'
import { openSqliteStore } from '../store/sqlite'
import type { EventPage, Store, StoreChange } from '../store/types'
import { TestApps } from '../test-support'
import { canonicalJson } from './canonical'
import { SharedReads, FOLLOW_PAGE, TAIL_KEEP, type LogReader } from './shared-reads'

/** A store whose reads stay under way until the test answers them. */
function slowStore() {
  const reads: { after: number; limit: number; answer(page: EventPage): void; fail(e: Error): void }[] = []
  const store: LogReader = {
    readEventsAfter: (after, limit) =>
      new Promise<EventPage>((answer, fail) => reads.push({ after, limit, answer, fail })),
  }
  return { store, reads }
}

const page = (more = false): EventPage => ({ events: [], more })

describe('SharedReads', () => {
  it('gives callers asking the same that read, under way or answered, until it is keepMs old', async () => {
    const { store, reads } = slowStore()
    let now = 0
    const shared = new SharedReads(store, { keepMs: 1_000, now: () => now })
    const a = shared.readEventsAfter(10, 500)
    const b = shared.readEventsAfter(10, 500)
    expect(b).toBe(a)
    expect(reads).toHaveLength(1)
    // Another cursor or page size is another read.
    void shared.readEventsAfter(11, 500)
    void shared.readEventsAfter(10, 100)
    expect(reads.map((r) => [r.after, r.limit])).toEqual([
      [10, 500],
      [11, 500],
      [10, 100],
    ])
    const answer = page(true)
    now = 5_000
    reads[0]!.answer(answer)
    expect(await a).toBe(answer)
    now = 5_999
    expect(shared.readEventsAfter(10, 500)).toBe(a)
    expect(reads).toHaveLength(3)
    // A poll for what other nodes stored (no notice of it) reaches the store again.
    now = 6_000
    expect(shared.readEventsAfter(10, 500)).not.toBe(a)
    expect(reads).toHaveLength(4)
  })

  it('shares no read begun before the log grew with a caller after it', async () => {
    const { store, reads } = slowStore()
    const shared = new SharedReads(store)
    const before = shared.readEventsAfter(10, 500)
    shared.grew()
    const after = shared.readEventsAfter(10, 500)
    expect(after).not.toBe(before)
    expect(reads).toHaveLength(2)
    // The older read, answered last, does not drop the newer one.
    reads[1]!.answer(page())
    reads[0]!.answer(page())
    await Promise.all([before, after])
    expect(shared.readEventsAfter(10, 500)).toBe(after)
    shared.grew()
    expect(shared.readEventsAfter(10, 500)).not.toBe(after)
  })

  it('knows the pages within the growths this node stored without a read, and reads what lies past them', async () => {
    const { store, reads } = slowStore()
    const shared = new SharedReads(store, { now: () => 0 })
    const at = (...seqs: number[]) => seqs.map((seq) => ({ ...makeEvent('log.entry'), seq }))
    const first = at(5, 6, 7)
    shared.grew(7, first)
    expect(await shared.readEventsAfter(4, FOLLOW_PAGE)).toEqual({ events: first, more: false })
    // Any cursor and size within the tail: a follower asking for less, or from further on.
    expect(await shared.readEventsAfter(5, FOLLOW_PAGE)).toEqual({ events: first.slice(1), more: false })
    expect(await shared.readEventsAfter(4, 2)).toEqual({ events: first.slice(0, 2), more: true })
    expect(await shared.readEventsAfter(7, FOLLOW_PAGE)).toEqual({ events: [], more: false })
    // A follower still busy with the first push when the second landed reads both from the tail.
    const second = at(8, 9)
    shared.grew(9, second)
    expect(await shared.readEventsAfter(4, FOLLOW_PAGE)).toEqual({ events: [...first, ...second], more: false })
    expect(reads).toHaveLength(0)
    // Before the tail, and past it once another node's growth is told (without events), the store is read.
    void shared.readEventsAfter(3, FOLLOW_PAGE)
    shared.grew(12)
    void shared.readEventsAfter(4, FOLLOW_PAGE)
    // A full page within the tail is still whole: only more is known to follow.
    expect(await shared.readEventsAfter(4, 2)).toEqual({ events: first.slice(0, 2), more: true })
    expect(await shared.readEventsAfter(7, 2)).toEqual({ events: second, more: true })
    expect(reads.map((r) => [r.after, r.limit])).toEqual([
      [3, FOLLOW_PAGE],
      [4, FOLLOW_PAGE],
    ])
    // A push after the gap starts the tail again; the one that filled the gap, told late, is not the newest.
    const later = at(13, 14)
    shared.grew(14, later)
    expect(await shared.readEventsAfter(12, FOLLOW_PAGE)).toEqual({ events: later, more: false })
    void shared.readEventsAfter(9, FOLLOW_PAGE)
    expect(reads).toHaveLength(3)
    shared.grew(12, at(10, 11, 12))
    void shared.readEventsAfter(9, FOLLOW_PAGE)
    expect(reads).toHaveLength(4)
    // Events that are not the run of seqs just below lastSeq would make followers skip: not used, the page is read.
    shared.grew(20, later)
    void shared.readEventsAfter(12, FOLLOW_PAGE)
    expect(reads.map((r) => r.after)).toEqual([3, 4, 9, 9, 12])
  })

  it('keeps the newest TAIL_KEEP events of its own pushes', async () => {
    const { store, reads } = slowStore()
    const shared = new SharedReads(store, { now: () => 0 })
    let seq = 0
    const push = (n: number) => {
      const stored = Array.from({ length: n }, () => ({ ...makeEvent('log.entry'), seq: ++seq }))
      shared.grew(seq, stored)
      return stored
    }
    push(TAIL_KEEP)
    const newest = push(3)
    expect(await shared.readEventsAfter(seq - 3, FOLLOW_PAGE)).toEqual({ events: newest, more: false })
    expect((await shared.readEventsAfter(3, FOLLOW_PAGE)).events[0]!.seq).toBe(4)
    void shared.readEventsAfter(2, FOLLOW_PAGE)
    expect(reads.map((r) => r.after)).toEqual([2])
  })

  it('passes a failed read to everyone who shared it, and shares it with nobody after', async () => {
    const { store, reads } = slowStore()
    const shared = new SharedReads(store)
    const a = shared.readEventsAfter(0, 500)
    const b = shared.readEventsAfter(0, 500)
    reads[0]!.fail(new Error('connection lost'))
    await expect(a).rejects.toThrow('connection lost')
    await expect(b).rejects.toThrow('connection lost')
    void shared.readEventsAfter(0, 500)
    expect(reads).toHaveLength(2)
  })
})

describe('a node’s followers of the log', () => {
  const apps = new TestApps({ heartbeatMs: 60_000 })
  afterEach(() => apps.closeAll())

  it('read nothing back for a push this node stored, and another node’s once: the projection, the mailer and every stream together', async () => {
    const inner = openSqliteStore(':memory:')
    let logReads = 0
    const store = Object.create(inner) as Store
    store.readEventsAfter = (after, limit) => {
      logReads++
      return inner.readEventsAfter(after, limit)
    }
    // Another node on the same database: it appends, and this node learns of it as from PostgreSQL's NOTIFY.
    let told: ((change: StoreChange) => void) | null = null
    store.watch = (listener) => {
      told = listener
      return () => (told = null)
    }
    // A clock that stands still: how long an answered read is shared is not what this test is about.
    const reads = new SharedReads(store, { now: () => 0 })
    const incidents = new IncidentProjection({ store, log: reads, pollMs: 0 })
    const t = await apps.live({
      store,
      incidents,
      reads,
      mail: { settings: { ...DEFAULT_MAIL_SETTINGS }, autoStart: false },
    })
    const incident = makeIncident(2)
    await incidents.start()
    const streams = [(await apps.stream(t)).sse, (await apps.stream(t)).sse]
    const mailer = mailerOf(t.app)!

    /** Waits until every follower has `events` (the log then ends at seq `last`). */
    const followed = async (events: IncidentEvent[], last: number) => {
      for (const sse of streams)
        for (const e of events) {
          const data = (await sse.next()).data!
          const sent = JSON.parse(data) as IncidentEvent & { seq: number }
          expect(sent.id).toBe(e.id)
          // What a read of the store would hand out, to the byte (key order too): content, seq and sender.
          expect(data).toBe(JSON.stringify((await inner.readEventsAfter(sent.seq - 1, 1)).events[0]))
        }
      while (incidents.summariesAfter(0, 10).last < last) await new Promise((r) => setImmediate(r))
      // The mailer wakes with the projection (events/follow-ups.ts: the same delay, asked for after it), then reads.
      await new Promise((r) => setImmediate(r))
      await mailer.idle()
    }
    const push = async (events: IncidentEvent[]) => {
      const res = await fetch(`${t.url}/api/events`, {
        method: 'POST',
        headers: { ...t.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      })
      expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(events.length)
    }
    await push(incident)
    await followed(incident, 2)
    const id = incident[0]!.incidentId
    const own = [
      makeEvent('log.entry', { text: 'one' }, { incidentId: id }),
      makeEvent('log.entry', { text: 'two' }, { incidentId: id }),
    ]
    let before = logReads
    await push(own)
    await followed(own, 4)
    expect(incidents.summariesAfter(0, 10).last).toBe(4)
    expect(logReads - before).toBe(0)

    const elsewhere = [makeEvent('log.entry', { text: 'three' }, { incidentId: id })]
    before = logReads
    const { lastSeq } = await inner.appendEvents(
      elsewhere.map((e) => ({ id: e.id, incidentId: e.incidentId, type: e.type, hlc: e.hlc, body: canonicalJson(e) })),
    )
    told!({ kind: 'grew', lastSeq })
    await followed(elsewhere, 5)
    expect(logReads - before).toBe(1)
  })
})
