import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventType, IncidentEvent, PayloadOf } from './events'
import { validateEvent } from './events'
import { applyEvent, foldIncident, holderOf } from './fold'
import type { IncidentState } from './fold'
import { currentWriter, openConflicts, withSeen } from './conflicts'
import { describeConflict } from './describe'
import { formatHlc } from './hlc'
import { timelineItems } from './timeline'

const INC = 'INC0000001'
const dana = { id: 'dev-dana', name: 'Dana' }
const lee = { id: 'dev-lee', name: 'Lee' }
const sam = { id: 'dev-sam', name: 'Sam' }
let counter = 0

/** A valid event stamped `ms` on `actor`'s phone. */
function ev<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  ms: number,
  actor: { id: string; name: string } = dana,
): IncidentEvent {
  counter += 1
  const checked = validateEvent({
    id: `EVT${String(counter).padStart(8, '0')}`,
    incidentId: INC,
    type,
    at: new Date(ms).toISOString(),
    hlc: formatHlc({ ms, counter: 0, node: actor.id }),
    actor,
    payload,
  })
  if (!checked.ok) throw new Error(`test event invalid: ${checked.reason}`)
  return checked.value
}

function fold(events: IncidentEvent[]): IncidentState {
  const state = foldIncident(events)
  if (!state) throw new Error('no state')
  return state
}

/** Every order of a few events folds to the same conflicts (all permutations, applied one by one too). */
function foldAllOrders(events: IncidentEvent[]): IncidentState {
  const expected = fold(events)
  fc.assert(
    fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (order) => {
      expect(fold(order).conflicts).toEqual(expected.conflicts)
      let state: IncidentState | null = null
      const held: IncidentEvent[] = []
      for (const e of order) {
        held.push(e)
        if (!state || !applyEvent(state, e)) state = foldIncident(held)
      }
      expect(state!.conflicts).toEqual(expected.conflicts)
    }),
    { numRuns: 50 },
  )
  return expected
}

const declared = () => ev('incident.declared', { title: 'Core switch down', severity: 2 }, 1_000)

describe('concurrent role assignments', () => {
  it('two phones offline assign Ops to two people: both converge on one, and a conflict names both', () => {
    const d = declared()
    // Dana's phone and Lee's phone each held only the declaration.
    const toSam = ev('role.assigned', { role: 'ops', person: sam, seen: d.id }, 2_000, dana)
    const toKim = ev('role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: d.id }, 3_000, lee)
    const s = foldAllOrders([d, toSam, toKim])
    expect(holderOf(s, 'ops')).toEqual({ name: 'Kim' })
    expect(s.conflicts).toHaveLength(1)
    const [c] = s.conflicts
    expect(c).toMatchObject({
      subject: { kind: 'role', role: 'ops' },
      kept: { eventId: toKim.id, actor: lee, value: { name: 'Kim' } },
      replaced: { eventId: toSam.id, actor: dana, value: sam },
      acknowledged: null,
    })
    expect(describeConflict(c!, s)).toBe(
      "Ops: Lee's assignment (Kim) replaced Dana's (Sam), made at the same time offline",
    )
    expect(openConflicts(s)).toEqual([c])
  })

  it('records no conflict when one phone assigned after seeing the other’s assignment', () => {
    const d = declared()
    const toSam = ev('role.assigned', { role: 'ops', person: sam, seen: d.id }, 2_000, dana)
    const toKim = ev('role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: toSam.id }, 3_000, lee)
    expect(foldAllOrders([d, toSam, toKim]).conflicts).toEqual([])
  })

  it('records no conflict for events of older app versions (no `seen`), nor for the same person twice', () => {
    const d = declared()
    const old = [
      ev('role.assigned', { role: 'ops', person: sam }, 2_000, dana),
      ev('role.assigned', { role: 'ops', person: { name: 'Kim' } }, 3_000, lee),
    ]
    expect(fold([d, ...old]).conflicts).toEqual([])
    const same = [
      ev('role.assigned', { role: 'comms', person: sam, seen: d.id }, 2_000, dana),
      ev('role.assigned', { role: 'comms', person: { name: 'sam' }, seen: d.id }, 3_000, lee),
    ]
    expect(fold([d, ...same]).conflicts).toEqual([])
  })

  it('records no conflict when the earlier-sorting write saw the later one (a phone whose clock was behind)', () => {
    const d = declared()
    // Lee's phone is 10 s fast; Dana's saw Lee's assignment, yet her clock stamps hers earlier.
    const lees = ev('role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: d.id }, 12_000, lee)
    const danas = ev('role.assigned', { role: 'ops', person: sam, seen: lees.id }, 3_000, dana)
    const s = foldAllOrders([d, lees, danas])
    expect(holderOf(s, 'ops')).toEqual({ name: 'Kim' })
    expect(s.conflicts).toEqual([])
  })

  it('waits for the write a `seen` names before judging, so it never flags a write that saw everything', () => {
    const d = declared()
    const toSam = ev('role.assigned', { role: 'ops', person: sam, seen: d.id }, 2_000, dana)
    const toKim = ev('role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: d.id }, 2_500, lee)
    // Lee then hands over again, having seen only his own write.
    const toPat = ev('role.assigned', { role: 'ops', person: { name: 'Pat' }, seen: toKim.id }, 3_000, lee)
    // Without Lee's first write this phone cannot tell what the second one replaced: no alarm.
    expect(fold([d, toSam, toPat]).conflicts).toEqual([])
    // With it, the one discarded write is Dana's, replaced by Lee's first.
    const s = foldAllOrders([d, toSam, toKim, toPat])
    expect(s.conflicts.map((c) => [c.kept.eventId, c.replaced.eventId])).toEqual([[toKim.id, toSam.id]])
  })

  it('is confirmed by conflict.acknowledged, in any order, and is then no longer open', () => {
    const d = declared()
    const toSam = ev('role.assigned', { role: 'ops', person: sam, seen: d.id }, 2_000, dana)
    const toKim = ev('role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: d.id }, 3_000, lee)
    const ack = ev('conflict.acknowledged', { keptId: toKim.id, replacedId: toSam.id }, 4_000, dana)
    const again = ev('conflict.acknowledged', { keptId: toKim.id, replacedId: toSam.id }, 5_000, lee)
    const s = foldAllOrders([d, toSam, toKim, ack, again])
    expect(s.conflicts[0]!.acknowledged).toEqual({ eventId: ack.id, actor: dana, at: ack.at })
    expect(openConflicts(s)).toEqual([])
    // A phone with a slow clock may stamp its confirmation before the writes it names.
    const early = ev('conflict.acknowledged', { keptId: toKim.id, replacedId: toSam.id }, 1_500, sam)
    expect(openConflicts(foldAllOrders([d, toSam, toKim, early]))).toEqual([])
  })

  it('marks the write that counts on the Timeline', () => {
    const d = declared()
    const toSam = ev('role.assigned', { role: 'ops', person: sam, seen: d.id }, 2_000, dana)
    const toKim = ev('role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: d.id }, 3_000, lee)
    const onlyMine = fold([d, toKim])
    expect(timelineItems(onlyMine)[0]!.conflicts).toBeUndefined()
    // The other phone's write arrives later: the row of the kept write is marked, the other not.
    const s = fold([d, toKim, toSam])
    const items = timelineItems(s)
    expect(items.find((i) => i.event.id === toKim.id)!.conflicts).toEqual([
      "Ops: Lee's assignment (Kim) replaced Dana's (Sam), made at the same time offline",
    ])
    expect(items.find((i) => i.event.id === toSam.id)!.conflicts).toBeUndefined()
  })
})

describe('concurrent edits of fields, tasks and log entries', () => {
  it('flags each field two offline edits both set, not the fields only one set or set alike', () => {
    const d = declared()
    const a = ev(
      'incident.edited',
      { title: 'Core switch B', severity: 1, seen: { title: d.id, severity: d.id } },
      2_000,
      dana,
    )
    const b = ev(
      'incident.edited',
      { title: 'Fibre cut', severity: 1, location: 'Annex', seen: { title: d.id, severity: d.id, location: d.id } },
      3_000,
      lee,
    )
    const s = foldAllOrders([d, a, b])
    expect(s.title).toBe('Fibre cut')
    expect(s.conflicts.map((c) => describeConflict(c, s))).toEqual([
      "Title: Lee's edit (“Fibre cut”) replaced Dana's (“Core switch B”), made at the same time offline",
    ])
  })

  it('flags done and reopen of one task made at the same time offline', () => {
    const d = declared()
    const add = ev('task.added', { taskId: 'TSK0000001', text: 'Call the vendor', kind: 'followup' }, 1_500)
    const done = ev('task.done', { taskId: 'TSK0000001', seen: 'TSK0000001' }, 2_000, dana)
    const reopen = ev('task.reopened', { taskId: 'TSK0000001', seen: done.id }, 2_500, dana)
    const doneAgain = ev('task.done', { taskId: 'TSK0000001', seen: done.id }, 3_000, sam)
    const s = foldAllOrders([d, add, done, reopen, doneAgain])
    expect(s.tasks.get('TSK0000001')!.done).not.toBeNull()
    expect(s.conflicts.map((c) => describeConflict(c, s))).toEqual([
      "Task “Call the vendor”: Sam's change (done) replaced Dana's (not done), made at the same time offline",
    ])
  })

  it('flags a strike and a restore of one log entry made at the same time offline', () => {
    const d = declared()
    const entry = ev('log.entry', { text: 'Rebooted core-sw-1', kind: 'action' }, 1_500)
    const strike = ev('log.amended', { entryId: entry.id, struck: true, seen: { struck: entry.id } }, 2_000, dana)
    const pin = ev('log.amended', { entryId: entry.id, pinned: true, seen: { pinned: entry.id } }, 2_200, lee)
    const restore = ev('log.amended', { entryId: entry.id, struck: false, seen: { struck: entry.id } }, 3_000, lee)
    const s = foldAllOrders([d, entry, strike, pin, restore])
    expect(s.entries.get(entry.id)).toMatchObject({ struck: false, pinned: true })
    expect(s.conflicts.map((c) => describeConflict(c, s))).toEqual([
      "Log entry “Rebooted core-sw-1”: Lee's change (restored) replaced Dana's (struck), made at the same time offline",
    ])
  })
})

describe('withSeen: what a new write names', () => {
  it('names the write each value would replace on this phone, or where the value started', () => {
    const d = declared()
    const entry = ev('log.entry', { text: 'x', kind: 'note' }, 1_200)
    const add = ev('task.added', { taskId: 'TSK0000002', text: 't', kind: 'bug' }, 1_300)
    const toSam = ev('role.assigned', { role: 'ops', person: sam }, 2_000)
    const title = ev('incident.edited', { title: 'New' }, 2_100)
    const s = fold([d, entry, add, toSam, title])
    expect(withSeen(s, 'role.assigned', { role: 'ops', person: null })).toEqual({
      role: 'ops',
      person: null,
      seen: toSam.id,
    })
    expect(withSeen(s, 'role.assigned', { role: 'comms', person: null }).seen).toBe(d.id)
    expect(withSeen(s, 'incident.edited', { title: 'T', severity: 1 }).seen).toEqual({
      title: title.id,
      severity: d.id,
    })
    expect(withSeen(s, 'task.done', { taskId: 'TSK0000002' }).seen).toBe('TSK0000002')
    expect(withSeen(s, 'log.amended', { entryId: entry.id, pinned: true }).seen).toEqual({ pinned: entry.id })
    expect(withSeen(s, 'role.assigned', { role: 'ops', person: null, seen: 'EVTgiven00' }).seen).toBe('EVTgiven00')
    expect(withSeen(s, 'log.entry', { text: 'y', kind: 'note' })).toEqual({ text: 'y', kind: 'note' })
    expect(currentWriter(s, { kind: 'field', field: 'title' })).toBe(title.id)
  })

  it('follows a cycle of `seen` a broken client made without looping', () => {
    const d = declared()
    const nextId = (ahead: number) => `EVT${String(counter + ahead).padStart(8, '0')}`
    const x = ev('role.assigned', { role: 'ops', person: sam, seen: nextId(2) }, 2_000, dana)
    const y = ev('role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: x.id }, 2_100, dana)
    expect(x.payload).toMatchObject({ seen: y.id }) // x and y name each other
    const l = ev('role.assigned', { role: 'ops', person: { name: 'Pat' }, seen: d.id }, 2_200, lee)
    const w = ev('role.assigned', { role: 'ops', person: sam, seen: x.id }, 2_300, sam)
    const s = foldAllOrders([d, x, y, l, w])
    expect(s.conflicts.map((c) => [c.kept.eventId, c.replaced.eventId])).toContainEqual([w.id, l.id])
  })
})
