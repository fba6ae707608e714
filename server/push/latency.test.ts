/**
 * The whole server path with real timers and a real (local) push service:
 * a phone subscribes over HTTP, events arrive over HTTP, reminders fall due,
 * and the receiver gets encrypted pushes. Prints the time from each due
 * moment to the push service receiving the reminder, and from an event's
 * push to its notification: a measurement, never asserted (machine speed).
 */
import webpush from 'web-push'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/events'
import { formatHlc } from '../../src/domain/hlc'
import { newId } from '../../src/domain/ids'
import { makeEvent } from '../../tests/fixtures/events'
import { browserKeys, decryptPush, startPushReceiver, type PushReceiver } from '../../tests/fixtures/push-receiver'
import { IncidentProjection } from '../incidents/projection'
import { openSqliteStore } from '../store/sqlite'
import { createTestApp, type TestApp } from '../test-support'
import { PushNotifier } from './notifier'
import { PushSender } from './sender'

const DANA: Actor = { id: 'dana-phone', name: 'Dana' }
const SAM: Actor = { id: 'sam-phone', name: 'Sam' }
let receiver: PushReceiver
let t: TestApp
let notifier: PushNotifier
let projection: IncidentProjection
const keys = { dana: browserKeys(), sam: browserKeys() }

beforeAll(async () => {
  receiver = await startPushReceiver()
  const store = openSqliteStore(':memory:')
  const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:it@district.example' }
  projection = new IncidentProjection({ store, pollMs: 0 })
  t = await createTestApp({
    store,
    incidents: projection,
    push: { publicKey: vapid.publicKey, endpointHosts: ['127.0.0.1'] },
  })
  notifier = new PushNotifier({ store, projection, transport: new PushSender(vapid, { agent: receiver.agent }) })
  notifier.start()
  await projection.start()
  for (const [who, actor] of [
    ['dana', DANA],
    ['sam', SAM],
  ] as const) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions',
      headers: t.auth,
      payload: {
        endpoint: `${receiver.origin}/push/${who}`,
        keys: { p256dh: keys[who].p256dh, auth: keys[who].auth },
        person: actor,
        topics: ['update-due', 'role-assigned'],
      },
    })
    expect(res.statusCode).toBe(200)
  }
})

afterAll(async () => {
  notifier.stop()
  projection.stop()
  await notifier.idle()
  await t.close()
  await receiver.close()
})

const stamp = (ms: number, actor: Actor) => ({
  actor,
  hlc: formatHlc({ ms, counter: 0, node: actor.id }),
  at: new Date(ms).toISOString(),
})

function summary(label: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
  return `${label}: n=${sorted.length} median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${sorted.at(-1)} ms\n`
}

describe('push over the whole server path', () => {
  it('sends each reminder when it falls due, to the Comms holder’s device, readable with its keys', async () => {
    const count = 12
    const dueMs = new Map<string, number>()
    const start = Date.now()
    const events = Array.from({ length: count }, (_, i) => {
      const id = newId()
      // Declared 30 min (the default cadence) before a moment 2–3 s from now: in the future once stored.
      const due = start + 2000 + i * 100
      dueMs.set(id, due)
      return makeEvent(
        'incident.declared',
        { title: `Outage ${i}`, severity: 3 },
        { incidentId: id, ...stamp(due - 30 * 60_000, DANA) },
      )
    })
    const before = receiver.received.length
    const res = await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
    expect(res.json().accepted).toHaveLength(count)
    // Only moments still ahead once stored measure the timer (a slow machine may store some late).
    const storedAt = Date.now()

    const got = (await receiver.waitFor(before + count)).slice(before)
    const late: number[] = []
    for (const push of got) {
      expect(push.path).toBe('/push/dana')
      const message = JSON.parse(decryptPush(push.body, keys.dana).toString('utf8')) as {
        topic: string
        incidentId: string
      }
      expect(message.topic).toBe('update-due')
      const due = dueMs.get(message.incidentId)!
      expect(push.at).toBeGreaterThanOrEqual(due)
      if (due > storedAt) late.push(push.at - due)
    }
    expect(new Set(got.map((p) => p.body.toString('base64'))).size).toBe(count)
    process.stdout.write(summary('push latency, due moment → received by the push service', late))
  })

  it('tells the person a role was given to, right after the event is stored', async () => {
    const id = newId()
    const now = Date.now()
    await t.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: t.auth,
      payload: {
        events: [
          makeEvent('incident.declared', { title: 'Phones', severity: 3 }, { incidentId: id, ...stamp(now, DANA) }),
        ],
      },
    })
    const before = receiver.received.length
    const sent = Date.now()
    await t.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: t.auth,
      payload: {
        events: [
          makeEvent('role.assigned', { role: 'comms', person: SAM }, { incidentId: id, ...stamp(now + 1, DANA) }),
        ],
      },
    })
    const [push] = (await receiver.waitFor(before + 1)).slice(before)
    expect(push!.path).toBe('/push/sam')
    expect(JSON.parse(decryptPush(push!.body, keys.sam).toString('utf8'))).toMatchObject({
      topic: 'role-assigned',
      incidentId: id,
    })
    process.stdout.write(
      summary('push latency, role assigned pushed → received by the push service', [push!.at - sent]),
    )
  })
})
