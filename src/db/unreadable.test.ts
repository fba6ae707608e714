import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { makeEvent, makeIncident } from '../../tests/fixtures/events'
import { describeIssue, EventSchema, validateEvent, type IncidentEvent, type Validation } from '../domain/events'
import { storeServerEvents } from '../sync/pull'
import { CommandPostDatabase } from './database'
import { eventsOfIncident } from './events'
import { readSetting } from './settings'
import { revalidateUnreadable, unreadableCount, unreadableEvents } from './unreadable'

let n = 0
const fresh = () => new CommandPostDatabase(`unreadable-${Date.now()}-${n++}`)

/**
 * The validator of an app version from before `task.reopened` existed: the
 * same schemas, without that variant. What it cannot read is what a newer
 * server sends an older phone.
 */
const OlderEventSchema = v.variant(
  'type',
  EventSchema.options.filter((o) => o.entries.type.literal !== 'task.reopened'),
)
function olderValidator(input: unknown): Validation<IncidentEvent> {
  const result = v.safeParse(OlderEventSchema, input)
  return result.success
    ? { ok: true, value: result.output as IncidentEvent }
    : { ok: false, reason: describeIssue(result.issues[0]) }
}

/** A page as the server sends it: events with their seq. */
function page(events: readonly IncidentEvent[], from = 1) {
  return events.map((e, i) => ({ ...e, seq: from + i }))
}

describe('events this version cannot read', () => {
  const [declared, added] = makeIncident(2)
  const incidentId = declared!.incidentId
  const reopened = makeEvent('task.reopened', {}, { incidentId })
  const later = makeEvent('log.entry', {}, { incidentId })
  const newer = page([declared!, added!, reopened, later])

  it('are kept as they came with the reason, while the cursor moves past them; the next version reads them', async () => {
    const db = fresh()
    expect(olderValidator(newer[2]).ok).toBe(false)

    // The older app stores the page: three events it reads, one it keeps unread.
    const stored = await storeServerEvents(db, newer, 4, { validate: olderValidator })
    expect(stored.invalid).toBe(1)
    expect((await eventsOfIncident(db, incidentId)).map((e) => e.id)).toEqual([declared!.id, added!.id, later.id])
    const [kept] = await unreadableEvents(db)
    expect(kept).toMatchObject({ key: reopened.id, incidentId, seq: 3, raw: newer[2] })
    expect(kept!.reason).toMatch(/type/)
    expect(await readSetting(db, 'cursor')).toMatchObject({ lastSeq: 4, lastId: later.id })

    // The same message again (stream and pull overlap) is kept once; the older app still cannot read it.
    await storeServerEvents(db, [newer[2]], 3, { validate: olderValidator })
    expect(await unreadableCount(db)).toBe(1)
    expect(await revalidateUnreadable(db, olderValidator)).toBe(0)
    expect(await unreadableCount(db)).toBe(1)

    // After the update: the newer validator reads the same stored row, which moves into the log with its seq.
    expect(await revalidateUnreadable(db, validateEvent)).toBe(1)
    expect(await unreadableCount(db)).toBe(0)
    const events = await eventsOfIncident(db, incidentId)
    expect(events.map((e) => e.id)).toEqual([declared!.id, added!.id, reopened.id, later.id])
    expect(events.find((e) => e.id === reopened.id)).toEqual(newer[2])
    // Nothing was fetched again: the cursor never moved back.
    expect((await readSetting(db, 'cursor')).lastSeq).toBe(4)
  })

  it('keeps a message with no id at all by its seq, never dropping it', async () => {
    const db = fresh()
    await storeServerEvents(db, [{ seq: 7, nonsense: true }], 7)
    expect(await unreadableEvents(db)).toEqual([
      expect.objectContaining({ key: 'seq:7', seq: 7, raw: { seq: 7, nonsense: true } }),
    ])
    expect((await readSetting(db, 'cursor')).lastSeq).toBe(7)
  })
})
