/**
 * The push job on a real store, with a recording transport and fake timers:
 * who is told what and when, once per due moment across nodes, and what is
 * forgotten (410, revoked tokens).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Actor, EventType, PayloadOf } from '../../src/domain/events'
import { formatHlc } from '../../src/domain/hlc'
import { newId } from '../../src/domain/ids'
import type { PushMessage, PushTopic } from '../../src/domain/push'
import { makeEvent } from '../../tests/fixtures/events'
import { hashToken } from '../auth/tokens'
import { ingest } from '../events/ingest'
import { IncidentProjection } from '../incidents/projection'
import { openSqliteStore } from '../store/sqlite'
import type { PushSubscriptionRecord, Store } from '../store/types'
import { tempDir } from '../test-support'
import { PushNotifier, type DeliveryReport, type PushTransport } from './notifier'
import type { SendOutcome } from './sender'

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0)
const MIN = 60_000
const DANA: Actor = { id: 'dana-phone', name: 'Dana' }
const SAM: Actor = { id: 'sam-phone', name: 'Sam' }
const ALL: PushTopic[] = ['update-due', 'role-assigned', 'major-declared', 'task-assigned']

/** Records every send; answers per endpoint (default 201). */
class RecordingTransport implements PushTransport {
  sent: { endpoint: string; message: PushMessage }[] = []
  answer: (endpoint: string) => SendOutcome = () => ({ kind: 'sent', status: 201 })
  async send(sub: PushSubscriptionRecord, message: PushMessage): Promise<SendOutcome> {
    this.sent.push({ endpoint: sub.endpoint, message })
    return this.answer(sub.endpoint)
  }
  to(endpoint: string): PushMessage[] {
    return this.sent.filter((s) => s.endpoint === endpoint).map((s) => s.message)
  }
}

interface Node {
  store: Store
  projection: IncidentProjection
  notifier: PushNotifier
  reports: DeliveryReport[]
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  vi.useRealTimers()
})
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
  vi.setSystemTime(T0)
})

async function node(store: Store, transport: PushTransport): Promise<Node> {
  const projection = new IncidentProjection({ store, pollMs: 0 })
  const reports: DeliveryReport[] = []
  const notifier = new PushNotifier({
    store,
    projection,
    transport,
    housekeepingMs: 0,
    onDelivered: (r) => reports.push(r),
  })
  notifier.start()
  await projection.start()
  cleanups.push(() => notifier.stop())
  return { store, projection, notifier, reports }
}

/** A team: Dana (phone and laptop, one token) and Sam, each subscribed to `topics`. */
async function team(store: Store, topics: { dana?: PushTopic[]; sam?: PushTopic[] } = {}) {
  const dana = await store.insertToken('Dana', hashToken('d'.repeat(43)), new Date().toISOString())
  const sam = await store.insertToken('Sam', hashToken('s'.repeat(43)), new Date().toISOString())
  const base = { p256dh: 'B'.padEnd(87, 'A'), auth: 'A'.repeat(22) }
  const at = new Date().toISOString()
  await store.savePushSubscription(
    {
      ...base,
      endpoint: 'https://push.example/dana-phone',
      tokenId: dana.id,
      person: DANA,
      topics: topics.dana ?? ALL,
    },
    at,
  )
  await store.savePushSubscription(
    {
      ...base,
      endpoint: 'https://push.example/dana-laptop',
      tokenId: dana.id,
      person: { id: 'dana-laptop', name: 'Dana' },
      topics: topics.dana ?? ALL,
    },
    at,
  )
  await store.savePushSubscription(
    { ...base, endpoint: 'https://push.example/sam-phone', tokenId: sam.id, person: SAM, topics: topics.sam ?? ALL },
    at,
  )
  return {
    /** Store events as the person's phone would push them (through their token). */
    async push(who: 'dana' | 'sam', events: Parameters<typeof ingest>[1]) {
      const token = who === 'dana' ? dana : sam
      await ingest(store, events, { tokenId: token.id, name: token.name }, undefined, T0 + 365 * 24 * 60 * MIN)
    },
  }
}

/** An event by `actor` stamped at `ms`. */
function ev<T extends EventType>(
  type: T,
  payload: Partial<PayloadOf<T>>,
  actor: Actor,
  ms: number,
  incidentId: string,
) {
  return makeEvent(type, payload, {
    incidentId,
    actor,
    hlc: formatHlc({ ms, counter: 0, node: actor.id }),
    at: new Date(ms).toISOString(),
  })
}

function memoryStore(): Store {
  const store = openSqliteStore(':memory:')
  cleanups.push(() => store.close())
  return store
}

describe('update-due reminders', () => {
  it('reach every device of whoever holds Comms at the due moment, once, and follow the next moment after an update', async () => {
    const store = memoryStore()
    const transport = new RecordingTransport()
    const t = await team(store)
    const id = newId()
    // Comms unassigned: the commander (Dana) holds it. Default cadence 30 min.
    await t.push('dana', [ev('incident.declared', { title: 'Gym Wi-Fi down', severity: 3 }, DANA, T0, id)])
    const n = await node(store, transport)

    await vi.advanceTimersByTimeAsync(30 * MIN - 1)
    await n.notifier.idle()
    expect(transport.sent).toEqual([])

    await vi.advanceTimersByTimeAsync(1)
    await n.notifier.idle()
    const reminder = {
      topic: 'update-due',
      incidentId: id,
      title: 'Update due: Gym Wi-Fi down',
      url: `/incidents/${id}/updates`,
    }
    expect(transport.to('https://push.example/dana-phone')).toEqual([reminder])
    // Her laptop is another device under her token: it rings too. Sam holds nothing.
    expect(transport.to('https://push.example/dana-laptop')).toEqual([reminder])
    expect(transport.to('https://push.example/sam-phone')).toEqual([])
    expect(n.reports[0]).toMatchObject({ key: `due:${id}:${T0 + 30 * MIN}`, sent: 2, lateMs: 0 })

    // Once per moment: nothing more while it stays overdue.
    await vi.advanceTimersByTimeAsync(20 * MIN)
    await n.notifier.idle()
    expect(transport.sent).toHaveLength(2)

    // The update moves the moment: next due 10 min after it.
    await t.push('dana', [ev('update.posted', { body: 'Vendor on site', nextDueMinutes: 10 }, DANA, T0 + 50 * MIN, id)])
    await n.projection.refresh()
    await vi.advanceTimersByTimeAsync(10 * MIN)
    await n.notifier.idle()
    expect(transport.to('https://push.example/dana-phone')).toHaveLength(2)
  })

  it('go to Comms once assigned, not the commander, and never for a moment an update already moved', async () => {
    const store = memoryStore()
    const transport = new RecordingTransport()
    const t = await team(store)
    const id = newId()
    await t.push('dana', [
      ev('incident.declared', { title: 'Phones down', severity: 2 }, DANA, T0, id),
      ev('role.assigned', { role: 'comms', person: SAM }, DANA, T0 + 1, id),
    ])
    const n = await node(store, transport)
    // Sam posts at minute 20: the moment at 30 never comes; the next is at 50.
    vi.setSystemTime(T0 + 20 * MIN)
    await t.push('sam', [ev('update.posted', { body: 'Carrier contacted' }, SAM, T0 + 20 * MIN, id)])
    await n.projection.refresh()
    await vi.advanceTimersByTimeAsync(29 * MIN)
    await n.notifier.idle()
    expect(transport.sent).toEqual([])
    await vi.advanceTimersByTimeAsync(1 * MIN)
    await n.notifier.idle()
    expect(transport.sent.map((s) => s.endpoint)).toEqual(['https://push.example/sam-phone'])
  })

  it('are sent by one node only when two share the database', async () => {
    const dir = tempDir('cp-notify-')
    cleanups.push(() => dir.remove())
    const a = openSqliteStore(dir.path)
    const b = openSqliteStore(dir.path)
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    const transport = new RecordingTransport()
    const t = await team(a)
    const id = newId()
    await t.push('dana', [ev('incident.declared', { title: 'Core switch', severity: 3 }, DANA, T0, id)])
    const one = await node(a, transport)
    const two = await node(b, transport)
    await vi.advanceTimersByTimeAsync(30 * MIN)
    await Promise.all([one.notifier.idle(), two.notifier.idle()])
    expect(transport.to('https://push.example/dana-phone')).toHaveLength(1)
    expect(one.reports.length + two.reports.length).toBe(1)
  })

  it('stay quiet for resolved incidents and for moments more than an hour past when the server starts', async () => {
    const store = memoryStore()
    const transport = new RecordingTransport()
    const t = await team(store)
    const resolved = newId()
    const old = newId()
    await t.push('dana', [
      ev('incident.declared', { title: 'Printer', severity: 4 }, DANA, T0, resolved),
      ev('incident.status', { status: 'resolved' }, DANA, T0 + 1, resolved),
      ev('incident.declared', { title: 'Old one', severity: 4 }, DANA, T0 - 5 * 60 * MIN, old),
    ])
    const n = await node(store, transport)
    await vi.advanceTimersByTimeAsync(2 * 60 * MIN)
    await n.notifier.idle()
    expect(transport.sent).toEqual([])
  })
})

describe('event notices', () => {
  it('tell the person a role or task was given to, and everyone else of a SEV1/SEV2, never the one who did it', async () => {
    const store = memoryStore()
    const transport = new RecordingTransport()
    const t = await team(store, { sam: ['role-assigned', 'major-declared', 'task-assigned'] })
    const history = newId()
    // Already stored when the server starts: history, no notices.
    await t.push('dana', [ev('incident.declared', { title: 'Yesterday', severity: 1 }, DANA, T0 - 1000, history)])
    const n = await node(store, transport)

    const id = newId()
    const taskId = newId()
    await t.push('dana', [
      ev('incident.declared', { title: 'Ransomware on file server', severity: 1 }, DANA, T0 + 1, id),
      ev('role.assigned', { role: 'ops', person: SAM }, DANA, T0 + 2, id),
      ev('role.assigned', { role: 'planning', person: DANA }, DANA, T0 + 3, id),
      ev('task.added', { taskId, text: 'Call the insurer', kind: 'other', owner: 'sam' }, DANA, T0 + 4, id),
    ])
    await n.projection.refresh()
    await n.notifier.idle()
    expect(transport.to('https://push.example/sam-phone')).toEqual([
      {
        topic: 'major-declared',
        incidentId: id,
        title: 'SEV1 declared: Ransomware on file server',
        url: `/incidents/${id}`,
      },
      {
        topic: 'role-assigned',
        incidentId: id,
        title: 'You are Ops: Ransomware on file server',
        url: `/incidents/${id}/roles`,
      },
      {
        topic: 'task-assigned',
        incidentId: id,
        title: 'Task for you: Ransomware on file server',
        url: `/incidents/${id}/tasks`,
      },
    ])
    // Dana declared and took Planning herself: none of her devices is told.
    expect(transport.to('https://push.example/dana-phone')).toEqual([])
    expect(transport.to('https://push.example/dana-laptop')).toEqual([])
  })

  it('read the subscriptions once for all the notices of a push', async () => {
    const store = memoryStore()
    const transport = new RecordingTransport()
    const t = await team(store, { sam: ['role-assigned', 'major-declared', 'task-assigned'] })
    const n = await node(store, transport)
    const list = store.listPushSubscriptions.bind(store)
    let reads = 0
    store.listPushSubscriptions = () => {
      reads++
      return list()
    }
    const id = newId()
    await t.push('dana', [
      ev('incident.declared', { title: 'Core switch down', severity: 2 }, DANA, T0 + 1, id),
      ev('role.assigned', { role: 'ops', person: SAM }, DANA, T0 + 2, id),
      ev('task.added', { taskId: newId(), text: 'Swap the PSU', kind: 'other', owner: 'sam' }, DANA, T0 + 3, id),
    ])
    await n.projection.refresh()
    await n.notifier.idle()
    expect(transport.to('https://push.example/sam-phone').map((m) => m.topic)).toEqual([
      'major-declared',
      'role-assigned',
      'task-assigned',
    ])
    expect(reads).toBe(1)
  })

  it('respect the choices, and skip assignments a later write already replaced', async () => {
    const store = memoryStore()
    const transport = new RecordingTransport()
    const t = await team(store, { sam: ['task-assigned'] })
    const n = await node(store, transport)
    const id = newId()
    await t.push('dana', [
      ev('incident.declared', { title: 'Minor', severity: 3 }, DANA, T0 + 1, id),
      // Sam did not choose roles: not told.
      ev('role.assigned', { role: 'ops', person: SAM }, DANA, T0 + 2, id),
    ])
    // Comms given to Dana, then handed back before anyone was told: she does not hold it.
    const other = newId()
    await t.push('sam', [
      ev('incident.declared', { title: 'Sam’s', severity: 3 }, SAM, T0 + 3, other),
      ev('role.assigned', { role: 'comms', person: DANA }, SAM, T0 + 4, other),
      ev('role.assigned', { role: 'comms', person: null }, SAM, T0 + 5, other),
    ])
    await n.projection.refresh()
    await n.notifier.idle()
    expect(transport.sent).toEqual([])
  })
})

describe('forgetting subscriptions', () => {
  it('drops a subscription its push service answers 410 for, and sends nothing to a revoked token’s devices', async () => {
    const store = memoryStore()
    const transport = new RecordingTransport()
    transport.answer = (endpoint) =>
      endpoint.endsWith('dana-laptop') ? { kind: 'gone', status: 410 } : { kind: 'sent', status: 201 }
    const t = await team(store)
    const n = await node(store, transport)
    const id = newId()
    await t.push('sam', [ev('incident.declared', { title: 'Outage', severity: 2 }, SAM, T0 + 1, id)])
    await n.projection.refresh()
    await n.notifier.idle()
    expect(n.reports[0]).toMatchObject({ sent: 1, gone: 1 })
    expect((await store.listPushSubscriptions()).map((s) => s.endpoint)).not.toContain(
      'https://push.example/dana-laptop',
    )

    await store.revokeTokens('Dana', new Date().toISOString())
    const next = newId()
    await t.push('sam', [ev('incident.declared', { title: 'Another', severity: 1 }, SAM, T0 + 2, next)])
    await n.projection.refresh()
    await n.notifier.idle()
    expect(transport.to('https://push.example/dana-phone')).toHaveLength(1)
    await n.notifier.tidy()
    expect((await store.listPushSubscriptions()).map((s) => s.endpoint)).toEqual(['https://push.example/sam-phone'])
  })
})
