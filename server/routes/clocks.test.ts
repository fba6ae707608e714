import { afterEach, describe, expect, it } from 'vitest'
import { foldIncident } from '../../src/domain/fold'
import { formatHlc } from '../../src/domain/hlc'
import type { IncidentEvent } from '../../src/domain/events'
import { makeEvent, makeIncident } from '../../tests/fixtures/events'
import { yearAhead } from '../../tests/fixtures/year-ahead'
import { createTestApp, type TestApp } from '../test-support'

/** The server's clock in these tests: it only moves when a test moves it. */
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0)
const TWO_MIN = 2 * 60_000

let t: TestApp
afterEach(async () => {
  await t.close()
})

async function app(now = () => NOW) {
  t = await createTestApp({ now })
  return t
}
const push = (events: unknown) =>
  t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
const pulled = async (): Promise<IncidentEvent[]> =>
  (await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })).json().events

const stampedAt = (ms: number, node = 'phone-x') => ({
  hlc: formatHlc({ ms, counter: 0, node }),
  at: new Date(ms).toISOString(),
})

describe('the server is the authority on time', () => {
  it('sends its clock in /api/health and in every push answer', async () => {
    await app()
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).json()).toMatchObject({ ok: true, now: NOW })
    const res = await push(makeIncident(1))
    expect(res.json().now).toBe(NOW)
    // Node's own Date header too, for anything that only reads headers.
    expect(Date.parse(String(res.headers.date))).toBeGreaterThan(0)
  })

  it('takes an event stamped exactly 2 minutes ahead and refuses one 2 minutes and 1 ms ahead (clock_ahead)', async () => {
    await app()
    const [declared] = makeIncident(1)
    const incidentId = declared!.incidentId
    const atLimit = makeEvent('log.entry', { text: 'at the limit' }, { incidentId, ...stampedAt(NOW + TWO_MIN) })
    const over = makeEvent('log.entry', { text: 'one ms over' }, { incidentId, ...stampedAt(NOW + TWO_MIN + 1) })
    const res = await push([declared, atLimit, over])
    expect(res.json()).toEqual({
      accepted: [declared!.id, atLimit.id],
      duplicate: [],
      rejected: [{ id: over.id, reason: 'clock_ahead' }],
      now: NOW,
    })
    expect((await pulled()).map((e) => e.id)).toEqual([declared!.id, atLimit.id])
  })

  it('judges by its clock at the time of the push: the same event is taken once the server catches up', async () => {
    let now = NOW
    await app(() => now)
    const [declared] = makeIncident(1)
    const early = makeEvent('log.entry', {}, { incidentId: declared!.incidentId, ...stampedAt(NOW + 10 * 60_000) })
    await push([declared])
    expect((await push([early])).json().rejected).toEqual([{ id: early.id, reason: 'clock_ahead' }])
    now = NOW + 8 * 60_000
    expect((await push([early])).json().accepted).toEqual([early.id])
  })
})

describe('the year-ahead field report', () => {
  it('refuses the future-stamped resolve; Reopen on the phone with the right clock wins', async () => {
    await app()
    const { declared, resolved } = yearAhead(NOW)
    expect((await push([declared])).json().accepted).toEqual([declared.id])
    // The phone a year ahead pushes its resolve as it stamped it: refused, never shared.
    expect((await push([resolved])).json().rejected).toEqual([{ id: resolved.id, reason: 'clock_ahead' }])
    // The correct phone had seen "Resolved" locally (the old bug) and taps Reopen now.
    const reopen = makeEvent(
      'incident.status',
      { status: 'active', note: 'still down' },
      { incidentId: declared.incidentId, actor: declared.actor, ...stampedAt(NOW, 'phone-good') },
    )
    expect((await push([reopen])).json().accepted).toEqual([reopen.id])
    const onServer = await pulled()
    expect(onServer.map((e) => e.id)).toEqual([declared.id, reopen.id])
    const state = foldIncident(onServer.map(({ seq: _seq, ...e }) => e as IncidentEvent))!
    expect(state.status).toBe('active')
    // No entry pinned at the top from next year.
    expect(Math.max(...state.events.map((e) => Date.parse(e.at)))).toBeLessThanOrEqual(NOW)
  })
})
