/**
 * Issue #11, "a hostile or broken client can take an incident over for good",
 * end to end through the API: a token that is not the commander's pushes the
 * events of the field report (far-future stamps, a second declaration and other
 * events stamped near 1970, a role.assigned making itself commander). Every one
 * is refused, and every phone's fold of what the server hands out (pull, by each
 * phone's own token) is the same as before the attack; the commander's next
 * real change still applies. The single rules are tested where they live:
 * clock_ahead in clocks.test.ts, already_declared / before_declared in
 * events.test.ts and the store's tests, the fold's own in src/domain/fold.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { IncidentEvent } from '../../src/domain/events'
import { foldIncident } from '../../src/domain/fold'
import { formatHlc } from '../../src/domain/hlc'
import { makeEvent } from '../../tests/fixtures/events'
import { createTestApp, type TestApp } from '../test-support'

let t: TestApp
afterEach(async () => {
  await t.close()
})

const FAR_FUTURE = '999999999999999'
const dana = { id: 'dana-phone', name: 'Dana' }
const mallory = { id: 'mallory-phone', name: 'Mallory' }

describe('hostile events from a token that is not the commander’s', () => {
  it('are all refused, and leave every phone’s fold unchanged', async () => {
    t = await createTestApp()
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
    const phones = {
      dana: bearer((await t.tokens.issue('Dana')).token),
      sam: bearer((await t.tokens.issue('Sam')).token),
    }
    const attacker = bearer((await t.tokens.issue('Mallory')).token)
    const push = (headers: Record<string, string>, events: IncidentEvent[]) =>
      t.app.inject({ method: 'POST', url: '/api/events', headers, payload: { events } })
    /** What each phone folds from everything the server hands it. */
    const folds = async () =>
      Promise.all(
        Object.values(phones).map(async (headers) => {
          const { events } = (await t.app.inject({ method: 'GET', url: '/api/events', headers })).json()
          return foldIncident(events)
        }),
      )

    // Dana declares (she is the commander) and logs; Sam logs too.
    const declared = makeEvent('incident.declared', { title: 'Core switch down' }, { actor: dana })
    const incidentId = declared.incidentId
    const entry = makeEvent('log.entry', { text: 'Power-cycled B-2' }, { incidentId, actor: dana })
    expect((await push(phones.dana, [declared, entry])).json().accepted).toHaveLength(2)
    expect((await push(phones.sam, [makeEvent('log.entry', { text: 'Sam here' }, { incidentId })])).statusCode).toBe(
      200,
    )
    const before = await folds()
    expect(before[0]).toMatchObject({ status: 'active', title: 'Core switch down' })
    expect(before[0]!.roles.command.person).toMatchObject({ name: 'Dana' })

    const at = new Date().toISOString()
    const future = (n: number) => ({ incidentId, actor: mallory, at, hlc: `${FAR_FUTURE}:0000${n}:evil` })
    const near1970 = (ms: number) => ({
      incidentId,
      actor: mallory,
      at: new Date(ms).toISOString(),
      hlc: formatHlc({ ms, counter: 0, node: 'evil' }),
    })
    const hostile = [
      makeEvent('incident.status', { status: 'resolved' }, future(1)),
      makeEvent('role.assigned', { role: 'command', person: { name: 'Mallory' } }, future(2)),
      makeEvent('incident.edited', { title: 'Taken over' }, future(3)),
      makeEvent('incident.declared', { title: 'Renamed', severity: 4 }, near1970(1)),
      makeEvent('role.assigned', { role: 'command', person: { name: 'Mallory' } }, near1970(2)),
      makeEvent('incident.status', { status: 'resolved' }, near1970(3)),
      // A second declaration with an honest stamp is refused as well: the first stored is the incident's.
      makeEvent('incident.declared', { title: 'Renamed now', severity: 4 }, { incidentId, actor: mallory }),
    ]
    const res = await push(attacker, hostile)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ accepted: [], duplicate: [] })
    expect(res.json().rejected).toEqual([
      { id: hostile[0]!.id, reason: 'clock_ahead' },
      { id: hostile[1]!.id, reason: 'clock_ahead' },
      { id: hostile[2]!.id, reason: 'clock_ahead' },
      { id: hostile[3]!.id, reason: 'already_declared' },
      { id: hostile[4]!.id, reason: 'before_declared' },
      { id: hostile[5]!.id, reason: 'before_declared' },
      { id: hostile[6]!.id, reason: 'already_declared' },
    ])

    const after = await folds()
    expect(after).toEqual(before)
    expect(after[1]).toEqual(after[0])

    // Not taken over for good: the commander's next real change applies as ever.
    const mitigated = makeEvent('incident.status', { status: 'mitigated' }, { incidentId, actor: dana })
    expect((await push(phones.dana, [mitigated])).json().accepted).toEqual([mitigated.id])
    for (const state of await folds()) {
      expect(state).toMatchObject({ status: 'mitigated', title: 'Core switch down' })
      expect(state!.roles.command.person).toMatchObject({ name: 'Dana' })
    }
  })
})
